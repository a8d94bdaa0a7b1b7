from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog
from viewflow.contrib.auth import AuthViewset

from accounts import passwords
from accounts import views as accounts
from certificates import views as certificate_views
from oversight import views as oversight_views

from . import api_docs, health
from .site import site

# The admin by the site's name, not Django's.
admin.site.site_header = admin.site.site_title = _("Xianjie administration")

urlpatterns = [
    path("api/v1/", include("config.api_urls")),
    # Public only with PUBLIC_API_DOCS (the default with DEBUG); otherwise for logged-in users.
    path("api/schema/", api_docs.SchemaView.as_view(), name="schema"),
    path("api/docs/", api_docs.SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["django.contrib.admin"]), name="javascript-catalog"),
    path(
        "accounts/",
        AuthViewset(
            login_view=accounts.LoginView.as_view(),
            profile_view=accounts.account,
            # The reset link on SITE_URL (never the request's Host), with a rate limit.
            pass_reset_view=passwords.PasswordResetView.as_view(),
        ).urls,
    ),
    path("accounts/otp/", accounts.otp_verify, name="otp-verify"),
    path("accounts/otp/setup/", accounts.otp_setup, name="otp-setup"),
    path("accounts/otp/disable/", accounts.otp_disable, name="otp-disable"),
    path("accounts/token/revoke/", accounts.token_revoke, name="token-revoke"),
    # One login for the whole site: the admin's own would skip the second factor.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("public/typical/", oversight_views.public_typical_list, name="typical-list"),
    path("public/check/", certificate_views.public_check, name="public-check"),
    path("public/tip/", certificate_views.public_tip, name="public-tip"),
    path("public/tip/track/", certificate_views.public_track, name="public-track"),
    # The tip behind a case: the tipster's contact for its handlers, and their answers (issue 18).
    path("tips/<int:pk>/", certificate_views.tip_desk, name="tip-desk"),
    path("jobs/", include("jobs.urls")),
    path("favicon.ico", certificate_views.favicon, name="favicon"),
    # The probe of the proxy and the load balancer: no login, never redirected (config/health.py).
    path("healthz", health.healthz, name="healthz"),
    path("", accounts.home, name="home"),
    path("", site.urls),
]


def handler404(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def handler500(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)
