"""Tests for nnlessons.display.quiz and the question banks: feedback that teaches, in both views.

The Python replies (``respond``) are checked against the rules stated in the prompt; the static page's
script is run in Chromium and must give the same replies, click for click (tests/browser.py).
"""

import itertools
import json
import re
from html.parser import HTMLParser

import pytest

from browser import chromium
from nnlessons import quizzes
from nnlessons.display import quiz as quiz_module
from nnlessons.display.quiz import MultipleChoice, Numeric, Option, Quiz, parse_number
from nnlessons.display.static import THEME_CSS, spoken
from nnlessons.quizzes import quiz


class Page(HTMLParser):
    """Start tags as (tag, attrs), the text inside each element with a class, and scripts."""

    VOID = ("input", "img", "br", "hr")

    def __init__(self, text):
        super().__init__()
        self.tags, self.scripts, self.stack, self.texts = [], [], [], {}
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag not in self.VOID:
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1][0] == "script":
            self.scripts.append(data)
        for _, attrs in self.stack:
            if "class" in attrs:
                self.texts.setdefault(attrs["class"], []).append(data)

    def find(self, tag, **attrs):
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def activation_quiz():
    return Quiz(
        MultipleChoice("Which activation is zero for every negative input?",
                       [Option("sigmoid", why="The sigmoid is positive everywhere."),
                        Option("tanh", why="tanh is negative for negative input."),
                        Option("ReLU", correct=True)],
                       explain="ReLU(x) = max(0, x)."),
        Numeric("What is 351/359 as a decimal?", 351 / 359, decimals=3,
                mistakes={8 / 359: "That is the error rate."}, explain="It is 0.9777..."),
    )


# -- answers ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("0.25", 0.25), (" 2.5e-1 ", 0.25), ("1/4", 0.25), ("-3", -3.0), ("\u22123", -3.0), (".5", 0.5),
    ("+7.", 7.0), ("-1 / 8", -0.125),
    ("", None), ("abc", None), ("1/0", None), ("1/2/3", None), ("inf", None), ("nan", None), ("0x10", None),
    ("1e999", None), ("1,5", None),
])
def test_parse_number(text, value):
    assert parse_number(text) == value


def test_numeric_absolute_and_relative_tolerance():
    q = Numeric("Slope?", 0.25, tol=1e-3)
    assert q.check("0.2509") is True and q.check("1/4") is True and q.check(0.2491) is True
    assert q.check("0.2511") is False and q.check(0.26) is False
    assert q.check("a quarter") is None
    r = Numeric("How many?", 200.0, rtol=0.01)  # within 1 % of 200: [198, 202]
    assert r.check("201.9") is True and r.check("198.1") is True
    assert r.check("202.1") is False and r.check("197.9") is False


def test_decimals_accept_half_a_unit_in_the_last_place():
    q = Numeric("Accuracy?", 351 / 359, decimals=3)  # 0.977715...
    assert q.check("0.978") and q.check("0.9777") and q.check("351/359") and q.check("0.97772")
    assert not q.check("0.977") and not q.check("0.979") and not q.check("0.98")


def test_a_numeric_prompt_states_the_precision_it_wants():
    assert Numeric("Q?", 0.25, decimals=2).precision == "Give it to 2 decimal places (a fraction is fine too)."
    assert Numeric("Q?", 0.5, decimals=1).precision.startswith("Give it to 1 decimal place ")
    assert Numeric("Q?", 39).precision == "Give a whole number."
    assert Numeric("Q?", 0.25, tol=0.005).precision == "Answers within \u00b10.005 count."
    assert Numeric("Q?", 200, rtol=0.01).precision == "Answers within 1 % count."
    assert Numeric("Q?", 0.2, tol=1e-9).precision == "Give the exact value (a decimal or a fraction)."
    html = Quiz(Numeric("How many?", 39)).to_html()
    assert 'How many? <span class="nnl-precision">Give a whole number.</span>' in html


