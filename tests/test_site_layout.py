"""Layout of the built website on a phone (390 x 844), on a laptop (1366 px) and on paper.

- On a phone the navigation toggle opens the chapter list and a link in it navigates; on a desktop the
  same toggle hides the sidebar. No page is wider than a phone's screen.
- At 1366 px nothing sticks out of the text column: a display equation or a code block that is too wide
  scrolls inside its own box (nnlessons-site.css). Separately, no equation or code block *needs* to scroll:
  that is the chapter authors' part (break long lines and equations); pages not there yet are in
  CONTENT_PENDING and xfail.
- Printed, code wraps and equations fit the page width.
Without Chromium these tests skip, except under CI (tests/browser.py).
"""

from __future__ import annotations

import pytest

from browser import DESKTOP, PHONE, typeset
from browser import base_url, browser  # noqa: F401  (fixtures shared by the site tests)
from toc import toc_files

PAGES = toc_files()
CHAPTER = "book/ch03-activation-functions"
A4_TEXT_WIDTH = 718  # CSS px: 21 cm less two 1 cm margins, at 96 px per inch

# Pages whose equations or code lines are wider than the column at 1366 px and are waiting for a fix
# (xfail). Empty: every page fits (issue 12); add a page here only with an issue that says why.
CONTENT_PENDING: set[str] = set()

# Boxes inside the article column; each must end inside the column (or scroll inside itself).
BOXES = "mjx-container[display='true'], div.math, pre, img, table, .nnl-quiz, .nnl-explorer, .cell_output"

STICKING_OUT = """(selector) => {
    const article = document.querySelector('.bd-article');
    const column = article.getBoundingClientRect();
    return [...article.querySelectorAll(selector)].filter(el => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && (r.right > column.right + 1 || r.left < column.left - 1);
    }).map(el => el.tagName.toLowerCase() + '.' + [...el.classList].join('.') + ' '
                 + Math.round(el.getBoundingClientRect().right - column.right) + ' px: '
                 + (el.textContent || el.getAttribute('src') || '').trim().slice(0, 60));
}"""

TOO_WIDE = """() => {
    const label = el => (el.closest('.cell') ? 'code cell ' : '') + el.tagName.toLowerCase() + ' ('
        + (el.scrollWidth - el.clientWidth) + ' px): '
        + (el.getAttribute('aria-label') || el.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 70);
    const equations = [...document.querySelectorAll(".bd-article mjx-container[display='true']")];
    const code = [...document.querySelectorAll('.bd-article pre')];
    return [...equations, ...code].filter(el => el.scrollWidth > el.clientWidth + 1).map(label);
}"""


@pytest.fixture(scope="module")
def phone(browser):
    context = browser.new_context(**PHONE)
    yield context
    context.close()


@pytest.fixture(scope="module")
def desktop(browser):
    context = browser.new_context(**DESKTOP)
    yield context
    context.close()


def _sidebar_box(page) -> dict:
    return page.locator(".bd-sidebar-primary").evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " return {left: r.left, right: r.right, visible: getComputedStyle(el).visibility === 'visible'}; }")


@pytest.mark.parametrize("name", ["book/intro", CHAPTER])
def test_phone_toggle_opens_the_chapter_list_and_a_link_navigates(phone, base_url, name):
    page = phone.new_page()
    try:
        page.goto(f"{base_url}/{name}.html", wait_until="load")
        before = _sidebar_box(page)
        assert before["right"] <= 0 or not before["visible"], f"the chapter list is open before the toggle: {before}"
        page.locator("button.primary-toggle:visible").first.click()
        link = page.locator(".bd-sidebar-primary nav a", has_text="Backpropagation").first
        link.wait_for(state="visible", timeout=3000)
        page.wait_for_function("() => document.querySelector('.bd-sidebar-primary')"
                               ".getBoundingClientRect().left >= 0", timeout=3000)  # slid in
        after = _sidebar_box(page)
        assert after["visible"] and after["left"] >= 0 and after["right"] > 200, (
            f"the toggle did not open the chapter list: {after}")
        # The link is really usable, not under a backdrop.
        box = link.bounding_box()
        hit = page.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('a')?.getAttribute('href')",
                            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
        assert hit and "ch06-backpropagation" in hit, f"the chapter link is covered (hit: {hit})"
        link.click()
        page.wait_for_url("**/ch06-backpropagation.html", timeout=5000)
    finally:
        page.close()


