"""Self-check questions that teach: feedback per wrong choice, another try, then the explanation.

Questions are data, kept in a bank per chapter (:mod:`nnlessons.quizzes`), so a notebook cell shows
``quiz("ch03", "check-yourself")`` and not the answer key:

>>> MultipleChoice(
...     "Which activation is zero for every negative input?",
...     [Option("sigmoid", why="The sigmoid is positive everywhere."),
...      Option("ReLU", correct=True)],
...     explain="ReLU(x) = max(0, x).")  # doctest: +SKIP
>>> Numeric("What is the sigmoid's slope at 0?", 0.25, decimals=2,
...         explain="σ'(0) = σ(0)(1 − σ(0)) = 1/4.")  # doctest: +SKIP

How a question answers the reader (:meth:`MultipleChoice.respond`, :meth:`Numeric.respond`):

- a wrong option shows that option's ``why`` and the question stays open; the option is marked
  (a ✗ and the words "not this one", not colour alone);
- a wrong number says what kind of miss it is: an answer rounded too far ("give 3 decimal places"), a
  known mistake (``mistakes={36: "that is only one of the two paths"}``), the wrong sign, or close but
  outside the tolerance; the prompt states the precision asked for;
- the explanation appears with the right answer, or after "Show answer" (offered after a wrong try).

A :class:`Quiz` of questions displays as self-contained HTML with an inline script (no kernel, no
network), the same output in a live notebook, a stored notebook and on the website; its ``widget`` is
the same quiz as ipywidgets. Question, option and explanation strings are HTML (write ``&lt;`` for a
literal ``<``); write math as ``\\(...\\)``. A number may be typed as a decimal or a fraction (``1/4``).
"""

from __future__ import annotations

import hashlib
import html
import itertools
import math
import numbers
import re
from dataclasses import dataclass
from typing import Any

from .static import THEME_CSS, inline_script, plain_text, spoken, untrusted_note

__all__ = ["Option", "MultipleChoice", "Numeric", "Quiz", "Reply", "parse_number"]

_ids = itertools.count(1)  # numbering restarts in every process, so ids are reproducible
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$", re.IGNORECASE)
_DECIMAL = re.compile(r"^[+-]?\d*\.(\d+)$")
_INTEGER = re.compile(r"^[+-]?\d+$")
# MyST pages switch off MathJax's search for \( \) in the page body; these classes switch it back on.
_MATH = "tex2jax_process mathjax_process"
LETTERS = "ABCDEFGHIJ"

MESSAGES = {
    "right": "<strong>Correct.</strong> {explain}",
    "answer": "<strong>Answer: {answer}.</strong> {explain}",
    "choice-wrong": "<strong>Not this one.</strong> {why} Try another option.",
    "invalid": "Please enter a number (for example 0.25 or 1/4).",
    "number-wrong": "<strong>Not quite.</strong> Try again, or show the answer.",
    "mistake": "<strong>Not quite.</strong> {why}",
    "rounded": "<strong>Close</strong>, but {value} is rounded too far: give {decimals} decimal places.",
    "sign": "<strong>Not quite:</strong> the size is right, the sign is not.",
    "near": "<strong>Close</strong>, but not {precision}. Check your arithmetic and rounding.",
}
"""Every sentence a question answers with; the live view and the static script both fill these in."""

MARKS = {"wrong": "\u2717 not this one", "right": "\u2713 right"}


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


def _decimals_typed(text: str) -> int | None:
    """How many decimals a plain decimal has (``"0.98"`` -> 2, ``"3"`` -> 0); None for 1/4 or 1e-3."""
    text = str(text).strip().replace("\u2212", "-")
    match = _DECIMAL.match(text)
    if match:
        return len(match.group(1))
    return 0 if _INTEGER.match(text) else None


def _round_half_up(x: float, k: int) -> float:
    """``x`` rounded to ``k`` decimals the way the static script does it (``Math.round``)."""
    return math.floor(x * 10**k + 0.5) / 10**k


