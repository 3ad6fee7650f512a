"""The one error mapper: domain errors and HTTP errors become HTML pages, or the JSON error shape under /api/."""

from flask import Flask, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from hepbuilder.domain.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    RateLimited,
    Unavailable,
    ValidationError,
)
from hepbuilder.web.log_redaction import redact_path

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}


def status_for(error: DomainError) -> int:
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, PermissionDenied):
        return 403
    if isinstance(error, ValidationError):
        return 422
    if isinstance(error, RateLimited):
        return 429
    if isinstance(error, Unavailable):
        return 503
    return 400


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(
    status: int,
    message: str,
    fields: dict | None = None,
    extra: dict | None = None,
    code: str | None = None,
    heading: str | None = None,
):
    """A JSON error ({"error": {code, message, fields}}) under /api/, else the HTML error page
    (headed `heading`, or a plain heading for its status)."""
    if wants_json():
        body = {
            "code": code or _CODES.get(status, "error"),
            "message": message,
            "fields": fields or {},
        }
        body.update(extra or {})
        return jsonify({"error": body}), status
    page = render_template("errors/error.html", status=status, message=message, heading=heading)
    return page, status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        fields = error.fields if isinstance(error, ValidationError | Conflict) else {}
        extra = {}
        if isinstance(error, Conflict):
            if error.existing_id is not None:
                extra["existing_id"] = error.existing_id
            if error.current_version is not None:
                extra["current_version"] = error.current_version
        message = getattr(error, "message", None) or str(error) or "That is not possible."
        body, status = error_response(status_for(error), message, fields, extra, error.code)
        retry_after = getattr(error, "retry_after_seconds", None)
        return body, status, {"Retry-After": str(retry_after)} if retry_after else {}

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        status = error.code or 500
        heading = _HEADINGS.get(status) if _says_nothing_more(error) else None
        body, status = error_response(status, _friendly(status, error), heading=heading)
        # Keep what the error tells the client: Allow (405) and WWW-Authenticate (401).
        kept = {"allow", "www-authenticate"}
        headers = {k: v for k, v in error.get_headers() if k.lower() in kept}
        return body, status, headers

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        app.logger.exception(
            "Unhandled error on %s %s (request_id=%s)",
            request.method,
            request.url_rule.rule if request.url_rule else redact_path(request.path),
            g.get("request_id", "-"),
        )
        return error_response(500, "Something went wrong on our side. Please try again.")


# Said instead of werkzeug's own description ("...It is either read-protected or not readable by
# the server."), which means nothing to a therapist; an abort() that gives its own words keeps them.
_PLAIN = {
    400: "Your browser sent something this page could not use. Please go back and try again.",
    401: "Please sign in to open this page.",
    403: "This page is for your clinic's administrators. If something here needs changing, "
    "ask one of them.",
}
_HEADINGS = {401: "Please sign in", 403: "Only an admin can open this page"}


def _says_nothing_more(error: HTTPException) -> bool:
    """True when the error carries werkzeug's standard description, not words of our own."""
    return not error.description or error.description == type(error).description


# What a client of the JSON API is told where a page's reader is told _friendly's words.
_API_WORDS = {
    404: "No operation of this API has this address; GET /api/v1/openapi.json lists them.",
    405: "This address does not take {method}; its Allow header lists the methods it takes.",
}


def _friendly(status: int, error: HTTPException) -> str:
    if wants_json() and status in _API_WORDS and _says_nothing_more(error):
        return _API_WORDS[status].format(method=request.method)
    messages = {
        404: "We could not find that page. It may have moved, or the address may be mistyped.",
        405: "That action is not allowed here.",
        413: "That upload or request is too large.",
        414: "That address is too long.",
    }
    if status in messages:
        return messages[status]
    if status in _PLAIN and _says_nothing_more(error):
        return _PLAIN[status]
    return error.description or "That request could not be handled."
