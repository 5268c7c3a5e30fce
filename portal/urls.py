from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from partners.api import PartnerViewSet

from .api import MeView, router
from .views import admin_pages, auth, pages

router.register("partners", PartnerViewSet, basename="partner")

portal_patterns = [
    path("", pages.home, name="home"),
    path("sign-in/", auth.login_view, name="login"),
    path("sign-in/two-factor/", auth.otp_verify, name="otp-verify"),
    path("sign-in/set-up-two-factor/", auth.otp_setup, name="otp-setup"),
    path("sign-in/recovery-codes/", auth.recovery_codes, name="recovery-codes"),
    path("sign-in/confirm/", auth.step_up, name="step-up"),
    path("sign-out/", auth.logout_view, name="logout"),
    path("signed-out/", auth.signed_out, name="signed-out"),
    path("session/extend/", auth.session_extend, name="session-extend"),
    path("accessibility/", pages.accessibility, name="accessibility"),
    path("privacy/", pages.privacy, name="privacy"),
    path("cookies/", pages.cookies, name="cookies"),
    path("healthz", pages.healthz, name="healthz"),
    path("audit/", admin_pages.audit_log, name="audit-log"),
    path("security/", admin_pages.security_log_view, name="security-log"),
    path("security/unlock/", admin_pages.account_unlock, name="account-unlock"),
    path("security/people/<int:user_id>/reset-devices/", admin_pages.device_reset, name="device-reset"),
    path("api-tokens/", admin_pages.tokens, name="tokens"),
    path("api-tokens/new/", admin_pages.token_create, name="token-create"),
    path("api-tokens/<int:token_id>/revoke/", admin_pages.token_revoke, name="token-revoke"),
]

api_patterns = [
    path("v1/me/", MeView.as_view(), name="me"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", include((portal_patterns, "portal"))),
    path("", include("partners.urls")),
    path("api/", include((api_patterns, "api"))),
    path("admin/", admin.site.urls),
]

handler403 = "portal.views.pages.error_403"
handler404 = "portal.views.pages.error_404"
handler500 = "portal.views.pages.error_500"
