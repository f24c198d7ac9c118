"""Suite-wide settings for tests/ and the doctests in workbench/."""

import os

import pytest
from hypothesis import settings

# CI runs the same examples every time (a red run must be reproducible); locally, hypothesis
# explores new examples on every run.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI", "").lower() == "true":
    settings.load_profile("ci")


@pytest.fixture(autouse=True, scope="session")
def _isolated_machine_state(tmp_path_factory):
    """Keep the trust store and environment caches of the test run out of the real home."""
    root = tmp_path_factory.mktemp("machine-state")
    saved = {k: os.environ.get(k)
             for k in ("WORKBENCH_TRUST_STORE", "WORKBENCH_HOME", "WORKBENCH_STATIC_IMAGES")}
    os.environ["WORKBENCH_TRUST_STORE"] = str(root / "trusted.sqlite")
    # log_model / runs:/ / models:/ touch the workspace: never the repository's ./.workbench.
    os.environ["WORKBENCH_HOME"] = str(root / "workspace")
    # Static curve PNGs (kaleido + Chromium, ~3.5 s to start) only where a test asks for them:
    # tests/notebook/test_images.py turns them on for its own tests.
    os.environ["WORKBENCH_STATIC_IMAGES"] = "0"
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
