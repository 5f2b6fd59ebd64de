"""The factory each worker process calls."""

import gc
import logging

import pytest

from app import server


@pytest.fixture
def unfrozen():
    """The test process as it was: nothing frozen, its own logging."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    gc.unfreeze()
    root.handlers, root.level = handlers, level
    logging.captureWarnings(False)


def test_what_start_up_built_is_frozen_out_of_the_collectors_passes(env, monkeypatch, unfrozen):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    gc.unfreeze()
    app = server.asgi_app()
    assert app is not None
    # The app's objects, and every module's, are in the permanent generation.
    assert gc.get_freeze_count() > 50_000
