"""The devolved funds' pages (being written)."""

from django.http import Http404


def index(request):
    raise Http404


def application_detail(request, pk):
    raise Http404


def award_detail(request, pk):
    raise Http404
