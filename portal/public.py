"""Pages anyone may read without signing in (the public register): the same page for everybody, kept in the
cache for a short while, and limited per client address rather than per person.

A public page is rendered as for an anonymous visitor even when someone signed in asks: no navigation, no name,
no messages, no session and no CSRF cookie, so nothing of one visitor's can be cached and shown to the next.
Its HTML is cached with a placeholder where the page's CSP nonce goes; each response gets its own nonce. With
the cache down the page is rendered afresh and the limit is not enforced (fails open, as portal/cache.py does).
The second-factor middleware lets these pages through by their address's prefix (portal/middleware.py
PUBLIC_PREFIXES), and they carry the same security headers as every page.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import logging

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render

from . import ratelimit
from .security import client_ip

log = logging.getLogger(__name__)

# NOTE: the tests give each test its own namespace, so a page cached in one test is never served in the next.
NAMESPACE = "public-page"
NONCE_PLACEHOLDER = "cjpPublicPageNonce"
DEFAULT_SECONDS = 60
# Headers that belong to one response, never to be replayed from the cache.
_NOT_KEPT = {"set-cookie", "vary", "date", "content-length"}


def as_anonymous(request, *, nonce: str = NONCE_PLACEHOLDER):
    """The request as an anonymous visitor makes it: the templates and context processors see no user and no
    messages; the CSP nonce is `nonce` (the placeholder, for a page to be cached)."""
    anonymous = copy.copy(request)
    anonymous.user = AnonymousUser()
    anonymous._messages = []
    anonymous.csp_nonce = nonce
    return anonymous


def _key(request) -> str:
    return f"{NAMESPACE}:{hashlib.sha256(request.get_full_path().encode()).hexdigest()}"


def _cached(key: str) -> dict | None:
    try:
        return cache.get(key)
    except Exception as exc:  # noqa: BLE001 — a cache that is down: render the page afresh
        log.warning("public page cache unavailable (%s)", type(exc).__name__)
        return None


def _keep(key: str, response, seconds: int) -> dict:
    kept = {
        "status": response.status_code,
        "content": response.content,
        "headers": [(name, value) for name, value in response.items() if name.lower() not in _NOT_KEPT],
    }
    if response.status_code == 200:
        try:
            cache.set(key, kept, timeout=seconds)
        except Exception as exc:  # noqa: BLE001
            log.warning("public page cache unavailable (%s)", type(exc).__name__)
    return kept


def _answer(request, kept: dict) -> HttpResponse:
    content = kept["content"]
    placeholder = NONCE_PLACEHOLDER.encode()
    if placeholder in content:
        # NOTE: reading the nonce is what makes the CSP middleware put it in this response's header.
        content = content.replace(placeholder, str(request.csp_nonce).encode())
    response = HttpResponse(content, status=kept["status"])
    for name, value in kept["headers"]:
        response[name] = value
    return response


def too_many(request, refusal: ratelimit.RateLimited) -> HttpResponse:
    """429 in the GOV.UK pattern, saying how long to wait."""
    anonymous = as_anonymous(request, nonce=request.csp_nonce)
    response = render(anonymous, "429.html", {"refusal": " ".join(refusal.messages)}, status=429)
    response["Retry-After"] = str(refusal.retry_after)
    return response


def public_page(view=None, *, seconds: int = DEFAULT_SECONDS, limit: ratelimit.Limit | None = None):
    """Decorate a view anyone may read (GET or HEAD): counted against `limit` per client address (429 over it; by default
    ratelimit.PUBLIC_PAGES), rendered as for an anonymous visitor, and its 200 answers kept in the cache for
    `seconds`, whoever asked."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return HttpResponseNotAllowed(["GET", "HEAD"])
            try:
                ratelimit.hit_address(limit or ratelimit.PUBLIC_PAGES, address=client_ip(request))
            except ratelimit.RateLimited as refusal:
                return too_many(request, refusal)
            key = _key(request)
            kept = _cached(key)
            if kept is None:
                kept = _keep(key, view(as_anonymous(request), *args, **kwargs), seconds)
            return _answer(request, kept)

        return wrapped

    return decorate(view) if view is not None else decorate
