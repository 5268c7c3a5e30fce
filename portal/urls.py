from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from callins.api import register as register_callins_api
from funding.api import register as register_funding_api
from funding.public_api import grants_360giving
from partners.api import DataSharingAgreementViewSet, MeView, PartnerViewSet
from targets.api import register as register_targets_api

from .api import StrictSchemaView, StrictSwaggerView, router
from .metrics import metrics
from .views import admin_pages, auth, home, notifications, pages, passkeys

router.register("partners", PartnerViewSet, basename="partner")
router.register("sharing-agreements", DataSharingAgreementViewSet, basename="sharing-agreement")
register_targets_api(router)
register_callins_api(router)
register_funding_api(router)

portal_patterns = [
    path("", home.home, name="home"),
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
    path("metrics", metrics, name="metrics"),
    path("favicon.ico", pages.favicon, name="favicon"),
    path("audit/", admin_pages.audit_log, name="audit-log"),
    path("security/", admin_pages.security_log_view, name="security-log"),
    path("emails/not-sent/", admin_pages.emails_not_sent, name="emails-not-sent"),
    path("security/unlock/", admin_pages.account_unlock, name="account-unlock"),
    path("security/people/<int:user_id>/reset-devices/", admin_pages.device_reset, name="device-reset"),
    path("account/passkeys/", passkeys.passkeys, name="passkeys"),
    path("account/passkeys/<int:credential_id>/remove/", passkeys.passkey_remove, name="passkey-remove"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/<int:notification_id>/", notifications.notification_open, name="notification-open"),
    path("notifications/mark-all-read/", notifications.notifications_mark_all_read, name="notifications-mark-all-read"),
    path("account/notifications/", notifications.notification_settings, name="notification-settings"),
]

# django-otp-webauthn's JSON endpoints (its scripts reverse these names in the "otp_webauthn"
# namespace), with the portal's subclasses in place of its views. The authentication pair and
# the script translations are open before the second factor (see PRE_OTP_URL_NAMES).
passkey_patterns = [
    path("registration/begin/", passkeys.PasskeyRegistrationBeginView.as_view(), name="credential-registration-begin"),
    path(
        "registration/complete/",
        passkeys.PasskeyRegistrationCompleteView.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        passkeys.PasskeyAuthenticationBeginView.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        passkeys.PasskeyAuthenticationCompleteView.as_view(),
        name="credential-authentication-complete",
    ),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]), name="js-i18n-catalog"),
]

api_patterns = [
    path("v1/me/", MeView.as_view(), name="me"),
    path("v1/grants/360giving.json", grants_360giving, name="grants-360giving"),
    path("v1/", include(router.urls)),
    path("schema/", StrictSchemaView.as_view(), name="schema"),
    path("docs/", StrictSwaggerView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", include((portal_patterns, "portal"))),
    path("sign-in/passkeys/", include((passkey_patterns, "otp_webauthn"))),
    path("", include("partners.urls")),
    path("", include("targets.urls")),
    path("", include("callins.urls")),
    path("", include("funding.urls")),
    path("register/grants/", include("funding.public_urls")),
    path("register/", include("callins.public_urls")),
    path("api/", include((api_patterns, "api"))),
    path("admin/", admin.site.urls),
]

handler403 = "portal.views.pages.error_403"
handler404 = "portal.views.pages.error_404"
handler500 = "portal.views.pages.error_500"
