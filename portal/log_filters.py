"""Logging filters: expected refusals in one line, without a traceback."""

from __future__ import annotations

import logging


class ExpectedRefusals(logging.Filter):
    """django.request logs a 403 from PermissionDenied (and a 404 from Http404) with the exception's
    traceback. A refusal is the portal working as designed: keep one line (level, path, status),
    drop the traceback. Server errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
