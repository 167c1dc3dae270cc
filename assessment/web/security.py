"""Security headers for every page of every blueprint.

A few lines rather than Flask-Talisman: the policy is one fixed set of headers, and the
library's extra machinery (nonces, per-view options, forced HTTPS redirects) is not
needed; HTTPS itself is the proxy's or gunicorn's business (README, Production).
"""

from __future__ import annotations

from flask import Flask, Response, request

# No inline script or style anywhere (templates use classes and <progress>/<meter>);
# frames are refused; forms post only to this site.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=63072000; includeSubDomains"


def register(app: Flask) -> None:
    """Add the headers to every response of the app."""
    app.config.setdefault("CONTENT_SECURITY_POLICY", CONTENT_SECURITY_POLICY)

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", app.config["CONTENT_SECURITY_POLICY"])
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        # Survey URLs hold personal tokens and resume keys: never pass them on.
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure or app.config["SESSION_COOKIE_SECURE"]:
            headers.setdefault("Strict-Transport-Security", HSTS)
        if request.blueprint == "survey":
            # Pages with answers are not kept by shared caches or on disk.
            headers.setdefault("Cache-Control", "no-store")
        return response
