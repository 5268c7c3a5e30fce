"""Documents kept in an S3-compatible bucket (UPLOADS_S3_BUCKET): downloaded through the same permission
checks, and a document the bucket lost is a 404, never a 500."""

from __future__ import annotations

from tests.callins.test_pages import _issued, _url
from tests.callins.test_pages import decision as decision  # noqa: F401 (a fixture, used by name)
from tests.conftest import UPLOADS_BUCKET, signed_in
from tests.factories import pdf_file


def test_a_document_is_downloaded_from_the_bucket_and_a_lost_one_is_a_404(
    uploads_bucket, decision, grounds, pcc, pcc_officer, police_officer, probation_officer
):
    callin = _issued(decision, pcc, pcc_officer, grounds)
    client = signed_in(police_officer)
    client.post(_url(callin, "respond/"), {"document-title": "Estates survey", "document-file": pdf_file()})
    attachment = callin.attachments.get()
    download = f"/call-ins/{callin.pk}/documents/{attachment.pk}/"
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    assert signed_in(probation_officer).get(download).status_code == 404
    uploads_bucket.delete_object(Bucket=UPLOADS_BUCKET, Key=f"uploads/{attachment.file_path}")
    lost = client.get(download)
    assert lost.status_code == 404  # the page not found, never a 500
