"""Uploads: type decided by content, size capped; a file named as a workbook must be one. XLSX is checked
as a zip before any XML is parsed (member count, total uncompressed size, compression ratio), its XML parsed
with defusedxml, refused if any part is active content (macros, ActiveX, embedded objects: by the part content
types in [Content_Types].xml, the relationships and the names), and its rows counted by streaming through the
sheets (never loaded) and capped at what the CSV size limit allows. Stored through Django's storage API
(STORAGES['uploads']: MEDIA_ROOT, or an S3-compatible bucket; never under static, never served by URL) and
only ever sent back as attachments (portal.files.exports)."""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.utils import timezone

log = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv"
MAX_XLSX_MEMBERS = 200
MAX_XLSX_RATIO = 200
# A workbook may hold as much as a CSV file within the size limit would: the rows of a data return
# take up to ~100 bytes each in CSV, and ~5 times as many bytes in a sheet's XML. NOTE: reading a
# sheet costs ~0.15 ms a row (openpyxl), so these caps also bound how long a worker spends on one.
CSV_BYTES_PER_ROW = 100
XLSX_BYTES_PER_CSV_BYTE = 5
EXCEL_EXTENSIONS = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xlsb", ".xls")
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and other Office 97-2003 files
# Content types (and relationship types) of parts that Office could run or open as a program:
# VBA projects and their data, macro-enabled workbooks and macro sheets, ActiveX controls, OLE objects.
ACTIVE_CONTENT_MARKS = ("vba", "macroenabled", "macrosheet", "dialogsheet", "activex", "oleobject")
PRINTER_SETTINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.printersettings"
WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
ACTIVE_CONTENT = (
    "The workbook contains macros or other active content (such as ActiveX controls or embedded "
    "objects). Save it as a plain Excel workbook (.xlsx) without them, or as CSV, and upload it again."
)
DAMAGED = "The workbook's structure is unsafe or damaged. Save it again and upload it."
DOCUMENT_ACTIVE_CONTENT = (
    "The document contains macros or other active content (such as ActiveX controls or embedded objects), or a "
    "part we cannot identify. Save it as a plain Word document (.docx) or as PDF, and upload it again."
)
_RELATIONSHIP_TYPE = re.compile(rb"\bType\s*=\s*[\"']([^\"']*)")
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_ROW_NUMBER = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\s[^>]*?\br=[\"'](\d+)")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class UploadRejected(ValidationError):
    """A file the portal will not take; the message says what to do instead."""


@dataclass(frozen=True)
class AcceptedUpload:
    kind: str  # "csv" or "xlsx"
    size: int
    sha256: str
    original_name: str


def _read_head(uploaded, n: int = 8192) -> bytes:
    uploaded.seek(0)
    head = uploaded.read(n)
    uploaded.seek(0)
    return head


def _looks_like_text(head: bytes) -> bool:
    if not head:
        return False
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8-sig")
        return True
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        return exc.start >= len(head) - 3


def xlsx_limits(max_bytes: int) -> tuple[int, int]:
    """The most rows, and uncompressed bytes, a workbook may hold: what a CSV of max_bytes would."""
    return max_bytes // CSV_BYTES_PER_ROW, max_bytes * XLSX_BYTES_PER_CSV_BYTE


