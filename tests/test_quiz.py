"""Tests for nnlessons.display.quiz: answers, tolerances, the live widgets and the static HTML."""

import itertools
import json
import re
from html.parser import HTMLParser

import pytest

from nnlessons.display import quiz as quiz_module
from nnlessons.display.quiz import MultipleChoice, Numeric, Quiz, parse_number


class Page(HTMLParser):
    """Start tags as (tag, attrs), the text inside each element with a class, and scripts."""

    def __init__(self, text):
        super().__init__()
        self.tags, self.scripts, self.stack, self.texts = [], [], [], {}
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag not in ("input", "img", "br", "hr"):
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
        MultipleChoice("Which activation is zero for every negative input?", ["sigmoid", "tanh", "ReLU"],
                       answer=2, explain="ReLU(x) = max(0, x)."),
        Numeric(r"What is \(\sigma'(0)\)?", 0.25, tol=1e-3, explain="It is 1/4."),
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
    r = Numeric("How many?", 200.0, tol=0, rtol=0.01)  # within 1 % of 200: [198, 202]
    assert r.check("201.9") is True and r.check("198.1") is True
    assert r.check("202.1") is False and r.check("197.9") is False


def test_multiple_choice_check():
    q = MultipleChoice("Pick the second", ["first", "second"], answer=1)
    assert q.check(1) is True and q.check(0) is False


# -- live widgets -------------------------------------------------------------------------------------

def test_clicking_live_buttons_gives_feedback():
    mc, num = activation_quiz().questions
    assert mc.feedback.value == "" and len(mc.buttons) == 3
    mc.buttons[0].click()
    assert mc.feedback.value == "<strong>Not quite.</strong> ReLU(x) = max(0, x)."
    mc.buttons[2].click()
    assert mc.feedback.value == "<strong>Correct.</strong> ReLU(x) = max(0, x)."

    num.check_button.click()  # nothing typed yet
    assert num.feedback.value.startswith("Please enter a number")
    num.input.value = "0.3"
    num.check_button.click()
    assert num.feedback.value == "<strong>Not quite.</strong> It is 1/4."
    num.input.value = "1/4"
    num.check_button.click()
    assert num.feedback.value == "<strong>Correct.</strong> It is 1/4."


def test_mime_bundle_has_both_lives_for_a_quiz_and_a_lone_question():
    quiz = activation_quiz()
    bundle = quiz._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == quiz.widget.model_id
    assert bundle["text/html"].startswith('<div class="nnl-quiz"')
    assert bundle["text/plain"] == "Quiz:\n1. Which activation is zero for every negative input?\n" \
                                   "2. What is \\(\\sigma'(0)\\)?"
    lone = MultipleChoice("Yes or no?", ["yes", "no"], 0)._repr_mimebundle_()
    assert Page(lone["text/html"]).find("button", type="button")[0]["data-nnl-choice"] == "0"


# -- static version -----------------------------------------------------------------------------------

def test_static_html_structure():
    page_html = activation_quiz().to_html()
    page = Page(page_html)
    (outer,) = page.find("div", **{"class": "nnl-quiz"})
    questions = page.find("div", **{"class": "nnl-question"})
    assert [q["data-nnl-kind"] for q in questions] == ["choice", "numeric"]
    assert all(q["id"].startswith(outer["id"] + "-q") for q in questions)

    choices = page.find("button", **{"class": "nnl-choice"})
    assert [b["data-nnl-choice"] for b in choices] == ["0", "1", "2"]
    assert page.texts["nnl-choice"] == ["sigmoid", "tanh", "ReLU"]

    (answer_box,) = page.find("input")
    (label,) = page.find("label")
    assert label["for"] == answer_box["id"] and answer_box["type"] == "text"
    assert page.find("button", **{"class": "nnl-check"})
    assert "Check" in page.texts["nnl-check"]

    feedback = page.find("div", **{"class": "nnl-feedback"})
    assert len(feedback) == 2 and all(f["aria-live"] == "polite" for f in feedback)
    assert "nnl-feedback" not in page.texts  # empty until answered

    assert len(page.scripts) == 1 and page.find("script") == [{}]
    assert "http" not in page_html and "//" not in page_html


def test_static_script_holds_the_answers_and_feedback():
    script = Page(activation_quiz().to_html()).scripts[0]
    config = json.loads(re.search(r"var cfg = (\[.*\]);", script).group(1))
    assert config[0]["kind"] == "choice" and config[0]["answer"] == 2
    assert config[0]["right"] == "<strong>Correct.</strong> ReLU(x) = max(0, x)."
    assert config[0]["wrong"].startswith("<strong>Not quite.</strong>")
    assert config[1] == {"kind": "numeric", "answer": 0.25, "tol": 1e-3, "rtol": 0.0,
                         "right": "<strong>Correct.</strong> It is 1/4.",
                         "wrong": "<strong>Not quite.</strong> It is 1/4.",
                         "nan": "Please enter a number (for example 0.25 or 1/4)."}


def test_html_in_an_explanation_cannot_end_the_script():
    page = Quiz(MultipleChoice("Q", ["a", "b"], 0, explain="</script><b>bold</b>")).to_html()
    assert page.count("</script>") == 1


def test_static_html_is_identical_in_a_fresh_process_and_ids_are_unique(monkeypatch):
    monkeypatch.setattr(quiz_module, "_ids", itertools.count(1))
    first, second = activation_quiz(), activation_quiz()
    assert first.id != second.id
    monkeypatch.setattr(quiz_module, "_ids", itertools.count(1))
    assert activation_quiz().to_html() == first.to_html()


# -- validation ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("make, message", [
    (lambda: MultipleChoice("Q?", ["a", "b", "c"], 3), "answer index 3 is out of range for 3 options"),
    (lambda: MultipleChoice("Q?", ["a", "b"], -1), "out of range for 2 options"),
    (lambda: MultipleChoice("Q?", ["a", "b"], True), "index of the correct option"),
    (lambda: MultipleChoice("Q?", ["a", "b"], "a"), "index of the correct option"),
    (lambda: MultipleChoice("Q?", ["only"], 0), "at least two options"),
    (lambda: MultipleChoice("Q?", "ab", 0), "at least two options"),
    (lambda: MultipleChoice("Q?", ["a", "a"], 0), "options must differ"),
    (lambda: MultipleChoice("", ["a", "b"], 0), "question must be a non-empty string"),
    (lambda: MultipleChoice("Q?", ["a", ""], 0), "each option must be a non-empty string"),
    (lambda: Numeric("Q?", "0.25"), "answer must be a finite number"),
    (lambda: Numeric("Q?", float("nan")), "answer must be a finite number"),
    (lambda: Numeric("Q?", 1.0, tol=-1), "tolerances must be >= 0"),
    (lambda: Numeric("Q?", 1.0, rtol=-0.1), "tolerances must be >= 0"),
    (lambda: Quiz(), "at least one question"),
    (lambda: Quiz("What?"), "expected MultipleChoice or Numeric questions, got str"),
])
def test_bad_questions_are_refused_with_the_reason(make, message):
    with pytest.raises(ValueError, match=message):
        make()