@pytest.mark.parametrize("typed, status, says", [
    ("0.978", "right", "Correct."),
    ("0.98", "wrong", "0.98 is rounded too far: give 3 decimal places"),  # the answer to 2 decimals
    ("1", "wrong", "1 is rounded too far: give 3 decimal places"),  # ... to 0 decimals
    ("0.977", "wrong", "Close</strong>, but not right to 3 decimal places"),  # 0.0007 off: near
    ("-0.978", "wrong", "the size is right, the sign is not"),
    ("0.022", "wrong", "That is the error rate."),  # 8/359 = 0.0223, a known mistake
    ("8/359", "wrong", "That is the error rate."),
    ("0.5", "wrong", "Not quite.</strong> Try again"),
    ("a lot", "invalid", "Please enter a number"),
])
def test_numeric_replies_say_what_kind_of_miss(typed, status, says):
    reply = activation_quiz().questions[1].respond(typed)
    assert reply.status == status and says in reply.html
    assert ("It is 0.9777" in reply.html) == (status == "right")  # the explanation only with the answer


def test_a_mistake_that_would_be_accepted_is_refused():
    with pytest.raises(ValueError, match="mistake 0.25 would be accepted"):
        Numeric("Q?", 0.25, decimals=1, mistakes={0.25: "?"})


def test_multiple_choice_replies_per_option():
    mc = activation_quiz().questions[0]
    assert mc.check(2) and not mc.check(0)
    wrong = mc.respond(0)
    assert wrong.status == "wrong" and "The sigmoid is positive everywhere." in wrong.html
    assert "max(0, x)" not in wrong.html  # the explanation waits for the right answer
    assert mc.respond(2).html == "<strong>Correct.</strong> ReLU(x) = max(0, x)."
    assert mc.reveal().html == "<strong>Answer: C.</strong> ReLU(x) = max(0, x)."
    plain = MultipleChoice("Pick the second", ["first", "second"], answer=1)
    assert plain.respond(0).html == "<strong>Not this one.</strong> Try another option."


def test_accessible_names_read_formulas_out():
    assert spoken(r"\(g(t) = \max(0, t)\)") == "g of (t) equals max of (0, t)"
    assert spoken(r"\(g(t) = 1/(1 + e^{-t})\)") == "g of (t) equals 1/(1 plus e to the power minus t)"
    mc = MultipleChoice("Which?", [Option(r"\(g(t) = 3t\)", correct=True, label="g of t equals 3 t"),
                                   Option(r"\(\tanh t\)")])
    assert mc.labels() == ["A: g of t equals 3 t", "B: tanh t"]
    buttons = Page(Quiz(mc).to_html()).find("button", **{"class": "nnl-choice"})
    assert [b["aria-label"] for b in buttons] == ["A: g of t equals 3 t", "B: tanh t"]
    for chapter in quizzes.CHAPTERS:  # no option of any bank is read as bare TeX
        for q in quizzes.bank(chapter).questions.values():
            for label in getattr(q, "labels", list)():
                assert "\\" not in label and "{" not in label, (chapter, label)


# -- live widgets -------------------------------------------------------------------------------------

def test_live_view_wrong_choice_explains_and_stays_open():
    choice, number = activation_quiz().views
    assert choice.feedback.value == "" and choice.show_button.layout.display == "none"
    choice.buttons[0].click()
    assert "The sigmoid is positive everywhere." in choice.feedback.value
    assert "max(0, x)" not in choice.feedback.value
    assert choice.buttons[0].description == "A \u2717 not this one"  # marked by text, not colour alone
    assert choice.show_button.layout.display is None  # "Show answer" is offered after a wrong try
    choice.buttons[2].click()  # another try is allowed
    assert choice.feedback.value == "<strong>Correct.</strong> ReLU(x) = max(0, x)."
    assert choice.buttons[2].description == "C \u2713 right"
    assert choice.show_button.layout.display == "none"