def _check_xlsx(uploaded, max_bytes: int) -> None:
    max_rows, max_uncompressed = xlsx_limits(max_bytes)
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) > MAX_XLSX_MEMBERS:
                raise UploadRejected(
                    "The spreadsheet has too many parts to be a data return. Save it again as a plain XLSX or CSV file."
                )
            total = sum(m.file_size for m in members)
            packed = sum(m.compress_size for m in members) or 1
            if total / packed > MAX_XLSX_RATIO:
                raise UploadRejected(
                    "The spreadsheet expands to far more than its size, which is how harmful files behave. Upload it as a CSV file instead."
                )
            if total > max_uncompressed:
                raise UploadRejected(
                    f"The spreadsheet holds more than one return can: {total / 2**20:,.0f} MB once opened, and the "
                    f"most we take is {max_uncompressed / 2**20:,.0f} MB (as much as a {max_bytes // 2**20} MB CSV "
                    f"file). Split the figures into smaller files and upload them one at a time."
                )
            names = {m.filename for m in members}
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
                raise UploadRejected("The file is a zip archive, not an Excel workbook. Upload a CSV or XLSX file.")
            from defusedxml import ElementTree

            parsed = {}
            for name in ("[Content_Types].xml", "xl/workbook.xml"):
                if name in names:
                    try:
                        parsed[name] = ElementTree.fromstring(archive.read(name))
                    except Exception:
                        raise UploadRejected(DAMAGED)
            types = _part_types(parsed["[Content_Types].xml"], members)
            _refuse_active_content(archive, types)
            sheets = [
                name
                for name, content_type in types.items()
                if content_type == WORKSHEET or re.fullmatch(r"xl/worksheets/[^/]+\.xml", name)
            ]
            rows = 0
            for name in sheets:
                rows += _count_rows(archive, name, max_rows - rows)
                if rows > max_rows:
                    raise UploadRejected(
                        f"The spreadsheet has more than {max_rows:,} rows, more than one return can hold (as many "
                        f"as a {max_bytes // 2**20} MB CSV file). Split the figures into files of up to "
                        f"{max_rows:,} rows and upload them one at a time."
                    )
    except zipfile.BadZipFile:
        raise UploadRejected("The file is damaged and cannot be opened. Save it again as XLSX or CSV and upload it.")
    finally:
        uploaded.seek(0)


def _part_types(content_types, members) -> dict[str, str]:
    """Each part's content type (lower case), from [Content_Types].xml: its Override, else the Default
    for its extension. A part with neither is not a valid package, and is refused."""
    defaults, overrides, declared = {}, {}, []
    for element in content_types:
        tag = element.tag.rsplit("}", 1)[-1]
        content_type = (element.get("ContentType") or "").strip().lower()
        if tag == "Default":
            defaults[(element.get("Extension") or "").lower()] = content_type
        elif tag == "Override":
            overrides[(element.get("PartName") or "").lower()] = content_type
        declared.append(content_type)
    # NOTE: a declared macro type is refused even when no part uses it: nothing honest declares one.
    if any(mark in content_type for content_type in declared for mark in ACTIVE_CONTENT_MARKS):
        raise UploadRejected(ACTIVE_CONTENT)
    types = {}
    for member in members:
        name = member.filename
        if name == "[Content_Types].xml":
            continue
        base = name.rsplit("/", 1)[-1].lower()
        extension = base.rsplit(".", 1)[-1] if "." in base else ""
        content_type = overrides.get("/" + name.lower()) or defaults.get(extension)
        if content_type is None:
            raise UploadRejected(
                f"The workbook has a part we cannot identify ({name[:80]}). Save it again as a "
                "plain Excel workbook (.xlsx), or as CSV, and upload it."
            )
        types[name] = content_type
    return types


def _refuse_active_content(archive: zipfile.ZipFile, types: dict[str, str]) -> None:
    """Macros, ActiveX and embedded objects, by the parts' names and the relationships to them too."""
    for name, content_type in types.items():
        lower = name.lower()
        if (
            "vba" in lower
            or "/activex/" in f"/{lower}"
            or "/embeddings/" in f"/{lower}"
            or (lower.endswith(".bin") and content_type != PRINTER_SETTINGS)
        ):
            raise UploadRejected(ACTIVE_CONTENT)
        if lower.endswith(".rels"):
            kinds = b" ".join(_RELATIONSHIP_TYPE.findall(archive.read(name))).lower()
            if any(mark.encode() in kinds for mark in ACTIVE_CONTENT_MARKS):
                raise UploadRejected(ACTIVE_CONTENT)


