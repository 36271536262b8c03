"""`make assignments`: nbgrader's student versions of the graded exercises (scripts/make_assignments.py).

The fixture tests/fixtures/graded-exercises.ipynb is a chapter in miniature, marked as the README's
"Grading with nbgrader" says: two graded exercises (1 and 2 points) whose worked solutions sit in
sphinx-exercise dropdowns, and a solution that is text. The tests prove what the issue asks of the
pipeline: the book form runs without an error and Run All keeps the student's function; the student
version holds no solution; as released its autograded cells fail; with the book's solutions filled in,
`nbgrader autograde` gives full marks (and one solved exercise gives its own points only). The chapters
of book/ that are marked go through the same pipeline.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("nbgrader", reason="nbgrader is not installed (`make test` installs requirements-nbgrader.txt)")

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "graded-exercises.ipynb"
NAME = FIXTURE.stem
SOLVED = {"sigmoid": "1 / (1 + np.exp(-x))", "logit": "np.log(p) - np.log1p(-p)"}  # as in the dropdowns
POINTS = {"sigmoid": 1.0, "logit": 2.0}

_spec = importlib.util.spec_from_file_location("make_assignments", ROOT / "scripts" / "make_assignments.py")
make_assignments = importlib.util.module_from_spec(_spec)
sys.modules["make_assignments"] = make_assignments
_spec.loader.exec_module(make_assignments)


def source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def run(nb: dict, allow_errors: bool = False) -> nbformat.NotebookNode:
    """Execute a notebook in a python3 kernel of this environment, from the repository root."""
    node = nbformat.reads(json.dumps(nb), as_version=4)
    NotebookClient(node, kernel_name="python3", timeout=120, allow_errors=allow_errors,
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    return node


def stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o["output_type"] == "stream")


def errors(cell) -> list[str]:
    return [o["ename"] for o in cell.get("outputs", []) if o["output_type"] == "error"]


def graded(nb) -> list:
    return [c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade")]


def starter(nb, function: str):
    (cell,) = [c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("solution")
               and f"def {function}(" in source(c)]
    return cell


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """make_assignments run on the fixture: (student notebook, course directory)."""
    base = tmp_path_factory.mktemp("assignments")
    out, course = base / "assignments", base / "nbgrader"
    assert make_assignments.main([str(FIXTURE), "--out", str(out), "--course", str(course)]) == 0
    return json.loads((out / FIXTURE.name).read_text()), course


@pytest.fixture(scope="module")
def book():
    return json.loads(FIXTURE.read_text())


def test_book_form_runs_and_run_all_keeps_the_students_function(book):
    """In the book the stub only fails its check (no error, so strict nbval can run it), each worked
    solution passes its own check, and after Run All the student's functions are still the stubs."""
    nb = copy.deepcopy(book)
    nb["cells"].append(nbformat.v4.new_code_cell("print(repr(sigmoid(0.0)), repr(logit(0.5)))"))
    done = run(nb)
    checks = graded(done)
    assert [stdout(c)[:1] for c in checks] == ["\u2717", "\u2717"], [stdout(c) for c in checks]
    solution_checks = [c for c in done["cells"] if "_solution)" in source(c)]
    assert [stdout(c)[:1] for c in solution_checks] == ["\u2713", "\u2713"], [stdout(c) for c in solution_checks]
    assert stdout(done["cells"][-1]).strip() == "None array(0.)"


def test_student_version_has_no_solution(built, book):
    student, _ = built
    everything = json.dumps(student)
    for body in SOLVED.values():
        assert body in json.dumps(book)
        assert body not in everything
    for marker in ("_solution", "BEGIN SOLUTION", "{solution", "largest slope is"):
        assert marker not in everything, marker
    # What the student needs stays: both exercises, each starter's signature and docstring, the checks.
    assert everything.count("{exercise}") == 2
    for function in SOLVED:
        cell = starter(student, function)
        assert re.search(rf'def {function}\(\w\):\n    """Return log|def {function}\(\w\):\n    """Return 1',
                         source(cell))
        assert source(cell).endswith("raise NotImplementedError()")
    assert [source(c) for c in graded(student)] == ["assert check_sigmoid(sigmoid)", "assert check_logit(logit)"]
    assert all(c["metadata"].get("editable") is False for c in graded(student))
    assert not any(c.get("outputs") for c in student["cells"] if c["cell_type"] == "code")


def test_released_checks_fail(built):
    """Executed as released, every autograded cell fails (the stubs raise NotImplementedError, the check
    reports it, and the asserted check raises), while the other cells run."""
    student, _ = built
    done = run(student, allow_errors=True)
    for cell in graded(done):
        assert errors(cell) == ["AssertionError"]
        assert "NotImplementedError" in stdout(cell)
    others = [c for c in done["cells"] if c["cell_type"] == "code" and c not in graded(done)]
    assert not any(errors(c) for c in others)


