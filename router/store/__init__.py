"""Repositories: one module per aggregate, each running the named SQL of `router/sql/<aggregate>.sql`."""