def _count_rows(archive: zipfile.ZipFile, name: str, limit: int, chunk: int = 1 << 20) -> int:
    """How many rows a sheet makes when read (its highest row number, or its count of rows where they are
    not numbered), streamed through a chunk at a time; stops once past the limit."""
    rows_seen = numbered = highest = 0
    carry = b""
    with archive.open(name) as stream:
        while True:
            data = stream.read(chunk)
            text = carry + data
            if data:
                # Keep a tag that the chunk cut in two for the next round.
                cut = text.rfind(b"<")
                cut = len(text) if cut == -1 else cut
                text, carry = text[:cut], text[cut:]
                if len(carry) > 65536:
                    raise UploadRejected(DAMAGED)
            rows_seen += len(_ROW_TAG.findall(text))
            numbers = _ROW_NUMBER.findall(text)
            if numbers:
                numbered += len(numbers)
                highest = max(highest, max(int(n) for n in numbers))
            rows = highest + (rows_seen - numbered)
            if rows > limit or not data:
                return rows


def _zip_kind(uploaded) -> str:
    """An Office file's kind by its parts: a workbook (xl/) or a Word document (word/)."""
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            names = [m.filename for m in archive.infolist()[: MAX_XLSX_MEMBERS + 1]]
    except zipfile.BadZipFile:
        return "other"
    finally:
        uploaded.seek(0)
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    return "other"


def _check_docx(uploaded, max_bytes: int) -> None:
    """A Word document: a sane package (parts, size, compression), no macros, ActiveX or embedded objects."""
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            total = sum(m.file_size for m in members)
            packed = sum(m.compress_size for m in members) or 1
            if len(members) > MAX_XLSX_MEMBERS or total / packed > MAX_XLSX_RATIO or total > 5 * max_bytes:
                raise UploadRejected(
                    "The document expands to far more than its size, or has too many parts. Save it "
                    "again as a plain Word document (.docx) or as PDF, and upload it."
                )
            from defusedxml import ElementTree

            try:
                content_types = ElementTree.fromstring(archive.read("[Content_Types].xml"))
            except Exception:
                raise UploadRejected(DAMAGED)
            try:
                _refuse_active_content(archive, _part_types(content_types, members))
            except UploadRejected:
                raise UploadRejected(DOCUMENT_ACTIVE_CONTENT)
    except zipfile.BadZipFile:
        raise UploadRejected("The file is damaged and cannot be opened. Save it again and upload it.")
    except KeyError:
        raise UploadRejected(DAMAGED)
    finally:
        uploaded.seek(0)


PDF_ACTIVE = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/RichMedia", b"/XFA")


def _check_pdf(uploaded) -> None:
    """A PDF without scripts, launch actions or embedded files (a document to read, nothing to run)."""
    uploaded.seek(0)
    carry = b""
    try:
        for chunk in iter(lambda: uploaded.read(1 << 20), b""):
            text = carry + chunk
            if any(mark in text for mark in PDF_ACTIVE):
                raise UploadRejected(
                    "The PDF contains scripts or embedded files. Save it again as a plain PDF (for "
                    "example, print it to PDF) and upload it."
                )
            carry = text[-32:]
    finally:
        uploaded.seek(0)