def test_live_view_numeric_near_miss_and_show_answer():
    _, number = activation_quiz().views
    number.check_button.click()  # nothing typed yet
    assert number.feedback.value.startswith("Please enter a number")
    number.input.value = "0.98"
    number.check_button.click()
    assert "give 3 decimal places" in number.feedback.value
    number.show_button.click()
    assert number.feedback.value == "<strong>Answer: 0.978.</strong> It is 0.9777..."


def test_display_is_the_static_html_only():
    """A stored widget view has no model after a reopen ("Error displaying widget: model not found")."""
    bundle = activation_quiz()._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}
    assert bundle["text/html"].startswith('<div class="nnl-quiz')
    assert bundle["text/plain"] == "Quiz:\n1. Which activation is zero for every negative input?\n" \
                                   "2. What is 351/359 as a decimal?"
    lone = MultipleChoice("Yes or no?", ["yes", "no"], 0)._repr_mimebundle_()
    assert Page(lone["text/html"]).find("button", type="button")[0]["data-nnl-choice"] == "0"


# -- static version -----------------------------------------------------------------------------------

def test_static_html_structure():
    page_html = activation_quiz().to_html()
    page = Page(page_html)
    (outer,) = page.find("div", **{"class": "nnl-quiz tex2jax_process mathjax_process"})
    questions = page.find("div", **{"class": "nnl-question"})
    assert [q["data-nnl-kind"] for q in questions] == ["choice", "numeric"]
    assert all(q["id"].startswith(outer["id"] + "-q") for q in questions)

    choices = page.find("button", **{"class": "nnl-choice"})
    assert [b["data-nnl-choice"] for b in choices] == ["0", "1", "2"]
    assert page.texts["nnl-option"] == ["sigmoid", "tanh", "ReLU"]
    assert all(b["type"] == "button" and "disabled" in b for b in choices)  # enabled by the script

    (answer_box,) = page.find("input")
    (label,) = page.find("label")
    assert label["for"] == answer_box["id"] and answer_box["type"] == "text"
    assert "Check" in page.texts["nnl-check"]
    assert len(page.find("button", **{"class": "nnl-show"})) == 2

    feedback = page.find("div", **{"class": "nnl-feedback"})
    assert len(feedback) == 2 and all(f["aria-live"] == "polite" and f["role"] == "status" for f in feedback)
    assert "nnl-feedback" not in page.texts  # empty until answered
    assert all("hidden" in s for s in page.find("div", **{"class": "nnl-sources"}))

    assert "run this cell" in "".join(page.texts["nnl-untrusted"])
    assert len(page.scripts) == 1 and page.find("script") == [{}]
    assert "http" not in page_html and "//" not in page_html


def test_html_in_an_explanation_cannot_end_the_script():
    """Author text sits in the markup (hidden until needed), never inside the script."""
    page = Quiz(MultipleChoice("Q", ["a", "b"], 0, explain="</script><b>bold</b>")).to_html()
    script = page[page.index("<script>") + len("<script>"):page.rindex("</script>")]
    assert "</" not in script and "<!--" not in script and "bold" not in script
    assert page.index("<b>bold</b>") < page.index("<script>")


def test_static_html_is_identical_in_a_fresh_process_and_ids_are_unique(monkeypatch):
    monkeypatch.setattr(quiz_module, "_ids", itertools.count(1))
    first, second = activation_quiz(), activation_quiz()
    assert first.id != second.id
    monkeypatch.setattr(quiz_module, "_ids", itertools.count(1))
    assert activation_quiz().to_html() == first.to_html()


def test_theme_has_light_and_dark_values_for_site_lab_and_system():
    for selector in ('html[data-theme="dark"]', 'body[data-jp-theme-light="false"]',
                     "@media (prefers-color-scheme: dark)", 'html[data-theme="light"]'):
        assert selector in THEME_CSS


# -- question banks -----------------------------------------------------------------------------------

