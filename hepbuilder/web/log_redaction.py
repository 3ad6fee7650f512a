"""Addresses as logs may show them: patient data and secrets taken out.

A request's path and query can carry a patient's name (`/patients?q=...`), an external id
(`/patients/by-external-id/<MRN>`, `?external_id=`) or a private link's token (`/p/<token>`).
Logs get the path with those parts replaced by "-", and every query value replaced by "-" (the
names stay, so a log still tells which filter was used). The Referer, which repeats such
addresses, is never logged. Used by gunicorn's access log (`RedactingGunicornLogger`, set up by
`hepbuilder/web/gunicorn_conf.py`) and by the app's own error log.
"""

import re
from urllib.parse import parse_qsl

from gunicorn import glogging

REDACTED = "-"
_SECRET_SEGMENTS = [
    re.compile(r"^(/patients/by-external-id/).+$"),
    re.compile(r"^(/p/)[^/]+"),
]
# host, time, "method path?query protocol", status, bytes, duration (µs), user agent: no Referer.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(D)sus "%(a)s"'


def redact_path(path: str) -> str:
    """`/patients/by-external-id/MRN-1` -> `/patients/by-external-id/-`; `/p/abc/x` -> `/p/-/x`."""
    for pattern in _SECRET_SEGMENTS:
        path = pattern.sub(lambda match: match.group(1) + REDACTED, path)
    return path


def redact_query(query: str) -> str:
    """`q=Zoë&page=2` -> `q=-&page=-`."""
    if not query:
        return ""
    names = [name for name, _ in parse_qsl(query, keep_blank_values=True)]
    return "&".join(f"{name[:40]}={REDACTED}" for name in names)


def redact_target(path: str, query: str) -> str:
    redacted = redact_path(path)
    query = redact_query(query)
    return f"{redacted}?{query}" if query else redacted


class RedactingGunicornLogger(glogging.Logger):
    """gunicorn's logger with only the atoms that carry no patient data, the path redacted."""

    def atoms(self, resp, req, environ, request_time):
        full = super().atoms(resp, req, environ, request_time)
        target = redact_target(environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))
        safe = {key: full[key] for key in ("h", "l", "u", "t", "s", "m", "H", "b", "B", "a")}
        safe.update(
            {key: full[key] for key in ("T", "D", "M", "L", "p")},
            r=f"{full['m']} {target} {full['H']}",
            U=redact_path(environ.get("PATH_INFO", "")),
            q=redact_query(environ.get("QUERY_STRING", "")),
            f=REDACTED,
        )
        return safe
