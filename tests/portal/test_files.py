import csv
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory, override_settings
from openpyxl import Workbook, load_workbook

from portal.files import UploadRejected, export_response, neutralise, stored_open, upload_accept, upload_store


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
    assert (tmp_path / relative).read_bytes() == b"a,b\n1,2\n"
    with stored_open(relative) as handle:
        assert handle.read() == b"a,b\n1,2\n"
    assert not relative.startswith("/") and "static" not in relative
    for outside in ("../../etc/passwd", "/etc/passwd", "returns/../../x"):
        with pytest.raises(ValueError):
            stored_open(outside)


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
    response = export_response(
        header=["name", "value"],
        rows=[['=HYPERLINK("x")', 1]],
        filename="t",
        fmt="csv",
        request=request,
        notes=["Synthetic demo data"],
    )
    assert response["Content-Disposition"] == 'attachment; filename="t.csv"'
    assert response["X-Content-Type-Options"] == "nosniff"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Synthetic demo data"] and rows[2][0].startswith("'=")


@pytest.mark.django_db
def test_xlsx_export_neutralises_formulas():
    response = export_response(header=["name"], rows=[["@evil"], ["ok"]], filename="t", fmt="xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet["A"]] == ["name", "'@evil", "ok"]


# --- A file named as a workbook must be one -------------------------------------------------------
def test_a_csv_named_xlsx_is_refused_never_read_as_csv():
    with pytest.raises(UploadRejected) as refused:
        upload_accept(SimpleUploadedFile("return.xlsx", b"indicator_code,value\nHOM,3\n"))
    assert refused.value.messages[0].startswith("This is not an Excel file, although its name ends in .xlsx.")
    assert "save it as an Excel workbook (.xlsx) or as CSV (.csv)" in refused.value.messages[0]


def test_an_old_excel_file_is_refused_with_what_to_do():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000)
    with pytest.raises(UploadRejected, match=r"older Excel file \(\.xls\).*save it as an Excel workbook"):
        upload_accept(SimpleUploadedFile("return.xls", ole))


# --- Macros and other active content, by content type ---------------------------------------------
def _with_parts(parts: dict[str, bytes | str], *, content_types: str | None = None) -> bytes:
    """A real workbook (openpyxl) with parts added, and its [Content_Types].xml edited by content_types."""
    source = zipfile.ZipFile(io.BytesIO(_xlsx_bytes([["indicator_code", "value"], ["HOM", 3]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml" and content_types:
                data = data.replace(b"</Types>", content_types.encode() + b"</Types>")
            archive.writestr(item.filename, data)
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_plain_workbook_is_accepted():
    assert upload_accept(SimpleUploadedFile("r.xlsx", _with_parts({}))).kind == "xlsx"


@pytest.mark.parametrize(
    "parts,types",
    [
        # the part that got through: an innocent name, a VBA project by its content type
        (
            {"xl/stuff.dat": b"\x00" * 100},
            '<Override PartName="/xl/stuff.dat" ContentType="application/vnd.ms-office.vbaProject"/>',
        ),
        ({"xl/vbaStuff.dat": b"\x00" * 100}, '<Default Extension="dat" ContentType="application/octet-stream"/>'),
        (
            {"xl/controls.xml": "<x/>"},
            '<Override PartName="/xl/controls.xml" ContentType="application/vnd.ms-office.activeX+xml"/>',
        ),
        ({}, '<Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/>'),
        (
            {"xl/embeddings/thing.dat": b"MZ"},
            '<Override PartName="/xl/embeddings/thing.dat" ContentType="application/octet-stream"/>',
        ),
        (
            {
                "xl/_rels/extra.xml.rels": '<Relationships><Relationship Id="r" Type="http://schemas.microsoft.com/office/'
                '2006/relationships/vbaProject" Target="x"/></Relationships>'
            },
            "",
        ),
    ],
)
def test_active_content_is_refused_by_content_type_name_or_relationship(parts, types):
    with pytest.raises(UploadRejected, match="contains macros or other active content"):
        upload_accept(SimpleUploadedFile("r.xlsx", _with_parts(parts, content_types=types)))


def test_a_part_without_a_content_type_is_refused():
    with pytest.raises(UploadRejected, match=r"a part we cannot identify \(xl/mystery\.dat\)"):
        upload_accept(SimpleUploadedFile("r.xlsx", _with_parts({"xl/mystery.dat": b"?"})))


def test_printer_settings_are_not_macros():
    types = (
        '<Default Extension="bin" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.printerSettings"/>'
    )
    workbook = _with_parts({"xl/printerSettings/printerSettings1.bin": b"\x00" * 64}, content_types=types)
    assert upload_accept(SimpleUploadedFile("r.xlsx", workbook)).kind == "xlsx"


# --- Rows and size capped at what the CSV limit allows, before anything is parsed ---------------------
def _many_rows(n: int) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Data")
    ws.append(["indicator_code", "value"])
    for i in range(n):
        ws.append(["HOM", i])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@override_settings(UPLOAD_MAX_BYTES=100 * 1024)  # 1,024 rows
def test_a_workbook_with_more_rows_than_the_csv_limit_allows_is_refused():
    assert upload_accept(SimpleUploadedFile("r.xlsx", _many_rows(1000))).kind == "xlsx"
    with pytest.raises(UploadRejected, match=r"more than 1,024 rows.*files of up to 1,024 rows"):
        upload_accept(SimpleUploadedFile("r.xlsx", _many_rows(1100)))


@override_settings(UPLOAD_MAX_BYTES=100 * 1024)
def test_a_row_numbered_far_down_counts_as_all_the_rows_above_it():
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>value</t></is></c></row>'
        '<row r="1048576"><c r="A1048576"><v>1</v></c></row></sheetData></worksheet>'
    )
    source = zipfile.ZipFile(io.BytesIO(_xlsx_bytes([["value"]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            archive.writestr(
                item.filename, sheet if item.filename == "xl/worksheets/sheet1.xml" else source.read(item.filename)
            )
    with pytest.raises(UploadRejected, match="more than 1,024 rows"):
        upload_accept(SimpleUploadedFile("r.xlsx", buffer.getvalue()))


@override_settings(UPLOAD_MAX_BYTES=20 * 1024)  # 100 KB of sheet XML at most
def test_a_workbook_that_opens_larger_than_the_csv_limit_allows_is_refused():
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Data")
    for i in range(300):
        ws.append([f"row {i} " + "x" * 300])  # shared strings: about 100 KB once opened
    buffer = io.BytesIO()
    wb.save(buffer)
    with pytest.raises(UploadRejected, match=r"holds more than one return can: .* MB once opened"):
        upload_accept(SimpleUploadedFile("r.xlsx", buffer.getvalue()))
