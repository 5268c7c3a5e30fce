"""The portal's URLs with the targets API on the router, until portal/urls.py wires targets.api.register."""
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from portal import urls as portal_urls
from portal.api import MeView, router as portal_router
from targets.api import register

router = DefaultRouter()
for prefix, viewset, basename in portal_router.registry:
    router.register(prefix, viewset, basename=basename)
if not any(prefix == "priorities" for prefix, _, _ in router.registry):
    register(router)

api_patterns = [
    path("v1/me/", MeView.as_view(), name="me"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
urlpatterns = [p for p in portal_urls.urlpatterns if not str(p.pattern).startswith("api/")] + [
    path("api/", include((api_patterns, "api"))),
]
handler403 = portal_urls.handler403
handler404 = portal_urls.handler404
handler500 = portal_urls.handler500
