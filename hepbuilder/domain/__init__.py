"""Domain layer: exercises, doses, the handout spec, validation. Standard library only (no Flask, SQLAlchemy, reportlab, yaml)."""
