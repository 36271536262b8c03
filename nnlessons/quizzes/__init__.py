"""The self-check questions of every chapter, one bank module per notebook, so that a notebook cell
shows the question and not its answer key.

A notebook cell::

    from nnlessons.quizzes import quiz
    quiz("ch03", "check-yourself")

A bank (``ch03.py``) holds ``QUESTIONS``, a dict from a short id to a question
(:class:`~nnlessons.display.quiz.MultipleChoice` or :class:`~nnlessons.display.quiz.Numeric`), and
``QUIZZES``, a dict from a quiz name to the ids it shows, in order. ``quiz`` takes quiz names or
question ids: ``quiz("ch06", "dg-dw1")`` shows one question.
"""

from __future__ import annotations

import importlib
import re
from types import ModuleType

from ..display.quiz import Quiz

__all__ = ["quiz", "bank", "CHAPTERS"]

CHAPTERS = ("ch01", "ch02", "ch03", "ch04", "ch05", "ch06", "ch07", "how-to-use")
"""The notebooks that have a bank; the module name is the notebook's short name with _ for -."""


def bank(chapter: str) -> ModuleType:
    """The bank module of ``chapter`` (``"ch03"`` or ``"how-to-use"``)."""
    if chapter not in CHAPTERS:
        raise ValueError(f"quiz: no question bank {chapter!r}; the banks are {', '.join(CHAPTERS)}")
    return importlib.import_module(f"{__name__}.{re.sub('-', '_', chapter)}")


def quiz(chapter: str, *names: str) -> Quiz:
    """The quiz of ``chapter`` made of the named quizzes and questions; display it as a cell's last line.

    Args:
        chapter: a bank name from :data:`CHAPTERS`, e.g. ``"ch03"``.
        *names: quiz names (keys of the bank's ``QUIZZES``) or question ids (keys of ``QUESTIONS``).

    Raises:
        ValueError: an unknown chapter or name (the message lists the names there are).
    """
    module = bank(chapter)
    if not names:
        raise ValueError(f"quiz: name a quiz or a question of {chapter}: {', '.join(module.QUIZZES)}")
    ids: list[str] = []
    for name in names:
        if name in module.QUIZZES:
            ids += module.QUIZZES[name]
        elif name in module.QUESTIONS:
            ids.append(name)
        else:
            raise ValueError(f"quiz: {chapter} has no quiz or question {name!r}; quizzes: "
                             f"{', '.join(module.QUIZZES)}; questions: {', '.join(module.QUESTIONS)}")
    return Quiz(*(module.QUESTIONS[i] for i in ids))