def test_a_bank_quiz_loads_by_name_and_a_question_by_id():
    q = quiz("ch06", "check-yourself")
    assert [x.answer for x in q.questions] == [3, 39, 8]  # the chapter's graph: w1 = 2, w2 = 3
    (one,) = quiz("ch06", "dg-dw1").questions
    assert "36" in one.respond("36").html or "path through" in one.respond("36").html
    with pytest.raises(ValueError, match="ch06 has no quiz or question 'nope'; quizzes: check-yourself"):
        quiz("ch06", "nope")
    with pytest.raises(ValueError, match="no question bank 'ch99'"):
        quiz("ch99", "check-yourself")


@pytest.mark.parametrize("chapter", quizzes.CHAPTERS)
def test_every_bank_teaches(chapter):
    """Each wrong option says why it is wrong, each quiz name lists known ids, each explanation exists."""
    bank = quizzes.bank(chapter)
    for name, ids in bank.quizzes.items():
        assert ids and all(i in bank.questions for i in ids), (chapter, name)
    for qid, q in bank.questions.items():
        assert q.explain.strip(), f"{chapter}/{qid} has no explanation"
        if isinstance(q, MultipleChoice):
            missing = [o.text for i, o in enumerate(q.options) if i != q.answer and not o.why.strip()]
            assert not missing, f"{chapter}/{qid}: wrong options without feedback: {missing}"
        else:
            assert q.respond(q.shown.split(" ")[0]).status == "right", f"{chapter}/{qid}: shown answer refused"


@pytest.mark.parametrize("chapter", quizzes.CHAPTERS)
def test_the_cell_that_shows_a_bank_quiz_holds_no_answer(chapter):
    """The notebook cell is `quiz(chapter, name)`: none of the answer key is in its text."""
    bank = quizzes.bank(chapter)
    for name in bank.quizzes:
        cell = f'from nnlessons.quizzes import quiz\n\nquiz("{chapter}", "{name}")'
        shown = quiz(chapter, name)
        for q in shown.questions:
            secrets = [q.explain] + ([q.options[q.answer].text] if isinstance(q, MultipleChoice) else [])
            assert not any(s in cell for s in secrets)


# -- the static script, in Chromium -------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    with chromium() as shared:  # skips without Chromium, fails under CI (see browser.py)
        yield shared


def open_page(browser, tmp_path, body, color_scheme="light", theme=None):
    html_attr = f' data-theme="{theme}"' if theme else ""
    path = tmp_path / "quiz.html"
    path.write_text(f'<!doctype html><html lang="en"{html_attr}><head><meta charset="utf-8"><title>t</title>'
                    f"</head><body>{body}</body></html>", encoding="utf-8")
    context = browser.new_context(color_scheme=color_scheme)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    return page, errors


def test_static_script_removes_the_note_enables_controls_and_teaches(browser, tmp_path):
    q = activation_quiz()
    page, errors = open_page(browser, tmp_path, q.to_html())
    assert page.locator(".nnl-untrusted").count() == 0  # the script ran: no "run this cell" note
    choice, number = page.locator(".nnl-question").all()
    buttons = choice.locator("button.nnl-choice")
    assert all(b.is_enabled() for b in buttons.all())

    buttons.nth(0).click()
    feedback = choice.locator(".nnl-feedback")
    assert "The sigmoid is positive everywhere." in feedback.inner_text()
    assert "max(0, x)" not in feedback.inner_text()
    assert buttons.nth(0).get_attribute("aria-pressed") == "true"
    assert "\u2717 not this one" in buttons.nth(0).inner_text()  # a mark in words, not colour alone
    assert buttons.nth(0).get_attribute("aria-label").endswith("(not this one)")
    assert choice.locator("button.nnl-show").is_visible()
    buttons.nth(2).click()  # still open: another try
    assert feedback.inner_text() == "Correct. ReLU(x) = max(0, x)."
    assert buttons.nth(0).get_attribute("aria-pressed") == "false"
    assert not choice.locator("button.nnl-show").is_visible()

    box, check = number.locator("input"), number.locator("button.nnl-check")
    box.fill("0.98")
    check.click()
    assert "0.98 is rounded too far: give 3 decimal places" in number.locator(".nnl-feedback").inner_text()
    number.locator("button.nnl-show").click()
    assert number.locator(".nnl-feedback").inner_text() == "Answer: 0.978. It is 0.9777..."
    assert not errors


