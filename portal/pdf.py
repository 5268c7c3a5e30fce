"""HTML made into a PDF by WeasyPrint, fetching nothing and within bounds.

WeasyPrint given markup fetches what it names (an image, a stylesheet, a `url()` in a style, a file to attach)
unless its URL fetcher refuses: here it refuses everything, so a PDF holds only the markup and the stylesheets
read from disk. Its work is bounded: at most `max_pages` pages laid out and `seconds` seconds (below the app
server's 30 s), else PdfTooLong; the same markup is made once and kept in the cache for a day.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from pathlib import Path

from django.core.cache import cache

MAX_PAGES = 250
MAX_SECONDS = 20.0
CACHE_SECONDS = 24 * 3600
TOO_LONG = b"too long"
_PROGRESS = logging.getLogger("weasyprint.progress")
_LAID_OUT = "Step 5 - Creating layout - Page"


class PdfTooLong(Exception):
    """The document would take more than the bounds allow to make."""


def refusing_fetcher():
    """A WeasyPrint URL fetcher that fetches nothing, and keeps the addresses it refused in `.refused`."""
    from weasyprint.urls import URLFetcher

    class RefusingFetcher(URLFetcher):
        def __init__(self):
            super().__init__(timeout=1, allowed_protocols=())
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            self.refused.append(url)
            raise ValueError(f"a portal PDF fetches nothing: {url[:100]}")

    return RefusingFetcher()


class _Bounds(logging.Filter):
    """WeasyPrint says each page it lays out on its progress logger (the only hook it has): past the bounds,
    the render in this thread stops. Its progress is never logged for the portal's renders."""

    def __init__(self, *, max_pages: int, seconds: float):
        super().__init__()
        self.thread = threading.get_ident()
        self.max_pages, self.deadline = max_pages, time.monotonic() + seconds
        self.pages = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if threading.get_ident() != self.thread:
            return True
        if str(record.msg).startswith(_LAID_OUT):
            self.pages += 1
            if self.pages > self.max_pages:
                raise PdfTooLong(f"more than {self.max_pages} pages")
        if time.monotonic() > self.deadline:
            raise PdfTooLong("it took too long to lay out")
        return False


def render_pdf(
    html: str,
    *,
    stylesheets: list[str | Path] = (),
    max_pages: int | None = None,
    seconds: float | None = None,
    fetcher=None,
) -> bytes:
    """The PDF of `html` with the stylesheets (paths on disk), fetching nothing; the same markup and styles
    come from the cache. PdfTooLong past `max_pages` pages laid out or `seconds` (MAX_PAGES, MAX_SECONDS)."""
    max_pages = MAX_PAGES if max_pages is None else max_pages
    seconds = MAX_SECONDS if seconds is None else seconds
    styles = [Path(p).read_bytes() for p in stylesheets]
    bounds = f"{max_pages}:{seconds}".encode()
    key = "pdf:" + hashlib.sha256(b"\0".join([bounds, html.encode(), *styles])).hexdigest()
    made = cache.get(key)
    if made == TOO_LONG:
        raise PdfTooLong("it was too long the last time")
    if made is not None:
        return made
    try:
        pdf = _write(html, styles, max_pages=max_pages, seconds=seconds, fetcher=fetcher or refusing_fetcher())
    except PdfTooLong:
        cache.set(key, TOO_LONG, CACHE_SECONDS)  # the same markup would only take as long again
        raise
    cache.set(key, pdf, CACHE_SECONDS)
    return pdf


def _write(html: str, styles: list[bytes], *, max_pages: int, seconds: float, fetcher) -> bytes:
    from weasyprint import CSS, HTML

    bounds = _Bounds(max_pages=max_pages, seconds=seconds)
    # NOTE: at INFO, so that the bounds hear of each page whatever LOG_LEVEL says; the filter drops them.
    _PROGRESS.setLevel(logging.INFO)
    _PROGRESS.addFilter(bounds)
    try:
        # No base_url: relative addresses mean nothing, and absolute ones reach the fetcher, which refuses.
        css = [CSS(string=style.decode(), url_fetcher=fetcher) for style in styles]
        return HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=css)
    finally:
        _PROGRESS.removeFilter(bounds)
