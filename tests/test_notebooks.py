"""Hygiene of the course notebooks: what strict nbval does not check.

nbval proves that the stored outputs are what the code prints now; these tests check that the stored
notebooks are fit to be built into the website and committed: run top to bottom in the right kernel, no
errors or warnings, nothing of the author's machine (no Python version in the metadata either: a save in
JupyterLab would write the same), the Colab install cell, listed in the table of contents, and alt text for
every figure. They read JSON only, so they take well under a second.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import json
import re
from pathlib import Path

import nbformat
import pytest
import traitlets.config

from toc import toc_files

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
NOTEBOOKS = sorted(p for p in BOOK.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
IDS = [str(p.relative_to(BOOK)) for p in NOTEBOOKS]

MAX_IGNORED_OUTPUT = 0.15
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# MyST-NB's priority for the html builder, with the live widget view removed as in _config.yml:
# the first of these present in an output is what the website shows.
HTML_PRIORITY = ["application/javascript", "text/html", "image/svg+xml", "image/png", "image/gif",
                 "image/jpeg", "text/markdown", "text/latex", "text/plain"]
TEXT_MIMES = ("text/plain", "text/html", "text/markdown", "text/latex", "application/javascript")
DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")
MACHINE_PATH = re.compile(r"(/work/|/home/|/tmp/|/root/|/Users/|[A-Za-z]:\\\\?Users)")
TIMESTAMP = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|\b\d{2}:\d{2}:\d{2}\b")
IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
ALT_ATTR = re.compile(r"""\balt\s*=\s*("[^"]*\S[^"]*"|'[^']*\S[^']*')""", re.IGNORECASE)
EMPTY_MD_ALT = re.compile(r"!\[\s*\]\(")


@functools.lru_cache(maxsize=None)
def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(path: Path) -> list[dict]:
    return [c for c in load(path)["cells"] if c["cell_type"] == "code"]


def text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def tags(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def where(path: Path, cell: dict) -> str:
    """Name a cell for an error message: notebook, cell number and first line of source."""
    number = load(path)["cells"].index(cell) + 1
    first = text(cell["source"]).strip().splitlines()[:1] or [""]
    return f"{path.relative_to(BOOK)}, cell {number} ({first[0][:60]!r})"


def output_texts(cell: dict):
    """Yield every textual output of a cell (streams, tracebacks, text MIME types)."""
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            yield text(out["text"])
        elif out["output_type"] == "error":
            yield "\n".join(out.get("traceback", []))
        else:
            for mime in TEXT_MIMES:
                if mime in out.get("data", {}):
                    yield text(out["data"][mime])


def shown_mime(output: dict) -> str | None:
    """The MIME type of a display output that the website shows."""
    return next((m for m in HTML_PRIORITY if m in output.get("data", {})), None)


def load_sync_script():
    spec = importlib.util.spec_from_file_location("sync_colab_cell", ROOT / "scripts" / "sync_colab_cell.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_notebook_and_page_is_in_the_toc_and_every_entry_exists():
    entries = toc_files()
    missing = [e for e in entries if not any((ROOT / e).with_suffix(s).is_file() for s in (".ipynb", ".md"))]
    assert not missing, f"_toc.yml names pages that do not exist: {missing}"
    pages = sorted(p for p in BOOK.rglob("*") if p.suffix in (".ipynb", ".md")
                   and ".ipynb_checkpoints" not in p.parts)
    listed = {(ROOT / e).with_suffix("") for e in entries}
    unlisted = [str(p.relative_to(ROOT)) for p in pages if p.with_suffix("") not in listed]
    assert not unlisted, f"pages in book/ missing from _toc.yml: {unlisted}"


@pytest.fixture(params=NOTEBOOKS, ids=IDS)
def nb_path(request) -> Path:
    return request.param


def test_kernel_is_python3(nb_path):
    name = load(nb_path)["metadata"].get("kernelspec", {}).get("name")
    assert name == "python3", f"{nb_path.name}: kernelspec name is {name!r}, expected 'python3'"


def test_run_top_to_bottom_with_outputs(nb_path):
    cells = code_cells(nb_path)
    counts = [c.get("execution_count") for c in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        f"{nb_path.name}: execution counts are {counts}; run `make outputs` (or restart and run all)")
    assert any(c.get("outputs") for c in cells), f"{nb_path.name}: no cell has an output"


def test_no_widget_state_stored(nb_path):
    assert "widgets" not in load(nb_path)["metadata"], (
        f"{nb_path.name}: widget state is stored in the metadata; run `make outputs`")


def test_no_skipped_cells_and_few_ignored_outputs(nb_path):
    cells = code_cells(nb_path)
    skipped = [where(nb_path, c) for c in cells if "nbval-skip" in tags(c)]
    assert not skipped, f"nbval-skip is not allowed (strict nbval runs every cell): {skipped}"
    ignored = [c for c in cells if "nbval-ignore-output" in tags(c)]
    assert len(ignored) <= MAX_IGNORED_OUTPUT * len(cells), (
        f"{nb_path.name}: {len(ignored)} of {len(cells)} code cells carry nbval-ignore-output "
        f"(at most {MAX_IGNORED_OUTPUT:.0%}); make the outputs deterministic instead")


def test_no_errors_or_warnings_in_outputs(nb_path):
    problems = []
    for cell in code_cells(nb_path):
        for out in cell.get("outputs", []):
            if out["output_type"] == "error" and "raises-exception" not in tags(cell):
                problems.append(f"{where(nb_path, cell)}: {out['ename']}: {out['evalue']}")
            if out["output_type"] == "stream" and out["name"] == "stderr":
                problems.append(f"{where(nb_path, cell)}: stderr: {text(out['text']).strip()[:200]}")
    assert not problems, "errors or warnings in stored outputs:\n" + "\n".join(problems)


def test_no_machine_paths_or_timestamps_in_outputs(nb_path):
    problems = []
    for cell in code_cells(nb_path):
        for value in output_texts(cell):
            value = DATA_URI.sub("data:...", value)  # base64 can spell "/tmp/" by chance
            for pattern, what in ((MACHINE_PATH, "machine path"), (TIMESTAMP, "timestamp")):
                match = pattern.search(value)
                if match:
                    context = value[max(0, match.start() - 40):match.end() + 40].replace("\n", " ")
                    problems.append(f"{where(nb_path, cell)}: {what} in output: ...{context}...")
    assert not problems, "\n".join(problems)


def test_first_code_cell_is_the_colab_install_cell(nb_path):
    sync = load_sync_script()
    cells = code_cells(nb_path)
    assert cells, f"{nb_path.name} has no code cell"
    first = cells[0]
    expected = sync.colab_cell_source(sync.repository_url())
    assert sync.TAG in tags(first) and text(first["source"]) == expected, (
        f"{nb_path.name}: the first code cell is not the Colab install cell for repository.url in "
        f"_config.yml; run `make sync-url` then `make outputs`")
    assert not first.get("outputs"), f"{nb_path.name}: the Colab install cell printed something"


def test_reader_sees_no_assert_or_answer_key(nb_path):
    """Checks that keep prose and numbers honest, and quiz answer keys, live in cells the site removes."""
    shown = [where(nb_path, c) for c in code_cells(nb_path)
             if not {"remove-cell", "remove-input"} & set(tags(c))
             and (re.search(r"^\s*assert\b", text(c["source"]), re.M)
                  or re.search(r"\banswer\s*=", text(c["source"])))]
    assert not shown, f"visible code with an assert or an answer key: {shown}"


def test_worked_solutions_start_hidden_in_jupyter(nb_path):
    """Code inside a {solution-start} ... {solution-end} dropdown starts collapsed in JupyterLab."""
    inside, shown = False, []
    for cell in load(nb_path)["cells"]:
        source = text(cell["source"])
        if cell["cell_type"] == "markdown":
            inside = (inside or "{solution-start}" in source) and "{solution-end}" not in source
        elif inside and not cell["metadata"].get("jupyter", {}).get("source_hidden"):
            shown.append(where(nb_path, cell))
    assert not shown, f"solution code shown before the student opens it (set jupyter.source_hidden): {shown}"


def test_every_figure_has_alt_text(nb_path):
    """A figure's alt text lives in its cell's metadata, `"mystnb": {"image": {"alt": "..."}}`.

    MyST-NB puts it on the <img> of the website. HTML outputs (explorers) carry their own alt attribute.
    """
    problems = []
    for cell in load(nb_path)["cells"]:
        if cell["cell_type"] == "markdown":
            source = text(cell["source"])
            if EMPTY_MD_ALT.search(source) or any(not ALT_ATTR.search(t) for t in IMG_TAG.findall(source)):
                problems.append(f"{where(nb_path, cell)}: a markdown image without alt text")
            continue
        if cell["cell_type"] != "code" or {"remove-output", "remove-cell"} & set(tags(cell)):
            continue
        alt = cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt", "")
        for out in cell.get("outputs", []):
            mime = shown_mime(out)
            if mime and mime.startswith("image/") and not str(alt).strip():
                problems.append(f"{where(nb_path, cell)}: a figure without alt text "
                                f'(add "mystnb": {{"image": {{"alt": "..."}}}} to the cell metadata)')
            if mime == "text/html":
                bare = [t[:80] for t in IMG_TAG.findall(text(out["data"][mime])) if not ALT_ATTR.search(t)]
                if bare:
                    problems.append(f"{where(nb_path, cell)}: <img> without alt text in HTML output: {bare}")
    assert not problems, "\n".join(problems)


def test_no_live_widget_views_stored(nb_path):
    """A live widget's view has a random model id and no state without a kernel: `make outputs` drops it
    and keeps the explorer's static text/html version, which the website shows."""
    live = [where(nb_path, c) for c in code_cells(nb_path) for out in c.get("outputs", [])
            if WIDGET_VIEW in out.get("data", {})]
    assert not live, f"live widget views stored (run `make outputs` to keep only the static version): {live}"


