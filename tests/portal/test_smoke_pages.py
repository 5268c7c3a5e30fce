import pytest

from tests.conftest import signed_in


@pytest.mark.django_db
def test_home_page_greets_the_signed_in_officer_with_their_partner(police_officer):
    response = signed_in(police_officer).get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Your start page" in body
    assert "West Midlands Police" in body
    assert "Criminal Justice Partnership Portal" in body


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(anonymous):
    response = anonymous.get("/partners/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=/partners/")


@pytest.mark.django_db
def test_unverified_session_is_sent_to_the_second_factor(police_officer):
    response = signed_in(police_officer, verified=False).get("/partners/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/two-factor/")
