"""Fixtures of the store tests: a fresh workspace per test, no run left active."""

import pytest

from workbench import _tracking
from workbench.store import _store, set_workspace


@pytest.fixture
def workspace(tmp_path):
    """Point the process at an empty workspace and restore the previous choice afterwards."""
    root = tmp_path / "ws"
    set_workspace(root)
    yield root
    while _tracking.active_run() is not None:
        _tracking.end_run()
    set_workspace(None)
    for key in [k for k in _store._stores if k[0] == root]:
        _store._stores.pop(key).close()


@pytest.fixture
def store(workspace):
    """The Store of the fresh workspace."""
    return _store.get_store()