def load_save_hook():
    """The pre-save hook of .jupyter/jupyter_server_config.py (what `make lab` runs on every save)."""
    namespace = {"get_config": traitlets.config.Config}
    exec(compile((ROOT / ".jupyter" / "jupyter_server_config.py").read_text(encoding="utf-8"),
                 "jupyter_server_config.py", "exec"), namespace)
    assert namespace["c"].ContentsManager.pre_save_hook is namespace["drop_machine_metadata"]
    return namespace["drop_machine_metadata"]


def saved_metadata(metadata: dict) -> dict:
    """Notebook metadata as a JupyterLab save under `make lab` writes it."""
    model = {"type": "notebook", "content": {"metadata": copy.deepcopy(metadata), "cells": []}}
    load_save_hook()(model=model, path="x.ipynb", contents_manager=None)
    return model["content"]["metadata"]


def test_metadata_is_what_a_save_writes(nb_path):
    """Opening a notebook makes JupyterLab copy the kernel's language_info and kernelspec into its metadata,
    and a save writes them (less the Python version, which the save hook drops): stored metadata that
    differs from that would show as a diff in a student's clone after merely opening the chapter."""
    from ipykernel.ipkernel import IPythonKernel
    from ipykernel.kernelspec import get_kernel_dict

    spec = get_kernel_dict()
    kernel = {"kernelspec": {"display_name": spec["display_name"], "language": spec["language"],
                             "name": "python3"},
              "language_info": copy.deepcopy(IPythonKernel.language_info)}
    expected = saved_metadata(kernel)
    assert "version" not in expected["language_info"]
    stored = {key: load(nb_path)["metadata"].get(key) for key in expected}
    assert stored == expected, (
        f"{nb_path.name}: the stored kernelspec/language_info differ from what a save in JupyterLab writes; "
        f"run `make outputs`:\n stored {stored}\n a save {expected}")


