"""Chromium for the browser tests (test_site.py, test_live_jupyter.py).

Playwright (from PyPI) drives Debian's Chromium at /usr/bin/chromium; no browser is downloaded.
Without Chromium the browser tests skip, except under CI (env CI set), where they fail.
Install it with: sudo apt-get install chromium

Playwright's sync API cannot be started twice in one thread, so every fixture that wants a browser
shares one: ``with chromium() as browser: yield browser``. Chromium is launched on the first use
and closed when the last user is done.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

_shared: dict = {"users": 0}


@contextlib.contextmanager
def chromium():
    """The shared Chromium browser; skips the test without Chromium (fails under CI)."""
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM}; install it with `sudo apt-get install chromium`"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must run the browser tests)")
        pytest.skip(message)
    if not _shared["users"]:
        from playwright.sync_api import sync_playwright

        manager = sync_playwright()
        playwright = manager.__enter__()
        try:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                 args=CHROMIUM_ARGS)
        except BaseException:
            manager.__exit__(None, None, None)
            raise
        _shared.update(manager=manager, browser=browser)
    _shared["users"] += 1
    try:
        yield _shared["browser"]
    finally:
        _shared["users"] -= 1
        if not _shared["users"]:
            try:
                _shared["browser"].close()
            finally:
                _shared.pop("manager").__exit__(None, None, None)
                _shared.pop("browser")


# ---- The built website, served locally (shared by tests/test_site*.py) ----------------------------------

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


def built_site() -> Path:
    """The built site; built here if it is missing (`make test` builds it first anyway)."""
    if not (SITE / "index.html").is_file():
        import subprocess
        import sys

        jupyter_book = Path(sys.executable).with_name("jupyter-book")
        subprocess.run([str(jupyter_book), "build", str(ROOT), "-W", "--keep-going"], check=True)
    return SITE


@contextlib.contextmanager
def serve(directory: Path):
    """Serve ``directory`` on 127.0.0.1 (a free port); yields the base URL."""
    import functools
    import http.server
    import threading

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 (signature of the base class)
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def typeset(page, timeout_ms: int = 15000) -> None:
    """Wait until MathJax has typeset the page (no-op on a page without math)."""
    if page.locator(".math").count():
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                               timeout=timeout_ms)
        page.evaluate("() => MathJax.startup.promise")


@pytest.fixture(scope="module")
def base_url():
    """The built site (`make book`), served on 127.0.0.1 for one test module."""
    with serve(built_site()) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """The shared Chromium, for one test module."""
    with chromium() as shared_browser:
        yield shared_browser
