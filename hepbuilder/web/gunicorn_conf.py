"""gunicorn settings for hepbuilder (`hepbuilder serve` uses them; to run gunicorn yourself:
`gunicorn -c python:hepbuilder.web.gunicorn_conf 'hepbuilder.web:create_app()'`).

- The access log carries no query values, no private-link token, no external id and no Referer
  (hepbuilder/web/log_redaction.py).
- gunicorn refuses a request line over `limit_request_line` bytes with its own plain-text 400
  before the app sees it; at 8190 (gunicorn's largest) the app's own, lower limit
  (web/input_guard.py: MAX_URL_CHARS) answers first, with the JSON error shape under /api/.
"""

from hepbuilder.web.log_redaction import ACCESS_LOG_FORMAT

accesslog = "-"
access_log_format = ACCESS_LOG_FORMAT
logger_class = "hepbuilder.web.log_redaction.RedactingGunicornLogger"
limit_request_line = 8190
