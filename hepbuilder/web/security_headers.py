"""Headers on every response: a strict Content-Security-Policy, no framing by other sites,
no MIME sniffing, HSTS over HTTPS, and `Cache-Control: no-store` on everything but static files.

Pages carry no inline script, no inline event handler and no `style=` attribute (CSP would block
them): JavaScript and CSS live in files under web/static/, and the clinic's brand colour comes
from `/brand/<rrggbb>.css`. A PDF may be framed by our own pages (the builder's preview, the print
page), nothing else may be framed at all.
"""

from flask import Flask, request

PAGE_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
FRAMEABLE_POLICY = "default-src 'self'; object-src 'none'; frame-ancestors 'self'"
HSTS = "max-age=31536000; includeSubDomains"


def _is_https(app: Flask) -> bool:
    return request.is_secure or app.config.get("PUBLIC_URL", "").startswith("https://")


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        headers = response.headers
        frameable = response.mimetype == "application/pdf"
        headers.setdefault(
            "Content-Security-Policy", FRAMEABLE_POLICY if frameable else PAGE_POLICY
        )
        headers.setdefault("X-Frame-Options", "SAMEORIGIN" if frameable else "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        if _is_https(app):
            headers.setdefault("Strict-Transport-Security", HSTS)
        if request.endpoint not in ("static", "brand_css"):
            # Any page or answer may name a patient; none may sit in a shared or browser cache.
            headers.setdefault("Cache-Control", "no-store")
        return response