def _fill(template: str, **values: Any) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), template)


def _check_text(name: str, value: Any, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value


@dataclass(frozen=True)
class Reply:
    """What a question says to one attempt: ``status`` is "right", "wrong" or "invalid"; ``html`` the text."""

    status: str
    html: str


@dataclass(frozen=True)
class Option:
    """One option of a :class:`MultipleChoice`.

    Args:
        text: the option as shown (HTML, may hold ``\\(...\\)`` math).
        why: for a wrong option, why it is wrong (shown when the reader picks it).
        correct: True for the one right option.
        label: what a screen reader says for it; by default the plain text, formulas read out.
    """

    text: str
    why: str = ""
    correct: bool = False
    label: str | None = None


class _Question:
    """What both kinds share: a lone question displays as a quiz of one."""

    question: str

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return Quiz(self)._repr_mimebundle_(include, exclude)


class MultipleChoice(_Question):
    """A question with one right option among two or more.

    Args:
        question: the question (HTML).
        options: :class:`Option` objects (exactly one ``correct``), or plain strings with ``answer``.
        answer: index of the right option; needed only when no Option is marked ``correct``.
        explain: shown with the right answer (or after "Show answer").
    """

    def __init__(self, question: str, options: list[Option | str], answer: int | None = None,
                 explain: str = "") -> None:
        self.question = _check_text("MultipleChoice: question", question)
        if not isinstance(options, (list, tuple)) or len(options) < 2:
            raise ValueError(f"MultipleChoice: give at least two options, got {options!r}")
        if len(options) > len(LETTERS):
            raise ValueError(f"MultipleChoice: at most {len(LETTERS)} options, got {len(options)}")
        options = [o if isinstance(o, Option) else Option(o) for o in options]
        for o in options:
            _check_text("MultipleChoice: each option", o.text)
        texts = [o.text for o in options]
        if len(set(texts)) != len(texts):
            raise ValueError(f"MultipleChoice: options must differ, got {texts!r}")
        marked = [i for i, o in enumerate(options) if o.correct]
        if answer is None:
            if len(marked) != 1:
                raise ValueError(f"MultipleChoice: mark exactly one Option correct=True (or give answer=), "
                                 f"got {len(marked)} marked")
            answer = marked[0]
        if not isinstance(answer, numbers.Integral) or isinstance(answer, bool):
            raise ValueError(f"MultipleChoice: answer must be the index of the correct option, got {answer!r}")
        if not 0 <= answer < len(options):
            raise ValueError(f"MultipleChoice: answer index {answer} is out of range for {len(options)} options "
                             f"(use 0 to {len(options) - 1})")
        if marked and marked != [answer]:
            raise ValueError(f"MultipleChoice: answer={answer} disagrees with the Option marked correct ({marked})")
        self.options, self.answer = options, int(answer)
        self.explain = _check_text("MultipleChoice: explain", explain, allow_empty=True)

    def check(self, choice: int) -> bool:
        """Whether option number ``choice`` is the right one."""
        return choice == self.answer

    def labels(self) -> list[str]:
        """The accessible name of each option's button: its letter and its spoken text."""
        return [f"{LETTERS[i]}: {o.label or spoken(o.text)}" for i, o in enumerate(self.options)]

    def respond(self, choice: int) -> Reply:
        """The feedback for picking option ``choice``."""
        if self.check(choice):
            return Reply("right", _fill(MESSAGES["right"], explain=self.explain).strip())
        return Reply("wrong", _fill(MESSAGES["choice-wrong"], why=self.options[choice].why).replace("  ", " "))

    def reveal(self) -> Reply:
        """What "Show answer" shows."""
        return Reply("answer", _fill(MESSAGES["answer"], answer=LETTERS[self.answer], explain=self.explain).strip())

    def _html(self, qid: str) -> str:
        buttons = []
        for i, (o, label) in enumerate(zip(self.options, self.labels())):
            buttons.append(
                f'<button type="button" class="nnl-choice" data-nnl-choice="{i}" aria-pressed="false" '
                f'aria-label="{html.escape(label)}" disabled style="display:flex;width:100%;margin:0.3em 0;'
                f'text-align:left"><span class="nnl-letter" style="font-weight:600;margin-right:0.6em">{LETTERS[i]}</span> '
                f'<span class="nnl-option">{o.text}</span> <span class="nnl-mark"></span></button>'
            )
        sources = [f'<div data-nnl-msg="{i}">{self.respond(i).html}</div>' for i in range(len(self.options))]
        sources.append(f'<div data-nnl-msg="answer">{self.reveal().html}</div>')
        return (
            f'<div class="nnl-question" id="{qid}" data-nnl-kind="choice">\n'
            f'<div class="nnl-question-text" id="{qid}-text">{self.question}</div>\n'
            f'<div class="nnl-choices" role="group" aria-labelledby="{qid}-text">\n' + "\n".join(buttons) +
            "\n</div>\n" + _actions_and_feedback(sources)
        )

    def _config(self) -> dict[str, Any]:
        return {"kind": "choice", "answer": self.answer, "marks": MARKS}


class Numeric(_Question):
    """A question whose answer is a number; the prompt says how precise the reader must be.

    Args:
        question: the question (HTML).
        answer: the right number.
        tol: accept answers within ``tol`` (absolute) ...
        explain: shown with the right answer (or after "Show answer").
        rtol: ... plus ``rtol * abs(answer)`` (0.01 accepts 1 %).
        decimals: instead of ``tol``: the answer to this many decimal places (tolerance half a unit in
            the last place; 0.98 for 0.9777 with ``decimals=3`` is told "give 3 decimal places").
        mistakes: a known wrong number and what it shows, e.g. ``{36: "Only the path through a."}``.
        precision: the sentence stating the precision, if the generated one does not fit.
        shown: how "Show answer" writes the answer (default: the number to the asked precision).

    With none of ``tol``, ``rtol``, ``decimals``, a whole-number answer must be typed exactly.
    """

    def __init__(self, question: str, answer: float, tol: float | None = None, explain: str = "", *,
                 rtol: float | None = None, decimals: int | None = None,
                 mistakes: dict[float, str] | None = None, precision: str | None = None,
                 shown: str | None = None) -> None:
        self.question = _check_text("Numeric: question", question)
        for name, value in (("answer", answer), ("tol", tol), ("rtol", rtol)):
            if value is None and name != "answer":
                continue
            if not isinstance(value, numbers.Real) or isinstance(value, bool) or not math.isfinite(value):
                raise ValueError(f"Numeric: {name} must be a finite number, got {value!r}")
        if (tol is not None and tol < 0) or (rtol is not None and rtol < 0):
            raise ValueError(f"Numeric: tolerances must be >= 0, got tol={tol}, rtol={rtol}")
        if decimals is not None and (tol is not None or rtol is not None):
            raise ValueError("Numeric: give decimals= or tol=/rtol=, not both")
        if decimals is not None and (not isinstance(decimals, numbers.Integral) or not 0 <= decimals <= 12):
            raise ValueError(f"Numeric: decimals must be a whole number from 0 to 12, got {decimals!r}")
        self.answer = float(answer)
        whole = tol is None and rtol is None and decimals is None
        if whole and not self.answer.is_integer():
            raise ValueError(f"Numeric: say how precise {self.answer} must be: decimals=3 or tol=0.005")
        self.decimals = None if decimals is None else int(decimals)
        self.rtol = float(rtol or 0.0)
        if self.decimals is not None:
            self.tol = 0.5 * 10.0 ** -self.decimals * (1 + 1e-9)
            self.precision = precision or (f"Give it to {self.decimals} decimal place"
                                           f"{'s' if self.decimals != 1 else ''} (a fraction is fine too).")
            self._miss = f"right to {self.decimals} decimal places"
            self.shown = shown or f"{self.answer:.{self.decimals}f}"
        elif whole:
            self.tol = 1e-9 * max(1.0, abs(self.answer))
            self.precision = precision or "Give a whole number."
            self._miss = "the exact number"
            self.shown = shown or f"{self.answer:.0f}"
        else:
            self.tol = float(tol or 0.0)
            parts = ([f"\u00b1{self.tol:g}"] if self.tol >= 1e-6 else []) + ([f"{100 * self.rtol:g} %"] if self.rtol else [])
            self._miss = "within " + " + ".join(parts) if parts else "the exact value"
            self.precision = precision or (f"Answers {self._miss} count." if parts
                                           else "Give the exact value (a decimal or a fraction).")
            self.shown = shown or f"{self.answer:g}"
        self.mistakes = {float(k): _check_text("Numeric: each mistake's text", v)
                         for k, v in (mistakes or {}).items()}
        for wrong in self.mistakes:
            if self._accepts(wrong):
                raise ValueError(f"Numeric: mistake {wrong:g} would be accepted as right")
        self.explain = _check_text("Numeric: explain", explain, allow_empty=True)

    def _accepts(self, number: float) -> bool:
        return abs(number - self.answer) <= self.tol + self.rtol * abs(self.answer)

    def check(self, value: str | float) -> bool | None:
        """Whether ``value`` (a number or the text typed) is right; None if it is not a number."""
        number = parse_number(value) if isinstance(value, str) else float(value)
        if number is None or not math.isfinite(number):
            return None
        return self._accepts(number)

    def respond(self, value: str | float) -> Reply:
        """The feedback for the number typed (a string, as the reader typed it, or a number)."""
        text = value if isinstance(value, str) else repr(float(value))
        number = parse_number(text)
        if number is None:
            return Reply("invalid", MESSAGES["invalid"])
        if self._accepts(number):
            return Reply("right", _fill(MESSAGES["right"], explain=self.explain).strip())
        for wrong, why in self.mistakes.items():
            if abs(number - wrong) <= self.tol + self.rtol * abs(wrong) + 1e-12:
                return Reply("wrong", _fill(MESSAGES["mistake"], why=why))
        typed = _decimals_typed(text)
        if (self.decimals is not None and typed is not None and typed < self.decimals
                and abs(number - _round_half_up(self.answer, typed)) <= 1e-9 * max(1.0, abs(number))):
            return Reply("wrong", _fill(MESSAGES["rounded"], value=html.escape(text.strip()), decimals=self.decimals))
        if self.answer != 0 and self._accepts(-number):
            return Reply("wrong", MESSAGES["sign"])
        if abs(number - self.answer) <= 10 * (self.tol + self.rtol * abs(self.answer)):
            return Reply("wrong", _fill(MESSAGES["near"], precision=self._miss))
        return Reply("wrong", MESSAGES["number-wrong"])

    def reveal(self) -> Reply:
        """What "Show answer" shows."""
        return Reply("answer", _fill(MESSAGES["answer"], answer=self.shown, explain=self.explain).strip())

    def _html(self, qid: str) -> str:
        sources = [f'<div data-nnl-msg="right">{self.respond(self.answer).html}</div>',
                   f'<div data-nnl-msg="answer">{self.reveal().html}</div>']
        sources += [f'<div data-nnl-msg="mistake-{i}">{_fill(MESSAGES["mistake"], why=why)}</div>'
                    for i, why in enumerate(self.mistakes.values())]
        return (
            f'<div class="nnl-question" id="{qid}" data-nnl-kind="numeric">\n'
            f'<div class="nnl-question-text" id="{qid}-text">{self.question} '
            f'<span class="nnl-precision">{self.precision}</span></div>\n'
            f'<p style="margin:0.4em 0"><label for="{qid}-answer">Your answer</label> '
            f'<input type="text" inputmode="decimal" autocomplete="off" id="{qid}-answer" disabled '
            f'aria-describedby="{qid}-text" placeholder="e.g. 0.25 or 1/4" size="14"> '
            f'<button type="button" class="nnl-check" disabled>Check</button></p>\n'
            + _actions_and_feedback(sources)
        )

    def _config(self) -> dict[str, Any]:
        return {"kind": "numeric", "answer": self.answer, "tol": self.tol, "rtol": self.rtol,
                "decimals": self.decimals, "mistakes": list(self.mistakes), "precision": self._miss,
                "msg": {k: MESSAGES[k] for k in ("invalid", "number-wrong", "rounded", "sign", "near")}}


def _actions_and_feedback(sources: list[str]) -> str:
    """The "Show answer" button (hidden until a wrong try), the live feedback region and its texts.

    The texts sit in a hidden block so that MathJax (or JupyterLab) typesets them with the page; the
    script copies one into the feedback region, which screen readers announce.
    """
    return (
        '<p class="nnl-actions" style="margin:0.3em 0"><button type="button" class="nnl-show" hidden>'
        "Show answer</button></p>\n"
        '<div class="nnl-feedback" role="status" aria-live="polite"></div>\n'
        '<div class="nnl-sources" hidden style="display:none">\n' + "\n".join(sources) + "\n</div>\n</div>"
    )


# The static version's behaviour: the same rules as parse_number and respond() above.
_SCRIPT = """  var NUMBER = /^[+-]?(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?$/i;
  function parse(text) {
    var parts = text.trim().replace(/\\u2212/g, "-").split("/");
    if (parts.length > 2) return null;
    for (var i = 0; i < parts.length; i++) if (!NUMBER.test(parts[i].trim())) return null;
    var value = parseFloat(parts[0]);
    if (parts.length === 2) { var d = parseFloat(parts[1]); if (d === 0) return null; value /= d; }
    return isFinite(value) ? value : null;
  }
  function decimalsTyped(text) {
    text = text.trim().replace(/\\u2212/g, "-");
    var m = /^[+-]?\\d*\\.(\\d+)$/.exec(text);
    if (m) return m[1].length;
    return /^[+-]?\\d+$/.test(text) ? 0 : null;
  }
  function fill(template, values) {
    return template.replace(/\\{(\\w+)\\}/g, function (all, key) { return key in values ? values[key] : all; });
  }
  function escape(text) {
    return text.replace(/&/g, "&amp;").replace(/[<]/g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  function judge(q, question, text) {
    var x = parse(text), tolOf = function (v) { return q.tol + q.rtol * Math.abs(v); };
    var src = function (key) { return question.querySelector('[data-nnl-msg="' + key + '"]').innerHTML; };
    if (x === null) return ["invalid", q.msg.invalid];
    if (Math.abs(x - q.answer) <= tolOf(q.answer)) return ["right", src("right")];
    for (var i = 0; i < q.mistakes.length; i++)
      if (Math.abs(x - q.mistakes[i]) <= tolOf(q.mistakes[i]) + 1e-12) return ["wrong", src("mistake-" + i)];
    var k = decimalsTyped(text);
    if (q.decimals !== null && k !== null && k < q.decimals) {
      var p = Math.pow(10, k), rounded = Math.floor(q.answer * p + 0.5) / p;
      if (Math.abs(x - rounded) <= 1e-9 * Math.max(1, Math.abs(x)))
        return ["wrong", fill(q.msg.rounded, {value: escape(text.trim()), decimals: q.decimals})];
    }
    if (q.answer !== 0 && Math.abs(-x - q.answer) <= tolOf(q.answer)) return ["wrong", q.msg.sign];
    if (Math.abs(x - q.answer) <= 10 * tolOf(q.answer)) return ["wrong", fill(q.msg.near, {precision: q.precision})];
    return ["wrong", q.msg["number-wrong"]];
  }
  function say(question, status, html) {
    var box = question.querySelector(".nnl-feedback");
    box.setAttribute("data-nnl-status", status);
    box.innerHTML = html;
    if (/\\\\\\(|\\\\\\[/.test(html) && window.MathJax && window.MathJax.typesetPromise)
      window.MathJax.typesetPromise([box]);
  }
  root.querySelectorAll("button, input").forEach(function (el) { el.disabled = false; });
  root.querySelectorAll(".nnl-question").forEach(function (question, n) {
    var q = cfg[n], show = question.querySelector("button.nnl-show");
    var choices = question.querySelectorAll("button.nnl-choice");
    function mark(button, state) {
      button.setAttribute("data-nnl-state", state);
      button.querySelector(".nnl-mark").textContent = q.marks[state];
      var label = button.getAttribute("aria-label").replace(/ \\((right|not this one)\\)$/, "");
      button.setAttribute("aria-label", label + (state === "right" ? " (right)" : " (not this one)"));
    }
    function done() { show.hidden = true; }
    show.addEventListener("click", function () {
      if (q.kind === "choice") mark(choices[q.answer], "right");
      say(question, "answer", question.querySelector('[data-nnl-msg="answer"]').innerHTML);
      done();
    });
    if (q.kind === "choice") {
      choices.forEach(function (button) {
        button.addEventListener("click", function () {
          var i = parseInt(button.getAttribute("data-nnl-choice"), 10), ok = i === q.answer;
          choices.forEach(function (b) { b.setAttribute("aria-pressed", b === button ? "true" : "false"); });
          mark(button, ok ? "right" : "wrong");
          say(question, ok ? "right" : "wrong", question.querySelector('[data-nnl-msg="' + i + '"]').innerHTML);
          if (ok) done(); else show.hidden = false;
        });
      });
    } else {
      var input = question.querySelector("input"), check = question.querySelector("button.nnl-check");
      var run = function () {
        var verdict = judge(q, question, input.value);
        say(question, verdict[0], verdict[1]);
        if (verdict[0] === "right") done(); else if (verdict[0] === "wrong") show.hidden = false;
      };
      check.addEventListener("click", run);
      input.addEventListener("keydown", function (event) { if (event.key === "Enter") run(); });
    }
  });"""


class Quiz:
    """Several questions shown together; display it as the last expression of a cell.

    The display is the static HTML (:meth:`to_html`), whose script works wherever the output is
    trusted: a cell just run, a saved notebook reopened, the website. No widget view is stored, so a
    reopened notebook never shows "Error displaying widget". ``widget`` builds the ipywidgets view,
    which behaves the same (``display(quiz.widget)``).

    Attributes:
        questions: the MultipleChoice and Numeric questions, in order.
        id: the HTML id of the static version.
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
        self._widget = None

    @property
    def widget(self):
        """The live ipywidgets view (built on first use): see :mod:`.quiz_live`."""
        if self._widget is None:
            from .quiz_live import QuizView

            self._widget = QuizView(self)
        return self._widget.box

    @property
    def views(self):
        """The live view of each question (buttons, input, feedback), built with ``widget``."""
        self.widget  # noqa: B018 (builds it)
        return self._widget.views

    def to_html(self) -> str:
        """The static version: HTML, its styles and an inline script; no external URL."""
        body = "\n".join(q._html(f"{self.id}-q{i + 1}") for i, q in enumerate(self.questions))
        script = inline_script(self.id, [q._config() for q in self.questions], _SCRIPT)
        return (f'<div class="nnl-quiz {_MATH}" id="{self.id}">\n<style>{THEME_CSS}</style>\n'
                f'{untrusted_note("The buttons of this self-check")}\n{body}\n'
                f"{script}\n</div>")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/plain": repr(self), "text/html": self.to_html()}

    def __repr__(self) -> str:
        lines = [f"{i + 1}. {plain_text(q.question)}" for i, q in enumerate(self.questions)]
        return "Quiz:\n" + "\n".join(lines)


