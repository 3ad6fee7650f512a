"""Database layer: SQLAlchemy 2.x models, engine/session, Alembic migrations. Imports domain only; never Flask."""
