"""Downloads: stored files sent back as attachments, and CSV and XLSX exports with any cell that a
spreadsheet would run as a formula neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import FileResponse, Http404, HttpResponse

from .uploads import FORMULA_PREFIXES, XLSX_CONTENT_TYPE, stored_open


def attachment_response(name: str, *, filename: str, content_type: str, missing: str) -> FileResponse:
    """Send a stored upload (its name in the uploads storage) as a download, never for display in the browser;
    a 404 saying `missing` when the storage has lost it (never a 500)."""
    try:
        handle = stored_open(name)
    except (FileNotFoundError, ValueError) as exc:
        raise Http404(missing) from exc
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
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


def export_response(
    *, header: Sequence[str], rows: Iterable[Sequence], filename: str, fmt: str, request=None, notes: Sequence[str] = ()
) -> HttpResponse:
    """A CSV or XLSX download of rows, formula cells neutralised, the export recorded in the security log.

    `notes` are lines written above the table (for example "Synthetic demo data").
    """
    from ..models import SecurityEvent
    from ..security import security_log

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
