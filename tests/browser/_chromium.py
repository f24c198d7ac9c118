"""Debian's Chromium through Playwright for the report tests, and a page that records what
went wrong (console errors, page errors, dialogs, network requests).

TESTING.md: never ``playwright install`` (nothing can be downloaded here); use the system
Chromium with the flags below, which also keep it from reaching the network on its own.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
#: Screenshots that CI keeps (gitignored).
ARTIFACTS = pathlib.Path(__file__).resolve().parents[2] / "test-artifacts"


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (Playwright's sync API), closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Watched:
    """A page and what it reported."""

    page: Any
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        """Requests to anything but a local file or a blob: URL."""
        return [u for u in self.requests if not u.startswith(("file://", "blob:"))]


def watched_page(browser: Any, **kwargs: Any) -> Watched:
    """A new page whose console errors, dialogs and requests are recorded (dialogs dismissed)."""
    page = browser.new_page(**{"viewport": {"width": 1280, "height": 900}, **kwargs})
    w = Watched(page)

    def on_console(msg: Any) -> None:
        if msg.type == "error":
            w.errors.append(msg.text)
        elif msg.type == "warning":
            w.warnings.append(msg.text)

    def on_dialog(dialog: Any) -> None:
        w.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("console", on_console)
    page.on("pageerror", lambda err: w.errors.append(f"pageerror: {err}"))
    page.on("dialog", on_dialog)
    page.on("request", lambda req: w.requests.append(req.url))
    return w


def screenshot(page: Any, name: str) -> pathlib.Path:
    """Save a full-page screenshot as test-artifacts/<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
