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


router = PortalRouter()