def upload_accept(
    uploaded, *, allowed: Sequence[str] = ("csv", "xlsx"), max_bytes: int | None = None
) -> AcceptedUpload:
    """Check an uploaded file by its content and size; raise UploadRejected with a clear message."""
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    name = os.path.basename(getattr(uploaded, "name", "") or "upload")
    size = getattr(uploaded, "size", None)
    if size is None:
        uploaded.seek(0, os.SEEK_END)
        size = uploaded.tell()
        uploaded.seek(0)
    if size == 0:
        raise UploadRejected("The selected file is empty. Choose a file with your data in it.")
    if size > max_bytes:
        raise UploadRejected(f"The selected file must be smaller than {max_bytes // (1024 * 1024)} MB.")
    head = _read_head(uploaded)
    if head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(uploaded) if "docx" in allowed else "xlsx"
    elif head.startswith(b"%PDF-"):
        kind = "pdf"
    elif _looks_like_text(head):
        kind = "csv"
    else:
        kind = "other"
    extension = os.path.splitext(name)[1].lower()
    if "xlsx" in allowed and head.startswith(OLE_SIGNATURE):
        raise UploadRejected(
            "This is an older Excel file (.xls) or another Office 97-2003 file, not an Excel "
            "workbook (.xlsx). Open it in Excel, save it as an Excel workbook (.xlsx) or as CSV, "
            "and upload that file."
        )
    if "xlsx" in allowed and extension in EXCEL_EXTENSIONS and kind != "xlsx":
        # NOTE: never read as CSV what its sender believes is a workbook: the rows would be garbage.
        raise UploadRejected(
            f"This is not an Excel file, although its name ends in {extension}. Open it in the "
            "program that made it, save it as an Excel workbook (.xlsx) or as CSV (.csv), and "
            "upload that file."
        )
    if kind not in allowed:
        wanted = " or ".join(k.upper() for k in allowed)
        raise UploadRejected(
            f"The selected file must be a {wanted} file. Its content is not {wanted}, whatever its name says."
        )
    if kind == "xlsx":
        _check_xlsx(uploaded, max_bytes)
    elif kind == "docx":
        _check_docx(uploaded, max_bytes)
    elif kind == "pdf":
        _check_pdf(uploaded)
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in iter(lambda: uploaded.read(1024 * 1024), b""):
        digest.update(chunk)
    uploaded.seek(0)
    return AcceptedUpload(kind=kind, size=size, sha256=digest.hexdigest(), original_name=name[:200])


STORAGE_ALIAS = "uploads"  # settings.STORAGES: the file system under MEDIA_ROOT, or an S3-compatible bucket
NO_SPACE = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
NO_SPACE_MESSAGE = (
    "The file could not be saved because the portal has run out of space for uploads. Nothing was saved. "
    "Try again later; if it happens again, contact the PCC office."
)


def upload_storage():
    """Where uploads are kept (Django's storage API: the web and worker machines share it)."""
    return storages[STORAGE_ALIAS]


def upload_store(uploaded, accepted: AcceptedUpload, *, folder: str) -> str:
    """Save an accepted upload as <folder>/<year>/<month>/<random name> in the uploads storage; returns the
    name. A full disk or quota is refused with UploadRejected, leaving nothing half written."""
    name = f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{accepted.kind}"
    storage = upload_storage()
    uploaded.seek(0)
    try:
        stored = storage.save(name, uploaded)
    except OSError as exc:
        _remove_partial(storage, name)
        if exc.errno in NO_SPACE:
            log.error("upload refused: no space left in the uploads storage (%s)", exc)
            raise UploadRejected(NO_SPACE_MESSAGE) from exc
        raise
    finally:
        uploaded.seek(0)
    return stored


def _remove_partial(storage, name: str) -> None:
    """What a failed save left behind (FileSystemStorage keeps the part it wrote)."""
    try:
        if storage.exists(name):
            storage.delete(name)
    except OSError:
        log.exception("could not remove the partial upload %s", name)


def stored_open(name: str):
    """A stored upload opened for reading (binary), refusing any name that could leave the uploads storage.
    FileNotFoundError when the storage has lost it."""
    if not name or name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
        raise ValueError("a name outside the uploads storage")
    return upload_storage().open(name, "rb")


def read_table(path: Path, kind: str):
    """Read a stored CSV or XLSX into a DataFrame of strings (no guessing of types or NAs)."""
    import pandas as pd

    if kind == "csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skip_blank_lines=True)
    return pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