def test_static_script_and_python_give_the_same_replies(browser, tmp_path):
    """Every numeric question of every bank, for the right answer, near misses, mistakes and junk."""
    questions = [q for c in quizzes.CHAPTERS for q in quizzes.bank(c).questions.values() if isinstance(q, Numeric)]
    questions.append(activation_quiz().questions[1])
    page, errors = open_page(browser, tmp_path, Quiz(*questions).to_html())
    for n, q in enumerate(questions):
        a = q.answer
        tries = [repr(a), f"{a:.1f}", f"{a:.2f}", f"{a:.3f}", f"{a:.4f}", repr(-a), repr(a + 1), repr(a * 1.02),
                 "1/4", "x", *(repr(m) for m in q.mistakes)]
        question = page.locator(".nnl-question").nth(n)
        for typed in tries:
            question.locator("input").fill(typed)
            question.locator("button.nnl-check").click()
            shown = question.locator(".nnl-feedback")
            want = q.respond(typed)
            assert shown.get_attribute("data-nnl-status") == want.status, (q.question, typed)
            as_parsed = page.evaluate("h => { const d = document.createElement('div'); d.innerHTML = h; "
                                      "return d.innerHTML; }", want.html)
            assert shown.inner_html() == as_parsed, (q.question, typed)
    assert not errors


def test_keyboard_only(browser, tmp_path):
    page, errors = open_page(browser, tmp_path, activation_quiz().to_html())
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused == "A: sigmoid"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # a visible focus ring
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # C, the right one
    assert page.locator(".nnl-feedback").first.inner_text().startswith("Correct.")
    page.keyboard.press("Tab")  # on to the answer box ("Show answer" is hidden, so skipped)
    page.keyboard.type("351/359")
    page.keyboard.press("Enter")
    assert page.locator(".nnl-feedback").nth(1).inner_text().startswith("Correct.")
    assert not errors


def _luminance(rgb):
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(float(x)) for x in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(fg, bg):
    hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _rgb(css):
    return [int(x) for x in re.findall(r"\d+", css)[:3]]


@pytest.mark.parametrize("color_scheme, theme", [("light", None), ("dark", None), ("light", "dark"),
                                                 ("dark", "light")])
def test_inline_code_and_text_contrast_in_both_modes(browser, tmp_path, color_scheme, theme):
    """The site's theme (pink code on grey) must not win: contrast at least 4.5:1 (WCAG AA)."""
    site_css = "<style>code { color: #e83e8c; background: #444; } body { background: %s; }</style>"
    dark = theme == "dark" or (theme is None and color_scheme == "dark")
    body = site_css % ("#121212" if dark else "#ffffff") + Quiz(
        MultipleChoice("Which <code>weight</code>?", ["<code>a</code>", "<code>b</code>"], 0,
                       explain="Because <code>a</code>.")).to_html()
    page, errors = open_page(browser, tmp_path, body, color_scheme, theme)
    page.locator("button.nnl-choice").first.click()
    for selector in (".nnl-question-text code", ".nnl-feedback code", ".nnl-option code", ".nnl-question-text"):
        fg, bg = page.eval_on_selector(selector, """el => {
            let bg = 'rgba(0, 0, 0, 0)', node = el;
            while (node && /rgba\\(.*, 0\\)|transparent/.test(bg)) { bg = getComputedStyle(node).backgroundColor;
                                                                   node = node.parentElement; }
            return [getComputedStyle(el).color, bg]; }""")
        ratio = _contrast(_rgb(fg), _rgb(bg))
        assert ratio >= 4.5, f"{selector} in {color_scheme}/{theme}: {fg} on {bg} = {ratio:.2f}:1"
    panel = page.eval_on_selector(".nnl-quiz", "el => getComputedStyle(el).backgroundColor")
    assert (_luminance(_rgb(panel)) < 0.1) == dark, panel  # the panel follows the page's mode
    assert not errors


