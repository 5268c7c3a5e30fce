"""The one upload helper and the one export helper for the whole portal.

Uploads: type decided by content, size capped; a file named as a workbook must be one. XLSX is
checked as a zip before any XML is parsed (member count, total uncompressed size, compression
ratio), its XML parsed with defusedxml, refused if any part is active content (macros, ActiveX,
embedded objects: by the part content types in [Content_Types].xml, the relationships and the
names), and its rows counted by streaming through the sheets (never loaded) and capped at what
the CSV size limit allows. Stored through Django's storage API (STORAGES['uploads']: MEDIA_ROOT, or an
S3-compatible bucket for several machines; never under static, never served by URL) and
only ever sent back as attachments.
Exports: CSV and XLSX with any cell that a spreadsheet would run as a formula neutralised.
"""

from .exports import (  # noqa: F401
    attachment_response,
    export_response,
    neutralise,
)
from .uploads import (  # noqa: F401
    ACTIVE_CONTENT,
    ACTIVE_CONTENT_MARKS,
    CSV_BYTES_PER_ROW,
    CSV_CONTENT_TYPE,
    DAMAGED,
    DOCUMENT_ACTIVE_CONTENT,
    EXCEL_EXTENSIONS,
    FORMULA_PREFIXES,
    MAX_XLSX_MEMBERS,
    MAX_XLSX_RATIO,
    NO_SPACE_MESSAGE,
    OLE_SIGNATURE,
    PDF_ACTIVE,
    PRINTER_SETTINGS,
    WORKSHEET,
    XLSX_BYTES_PER_CSV_BYTE,
    XLSX_CONTENT_TYPE,
    AcceptedUpload,
    UploadRejected,
    read_table,
    stored_open,
    upload_accept,
    upload_storage,
    upload_store,
    xlsx_limits,
)
