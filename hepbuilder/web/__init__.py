"""Web layer: Flask app factory, blueprints and forms. Thin adapters over services."""

from .app import create_app

__all__ = ["create_app"]
