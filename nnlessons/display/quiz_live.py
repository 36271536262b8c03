"""The ipywidgets view of a :class:`~nnlessons.display.quiz.Quiz`: the same replies as the static page.

Every sentence comes from the question's ``respond`` and ``reveal``, so the two views cannot disagree.
A chosen option's button shows its letter and a mark (``A ✗ not this one``), not colour alone.
"""

from __future__ import annotations

import ipywidgets as widgets

from .quiz import LETTERS, MARKS, MultipleChoice, Numeric, Reply

__all__ = ["QuizView", "ChoiceView", "NumericView"]

_STYLE = {"right": "success", "wrong": "danger", "answer": "success", "invalid": "warning"}


class _View:
    """Feedback and the "Show answer" button, hidden until a wrong try."""

    def __init__(self, question) -> None:
        self.question = question
        self.feedback = widgets.HTMLMath(value="")
        self.show_button = widgets.Button(description="Show answer", tooltip="Show the answer and why",
                                          layout=widgets.Layout(display="none", width="auto"))
        self.show_button.on_click(lambda _b: self._reveal())

    def _say(self, reply: Reply) -> None:
        self.feedback.value = reply.html
        if reply.status == "wrong":
            self.show_button.layout.display = None
        elif reply.status in ("right", "answer"):
            self.show_button.layout.display = "none"

    def _reveal(self) -> None:
        self._say(self.question.reveal())


class ChoiceView(_View):
    """One button per option (``.buttons``), the option beside it, and ``.feedback``."""

    def __init__(self, question: MultipleChoice) -> None:
        super().__init__(question)
        self.buttons = [widgets.Button(description=LETTERS[i], tooltip=label,
                                       layout=widgets.Layout(width="auto", min_width="3em"))
                        for i, label in enumerate(question.labels())]
        for i, button in enumerate(self.buttons):
            button.on_click(lambda _b, i=i: self.choose(i))
        rows = [widgets.HBox([b, widgets.HTMLMath(o.text)]) for b, o in zip(self.buttons, question.options)]
        self.box = widgets.VBox([widgets.HTMLMath(question.question), *rows, self.show_button, self.feedback])

    def _mark(self, i: int, state: str) -> None:
        self.buttons[i].description = f"{LETTERS[i]} {MARKS[state]}"
        self.buttons[i].button_style = _STYLE[state]

    def choose(self, i: int) -> None:
        reply = self.question.respond(i)
        self._mark(i, reply.status)
        self._say(reply)

    def _reveal(self) -> None:
        self._mark(self.question.answer, "right")
        super()._reveal()


class NumericView(_View):
    """A text box (``.input``), a Check button (``.check_button``) and ``.feedback``."""

    def __init__(self, question: Numeric) -> None:
        super().__init__(question)
        self.input = widgets.Text(placeholder="e.g. 0.25 or 1/4", description="Your answer",
                                  style={"description_width": "initial"})
        self.check_button = widgets.Button(description="Check")
        self.check_button.on_click(lambda _b: self._say(self.question.respond(self.input.value)))
        prompt = f'{question.question} <span class="nnl-precision">{question.precision}</span>'
        self.box = widgets.VBox([widgets.HTMLMath(prompt), widgets.HBox([self.input, self.check_button]),
                                 self.show_button, self.feedback])


class QuizView:
    """The views of all questions (``.views``) in one ``widgets.VBox`` (``.box``)."""

    def __init__(self, quiz) -> None:
        self.views = [ChoiceView(q) if isinstance(q, MultipleChoice) else NumericView(q) for q in quiz.questions]
        children: list[widgets.Widget] = []
        for i, view in enumerate(self.views):
            children += [widgets.HTML("<hr style='margin:0.5em 0'>"), view.box] if i else [view.box]
        self.box = widgets.VBox(children)