def test_save_hook_drops_the_python_version_only_and_make_outputs_agrees():
    from ipykernel.ipkernel import IPythonKernel

    spec = importlib.util.spec_from_file_location("run_notebooks", ROOT / "scripts" / "run_notebooks.py")
    run_notebooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run_notebooks)
    info = {**IPythonKernel.language_info, "version": "3.99.1"}
    metadata = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
                "language_info": info, "mystnb": {"kept": True}}
    saved = saved_metadata(metadata)
    assert saved["language_info"] == {k: v for k, v in info.items() if k != "version"}
    assert saved["kernelspec"] == metadata["kernelspec"] and saved["mystnb"] == {"kept": True}
    nb = nbformat.v4.new_notebook(metadata=copy.deepcopy(metadata))
    run_notebooks.normalise(nb)
    assert nb.metadata == saved, "make outputs and a save in JupyterLab store different metadata"

    other = {"type": "file", "content": "language_info version", "format": "text"}
    load_save_hook()(model=other, path="notes.txt", contents_manager=None)
    assert other["content"] == "language_info version"


def test_colab_cell_installs_the_package_only_when_it_is_missing(monkeypatch, capsys):
    sync = load_sync_script()
    source = sync.colab_cell_source("https://example.org/fork/nnlessons")
    calls = []
    monkeypatch.setattr("subprocess.run", lambda cmd, **kw: calls.append(cmd))

    monkeypatch.setattr("importlib.util.find_spec", lambda name: object())  # importable: nothing happens
    exec(compile(source, "colab-cell", "exec"), {})
    assert calls == [] and capsys.readouterr() == ("", "")

    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)  # missing: pip installs the fork
    exec(compile(source, "colab-cell", "exec"), {})
    assert len(calls) == 1 and calls[0][-1] == "nnlessons @ git+https://example.org/fork/nnlessons"
    assert calls[0][1:4] == ["-m", "pip", "install"]


def test_sync_inserts_the_colab_cell_before_the_first_code_cell_and_is_idempotent():
    sync = load_sync_script()
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
          "cells": [{"cell_type": "markdown", "id": "t", "metadata": {}, "source": "# Title"},
                    {"cell_type": "code", "id": "c", "metadata": {}, "execution_count": 1, "outputs": [],
                     "source": "x = 1"}]}
    source = sync.colab_cell_source("https://example.org/a")
    assert sync.sync(nb, source)
    assert [c.get("id") for c in nb["cells"]] == ["t", sync.TAG, "c"]
    assert not sync.sync(nb, source)
    assert sync.sync(nb, sync.colab_cell_source("https://example.org/b"))  # a new URL rewrites the cell
    assert len(nb["cells"]) == 3 and "example.org/b" in nb["cells"][1]["source"]
