"""The public register's pages (being written)."""

from django.contrib.syndication.views import Feed as _Feed
from django.http import Http404


def _not_yet(request, *args, **kwargs):
    raise Http404


index = pcc_decisions = pcc_decision = callins = callin = csv_export = _not_yet


class Feed(_Feed):
    def __call__(self, request, *args, **kwargs):
        raise Http404
