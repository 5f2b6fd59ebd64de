"""A database error's message, which reaches the logs, holds no bound
parameter: they carry emails and key hashes."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.storage.engine import create_database_engine

EMAIL = "ada.lovelace@example.com"


def test_a_failed_statement_s_error_holds_no_bound_parameter(settings):
    engine = create_database_engine(settings)
    try:
        with pytest.raises(DBAPIError) as caught, engine.connect() as connection:
            connection.execute(
                text("SELECT id FROM no_such_table WHERE email = :email"), {"email": EMAIL}
            )
    finally:
        engine.dispose()
    assert "no_such_table" in str(caught.value)
    assert EMAIL not in str(caught.value)
