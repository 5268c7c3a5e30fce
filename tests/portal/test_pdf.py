"""The PDF maker (portal/pdf.py) fetches nothing, whatever the markup names, and stops past its bounds.

The markup here goes to WeasyPrint directly, through the function the plan's PDF view uses, not through the
sanitiser that would normally take such things out: a picture and an attachment from a local file, a
stylesheet, an @import, a background and a picture from a web server on this machine. The server records
every request it gets; the file holds words that must not reach the PDF.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from portal import pdf

SECRET = "PORTAL-SECRET-WORDS-7f3a"
pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")


@pytest.fixture
def server():
    """A web server on loopback that answers every request (with a stylesheet that would colour the page) and
    records what it was asked for."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            body = f"body::after {{ content: '{SECRET}'; }}".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", asked
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text(f"{SECRET}\n")
    return path


def _markup(base: str, secret_file) -> str:
    file_url = secret_file.as_uri()
    return f"""<!DOCTYPE html><html><head>
<link rel="stylesheet" href="{base}/linked.css">
<link rel="attachment" href="{file_url}">
<style>@import url("{base}/imported.css"); body {{ background: url("{base}/background.png"); }}</style>
</head><body>
<h1>A plan</h1>
<img src="{file_url}" alt="">
<img src="{base}/picture.png" alt="">
<object data="{file_url}" type="text/plain"></object>
<a rel="attachment" href="{file_url}">attached</a>
<p style="background-image: url('{base}/inline.png')">Words of the plan.</p>
</body></html>"""


def _text_of(document: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(document)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _attachments_of(document: bytes, tmp_path) -> str:
    path = tmp_path / "attached.pdf"
    path.write_bytes(document)
    return subprocess.run(["pdfdetach", "-list", str(path)], capture_output=True, text=True, check=True).stdout


def test_weasyprint_left_to_itself_fetches_what_the_markup_names(server, secret_file, tmp_path):
    """The hazard the refusing fetcher guards against, shown with WeasyPrint's own fetcher (so the test below
    would notice if the portal's render lost its fetcher)."""
    from weasyprint import HTML

    base, asked = server
    document = HTML(string=_markup(base, secret_file)).write_pdf()
    assert asked, "WeasyPrint's own fetcher asked the server for nothing: the markup no longer tests anything"
    assert SECRET in _text_of(document, tmp_path) + _attachments_of(document, tmp_path)


def test_the_portals_pdf_fetches_nothing_and_holds_only_the_markup(server, secret_file, tmp_path):
    base, asked = server
    fetcher = pdf.refusing_fetcher()
    document = pdf.render_pdf(_markup(base, secret_file), fetcher=fetcher)
    text = _text_of(document, tmp_path)
    assert "A plan" in text and "Words of the plan." in text
    assert asked == []  # the web server was never asked for anything
    assert SECRET not in text
    assert "0 embedded files" in _attachments_of(document, tmp_path)
    refused = set(fetcher.refused)
    assert {f"{base}/linked.css", f"{base}/imported.css", f"{base}/picture.png", secret_file.as_uri()} <= refused


def test_a_document_past_its_page_bound_is_refused_and_remembered(tmp_path):
    long = "<html><body>" + "".join(f"<p>Paragraph {n} of a long plan.</p>" for n in range(2000)) + "</body></html>"
    with pytest.raises(pdf.PdfTooLong):
        pdf.render_pdf(long, max_pages=3)
    with pytest.raises(pdf.PdfTooLong):  # the same markup is refused at once, from the cache
        pdf.render_pdf(long, max_pages=3)
    short = "<html><body><p>One page.</p></body></html>"
    assert "One page." in _text_of(pdf.render_pdf(short, max_pages=3), tmp_path)


def test_a_document_past_its_time_bound_is_refused():
    long = "<html><body>" + "".join(f"<p>Paragraph {n} of a long plan.</p>" for n in range(3000)) + "</body></html>"
    with pytest.raises(pdf.PdfTooLong):
        pdf.render_pdf(long, seconds=0)
