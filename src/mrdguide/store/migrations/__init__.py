"""Alembic migrations of the registry schema, run programmatically (no alembic.ini needed)."""
