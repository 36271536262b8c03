"""The self-check questions of every chapter, one JSON bank per notebook, so that a notebook cell
shows the question and not its answer key.

A notebook cell::

    from nnlessons.quizzes import quiz
    quiz("ch03", "check-yourself")

A bank (``ch03.json``, next to this module) is data, not code::

    {"questions": {
       "<id>": {"type": "choice", "question": "...",
                "options": [{"text": "...", "why": "why it is wrong"},
                            {"text": "...", "correct": true,
                             "label": "spoken form"}],
                "explain": "..."},
       "<id>": {"type": "number", "question": "...", "answer": 0.25,
                "decimals": 2, "explain": "...",
                "mistakes": [{"value": 0.5, "why": "..."}]}},
     "quizzes": {"<name>": ["<id>", ...]}}

A ``choice`` becomes a :class:`~nnlessons.display.quiz.MultipleChoice` (its options
:class:`~nnlessons.display.quiz.Option`), a ``number`` a :class:`~nnlessons.display.quiz.Numeric`;
the other keys are their arguments. ``quiz`` takes quiz names or question ids: ``quiz("ch06", "dg-dw1")``
shows one question.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources

from ..display.quiz import MultipleChoice, Numeric, Option, Quiz

__all__ = ["quiz", "bank", "Bank", "CHAPTERS"]

CHAPTERS = ("ch01", "ch02", "ch03", "ch04", "ch05", "ch06", "ch07", "how-to-use")
"""The notebooks that have a bank; the file name is the notebook's short name with _ for -, plus .json."""


@dataclass(frozen=True)
class Bank:
    """One chapter's questions: ``questions`` maps an id to a question, ``quizzes`` a name to ids."""

    questions: dict
    quizzes: dict


def _question(qid: str, item: dict):
    """The question object an entry of a bank describes."""
    item = dict(item)
    kind = item.pop("type", None)
    if kind == "choice":
        options = [Option(**o) for o in item.pop("options")]
        return MultipleChoice(options=options, **item)
    if kind == "number":
        item["mistakes"] = {m["value"]: m["why"] for m in item.pop("mistakes", [])} or None
        return Numeric(**item)
    raise ValueError(f"quiz: question {qid!r} has type {kind!r}; expected 'choice' or 'number'")


@functools.lru_cache(maxsize=None)
def bank(chapter: str) -> Bank:
    """The bank of ``chapter`` (``"ch03"`` or ``"how-to-use"``), read from its JSON file."""
    if chapter not in CHAPTERS:
        raise ValueError(f"quiz: no question bank {chapter!r}; the banks are {', '.join(CHAPTERS)}")
    name = chapter.replace("-", "_") + ".json"
    data = json.loads(resources.files(__name__).joinpath(name).read_text(encoding="utf-8"))
    questions = {qid: _question(qid, item) for qid, item in data["questions"].items()}
    return Bank(questions, data["quizzes"])


def quiz(chapter: str, *names: str) -> Quiz:
    """The quiz of ``chapter`` made of the named quizzes and questions; display it as a cell's last line.

    Args:
        chapter: a bank name from :data:`CHAPTERS`, e.g. ``"ch03"``.
        *names: quiz names (keys of the bank's ``quizzes``) or question ids (keys of ``questions``).

    Raises:
        ValueError: an unknown chapter or name (the message lists the names there are).
    """
    b = bank(chapter)
    if not names:
        raise ValueError(f"quiz: name a quiz or a question of {chapter}: {', '.join(b.quizzes)}")
    ids: list[str] = []
    for name in names:
        if name in b.quizzes:
            ids += b.quizzes[name]
        elif name in b.questions:
            ids.append(name)
        else:
            raise ValueError(f"quiz: {chapter} has no quiz or question {name!r}; quizzes: "
                             f"{', '.join(b.quizzes)}; questions: {', '.join(b.questions)}")
    return Quiz(*(b.questions[i] for i in ids))
