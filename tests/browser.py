"""Headless Chromium for the tests and benchmarks: Debian's browser driven by Playwright.

Outside CI a missing browser or Playwright skips; in CI (``make test`` installs Debian's chromium as
root) it is a failure."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            raise RuntimeError("CI needs Debian's chromium (make test installs it as root: apt-get install chromium)")
        pytest.skip("the browser test needs Debian's chromium (apt-get install chromium)")
    return path


@contextlib.contextmanager
def browser_page(width: int = 1400, height: int = 900) -> Iterator[tuple[Any, dict]]:
    """A page in a fresh headless Chromium, with the console errors and every request made recorded."""
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("the browser test needs Playwright (pip install playwright)")
    record: dict[str, list] = {"errors": [], "requests": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on(
                "console", lambda message: record["errors"].append(message.text) if message.type == "error" else None
            )
            page.on("pageerror", lambda error: record["errors"].append(str(error)))
            page.on("request", lambda request: record["requests"].append(request.url))
            yield page, record
        finally:
            browser.close()
