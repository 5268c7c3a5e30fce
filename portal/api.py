"""The API root router and the core's API views (the root, the schema and its docs)."""

from __future__ import annotations

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import APIRootView, DefaultRouter

from .api_base import StrictQueryParamsMixin


class StrictAPIRootView(StrictQueryParamsMixin, APIRootView):
    """The API root: links to every list."""


class StrictSchemaView(StrictQueryParamsMixin, SpectacularAPIView):
    """The OpenAPI 3 schema (`?format=json` or YAML by default; `?lang=`, `?version=`)."""

    query_params_allowed = ("lang", "version")


class StrictSwaggerView(StrictQueryParamsMixin, SpectacularSwaggerSplitView):
    """Swagger UI from local assets (`?script` serves its start-up script, so the CSP needs no inline script)."""

    query_params_allowed = ("script", "lang", "version")


class PortalRouter(DefaultRouter):
    APIRootView = StrictAPIRootView

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        # NOTE: a row's id, slug or code is anything but a slash (DRF's default also stops at a dot), so
        # that `/data-returns/1.5/` reaches the view and is its JSON 404, never the site's HTML one.
        kwarg = getattr(viewset, "lookup_url_kwarg", None) or getattr(viewset, "lookup_field", "pk")
        return f"(?P<{lookup_prefix}{kwarg}>{getattr(viewset, 'lookup_value_regex', '[^/]+')})"


router = PortalRouter()
