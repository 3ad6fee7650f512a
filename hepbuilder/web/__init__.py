"""Web layer: Flask app factory, blueprints and forms. Thin adapters over services."""
