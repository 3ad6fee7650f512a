"""What every /api/ request and response shares: a request id, one log line, caching, media type.

- `X-Request-Id`: the client's own (when it is 1-128 letters, digits or `-_.:`), else a new UUID;
  sent back on every response and written in the log line, so support can find a failed call.
- The log line names the method, the route (its rule, `/api/v1/patients/<int:patient_id>`, never
  the path or query, which may hold an external id), status, token id and milliseconds.
- `Cache-Control: no-store` on every API response (they carry patient data, or errors about it;
  the OpenAPI document is the one exception).
- A body sent with any Content-Type other than JSON is refused with 415 before any work, once
  routing found the operation: a method the path does not take is 405 whatever the body.
"""

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request
from werkzeug.exceptions import UnsupportedMediaType

from .auth import rate_limit_headers

REQUEST_ID_HEADER = "X-Request-Id"
REQUEST_ID_PATTERN = "^[A-Za-z0-9._:-]{1,128}$"
JSON_TYPES = ("application/json",)
CACHEABLE_ENDPOINTS = {"api.openapi"}

log = logging.getLogger("hepbuilder.api")


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def request_id() -> str:
    """This request's id (the client's when it is well formed, else a new one)."""
    if "request_id" not in g:
        sent = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = sent if re.fullmatch(REQUEST_ID_PATTERN[1:-1], sent) else uuid.uuid4().hex
    return g.request_id


def init_app(app: Flask) -> None:
    if log.level == logging.NOTSET:
        log.setLevel(logging.INFO)
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        log.addHandler(handler)

    @app.before_request
    def start_api_request():
        if not is_api_request():
            return
        g.api_started = time.perf_counter()
        request_id()
        if request.routing_exception is not None:
            return  # no route takes this method (405) or path (404): that is the answer, not 415
        if request.method in ("POST", "PUT", "PATCH") and request.get_data(cache=True).strip():
            if request.mimetype not in JSON_TYPES:
                raise UnsupportedMediaType("Send the body as JSON: Content-Type: application/json.")

    @app.after_request
    def finish_api_request(response: Response) -> Response:
        if not is_api_request():
            return response
        response.headers[REQUEST_ID_HEADER] = request_id()
        response.headers.update(rate_limit_headers())
        if request.endpoint not in CACHEABLE_ENDPOINTS:
            response.headers["Cache-Control"] = "no-store"
        started = g.get("api_started", time.perf_counter())
        actor = g.get("actor")
        log.info(
            "request_id=%s method=%s route=%s status=%d token=%s ms=%.1f",
            request_id(),
            request.method,
            request.url_rule.rule if request.url_rule else "(no route)",
            response.status_code,
            actor.api_token_id if actor else "-",
            (time.perf_counter() - started) * 1000,
        )
        return response
