"""Sign-in (rate limited), the settings page and the contact email confirmation."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import get_usage, is_ratelimited
from django_ratelimit.decorators import ratelimit

from accounts import services
from accounts.entitlements import entitlement_for
from accounts.forms import SettingsForm, SignInForm
from accounts.models import SupportProfile
from accounts.selectors import preferences_for, user_time_zone

logger = logging.getLogger(__name__)


def _login_rate_per_account(group: str, request: HttpRequest) -> str:
    return getattr(settings, "LOGIN_RATE_PER_ACCOUNT", "5/5m")


def _login_rate_per_ip(group: str, request: HttpRequest) -> str:
    return getattr(settings, "LOGIN_RATE_PER_IP", "30/5m")


def _contact_email_rate(group: str, request: HttpRequest) -> str:
    return getattr(settings, "CONTACT_EMAIL_RATE", "5/h")


def _posted_email(group: str, request: HttpRequest) -> str:
    return request.POST.get("username", "").strip().lower()


@method_decorator(
    ratelimit(group="login-account", key=_posted_email, rate=_login_rate_per_account, method="POST", block=False),
    name="dispatch",
)
@method_decorator(
    ratelimit(group="login-ip", key="ip", rate=_login_rate_per_ip, method="POST", block=False), name="dispatch"
)
class SignInView(auth_views.LoginView):
    """Django's LoginView, refusing further attempts per address and per IP once over the limit.

    Limits live in the cache (shared between processes in production: Redis); ``block=False``
    lets us answer with the form and a clear message instead of a bare 403.
    """

    form_class = SignInForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request, "limited", False):
            logger.warning("sign-in rate limit hit for %s", request.META.get("REMOTE_ADDR"))
            # An unbound form: validating the bound one would check the password, which the limit forbids.
            form = self.form_class(request=request, initial={"username": request.POST.get("username", "")})
            message = _("Too many sign-in attempts. Wait a few minutes, then try again.")
            response = self.render_to_response(self.get_context_data(form=form, limited=message), status=429)
            response["Retry-After"] = str(_sign_in_wait(request))
            return response
        return super().post(request, *args, **kwargs)


def _sign_in_wait(request: HttpRequest) -> int:
    """Seconds until the exceeded sign-in limit (per account or per IP) lets this request through."""
    waits = [60]
    for group, key, rate in (
        ("login-account", _posted_email, _login_rate_per_account),
        ("login-ip", "ip", _login_rate_per_ip),
    ):
        usage = get_usage(request, group=group, key=key, rate=rate, method="POST", increment=False)
        if usage and usage["should_limit"]:
            waits.append(int(usage["time_left"]))
    return max(1, max(waits) if len(waits) > 1 else waits[0])


@method_decorator(
    ratelimit(group="password-reset", key="ip", rate=_login_rate_per_ip, method="POST", block=False), name="dispatch"
)
class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset-by-email view, with the same per-IP limit as sign-in."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request, "limited", False):
            logger.warning("password reset rate limit hit for %s", request.META.get("REMOTE_ADDR"))
            message = _("Too many requests. Wait a few minutes, then try again.")
            return self.render_to_response(self.get_context_data(form=self.form_class(), limited=message), status=429)
        return super().post(request, *args, **kwargs)


def _initial(profile: SupportProfile) -> dict[str, Any]:
    return {
        "language": profile.language,
        "region": profile.region,
        "time_zone": profile.time_zone,
        "contact_email": profile.pending_contact_email or profile.contact_email,
        "email_notifications": profile.email_notifications,
    }


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """Preferences; a new contact email only takes effect through its emailed link."""
    profile = preferences_for(request.user)
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if not form.is_valid():
            logger.info("settings refused for user %s: %s", request.user.pk, form.errors.as_json())
            return _render_settings(request, form, profile, status=400)
        data = form.cleaned_data
        current = profile.pending_contact_email or profile.contact_email
        changing_email = bool(data["contact_email"]) and data["contact_email"].lower() != current
        if changing_email and is_ratelimited(
            request, group="contact-email", key="user", rate=_contact_email_rate, increment=True
        ):
            # Each change sends an email to an address of the user's choosing: cap it.
            logger.warning("contact email change rate limit hit for user %s", request.user.pk)
            form.add_error("contact_email", _("Too many confirmation emails were sent. Try again in an hour."))
            return _render_settings(request, form, profile, status=429)
        with transaction.atomic():
            services.profile_update_preferences(
                user=request.user,
                language=data["language"],
                region=data["region"],
                time_zone=data["time_zone"],
                email_notifications=data["email_notifications"],
            )
            sent = data["contact_email"].lower() != current and services.contact_email_change_request(
                user=request.user, new_email=data["contact_email"]
            )
        if sent:
            messages.info(
                request,
                _("We sent a confirmation link to %(email)s. The new address is used once you follow it.")
                % {"email": data["contact_email"]},
            )
        language = data["language"] or translation.get_language()
        with translation.override(language):
            messages.success(request, _("Your settings were saved."))
        response = redirect("accounts-settings")
        if data["language"]:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, data["language"], samesite="Lax")
        return response
    return _render_settings(request, SettingsForm(initial=_initial(profile)), profile)


def _render_settings(
    request: HttpRequest, form: SettingsForm, profile: SupportProfile, status: int = 200
) -> HttpResponse:
    entitlement = entitlement_for(request.user)
    zone = user_time_zone(request.user)
    now = timezone.now()
    routes = [(route, route.hours.status_at(now, zone) if route.hours else None) for route in entitlement.routes]
    context = {"form": form, "profile": profile, "entitlement": entitlement, "routes": routes, "time_zone": zone}
    return render(request, "accounts/settings.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def contact_email_verify(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirm button (mail scanners follow links); POST applies the change."""
    if request.method == "GET":
        return render(request, "accounts/contact_email_verify.html", {"token": token})
    try:
        profile = services.contact_email_verify(user=request.user, token=token)
    except services.ContactEmailLinkError as error:
        logger.info("contact email link refused for user %s: %s", request.user.pk, error.code)
        return render(
            request, "accounts/contact_email_verify.html", {"token": token, "error": error.message}, status=400
        )
    messages.success(request, _("%(email)s is now your support contact email.") % {"email": profile.contact_email})
    return redirect("accounts-settings")
