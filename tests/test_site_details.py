"""Site-wide details of the built website that readers notice (issue 12, defects 4-8).

Numbered chapters and exercises, an author-year bibliography, formulas that are read aloud but are not
Tab stops, a favicon, no launch button for a JupyterHub that is not configured, search summaries without
LaTeX, figures that open full size, and quiz controls that are readable and show focus in both modes.
Without Chromium the browser tests skip, except under CI (tests/browser.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from browser import DESKTOP, ROOT, built_site, typeset
from browser import base_url, browser  # noqa: F401  (fixtures shared by the site tests)
from toc import expand_glob, toc_files

PAGES = toc_files()
CHAPTERS = expand_glob("book/ch*")
CHAPTER = "book/ch03-activation-functions"
QUIZ_PAGE = "book/ch03-activation-functions"


# WCAG 2.1 contrast ratio of two sRGB colours given as "rgb(r, g, b)" or "rgba(r, g, b, a)" strings.
CONTRAST_JS = """
function nnlRgb(text) { return text.match(/[\\d.]+/g).map(Number); }
function nnlLum(rgb) {
    const c = rgb.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}
function nnlBackground(el) {
    for (let e = el; e; e = e.parentElement) {
        const rgb = nnlRgb(getComputedStyle(e).backgroundColor);
        if (rgb.length < 4 || rgb[3] > 0.5) return rgb;
    }
    return document.documentElement.dataset.theme === 'dark' ? [0, 0, 0] : [255, 255, 255];
}
function nnlContrast(el) {
    const a = nnlLum(nnlRgb(getComputedStyle(el).color)), b = nnlLum(nnlBackground(el));
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
"""


def _html(name: str) -> str:
    return (built_site() / f"{name}.html").read_text(encoding="utf-8")


def _text(name: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _html(name)))


# ---- Static checks of the built HTML -------------------------------------------------------------------

def test_chapters_are_numbered_in_the_sidebar():
    html = _html("book/how-to-use")  # a page that is not a chapter, so every chapter is a link
    nav = html[html.index('aria-label="Main"'):]
    for number, name in enumerate(CHAPTERS, start=1):
        link = re.search(rf'href="{Path(name).name}\.html">\s*([^<]*)', nav)
        assert link, f"{name} is not in the sidebar"
        assert link.group(1).strip().startswith(f"{number}. "), (
            f"sidebar entry of {name} is {link.group(1).strip()!r}, expected it to start with '{number}. '")


@pytest.mark.parametrize("name", CHAPTERS)
def test_exercises_are_numbered_within_their_chapter(name):
    chapter = CHAPTERS.index(name) + 1
    numbers = re.findall(r'<span class="caption-number">Exercise ([\d.]+) </span>', _html(name))
    assert numbers, f"{name} has no numbered exercise"
    assert numbers == [f"{chapter}.{k}" for k in range(1, len(numbers) + 1)], (
        f"{name}: exercises numbered {numbers}, expected {chapter}.1, {chapter}.2, ...")


@pytest.mark.parametrize("name", PAGES)
def test_no_exercise_exercise(name):
    """A reference to an exercise already reads "Exercise 1.3": the text must not say "Exercise" before it."""
    twice = re.findall(r".{40}\bExercise\s+Exercise\b.{20}", _text(name))
    assert not twice, f"{name}: {twice}"


def test_bibliography_is_author_year():
    labels = re.findall(r'<span class="label"><span class="fn-bracket">\[</span>([^<]*)<',
                        _html("book/bibliography"))
    assert len(labels) >= 20, f"only {len(labels)} bibliography entries"
    numeric = [label for label in labels if label.strip().isdigit()]
    assert not numeric, f"numbered bibliography labels: {numeric}"
    # Entries of book/references.bib, labelled as the text cites them.
    for expected in ("Cybenko, 1989", "Glorot and Bengio, 2010", "Paszke et al., 2019",
                     "Leshno and Schocken, 1991", "Alpaydin and Kaynak, 1998"):
        assert expected in labels, f"no bibliography label {expected!r} in {labels}"
    first_authors = [label.split(",")[0].split()[0].lower() for label in labels]
    assert first_authors == sorted(first_authors), f"bibliography not in author order: {labels}"


def test_jupyterhub_button_only_when_a_hub_is_configured():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    hub = (config.get("launch_buttons") or {}).get("jupyterhub_url")
    shown = "jupyterhub" in _html(CHAPTER).lower()
    if hub:
        assert "example" not in hub, f"jupyterhub_url is a placeholder: {hub}"
        assert shown, "a JupyterHub is configured but no page offers its launch button"
    else:
        assert not shown, "a JupyterHub launch button is shown although no hub is configured"


def test_every_page_has_a_favicon():
    site = built_site()
    for name in PAGES:
        icon = re.search(r'<link rel="icon" href="([^"]+)"', _html(name))
        assert icon, f"{name} has no favicon link"
        target = (site / name).parent / icon.group(1)
        assert target.is_file(), f"{name}: favicon {icon.group(1)} is not in the site"


# ---- In a browser -------------------------------------------------------------------------------------

@pytest.fixture(params=["light", "dark"])
def scheme(request):
    return request.param


def _open(browser, base_url, name, **options):
    context = browser.new_context(**{**DESKTOP, **options})
    failed = []
    context.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    page = context.new_page()
    page.goto(f"{base_url}/{name}.html", wait_until="load")
    typeset(page)
    return context, page, failed


def test_formulas_are_read_aloud_but_are_not_tab_stops(browser, base_url):
    context, page, failed = _open(browser, base_url, CHAPTER)
    try:
        counts = page.evaluate("""() => ({
            formulas: document.querySelectorAll('mjx-container').length,
            // A formula wider than its column scrolls, and must then be focusable to scroll by keyboard.
            focusable: [...document.querySelectorAll('mjx-container, mjx-container *')]
                .filter(el => el.tabIndex >= 0 && el.hasAttribute('tabindex')
                        && !(el.matches('[display=true]') && el.scrollWidth > el.clientWidth)).length,
            scrolling: [...document.querySelectorAll('.bd-article mjx-container[display=true]')]
                .filter(el => el.scrollWidth > el.clientWidth && el.getAttribute('tabindex') !== '0').length,
            spoken: document.querySelectorAll('mjx-container > mjx-assistive-mml > math').length,
        })""")
        assert counts["formulas"] > 50, f"only {counts['formulas']} formulas typeset on {CHAPTER}"
        assert counts["focusable"] == 0, f"{counts['focusable']} formula elements are Tab stops"
        assert counts["scrolling"] == 0, f"{counts['scrolling']} wide formulas cannot be scrolled by keyboard"
        assert counts["spoken"] == counts["formulas"], (
            f"{counts['formulas'] - counts['spoken']} formulas have no MathML for screen readers")
        # The first Tab stops inside the article come after at most a few links, not hundreds of formulas.
        page.locator(".bd-article h1").first.focus()
        tags = []
        for _ in range(3):
            page.keyboard.press("Tab")
            tags.append(page.evaluate("() => document.activeElement.tagName.toLowerCase()"))
        assert "mjx-container" not in tags, f"Tab lands on formulas: {tags}"
        assert not failed, f"failed requests: {failed}"
    finally:
        context.close()


def test_search_summaries_show_no_latex(browser, base_url):
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    try:
        page.goto(f"{base_url}/search.html?q=sigmoid", wait_until="load")
        page.wait_for_function("() => document.querySelectorAll('#search-results p.context').length >= 3",
                               timeout=20000)
        summaries = page.locator("#search-results p.context").all_inner_texts()
        latex = [s[:120] for s in summaries if re.search(r"\\[()\[\]]|\\[a-zA-Z]{2,}|\$\$", s)]
        assert not latex, f"{len(latex)} of {len(summaries)} search summaries show LaTeX: {latex[:3]}"
    finally:
        context.close()


def test_a_figure_opens_full_size_from_the_keyboard(browser, base_url):
    context, page, failed = _open(browser, base_url, CHAPTER)
    try:
        images = page.locator(".bd-article .cell_output img:not(.nnl-explorer-frame)")
        links = page.locator(".bd-article .cell_output a.nnl-figure-link img")
        assert images.count() > 3 and links.count() == images.count(), (
            f"{links.count()} of {images.count()} figures open full size")
        link = page.locator("a.nnl-figure-link").first
        link.focus()
        page.keyboard.press("Enter")
        dialog = page.locator("dialog.nnl-figure-dialog[open]")
        dialog.wait_for(state="visible", timeout=3000)
        natural, shown = dialog.locator("img").evaluate(
            "img => img.decode().then(() => [img.naturalWidth, img.getBoundingClientRect().width])")
        assert shown == pytest.approx(natural, abs=1), f"full size is {shown} px for a {natural} px image"
        page.keyboard.press("Escape")
        dialog.wait_for(state="detached", timeout=3000)
        assert page.evaluate("() => document.activeElement.classList.contains('nnl-figure-link')"), (
            "closing the figure does not give the focus back to its link")
        assert not failed, f"failed requests: {failed}"
    finally:
        context.close()


def test_quiz_controls_are_readable_and_show_focus(browser, base_url, scheme):
    context, page, failed = _open(browser, base_url, QUIZ_PAGE, color_scheme=scheme)
    try:
        page.add_script_tag(content=CONTRAST_JS)
        assert page.evaluate("() => document.documentElement.dataset.theme") == scheme
        buttons = page.locator(".nnl-quiz button")
        assert buttons.count() >= 3, f"{QUIZ_PAGE} has {buttons.count()} quiz buttons"
        styled = buttons.first.evaluate("b => { const s = getComputedStyle(b);"
                                        " return [s.borderRadius, s.cursor, s.minHeight]; }")
        assert styled[1] == "pointer" and styled[0] != "0px", f"quiz buttons look unstyled: {styled}"
        low = page.evaluate("""() => [...document.querySelectorAll(
                '.nnl-quiz button, .nnl-quiz code, .nnl-quiz .nnl-question-text, .nnl-explorer label,'
                + ' .nnl-explorer output')]
            .map(el => [el.tagName.toLowerCase() + ': ' + el.textContent.trim().slice(0, 40), nnlContrast(el)])
            .filter(([, c]) => c < 4.5)""")
        assert not low, f"{scheme}: text below 4.5:1 contrast: {low[:5]}"
        # A wrong answer's feedback is readable too.
        question = page.locator(".nnl-quiz .nnl-question[data-nnl-kind=numeric]").first
        question.locator("input").fill("123456")
        question.locator("button.nnl-check").click()
        feedback = question.locator(".nnl-feedback")
        page.wait_for_function("el => el.textContent.trim().length > 0", arg=feedback.element_handle())
        ratio = feedback.evaluate("el => nnlContrast(el)")
        assert ratio >= 4.5, f"{scheme}: feedback contrast {ratio:.2f}:1"
        # Keyboard focus on a quiz button is visible.
        page.locator(".nnl-quiz button.nnl-choice").first.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
        ring = page.evaluate("() => { const s = getComputedStyle(document.activeElement);"
                             " return [document.activeElement.className, s.outlineStyle, parseFloat(s.outlineWidth)]; }")
        assert "nnl-choice" in ring[0] and ring[1] != "none" and ring[2] >= 2, f"no visible focus ring: {ring}"
        assert not failed, f"failed requests: {failed}"
    finally:
        context.close()