def fill_in(student: dict, book: dict, functions) -> dict:
    """The student version with the book's worked solutions of `functions` pasted into their starter cells."""
    nb = copy.deepcopy(student)
    for function in functions:
        (worked,) = [c for c in book["cells"] if f"def {function}_solution(" in source(c)]
        code = source(worked).split("\n\n\ncheck_")[0].replace(f"def {function}_solution(", f"def {function}(")
        starter(nb, function)["source"] = code
    return nb


def autograde(course: Path, submissions: dict[str, dict]) -> dict[str, tuple[float, float]]:
    """Submit each notebook as a student, run `nbgrader autograde`, return each (score, max score)."""
    from nbgrader.api import Gradebook

    for student, nb in submissions.items():
        folder = course / "submitted" / student / NAME
        folder.mkdir(parents=True)
        (folder / FIXTURE.name).write_text(json.dumps(nb))
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])}
    result = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", NAME, "--force"], cwd=course,
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {s: (gb.find_submission(NAME, s).score, gb.find_submission(NAME, s).max_score) for s in submissions}


def test_autograde_gives_full_marks_with_the_books_solutions(built, book):
    student, course = built
    scores = autograde(course, {
        "unchanged": student,
        "sigmoid-only": fill_in(student, book, ["sigmoid"]),
        "solved": fill_in(student, book, SOLVED),
    })
    total = sum(POINTS.values())
    assert scores == {"unchanged": (0.0, total), "sigmoid-only": (POINTS["sigmoid"], total),
                      "solved": (total, total)}


def test_solutions_are_cut_from_every_kind_of_dropdown():
    md = lambda text: {"cell_type": "markdown", "metadata": {}, "source": text}  # noqa: E731
    code = lambda text: {"cell_type": "code", "metadata": {}, "source": text, "outputs": []}  # noqa: E731
    cells = [
        md("Before.\n\n````{solution} ex-a\n:class: dropdown\n\n```python\nanswer = 1\n```\n````\n\nAfter."),
        md(":::{solution} ex-b\nColons.\n:::\nKept."),
        md("Intro.\n\n```{solution-start} ex-c\n:class: dropdown\n```\nWorked text."),
        code("secret = 2"),
        md("```{solution-end}\n```\nTail."),
        md("```{solution-start} ex-d\n```"),
        md("```{solution-end}\n```"),
        code("visible = 3"),
    ]
    kept = make_assignments.strip_solutions(cells)
    assert [c["source"] for c in kept] == ["Before.\n\n\nAfter.", "Kept.", "Intro.", "Tail.", "visible = 3"]


def test_marking_mistakes_are_named(book):
    def mark(cells):
        return make_assignments.source_notebook({**book, "cells": cells}, "x.ipynb")

    no_solution = [c for c in book["cells"] if "def logit_solution" not in source(c)]
    with pytest.raises(make_assignments.MarkingError, match="no worked solution defines `logit_solution`"):
        mark(no_solution)
    leak = copy.deepcopy(book["cells"]) + [nbformat.v4.new_code_cell("logit_solution(0.5)")]
    with pytest.raises(make_assignments.MarkingError, match="`logit_solution` is used outside the solution dropdowns"):
        mark(leak)
    no_docstring = copy.deepcopy(book["cells"])
    cell = starter({"cells": no_docstring}, "sigmoid")
    cell["source"] = "def sigmoid(x):\n    return None\n"
    with pytest.raises(make_assignments.MarkingError, match="`sigmoid` needs a docstring"):
        mark(no_docstring)
    not_a_call = copy.deepcopy(book["cells"])
    graded({"cells": not_a_call})[0]["source"] = "ok = check_sigmoid(sigmoid)"
    with pytest.raises(make_assignments.MarkingError, match="must end with the call of a check function"):
        mark(not_a_call)


def test_book_chapters_make_assignments(tmp_path):
    """Every marked chapter of book/ gives a student version with as many graded exercises as it marks."""
    chapters = [p for p in sorted((ROOT / "book").glob("*.ipynb"))
                if make_assignments.is_marked(json.loads(p.read_text()))]
    if not chapters:
        pytest.skip("no chapter of book/ has nbgrader-marked exercises yet")
    written = make_assignments.build(chapters, tmp_path / "assignments", tmp_path / "nbgrader")
    assert [a.name for a in written] == [p.stem for p in chapters]
    for a in written:
        nb = json.loads(a.student.read_text())
        code = "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "code")
        prose = "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "markdown")
        assert "BEGIN SOLUTION" not in code and "{solution" not in prose, a.name
        for function in a.functions:  # prose may name the worked solution; no code may use it
            assert not re.search(rf"\b{function}_solution\b", code), (a.name, function)
        # The instructor version's solution regions are not in the student version.
        instructor = json.loads((tmp_path / "nbgrader" / "source" / a.name / a.student.name).read_text())
        regions = re.findall(r"### BEGIN SOLUTION\n(.*?)\n *### END SOLUTION",
                             "\n".join(source(c) for c in instructor["cells"]), re.DOTALL)
        assert len(regions) >= len(a.functions) and not any(region in code for region in regions), a.name
        assert sum(bool(c["metadata"].get("nbgrader", {}).get("solution")) for c in nb["cells"]) == a.exercises
