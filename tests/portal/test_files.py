import csv
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory, override_settings
from openpyxl import Workbook, load_workbook

from portal.files import UploadRejected, export_response, neutralise, upload_accept, upload_store, stored_path


def _xlsx_bytes(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_a_csv_is_accepted_by_its_content():
    accepted = upload_accept(SimpleUploadedFile("return.csv", b"indicator_code,value\nHOM,3\n"))
    assert accepted.kind == "csv" and accepted.size > 0 and len(accepted.sha256) == 64


def test_an_xlsx_is_accepted_whatever_its_name():
    accepted = upload_accept(SimpleUploadedFile("return.csv", _xlsx_bytes([["a", "b"], [1, 2]])))
    assert accepted.kind == "xlsx"


def test_a_binary_renamed_to_csv_is_refused():
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    with pytest.raises(UploadRejected, match="must be a CSV or XLSX file. Its content is not"):
        upload_accept(SimpleUploadedFile("return.csv", png))


def test_an_empty_file_is_refused():
    with pytest.raises(UploadRejected, match="empty"):
        upload_accept(SimpleUploadedFile("return.csv", b""))


@override_settings(UPLOAD_MAX_BYTES=1024 * 1024)
def test_an_oversize_file_is_refused():
    with pytest.raises(UploadRejected, match="smaller than 1 MB"):
        upload_accept(SimpleUploadedFile("big.csv", b"a,b\n" + b"1,2\n" * 300_000))


def test_a_zip_bomb_is_refused_before_it_is_opened():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    with pytest.raises(UploadRejected, match="expands to far more"):
        upload_accept(SimpleUploadedFile("bomb.xlsx", buffer.getvalue()))


def test_a_plain_zip_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(UploadRejected, match="not an Excel workbook"):
        upload_accept(SimpleUploadedFile("notes.xlsx", buffer.getvalue()))


def test_a_workbook_with_an_xml_entity_attack_is_refused():
    buffer = io.BytesIO()
    evil = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><workbook>&b;</workbook>'
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", evil)
    with pytest.raises(UploadRejected, match="unsafe or damaged"):
        upload_accept(SimpleUploadedFile("evil.xlsx", buffer.getvalue()))


def test_stored_files_live_under_media_root_only(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("r.csv", b"a,b\n1,2\n")
    relative = upload_store(upload, upload_accept(upload), folder="returns")
    assert stored_path(relative).read_bytes() == b"a,b\n1,2\n"
    assert not relative.startswith("/") and "static" not in relative
    with pytest.raises(ValueError):
        stored_path("../../etc/passwd")


@pytest.mark.parametrize("value", ["=SUM(A1)", "+1", "-2+3", "@cmd", "\t=1"])
def test_formula_cells_are_neutralised(value):
    assert neutralise(value) == "'" + value


def test_ordinary_values_are_left_alone():
    assert neutralise("Birmingham") == "Birmingham" and neutralise(-2) == -2


@pytest.mark.django_db
def test_csv_export_neutralises_formulas_and_is_an_attachment():
    request = RequestFactory().get("/x")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = export_response(header=["name", "value"], rows=[["=HYPERLINK(\"x\")", 1]], filename="t", fmt="csv",
                               request=request, notes=["Synthetic demo data"])
    assert response["Content-Disposition"] == 'attachment; filename="t.csv"'
    assert response["X-Content-Type-Options"] == "nosniff"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Synthetic demo data"] and rows[2][0].startswith("'=")


@pytest.mark.django_db
def test_xlsx_export_neutralises_formulas():
    response = export_response(header=["name"], rows=[["@evil"], ["ok"]], filename="t", fmt="xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet["A"]] == ["name", "'@evil", "ok"]
