"""Quick self-check questions with instant feedback, in live Jupyter and on the static website.

>>> Quiz(
...     MultipleChoice("Which activation is zero for every negative input?",
...                    ["sigmoid", "tanh", "ReLU"], answer=2, explain="ReLU(x) = max(0, x)."),
...     Numeric("What is the sigmoid's slope at 0?", 0.25, tol=1e-3, explain="σ'(0) = σ(0)(1 − σ(0)) = 1/4."),
... )  # doctest: +SKIP

A question, or a ``Quiz`` of several, displays with two lives, like the explorers: a live ipywidgets
view in Jupyter, and a static ``text/html`` version with a little inline JavaScript that gives the
same feedback on the website with no kernel and no network.

Question, option and explanation strings are HTML (write ``&lt;`` for a literal ``<``); write math as
``\\(...\\)`` so that MathJax typesets it both in Jupyter and on the site. A numeric answer may be typed
as a decimal (``0.25``, ``2.5e-1``) or a fraction (``1/4``).
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import math
import numbers
import re
from typing import Any

import ipywidgets as widgets

from .explore import two_lives

__all__ = ["MultipleChoice", "Numeric", "Quiz", "parse_number"]

_ids = itertools.count(1)  # numbering restarts in every process, so ids are reproducible
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$", re.IGNORECASE)
_CORRECT, _WRONG = "Correct.", "Not quite."
# MyST pages switch off MathJax's search for \( \) in the page body; this class switches it back on
# for the question and the options (the feedback is typeset when it appears).
_MATH = "tex2jax_process mathjax_process"
_NOT_A_NUMBER = "Please enter a number (for example 0.25 or 1/4)."


def parse_number(text: str) -> float | None:
    """The number a student typed (``"0.25"``, ``"-1e-3"``, ``"1/4"``, ``"−2"``), or None."""
    parts = str(text).strip().replace("\u2212", "-").split("/")
    if len(parts) > 2 or not all(_NUMBER.match(p.strip()) for p in parts):
        return None
    value = float(parts[0])
    if len(parts) == 2:
        denominator = float(parts[1])
        if denominator == 0:
            return None
        value /= denominator
    return value if math.isfinite(value) else None


def _feedback_html(correct: bool | None, explain: str) -> str:
    if correct is None:
        return _NOT_A_NUMBER
    head = _CORRECT if correct else _WRONG
    return f"<strong>{head}</strong> {explain}".strip()


def _plain(text: str) -> str:
    """HTML reduced to plain text (for tooltips and text/plain)."""
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


def _check_text(name: str, value: Any, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value


class _Question:
    """What MultipleChoice and Numeric share: the explanation, the feedback widget, the display."""

    explain: str
    feedback: widgets.HTMLMath

    def _new_feedback(self) -> widgets.HTMLMath:
        return widgets.HTMLMath(value="")

    def _show(self, correct: bool | None) -> None:
        self.feedback.value = _feedback_html(correct, self.explain)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        if getattr(self, "_quiz", None) is None:
            self._quiz = Quiz(self)
        return self._quiz._repr_mimebundle_(include, exclude)


class MultipleChoice(_Question):
    """A question with one correct option among two or more.

    Args:
        question: the question (HTML).
        options: the possible answers (HTML), at least two, all different.
        answer: index of the correct option in ``options`` (0 for the first).
        explain: shown after any answer, with "Correct." or "Not quite." in front.

    The live view has one button per option (``.buttons``) and feedback in ``.feedback``.
    """

    def __init__(self, question: str, options: list[str], answer: int, explain: str = "") -> None:
        self.question = _check_text("MultipleChoice: question", question)
        if not isinstance(options, (list, tuple)) or len(options) < 2:
            raise ValueError(f"MultipleChoice: give at least two options, got {options!r}")
        self.options = [_check_text("MultipleChoice: each option", o) for o in options]
        if len(set(self.options)) != len(self.options):
            raise ValueError(f"MultipleChoice: options must differ, got {self.options!r}")
        if not isinstance(answer, numbers.Integral) or isinstance(answer, bool):
            raise ValueError(f"MultipleChoice: answer must be the index of the correct option, got {answer!r}")
        if not 0 <= answer < len(self.options):
            raise ValueError(
                f"MultipleChoice: answer index {answer} is out of range for {len(self.options)} options "
                f"(use 0 to {len(self.options) - 1})"
            )
        self.answer = int(answer)
        self.explain = _check_text("MultipleChoice: explain", explain, allow_empty=True)
        self.feedback = self._new_feedback()
        self.buttons = [widgets.Button(description=chr(ord("A") + i), tooltip=_plain(o),
                                       layout=widgets.Layout(width="3em"))
                        for i, o in enumerate(self.options)]
        for i, button in enumerate(self.buttons):
            button.on_click(lambda _button, i=i: self._show(self.check(i)))
        rows = [widgets.HBox([b, widgets.HTMLMath(o)]) for b, o in zip(self.buttons, self.options)]
        self.widget = widgets.VBox([widgets.HTMLMath(self.question), *rows, self.feedback])

    def check(self, choice: int) -> bool:
        """Whether option number ``choice`` is the right one."""
        return choice == self.answer

    def _html(self, qid: str) -> str:
        buttons = "\n".join(
            f'<button type="button" class="nnl-choice" data-nnl-choice="{i}" '
            f'style="display:block;margin:0.25em 0;text-align:left">{o}</button>'
            for i, o in enumerate(self.options)
        )
        return (
            f'<div class="nnl-question" id="{qid}" data-nnl-kind="choice" style="margin:0.8em 0">\n'
            f'<div class="nnl-question-text {_MATH}" id="{qid}-text">{self.question}</div>\n'
            f'<div class="nnl-choices {_MATH}" role="group" aria-labelledby="{qid}-text">\n{buttons}\n</div>\n'
            f'<div class="nnl-feedback" aria-live="polite"></div>\n</div>'
        )

    def _config(self) -> dict[str, Any]:
        return {"kind": "choice", "answer": self.answer,
                "right": _feedback_html(True, self.explain), "wrong": _feedback_html(False, self.explain)}


class Numeric(_Question):
    """A question whose answer is a number, right within ``tol + rtol * abs(answer)``.

    Args:
        question: the question (HTML).
        answer: the right number.
        tol: absolute tolerance.
        explain: shown after any answer, with "Correct." or "Not quite." in front.
        rtol: relative tolerance (0.01 accepts anything within 1 % of the answer).

    The live view has a text box (``.input``), a Check button (``.check_button``) and ``.feedback``.
    """

    def __init__(self, question: str, answer: float, tol: float = 1e-6, explain: str = "", *,
                 rtol: float = 0.0) -> None:
        self.question = _check_text("Numeric: question", question)
        for name, value in (("answer", answer), ("tol", tol), ("rtol", rtol)):
            if not isinstance(value, numbers.Real) or isinstance(value, bool) or not math.isfinite(value):
                raise ValueError(f"Numeric: {name} must be a finite number, got {value!r}")
        if tol < 0 or rtol < 0:
            raise ValueError(f"Numeric: tolerances must be >= 0, got tol={tol}, rtol={rtol}")
        self.answer, self.tol, self.rtol = float(answer), float(tol), float(rtol)
        self.explain = _check_text("Numeric: explain", explain, allow_empty=True)
        self.feedback = self._new_feedback()
        self.input = widgets.Text(placeholder="a number, e.g. 0.25 or 1/4", description="Your answer",
                                  style={"description_width": "initial"})
        self.check_button = widgets.Button(description="Check")
        self.check_button.on_click(lambda _button: self._show(self.check(self.input.value)))
        self.widget = widgets.VBox([widgets.HTMLMath(self.question),
                                    widgets.HBox([self.input, self.check_button]), self.feedback])

    def check(self, value: str | float) -> bool | None:
        """Whether ``value`` (a number or the text typed) is right; None if it is not a number."""
        number = parse_number(value) if isinstance(value, str) else float(value)
        if number is None or not math.isfinite(number):
            return None
        return abs(number - self.answer) <= self.tol + self.rtol * abs(self.answer)

    def _html(self, qid: str) -> str:
        return (
            f'<div class="nnl-question" id="{qid}" data-nnl-kind="numeric" style="margin:0.8em 0">\n'
            f'<div class="nnl-question-text {_MATH}" id="{qid}-text">{self.question}</div>\n'
            f'<label for="{qid}-answer">Your answer</label> '
            f'<input type="text" inputmode="decimal" autocomplete="off" id="{qid}-answer" '
            f'placeholder="e.g. 0.25 or 1/4"> <button type="button" class="nnl-check">Check</button>\n'
            f'<div class="nnl-feedback" aria-live="polite"></div>\n</div>'
        )

    def _config(self) -> dict[str, Any]:
        return {"kind": "numeric", "answer": self.answer, "tol": self.tol, "rtol": self.rtol,
                "right": _feedback_html(True, self.explain), "wrong": _feedback_html(False, self.explain),
                "nan": _NOT_A_NUMBER}


# The static version's behaviour, the same rules as parse_number and check() above.
_SCRIPT = """(function () {
  var root = document.getElementById(%(id)s);
  if (!root || root.getAttribute("data-nnl-ready")) return;
  root.setAttribute("data-nnl-ready", "1");
  var cfg = %(cfg)s;
  var NUMBER = /^[+-]?(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?$/i;
  function parse(text) {
    var parts = text.trim().replace(/\\u2212/g, "-").split("/");
    if (parts.length > 2) return null;
    for (var i = 0; i < parts.length; i++) if (!NUMBER.test(parts[i].trim())) return null;
    var value = parseFloat(parts[0]);
    if (parts.length === 2) { var d = parseFloat(parts[1]); if (d === 0) return null; value /= d; }
    return isFinite(value) ? value : null;
  }
  function show(box, correct, html) {
    box.innerHTML = html;
    box.className = "nnl-feedback " + (correct === true ? "nnl-correct" : "nnl-wrong");
    box.style.color = correct === true ? "#1a7f37" : "#a0410d";
    if (window.MathJax && window.MathJax.typesetPromise) window.MathJax.typesetPromise([box]);
  }
  root.querySelectorAll(".nnl-question").forEach(function (question, k) {
    var q = cfg[k], box = question.querySelector(".nnl-feedback");
    if (q.kind === "choice") {
      question.querySelectorAll("button.nnl-choice").forEach(function (button) {
        button.addEventListener("click", function () {
          var ok = parseInt(button.getAttribute("data-nnl-choice"), 10) === q.answer;
          question.querySelectorAll("button.nnl-choice").forEach(function (b) {
            b.setAttribute("aria-pressed", b === button ? "true" : "false");
          });
          show(box, ok, ok ? q.right : q.wrong);
        });
      });
    } else {
      var input = question.querySelector("input"), button = question.querySelector("button.nnl-check");
      var check = function () {
        var value = parse(input.value);
        if (value === null) { show(box, null, q.nan); return; }
        var ok = Math.abs(value - q.answer) <= q.tol + q.rtol * Math.abs(q.answer);
        show(box, ok, ok ? q.right : q.wrong);
      };
      button.addEventListener("click", check);
      input.addEventListener("keydown", function (event) { if (event.key === "Enter") check(); });
    }
  });
})();"""


class Quiz:
    """Several questions shown together; display it as the last expression of a cell.

    Attributes:
        questions: the MultipleChoice and Numeric questions, in order.
        widget: the live ipywidgets view.
    """

    def __init__(self, *questions: _Question) -> None:
        if not questions:
            raise ValueError("Quiz: give at least one question")
        for q in questions:
            if not isinstance(q, _Question):
                raise ValueError(f"Quiz: expected MultipleChoice or Numeric questions, got {type(q).__name__}")
        self.questions = list(questions)
        texts = "\n".join(q.question for q in self.questions)
        self.id = f"nnl-quiz-{hashlib.sha1(texts.encode()).hexdigest()[:8]}-{next(_ids)}"
        children: list[widgets.Widget] = []
        for i, q in enumerate(self.questions):
            children += [widgets.HTML("<hr style='margin:0.5em 0'>"), q.widget] if i else [q.widget]
        self.widget = widgets.VBox(children)

    def to_html(self) -> str:
        """The static version: HTML and an inline script, no external URL."""
        body = "\n".join(q._html(f"{self.id}-q{i + 1}") for i, q in enumerate(self.questions))
        cfg = json.dumps([q._config() for q in self.questions], separators=(",", ":"), ensure_ascii=True)
        cfg = cfg.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        script = _SCRIPT % {"id": json.dumps(self.id), "cfg": cfg}
        return f'<div class="nnl-quiz" id="{self.id}">\n{body}\n<script>\n{script}\n</script>\n</div>'

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return two_lives(self)

    def __repr__(self) -> str:
        lines = [f"{i + 1}. {_plain(q.question)}" for i, q in enumerate(self.questions)]
        return "Quiz:\n" + "\n".join(lines)
