"""Generated run names: ``adjective-noun-number`` like MLflow's (our own word lists)."""

from __future__ import annotations

import random

_ADJECTIVES = (
    "able", "amber", "bold", "brave", "bright", "calm", "clever", "crisp", "dapper", "eager",
    "fancy", "gentle", "glad", "golden", "grand", "happy", "honest", "jolly", "keen", "kind",
    "lively", "lucky", "merry", "mild", "neat", "nimble", "placid", "polite", "proud", "quick",
    "quiet", "rare", "shy", "silent", "smart", "sunny", "swift", "tidy", "vivid", "wise",
)
_NOUNS = (
    "ant", "bat", "bear", "bee", "crab", "crane", "deer", "dove", "eel", "elk", "finch", "fox",
    "frog", "goat", "hare", "hawk", "heron", "ibis", "jay", "koala", "lark", "lion", "lynx",
    "mole", "moth", "newt", "otter", "owl", "panda", "quail", "ram", "robin", "seal", "shrew",
    "swan", "tern", "toad", "vole", "wolf", "wren", "yak", "zebra",
)

_random = random.SystemRandom()


def generate_run_name() -> str:
    """Return a fresh readable run name.

    Examples
    --------
    >>> import re
    >>> bool(re.fullmatch(r"[a-z]+-[a-z]+-\\d{1,3}", generate_run_name()))
    True
    """
    return f"{_random.choice(_ADJECTIVES)}-{_random.choice(_NOUNS)}-{_random.randint(0, 999)}"
