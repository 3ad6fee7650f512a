"""Bounds on every request before any view does work, and text no database can store.

- A request line (path and query) over MAX_URL_CHARS gets 414 (the JSON error shape under /api/).
  gunicorn's own limit (hepbuilder/web/gunicorn_conf.py) is set higher, so this answer comes first.
- A url-encoded form over MAX_FORM_BYTES or with more than MAX_FORM_FIELDS fields gets 413
  before it is parsed into anything bigger (multipart forms: Flask's MAX_FORM_PARTS).
- Ids in addresses have at most MAX_ID_DIGITS digits (`<int:...>` matches nothing longer, so a
  25-digit id is a 404, never a database overflow).
- A body sent without Content-Length (chunked) that reaches MAX_CONTENT_LENGTH gets 413: the
  input stream stops there, and what it read must not be taken for the whole body.
- A query that is not UTF-8 (a lone surrogate's encoding among them) is refused with 400, pages'
  and the API's alike, rather than read with U+FFFD. NUL characters in a page's query or form
  are refused with 400, and so are a page form's bytes that are not UTF-8, which the form parser
  would otherwise turn into U+FFFD and store; the JSON API checks its own input and names the
  field (422), so /api/ is left to it there.
"""

from urllib.parse import unquote_to_bytes

from flask import Flask, abort, current_app, request
from werkzeug.routing import IntegerConverter

from .addresses import MAX_ID_DIGITS

MAX_URL_CHARS = 4096
MAX_FORM_BYTES = 1024 * 1024
MAX_FORM_FIELDS = 2000


NOT_UTF8 = "The request contains characters that are not valid text (not UTF-8)."


def _is_utf8(encoded: bytes) -> bool:
    """True when the url-encoded `encoded` decodes to UTF-8 text (surrogates are not UTF-8)."""
    try:
        unquote_to_bytes(encoded.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` for ids: 1 to 18 digits (a signed 64-bit integer), no sign, no leading zero."""

    regex = rf"[1-9]\d{{0,{MAX_ID_DIGITS - 1}}}"


def register_input_guard(app: Flask) -> None:
    """Call before the blueprints are registered: their `<int:...>` rules use the converter."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.config.setdefault("MAX_FORM_PARTS", MAX_FORM_FIELDS)

    @app.before_request
    def bound_the_request():
        target = request.environ.get("RAW_URI") or request.full_path
        if len(target) > MAX_URL_CHARS:
            abort(414)
        page = not request.path.startswith("/api/")
        if not _is_utf8(request.query_string):
            abort(400, description=NOT_UTF8)
        if request.content_length is None and request.method in ("POST", "PUT", "PATCH"):
            # a body without Content-Length (chunked) is cut at MAX_CONTENT_LENGTH by the
            # stream, not refused: one that reaches the limit is too large, never read cut
            limit = current_app.config["MAX_CONTENT_LENGTH"]
            if limit and len(request.get_data(cache=True)) >= limit:
                abort(413)
        if request.mimetype == "application/x-www-form-urlencoded":
            if (request.content_length or 0) > MAX_FORM_BYTES:
                abort(413, description="That form is too large.")
            if page:  # the API reads JSON only (and answers a form with 415): never parse one
                body = request.get_data(cache=True)  # the form is parsed from this copy
                if len(body) > MAX_FORM_BYTES:
                    abort(413, description="That form is too large.")
                if not _is_utf8(body):
                    abort(400, description=NOT_UTF8)
            if page and len(request.form) > MAX_FORM_FIELDS:
                abort(413, description="That form has too many fields.")

    @app.before_request
    def refuse_nul_characters():
        if request.path.startswith("/api/"):
            return
        values = [*request.args.values(), *request.args.keys()]
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            values += [*request.form.values(), *request.form.keys()]
        if any("\x00" in value for value in values):
            abort(400, description="The request contains a character (NUL) that cannot be stored.")
