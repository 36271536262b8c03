"""Write the student version of every chapter's graded exercises with nbgrader (`make assignments`).

A chapter marks a graded exercise with nbgrader cell metadata (the rules are in the README, "Grading with
nbgrader"): a *starter* cell (``nbgrader.solution``) that defines the function the student writes, with a
signature, a docstring and a stub body, and an autograded *check* cell (``nbgrader.grade``, with points)
that calls a check function of ``nnlessons.checks`` on it. The worked solution sits in the book's
``{solution}`` dropdown and defines ``<function>_solution``, so Run All never replaces the student's function.

For each chapter with such cells this script builds nbgrader's *source* (instructor) version of the notebook:

- every sphinx-exercise solution (``{solution}`` directives and ``{solution-start}``...``{solution-end}``
  cells) is removed;
- in each starter cell, the stub body of every function after its docstring becomes the body of the book's
  ``<function>_solution``, between ``### BEGIN SOLUTION`` and ``### END SOLUTION``;
- in each check cell, the final call becomes ``assert <call>``: the book's check only prints its verdict,
  an autograded cell must raise to fail;

puts it into an nbgrader course directory (default ``_build/nbgrader``: source/, release/, gradebook.db;
it holds the solutions, so it is the instructor's) and runs ``nbgrader generate_assignment``, which replaces
each solution region by ``raise NotImplementedError()``, clears the outputs and locks the check cells. The
released notebook, the student version, is copied to ``_build/assignments/<chapter>.ipynb``.

Usage: python scripts/make_assignments.py [NOTEBOOK ...] [--out DIR] [--course DIR]
       (default: every notebook under book/ that has nbgrader-marked cells)
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
SOLUTION_SUFFIX = "_solution"
# A MyST directive fence: three or more backticks or colons, then the directive name in braces.
FENCE = re.compile(r"^[ \t]{0,3}(?P<fence>`{3,}|:{3,})\s*\{(?P<name>[\w-]+)\}")
COURSE_CONFIG = '''\
# nbgrader course directory written by `make assignments` (scripts/make_assignments.py).
# source/ holds the instructor versions WITH SOLUTIONS; release/ the student versions; gradebook.db the
# autograder's record. Run nbgrader here, e.g. `nbgrader autograde ch03-activation-functions`
# after putting submissions under submitted/<student>/<chapter>/<chapter>.ipynb.
c = get_config()  # noqa: F821 (defined by nbgrader when it reads this file)
'''


class MarkingError(ValueError):
    """A chapter's nbgrader marks do not follow the rules; the message names the notebook and the cell."""


@dataclass
class Assignment:
    name: str               # the notebook's stem, also nbgrader's assignment id
    exercises: int          # starter cells
    points: float           # total points of the check cells
    functions: list[str]    # the functions the student writes
    student: Path           # the released notebook


def text(source) -> str:
    return "".join(source) if isinstance(source, list) else str(source)


