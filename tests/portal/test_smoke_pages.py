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


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accessibility/", "/privacy/", "/cookies/", "/sign-in/"])
def test_public_pages_are_open_to_anyone(path, anonymous):
    response = anonymous.get(path)
    assert response.status_code == 200
    assert "Criminal Justice Partnership Portal" in response.content.decode()


@pytest.mark.django_db
def test_not_found_and_forbidden_pages_use_the_portal_layout(police_officer):
    client = signed_in(police_officer)
    missing = client.get("/partners/no-such-partner/")
    assert missing.status_code == 404 and "Page not found" in missing.content.decode()
    forbidden = client.get("/audit/")
    assert forbidden.status_code == 403 and "You cannot do this" in forbidden.content.decode()


@pytest.mark.django_db
def test_an_api_address_that_names_no_endpoint_answers_in_json(police_officer, settings, rf):
    from portal.views.pages import error_403, error_500

    settings.DEBUG = False  # the production handlers, not Django's technical pages
    client = signed_in(police_officer)
    missing = client.get("/api/v1/no-such-list/")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/json"
    assert "/api/v1/" in missing.json()["detail"]
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and "Page not found" in page.content.decode()
    assert error_403(rf.get("/api/v1/partners/")).status_code == 403
    assert error_500(rf.get("/api/v1/partners/"))["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_the_error_page_survives_a_broken_database(rf):
    from portal.views.pages import error_500

    request = rf.get("/")  # no user, no session: the styled page cannot render
    response = error_500(request)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


@pytest.mark.django_db
def test_navigation_shows_only_what_the_role_can_use(police_officer, pcc_officer):
    officer_page = signed_in(police_officer).get("/").content.decode()
    pcc_page = signed_in(pcc_officer).get("/").content.decode()
    assert 'href="/audit/"' not in officer_page and 'href="/api-tokens/"' not in officer_page
    assert 'href="/audit/"' in pcc_page and 'href="/api-tokens/"' in pcc_page


@pytest.mark.django_db
def test_partner_directory_search_and_filter(police, probation, police_officer):
    client = signed_in(police_officer)
    body = client.get("/partners/?q=probation").content.decode()
    assert "Probation Service West Midlands" in body and ">West Midlands Police<" not in body
    body = client.get("/partners/?kind=police").content.decode()
    assert ">West Midlands Police<" in body and "Probation Service West Midlands" not in body


@pytest.mark.django_db
def test_partner_page_lists_people_and_roles(police, police_officer, police_signatory):
    body = signed_in(police_officer).get("/partners/west-midlands-police/").content.decode()
    assert "Partner officer" in body and "Partner signatory" in body


@pytest.mark.django_db
def test_my_account_lists_my_memberships(police_officer):
    body = signed_in(police_officer).get("/account/").content.decode()
    assert "West Midlands Police" in body and "Current" in body
