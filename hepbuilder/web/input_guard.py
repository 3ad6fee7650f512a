"""Refuses text no database can store (NUL characters) before any page's view sees it.

The JSON API checks its own input and names the field (422), so /api/ is left to it.
"""

from flask import Flask, abort, request


def register_input_guard(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters():
        if request.path.startswith("/api/"):
            return
        values = [*request.args.values(), *request.args.keys()]
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            values += [*request.form.values(), *request.form.keys()]
        if any("\x00" in value for value in values):
            abort(400, description="The request contains a character (NUL) that cannot be stored.")
