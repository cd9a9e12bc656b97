"""Alembic revisions of the router's schema (plain SQL)."""
