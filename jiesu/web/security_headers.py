"""Browser-side hardening: a strict Content-Security-Policy with a per-request nonce, and the
headers Django's SecurityMiddleware does not set.

No 'unsafe-inline' anywhere: pages load their scripts and styles from /static/, and the rare inline
<script>/<style> must carry `nonce="{{ csp_nonce }}"` (django-htmx's `{% htmx_script %}` reads that
same context variable). htmx's own injected indicator <style> is switched off by the htmx-config
meta tag in base.html; its three rules live in jiesu.css instead. Swagger UI at /api/docs works
unchanged: django-ninja ships its init code as a file and its settings as a JSON data block.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Features no Jiesu page uses; denying them limits what injected or third-party code could reach.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


def content_security_policy(nonce: str) -> str:
    source = f"'self' 'nonce-{nonce}'"
    directives = {
        "default-src": "'self'",
        "script-src": source,
        "style-src": source,
        "img-src": "'self' data:",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class SecurityHeadersMiddleware:
    """Gives each request a fresh nonce (`request.csp_nonce`) and each response the policy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(18)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", content_security_policy(nonce))
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def csp_nonce(request: HttpRequest) -> dict[str, str]:
    """Context processor: the nonce under the name `{% htmx_script %}` and our templates use."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
