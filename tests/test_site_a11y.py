"""Accessibility of the built website: axe-core on every page of _toc.yml, as readers meet it.

Three views of each page: desktop (1366 px) light, desktop dark (the reader's system prefers dark; the
site follows it, `default_mode: auto`) and phone (390 x 844). A violation of impact serious or critical
fails the test. axe-core comes from the PyPI package axe-playwright-python (axe.min.js, no Node).
Without Chromium these tests skip, except under CI (tests/browser.py).
"""

from __future__ import annotations

import pytest

from browser import DESKTOP, PHONE, typeset
from browser import base_url, browser  # noqa: F401  (fixtures shared by the site tests)
from toc import toc_files

PAGES = toc_files()
VIEWS = {
    "desktop-light": {**DESKTOP, "color_scheme": "light"},
    "desktop-dark": {**DESKTOP, "color_scheme": "dark"},
    "phone": {**PHONE, "color_scheme": "light"},
}
BLOCKING = ("serious", "critical")

# Violations that come from chapter content or from nnlessons/quiz.py and are being fixed there (issue 12).
# Each entry: (view or None for every view, page, axe rule) -> why. Remove an entry when its fix lands.
KNOWN: dict[tuple[str | None, str, str], str] = {}


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


_contexts: dict = {}


@pytest.fixture(scope="module")
def contexts(browser):
    yield _contexts
    for context in _contexts.values():
        context.close()
    _contexts.clear()


def _cases():
    for view in VIEWS:
        for name in PAGES:
            known = [why for (v, page, rule), why in KNOWN.items() if page == name and v in (None, view)]
            marks = [pytest.mark.xfail(reason="; ".join(known), strict=False)] if known else []
            yield pytest.param(view, name, marks=marks, id=f"{view}-{name.split('/')[-1]}")


@pytest.mark.parametrize(("view", "name"), list(_cases()))
def test_no_serious_accessibility_violation(contexts, browser, base_url, axe, view, name):
    if view not in contexts:
        contexts[view] = browser.new_context(**VIEWS[view])
    page = contexts[view].new_page()
    try:
        page.goto(f"{base_url}/{name}.html", wait_until="load")
        typeset(page)
        theme = page.evaluate("() => document.documentElement.dataset.theme")
        assert theme == ("dark" if view.endswith("dark") else "light"), f"{view}: the page shows theme {theme}"
        results = axe.run(page, options={"resultTypes": ["violations"]}).response
    finally:
        page.close()
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING]
    report = [
        f"{v['id']} ({v['impact']}, {len(v['nodes'])} elements): {v['help']}; first: "
        f"{v['nodes'][0]['target']} {v['nodes'][0]['html'][:160]!r}"
        for v in blocking
    ]
    assert not blocking, f"{name} ({view}):\n" + "\n".join(report)
