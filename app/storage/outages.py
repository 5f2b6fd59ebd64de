"""Outages: a database that cannot answer becomes one exception, Unavailable.

The domain takes it into its error vocabulary (app.domain.errors) and the
web layer answers it with 503.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, OperationalError, TimeoutError


class Unavailable(Exception):
    """The database cannot be reached or did not answer in time."""


@contextmanager
def outages_unavailable() -> Iterator[None]:
    """Turns the driver's and the pool's outage errors into Unavailable."""
    try:
        yield
    except (OperationalError, TimeoutError) as error:
        raise Unavailable from error
    except DBAPIError as error:
        if error.connection_invalidated:
            raise Unavailable from error
        raise
