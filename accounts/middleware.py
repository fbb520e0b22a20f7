"""Applies a signed-in user's preferences (language, time zone) to every request.

Runs after ``AuthenticationMiddleware``. LocaleMiddleware has already chosen a language from
the cookie or the browser; a signed-in user's saved preference wins over those, but not over an
explicit choice made in this very request (``?lang=xx`` or the header's language switcher).
When a signed-in user uses the switcher, the choice is saved to their profile, so it sticks.
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation

from accounts.hours import valid_time_zone
from accounts.models import SupportProfile
from accounts.services import profile_set_language


class UserPreferencesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        codes = {code for code, _name in settings.LANGUAGES}
        switching = request.method == "POST" and request.path == reverse("set_language")
        explicit = switching or request.GET.get("lang") in codes
        language, zone = SupportProfile.objects.filter(user=user).values_list("language", "time_zone").first() or (
            "",
            "",
        )
        if language in codes and not explicit:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        if valid_time_zone(zone):
            timezone.activate(ZoneInfo(zone))
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
        chosen = request.POST.get("language") if switching else None
        if chosen in codes and response.status_code in (302, 204) and chosen != language:
            profile_set_language(user=user, language=chosen)
        return response
