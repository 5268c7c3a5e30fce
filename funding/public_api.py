"""The public 360Giving data of the grants awarded (/api/v1/grants/360giving.json). PLACEHOLDER: being written."""

from django.http import Http404


def grants_360giving(request):
    raise Http404