def test_desktop_toggle_hides_and_shows_the_sidebar(desktop, base_url):
    page = desktop.new_page()
    try:
        page.goto(f"{base_url}/{CHAPTER}.html", wait_until="load")
        assert _sidebar_box(page)["visible"], "the sidebar is hidden on a desktop before the toggle"
        toggle = page.locator("button.primary-toggle:visible").first
        toggle.click()
        page.wait_for_function("() => getComputedStyle(document.querySelector('.bd-sidebar-primary'))"
                               ".visibility === 'hidden'", timeout=3000)
        toggle.click()
        page.wait_for_function("() => getComputedStyle(document.querySelector('.bd-sidebar-primary'))"
                               ".visibility === 'visible'", timeout=3000)
    finally:
        page.close()


def test_one_search_box_at_desktop_width(desktop, base_url):
    page = desktop.new_page()
    try:
        page.goto(f"{base_url}/{CHAPTER}.html", wait_until="load")
        boxes = page.evaluate("() => [...document.querySelectorAll('.search-button-field, form.bd-search')]"
                              ".filter(el => el.offsetParent !== null).length")
        assert boxes == 1, f"{boxes} visible search boxes, expected 1"
    finally:
        page.close()


@pytest.mark.parametrize("name", PAGES)
def test_no_page_is_wider_than_a_phone(phone, base_url, name):
    page = phone.new_page()
    try:
        page.goto(f"{base_url}/{name}.html", wait_until="load")
        typeset(page)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > 391 && el.getClientRects().length
                    && !el.closest('.bd-sidebar-primary, .bd-sidebar-secondary'))
            .slice(0, 5).map(el => el.tagName.toLowerCase() + '.' + [...el.classList].join('.'))""")
        assert width <= 390, f"{name} is {width} px wide on a 390 px phone; widest: {wide}"
    finally:
        page.close()


@pytest.mark.parametrize("name", PAGES)
def test_nothing_sticks_out_of_the_column(desktop, base_url, name):
    page = desktop.new_page()
    try:
        page.goto(f"{base_url}/{name}.html", wait_until="load")
        typeset(page)
        out = page.evaluate(STICKING_OUT, BOXES)
        assert not out, f"{name}: {len(out)} boxes stick out of the column at 1366 px:\n" + "\n".join(out)
    finally:
        page.close()


def _fit_cases():
    for name in PAGES:
        marks = [pytest.mark.xfail(reason="content fix pending", strict=False)] if name in CONTENT_PENDING else []
        yield pytest.param(name, marks=marks, id=name.split("/")[-1])


@pytest.mark.parametrize("name", list(_fit_cases()))
def test_equations_and_code_fit_the_column(desktop, base_url, name):
    page = desktop.new_page()
    try:
        page.goto(f"{base_url}/{name}.html", wait_until="load")
        typeset(page)
        wide = page.evaluate(TOO_WIDE)
        assert not wide, f"{name}: {len(wide)} equations or code blocks scroll at 1366 px:\n" + "\n".join(wide)
    finally:
        page.close()


def test_printed_chapter_wraps_code_and_fits_equations(browser, base_url, tmp_path):
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    try:
        page.goto(f"{base_url}/book/ch02-nonlinear-activations.html", wait_until="load")
        typeset(page)
        page.evaluate("() => window.nnlFitEquationsForPrint()")  # what `beforeprint` does in a browser
        # Lay the page out as on paper: print styles, the text width of A4 with 1 cm margins.
        page.emulate_media(media="print")
        page.set_viewport_size({"width": A4_TEXT_WIDTH, "height": 1000})
        assert page.locator(".bd-sidebar-primary").is_hidden(), "the sidebar is printed"
        cut = page.evaluate("""() => {
            const article = document.querySelector('.bd-article').getBoundingClientRect();
            const boxes = document.querySelectorAll(".bd-article pre, .bd-article mjx-container[display='true']");
            return [...boxes].filter(el => {
                const r = el.getBoundingClientRect();
                const inner = el.tagName === 'PRE' ? el.scrollWidth > el.clientWidth + 1 : false;
                const math = el.querySelector('mjx-math');
                const m = math ? math.getBoundingClientRect() : r;
                return inner || m.right > article.right + 1 || r.right > article.right + 1;
            }).map(el => el.tagName.toLowerCase() + ': ' + el.textContent.trim().slice(0, 60));
        }""")
        assert not cut, "printed, these are cut at the page edge:\n" + "\n".join(cut)
        pdf = tmp_path / "ch02.pdf"
        page.pdf(path=str(pdf), format="A4", print_background=True,
                 margin={"top": "1cm", "bottom": "1cm", "left": "1cm", "right": "1cm"})
        assert pdf.stat().st_size > 50_000, "the printed chapter is nearly empty"
    finally:
        context.close()
