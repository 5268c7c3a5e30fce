"""The one upload helper and the one export helper for the whole portal.

Uploads: type decided by content (not the name), size capped, XLSX checked as a zip before
any XML is parsed (member count, total uncompressed size, compression ratio) and its XML
parsed with defusedxml; stored under MEDIA_ROOT (never under static, never served by URL)
and only ever sent back as attachments.
Exports: CSV and XLSX with any cell that a spreadsheet would run as a formula neutralised.
"""
from __future__ import annotations

import csv
import hashlib
import io
import os
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.utils import timezone

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv"
MAX_XLSX_MEMBERS = 200
MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_XLSX_RATIO = 200
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class UploadRejected(ValidationError):
    """A file the portal will not take; the message says what to do instead."""


@dataclass(frozen=True)
class AcceptedUpload:
    kind: str          # "csv" or "xlsx"
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


def _check_xlsx(uploaded) -> None:
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            members = archive.infolist()
            if len(members) > MAX_XLSX_MEMBERS:
                raise UploadRejected("The spreadsheet has too many parts to be a data return. Save it again as a plain XLSX or CSV file.")
            total = sum(m.file_size for m in members)
            packed = sum(m.compress_size for m in members) or 1
            if total > MAX_XLSX_UNCOMPRESSED or total / packed > MAX_XLSX_RATIO:
                raise UploadRejected("The spreadsheet expands to far more than its size, which is how harmful files behave. Upload it as a CSV file instead.")
            names = {m.filename for m in members}
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
                raise UploadRejected("The file is a zip archive, not an Excel workbook. Upload a CSV or XLSX file.")
            if any(n.startswith("xl/vbaProject") or n.endswith(".bin") for n in names):
                raise UploadRejected("The workbook contains macros. Save it as a plain XLSX workbook without macros and upload it again.")
            from defusedxml import ElementTree

            for name in ("[Content_Types].xml", "xl/workbook.xml"):
                if name in names:
                    try:
                        ElementTree.fromstring(archive.read(name))
                    except Exception:
                        raise UploadRejected("The workbook's structure is unsafe or damaged. Save it again and upload it.")
    except zipfile.BadZipFile:
        raise UploadRejected("The file is damaged and cannot be opened. Save it again as XLSX or CSV and upload it.")
    finally:
        uploaded.seek(0)


def upload_accept(uploaded, *, allowed: Sequence[str] = ("csv", "xlsx"), max_bytes: int | None = None) -> AcceptedUpload:
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
        kind = "xlsx"
    elif _looks_like_text(head):
        kind = "csv"
    else:
        kind = "other"
    if kind not in allowed:
        wanted = " or ".join(k.upper() for k in allowed)
        raise UploadRejected(f"The selected file must be a {wanted} file. Its content is not {wanted}, whatever its name says.")
    if kind == "xlsx":
        _check_xlsx(uploaded)
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in iter(lambda: uploaded.read(1024 * 1024), b""):
        digest.update(chunk)
    uploaded.seek(0)
    return AcceptedUpload(kind=kind, size=size, sha256=digest.hexdigest(), original_name=name[:200])


def upload_store(uploaded, accepted: AcceptedUpload, *, folder: str) -> str:
    """Save an accepted upload under MEDIA_ROOT/<folder>/ with a random name; returns its relative path."""
    relative = Path(folder) / f"{timezone.now():%Y/%m}" / f"{uuid.uuid4().hex}.{accepted.kind}"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    uploaded.seek(0)
    with open(target, "wb") as out:
        for chunk in iter(lambda: uploaded.read(1024 * 1024), b""):
            out.write(chunk)
    uploaded.seek(0)
    return str(relative)


def stored_path(relative: str) -> Path:
    """The absolute path of a stored upload, refusing anything outside MEDIA_ROOT."""
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise ValueError("path outside the upload folder")
    return path


def read_table(path: Path, kind: str):
    """Read a stored CSV or XLSX into a DataFrame of strings (no guessing of types or NAs)."""
    import pandas as pd

    if kind == "csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skip_blank_lines=True)
    return pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")


def attachment_response(path: Path, *, filename: str, content_type: str) -> FileResponse:
    """Send a stored file as a download, never for display in the browser."""
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=filename, content_type=content_type)
    _safe_download_headers(response)
    return response


def _safe_download_headers(response: HttpResponse) -> None:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "no-store"


def neutralise(value):
    """Stop a spreadsheet running a cell as a formula: prefix text starting =, +, -, @ with a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def export_response(*, header: Sequence[str], rows: Iterable[Sequence], filename: str, fmt: str,
                    request=None, notes: Sequence[str] = ()) -> HttpResponse:
    """A CSV or XLSX download of rows, formula cells neutralised, the export recorded in the security log.

    `notes` are lines written above the table (for example "Synthetic demo data").
    """
    from .models import SecurityEvent
    from .security import security_log

    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Data")
        for note in notes:
            sheet.append([neutralise(note)])
        sheet.append([neutralise(h) for h in header])
        for row in rows:
            sheet.append([neutralise(v) for v in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
        extension = "xlsx"
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for note in notes:
            writer.writerow([neutralise(note)])
        writer.writerow([neutralise(h) for h in header])
        for row in rows:
            writer.writerow([neutralise(v) for v in row])
        response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
        extension = "csv"
    else:
        raise ValueError(f"unknown export format {fmt}")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    _safe_download_headers(response)
    if request is not None:
        security_log(SecurityEvent.Kind.EXPORT, request=request, detail=f"{filename}.{extension}")
    return response
