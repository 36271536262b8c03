"""The built website in a real browser: every page of _toc.yml works offline.

Playwright (from PyPI) drives Debian's Chromium at /usr/bin/chromium; no browser is downloaded. The site
in _build/html is served on 127.0.0.1 and every request to any other host is blocked and recorded.
Without Chromium these tests skip, except under CI (env CI set), where they fail (tests/browser.py).
Install it with: sudo apt-get install chromium
"""

from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from browser import chromium
from toc import toc_files

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
MAX_PAGE_BYTES = 5 * 1024 * 1024
FEEDBACK_TIMEOUT_MS = 3000


PAGES = toc_files()


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site; built here if it is missing (`make test` builds it first anyway)."""
    if not (SITE / "index.html").is_file():
        jupyter_book = Path(sys.executable).with_name("jupyter-book")
        subprocess.run([str(jupyter_book), "build", str(ROOT), "-W", "--keep-going"], check=True)
    return SITE


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (signature of the base class)
        pass


@pytest.fixture(scope="session")
def base_url(site):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    with chromium() as shared_browser:  # skips without Chromium, fails under CI (see browser.py)
        yield shared_browser


class LoadedPage:
    """A page of the site opened in a fresh browser context that records what went wrong."""

    def __init__(self, browser, base_url: str, path: str):
        self.host = urlsplit(base_url).netloc
        self.external: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context()
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        self.page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        self.page.goto(f"{base_url}/{path}", wait_until="load")

    def _route(self, route):
        url = route.request.url
        if urlsplit(url).netloc == self.host:
            route.continue_()
        else:
            self.external.append(url)
            route.abort()


@pytest.fixture(scope="module", params=PAGES)
def page(request, browser, base_url):
    """Each page is loaded once; pytest runs all the tests of one page before moving to the next."""
    loaded = LoadedPage(browser, base_url, request.param + ".html")
    yield loaded
    loaded.context.close()


def test_the_site_has_explorers_and_self_checks(site):
    """Guards the tests below, which pass vacuously on a page without explorers or questions."""
    html = "".join((site / f"{name}.html").read_text(encoding="utf-8") for name in PAGES)
    assert 'class="nnl-explorer' in html, "no page of the site has an explorer"
    assert 'class="nnl-quiz' in html, "no page of the site has a self-check"


@pytest.mark.parametrize("name", PAGES)
def test_page_size(site, name):
    size = (site / f"{name}.html").stat().st_size
    assert size < MAX_PAGE_BYTES, f"{name}.html is {size / 2**20:.1f} MB (limit {MAX_PAGE_BYTES / 2**20:.0f} MB)"


def test_page_works_offline(page):
    p = page.page
    problems = []
    # Math is typeset by the MathJax copy served from the site.
    if p.locator(".math").count():
        p.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=15000)
        typeset = p.evaluate("() => MathJax.startup.promise.then("
                             "() => document.querySelectorAll('mjx-container').length)")
        if not typeset:
            problems.append("the page has math but MathJax typeset none of it")

    # Every image decodes (lazy ones are loaded first) and has alt text.
    broken = p.evaluate("""async () => {
        const bad = [];
        for (const img of document.images) {
            img.loading = "eager";
            try { await img.decode(); } catch (e) { }
            if (!(img.complete && img.naturalWidth > 0)) bad.push(img.getAttribute("src").slice(0, 120));
        }
        return bad;
    }""")
    if broken:
        problems.append(f"images that do not decode: {broken}")
    no_alt = p.evaluate("() => [...document.images].filter(i => !(i.getAttribute('alt') || '').trim())"
                        ".map(i => i.getAttribute('src').slice(0, 120))")
    if no_alt:
        problems.append(f"images without alt text: {no_alt}")

    # Every slider has a label.
    unlabelled = p.evaluate("""() => [...document.querySelectorAll('input[type=range]')]
        .filter(el => !((el.labels && el.labels.length) || (el.getAttribute('aria-label') || '').trim()
                        || el.getAttribute('aria-labelledby')))
        .map(el => el.outerHTML.slice(0, 120))""")
    if unlabelled:
        problems.append(f"sliders without a label: {unlabelled}")

    if page.external:
        problems.append(f"requests to other hosts (blocked): {page.external}")
    if page.errors:
        problems.append(f"console errors: {page.errors}")
    assert not problems, "\n".join(problems)


def test_explorer_sliders_change_the_figure(page):
    p = page.page
    errors_before = len(page.errors)
    for i, explorer in enumerate(p.locator(".nnl-explorer").all()):
        frame = explorer.locator("img.nnl-explorer-frame")
        assert frame.count() == 1, f"explorer {i} has {frame.count()} frames, expected 1"
        sliders = explorer.locator("input[type=range]").all()
        assert sliders, f"explorer {i} has no slider"
        for j, slider in enumerate(sliders):
            before = frame.get_attribute("src")
            value = slider.input_value()
            slider.focus()
            p.keyboard.press("ArrowRight")
            if slider.input_value() == value:  # already at the maximum
                p.keyboard.press("ArrowLeft")
            assert slider.input_value() != value, f"explorer {i}, slider {j} did not move"
            after = frame.get_attribute("src")
            assert after != before, f"explorer {i}, slider {j}: moving it did not change the figure"
            assert frame.evaluate("img => img.decode().then(() => img.naturalWidth > 0, () => false)"), (
                f"explorer {i}, slider {j}: the new frame does not decode")
    assert not page.errors[errors_before:], f"console errors: {page.errors[errors_before:]}"


def test_self_checks_give_feedback(page):
    p = page.page
    errors_before = len(page.errors)
    for i, question in enumerate(p.locator(".nnl-quiz .nnl-question").all()):
        feedback = question.locator(".nnl-feedback")
        assert feedback.count() == 1, f"question {i} has {feedback.count()} feedback areas, expected 1"
        assert not feedback.inner_text().strip(), f"question {i} shows feedback before it is answered"
        field = question.locator("input:not([type=range])")
        if field.count():
            field.first.fill("0")
            question.locator("button", has_text="Check").first.click()
        else:
            question.locator("button").first.click()
        p.wait_for_function("el => el.textContent.trim().length > 0", arg=feedback.element_handle(),
                            timeout=FEEDBACK_TIMEOUT_MS)
    assert not page.errors[errors_before:], f"console errors: {page.errors[errors_before:]}"
