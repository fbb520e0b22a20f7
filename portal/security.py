"""Content-Security-Policy per area of the site (django-csp).

The strict policy is in settings (CONTENT_SECURITY_POLICY). Wagtail's admin still relies on
inline scripts and styles, so its area gets the same policy plus 'unsafe-inline'; it is only
reachable by signed-in staff.
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponseBase

RELAXED_PREFIXES = ("/admin/", "/django-admin/")


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(RELAXED_PREFIXES):
            parts.update = {**(parts.update or {}), "script-src": ["'unsafe-inline'"], "style-src": ["'unsafe-inline'"]}
        return parts