def nbgrader_meta(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_starter(cell: dict) -> bool:
    return cell["cell_type"] == "code" and bool(nbgrader_meta(cell).get("solution"))


def is_check(cell: dict) -> bool:
    return cell["cell_type"] == "code" and bool(nbgrader_meta(cell).get("grade"))


def is_marked(nb: dict) -> bool:
    return any(is_starter(c) or is_check(c) for c in nb["cells"])


def where(nb_name: str, cell: dict) -> str:
    return f"{nb_name}, cell {cell.get('id', '?')!r}"


def strip_solutions(cells: list[dict]) -> list[dict]:
    """The cells without sphinx-exercise solutions: ``{solution}`` directives are cut out of markdown
    cells, and everything from a ``{solution-start}`` directive to its ``{solution-end}`` is dropped
    (code cells included). Markdown cells left empty are dropped."""
    kept: list[dict] = []
    gated = False
    for cell in cells:
        if cell["cell_type"] != "markdown":
            if not gated:
                kept.append(cell)
            continue
        lines, out, closing = text(cell["source"]).splitlines(keepends=True), [], None
        for line in lines:
            if closing is not None:  # inside a {solution} directive: skip up to its closing fence
                if re.fullmatch(rf"[ \t]{{0,3}}{re.escape(closing[0])}{{{len(closing)},}}\s*", line):
                    closing = None
                continue
            match = FENCE.match(line)
            name = match["name"] if match else None
            if gated:
                if name == "solution-end":
                    gated, closing = False, match["fence"]  # drop the end directive's own fence too
                continue
            if name == "solution":
                closing = match["fence"]
            elif name == "solution-start":
                gated, closing = True, None
            else:
                out.append(line)
        if "".join(out).strip():
            kept.append({**cell, "source": "".join(out).strip("\n")})
    return kept


def functions_defined(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def docstring_end(node: ast.FunctionDef) -> int | None:
    """The last line of the function's docstring, or None if it has none."""
    first = node.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return first.end_lineno
    return None


def solution_body(node: ast.FunctionDef, lines: list[str], renames: dict[str, str]) -> str:
    """The body of a worked solution, without its docstring, dedented, with `f_solution` renamed to `f`."""
    end = docstring_end(node)
    start = end + 1 if end is not None and len(node.body) > 1 else node.body[0].lineno
    if node.body[0].lineno == node.lineno:
        raise MarkingError(f"{node.name}: write the body on its own lines, not after `def ...:`")
    body = textwrap.dedent("".join(lines[start - 1:node.end_lineno]))
    for old, new in renames.items():
        body = re.sub(rf"\b{re.escape(old)}\b", new, body)
    return body


def fill_starter(source: str, solutions: dict[str, str], label: str) -> str:
    """The starter cell with each stub body replaced by the worked solution inside BEGIN/END SOLUTION."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    functions = functions_defined(tree)
    if not functions:
        raise MarkingError(f"{label}: a starter cell must define the function the student writes (`def ...`)")
    # Replace from the bottom up so that the line numbers above stay valid.
    for name, node in sorted(functions.items(), key=lambda item: -item[1].lineno):
        end = docstring_end(node)
        if end is None:
            raise MarkingError(f"{label}: `{name}` needs a docstring that says what it returns")
        if len(node.body) > 1 and node.body[1].lineno == end:
            raise MarkingError(f"{label}: put the stub of `{name}` on a line of its own after the docstring")
        if name not in solutions:
            raise MarkingError(f"{label}: no worked solution defines `{name}{SOLUTION_SUFFIX}` "
                               f"(put it in the exercise's {{solution}} dropdown)")
        indent = " " * node.body[0].col_offset
        region = [indent + BEGIN + "\n", textwrap.indent(solutions[name], indent), indent + END + "\n"]
        lines[end:node.end_lineno] = region
    return "".join(lines).rstrip("\n")


def assert_last_call(source: str, label: str) -> str:
    """The check cell with its final call asserted, so that nbgrader sees a failing check as an error."""
    tree = ast.parse(source)
    last = tree.body[-1] if tree.body else None
    if isinstance(last, ast.Assert):
        return source
    if not (isinstance(last, ast.Expr) and isinstance(last.value, ast.Call)):
        raise MarkingError(f"{label}: a check cell must end with the call of a check function, "
                           f"e.g. `check_sigmoid(sigmoid)`")
    lines = source.splitlines(keepends=True)
    row, col = last.lineno - 1, last.col_offset
    lines[row] = lines[row][:col] + "assert " + lines[row][col:]
    return "".join(lines)


def source_notebook(nb: dict, nb_name: str) -> tuple[dict, list[str], float]:
    """nbgrader's source version of a marked chapter; also the functions asked for and the total points."""
    cells = nb["cells"]
    starters = [c for c in cells if is_starter(c)]
    checks = [c for c in cells if is_check(c)]
    for cell in cells:
        meta = nbgrader_meta(cell)
        if meta and cell["cell_type"] != "code":
            raise MarkingError(f"{where(nb_name, cell)}: only code cells are graded in this course")
        if meta.get("solution") and meta.get("grade"):
            raise MarkingError(f"{where(nb_name, cell)}: a cell is either the starter (solution) or the check "
                               f"(grade), not both")
        if meta and meta.get("schema_version") != 3:
            raise MarkingError(f"{where(nb_name, cell)}: nbgrader metadata needs schema_version 3")
    if not starters or not checks:
        raise MarkingError(f"{nb_name}: graded exercises need both a starter cell and a check cell "
                           f"({len(starters)} starter, {len(checks)} check cells marked)")

    asked: list[str] = []
    for cell in starters:
        asked += functions_defined(ast.parse(text(cell["source"]))).keys()
    renames = {name + SOLUTION_SUFFIX: name for name in asked}
    solutions: dict[str, str] = {}
    for cell in cells:
        if cell["cell_type"] != "code" or is_starter(cell) or is_check(cell):
            continue
        source = text(cell["source"])
        if not any(f"def {old}" in source for old in renames):
            continue
        lines = source.splitlines(keepends=True)
        for name, node in functions_defined(ast.parse(source)).items():
            if name in renames:
                if renames[name] in solutions:
                    raise MarkingError(f"{where(nb_name, cell)}: `{name}` is defined twice")
                solutions[renames[name]] = solution_body(node, lines, renames)

    out = copy.deepcopy(nb)
    out["cells"] = strip_solutions(out["cells"])
    for cell in out["cells"]:
        if cell["cell_type"] != "code":
            continue
        label = where(nb_name, cell)
        source = text(cell["source"])
        if is_starter(cell):
            source = fill_starter(source, solutions, label)
        elif is_check(cell):
            source = assert_last_call(source, label)
        else:
            leaked = [old for old in renames if re.search(rf"\b{re.escape(old)}\b", source)]
            if leaked:
                raise MarkingError(f"{label}: `{leaked[0]}` is used outside the solution dropdowns, "
                                   f"which the student version drops")
        cell["source"] = source
        cell["outputs"], cell["execution_count"] = [], None
    points = sum(float(nbgrader_meta(c).get("points", 0)) for c in checks)
    return out, asked, points


# `nbgrader generate_assignment` for several assignments in one process (nbgrader takes seconds to import):
# its Python API, as its command line uses it.
GENERATE = """
import sys
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory

api = NbGraderAPI(coursedir=CourseDirectory(root=sys.argv[1]))
for name in sys.argv[2:]:
    result = api.generate_assignment(name, force=True, create=True)
    if not result["success"]:
        sys.exit(f"nbgrader generate_assignment {name} failed:\\n{result.get('log', '')}{result.get('error', '')}")
"""


def generate(course: Path, names: list[str]) -> None:
    """Run nbgrader's generate_assignment in the course directory; on failure show its log and stop.

    nbgrader runs the `alembic` command of its environment, so that environment's bin/ goes first on PATH
    (make calls .venv/bin/python without activating the venv)."""
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    result = subprocess.run([sys.executable, "-c", GENERATE, str(course), *names], cwd=course, env=env,
                            capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"{result.stdout}{result.stderr}\nnbgrader failed (exit {result.returncode})")


def build(notebooks: list[Path], out: Path, course: Path) -> list[Assignment]:
    """Generate the student version of each marked notebook; return what was written."""
    marked = []
    for path in notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        if is_marked(nb):
            marked.append((path, nb))
    if not marked:
        return []
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(COURSE_CONFIG, encoding="utf-8")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path, nb in marked:  # every chapter's marks are checked before nbgrader runs
        name = path.stem
        source, functions, points = source_notebook(nb, path.name)
        folder = course / "source" / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        (folder / path.name).write_text(json.dumps(source, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(Assignment(name, sum(map(is_starter, nb["cells"])), points, functions, out / path.name))
    generate(course, [a.name for a in written])
    for a in written:
        shutil.copyfile(course / "release" / a.name / a.student.name, a.student)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="chapters (default: every notebook under book/)")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "assignments",
                        help="where the student versions go (default: _build/assignments)")
    parser.add_argument("--course", type=Path, default=ROOT / "_build" / "nbgrader",
                        help="the nbgrader course directory, with the solutions (default: _build/nbgrader)")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted(p for p in (ROOT / "book").rglob("*.ipynb")
                                         if ".ipynb_checkpoints" not in p.parts)
    try:
        written = build([p.resolve() for p in notebooks], args.out.resolve(), args.course.resolve())
    except MarkingError as error:
        print(f"make_assignments: {error}", file=sys.stderr)
        return 1
    if not written:
        print("No notebook has nbgrader-marked exercises: nothing to write.")
    for a in written:
        shown = a.student.relative_to(Path.cwd()) if a.student.is_relative_to(Path.cwd()) else a.student
        print(f"{a.name}: {a.exercises} graded exercise(s), {a.points:g} point(s) "
              f"({', '.join(a.functions)}) -> {shown}")
    if written:
        print(f"{len(written)} student version(s) in {args.out}; the instructor's course directory "
              f"(with solutions) is {args.course}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
