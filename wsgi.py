"""Entry point for gunicorn: `gunicorn wsgi:app`."""

from hepbuilder.web import create_app

app = create_app()
