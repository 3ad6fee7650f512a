"""Illustrations layer: a posed human figure drawn to reportlab and SVG. Imports domain only (plus reportlab); never Flask or the database."""