def test_sanitized_page_shows_the_note_and_no_answer(browser, tmp_path):
    """What an untrusted notebook shows: JupyterLab drops <script> and <style> (and aria-*)."""
    html = activation_quiz().to_html()
    sanitized = re.sub(r"<script>.*?</script>|<style>.*?</style>", "", html, flags=re.S)
    page, errors = open_page(browser, tmp_path, sanitized)
    note = page.locator(".nnl-untrusted")
    assert note.is_visible() and "run this cell" in note.inner_text()
    assert all(not b.is_enabled() for b in page.locator("button.nnl-choice").all())
    assert "ReLU(x) = max(0, x)" not in page.locator("body").inner_text()  # sources stay hidden
    assert "sigmoid is positive everywhere" not in page.locator("body").inner_text()
    assert not page.locator("button.nnl-show").first.is_visible()
    assert not errors


# -- validation ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("make, message", [
    (lambda: MultipleChoice("Q?", ["a", "b", "c"], 3), "answer index 3 is out of range for 3 options"),
    (lambda: MultipleChoice("Q?", ["a", "b"], -1), "out of range for 2 options"),
    (lambda: MultipleChoice("Q?", ["a", "b"], True), "index of the correct option"),
    (lambda: MultipleChoice("Q?", ["a", "b"], "a"), "index of the correct option"),
    (lambda: MultipleChoice("Q?", ["a", "b"]), "mark exactly one Option correct=True"),
    (lambda: MultipleChoice("Q?", [Option("a", correct=True), Option("b", correct=True)]), "got 2 marked"),
    (lambda: MultipleChoice("Q?", [Option("a", correct=True), "b"], answer=1), "disagrees with the Option"),
    (lambda: MultipleChoice("Q?", ["only"], 0), "at least two options"),
    (lambda: MultipleChoice("Q?", "ab", 0), "at least two options"),
    (lambda: MultipleChoice("Q?", ["a", "a"], 0), "options must differ"),
    (lambda: MultipleChoice("", ["a", "b"], 0), "question must be a non-empty string"),
    (lambda: MultipleChoice("Q?", ["a", ""], 0), "each option must be a non-empty string"),
    (lambda: Numeric("Q?", "0.25"), "answer must be a finite number"),
    (lambda: Numeric("Q?", float("nan")), "answer must be a finite number"),
    (lambda: Numeric("Q?", 1.0, tol=-1), "tolerances must be >= 0"),
    (lambda: Numeric("Q?", 1.0, rtol=-0.1), "tolerances must be >= 0"),
    (lambda: Numeric("Q?", 0.25), "say how precise 0.25 must be"),
    (lambda: Numeric("Q?", 0.25, tol=0.01, decimals=2), "decimals= or tol="),
    (lambda: Quiz(), "at least one question"),
    (lambda: Quiz("What?"), "expected MultipleChoice or Numeric questions, got str"),
])
def test_bad_questions_are_refused_with_the_reason(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_script_config_holds_no_html_that_could_end_it():
    script = Page(activation_quiz().to_html()).scripts[0]
    config = json.loads(re.search(r"var cfg = (\[.*\]);", script).group(1))
    assert config[0] == {"kind": "choice", "answer": 2,
                         "marks": {"wrong": "\u2717 not this one", "right": "\u2713 right"}}
    assert config[1]["decimals"] == 3 and config[1]["mistakes"] == [8 / 359]
