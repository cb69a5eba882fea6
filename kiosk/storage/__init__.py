"""Local storage: SQLite (WAL, synchronous=FULL) through SQLAlchemy, schema by Alembic migrations."""
