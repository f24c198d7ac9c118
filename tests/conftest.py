"""Suite-wide settings."""

import os

from hypothesis import settings

# CI runs the same examples every time (a red run must be reproducible); locally, hypothesis
# explores new examples on every run.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI", "").lower() == "true":
    settings.load_profile("ci")
