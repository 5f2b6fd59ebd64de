"""Where the product's data lives: the engine per settings, the database's
transactions and request connections, the models, the Alembic migrations,
SQLite's writers' lock, and outages translated into Unavailable.

It imports nothing from app.domain or app.web.
"""
