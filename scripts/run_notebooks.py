"""Re-execute notebooks in place so that their stored outputs are those of the current code.

Each notebook runs top to bottom in a fresh `python3` kernel of this Python environment (the .venv),
with book/ as working directory. The result is deterministic, so running it twice leaves no diff:
no execution timings, no widget state or live widget views (random ids) and no Python version are stored,
and stdout chunks are merged (the kernel splits them by timing). Cells tagged
`raises-exception` may raise; any other error stops that notebook, which is then left unchanged.

Usage: python scripts/run_notebooks.py [NOTEBOOK ...]   (default: every notebook under book/)
Set NNLESSONS_PROGRESS=0 (the Makefile does) so training loops draw no progress bar.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import ipykernel.kernelspec
import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
KERNEL_NAME = "python3"
TIMEOUT = 600  # seconds per cell
VOLATILE_CELL_METADATA = ("execution", "ExecuteTime")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class CurrentEnvKernelSpecManager(KernelSpecManager):
    """Resolve the kernel `python3` to the ipykernel of this interpreter, whatever else is installed."""

    def get_kernel_spec(self, kernel_name):
        if kernel_name == KERNEL_NAME:
            return self.kernel_spec_class(resource_dir=ipykernel.kernelspec.RESOURCES,
                                          **ipykernel.kernelspec.get_kernel_dict())
        return super().get_kernel_spec(kernel_name)


def read(path: Path) -> nbformat.NotebookNode:
    """Read a notebook, giving cells without an id a stable one (nbformat would draw a random one)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    if (raw["nbformat"], raw["nbformat_minor"]) >= (4, 5):
        for i, cell in enumerate(raw["cells"]):
            cell.setdefault("id", f"cell-{i}")
    return nbformat.reads(json.dumps(raw), as_version=4)


def normalise(nb: nbformat.NotebookNode) -> None:
    """Drop what differs between runs or machines.

    A live widget's view (random model id, and no state to show it without a kernel) is dropped from the
    outputs; an explorer keeps its static text/html version, which JupyterLab, Colab and the website show
    until the cell is run again.
    """
    nb.metadata.pop("widgets", None)
    # The kernel's language_info less the Python version: what a save in `make lab` writes too (the pre-save
    # hook in .jupyter/jupyter_server_config.py drops the version), so opening a chapter changes nothing.
    nb.metadata.setdefault("language_info", {}).pop("version", None)
    kernelspec = nb.metadata.setdefault("kernelspec", {})
    kernelspec.update(name=KERNEL_NAME, display_name="Python 3 (ipykernel)", language="python")
    for cell in nb.cells:
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)
        if "outputs" in cell:
            cell.outputs = coalesce_streams(cell.outputs)


def coalesce_streams(outputs: list) -> list:
    """Merge consecutive stdout (or stderr) chunks: how the kernel split them depends on timing."""
    merged: list = []
    for output in outputs:
        prev = merged[-1] if merged else None
        if (output.get("output_type") == "stream" and prev is not None
                and prev.get("output_type") == "stream" and prev.get("name") == output.get("name")):
            prev["text"] = prev["text"] + output["text"]
        else:
            merged.append(output)
    return merged


def committed_sources(path: Path) -> dict[str, str]:
    """Cell id -> source of the notebook as committed (git HEAD); empty when it is new or git is missing."""
    try:
        text = subprocess.run(["git", "show", f"HEAD:{path.relative_to(ROOT).as_posix()}"], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout
    except (OSError, ValueError, subprocess.CalledProcessError):
        return {}
    cells = json.loads(text).get("cells", [])
    return {c.get("id"): "".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells}


def run(path: Path, refresh_timings: bool = False) -> tuple[Path, float, str | None]:
    """Execute one notebook in place. Return its path, the time taken and an error message or None.

    Cells tagged `nbval-ignore-output` (timings: different on every run) keep their stored output when
    their source is the committed one (git HEAD), so that running this twice leaves no diff; an edited
    timing cell is re-recorded, and `refresh_timings` re-records them all.
    """
    start = time.perf_counter()
    nb = read(path)
    committed = committed_sources(path)
    kept = {} if refresh_timings else {
        cell.id: (cell.source, cell.outputs) for cell in nb.cells
        if cell.cell_type == "code" and "nbval-ignore-output" in cell.metadata.get("tags", []) and cell.outputs
        and committed.get(cell.get("id")) == cell.source
    }
    km = KernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=CurrentEnvKernelSpecManager())
    client = NotebookClient(nb, km=km, timeout=TIMEOUT, kernel_name=KERNEL_NAME,
                            record_timing=False, store_widget_state=False,
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute(stderr=subprocess.DEVNULL)  # the kernel's own log, not the cells' stderr
    except CellExecutionError as exc:
        return path, time.perf_counter() - start, str(exc)
    for cell in nb.cells:
        if cell.get("id") in kept and kept[cell.id][0] == cell.source:
            cell.outputs = kept[cell.id][1]
    normalise(nb)
    nbformat.validate(nb)
    text = nbformat.writes(nb) + "\n"
    if path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path, time.perf_counter() - start, None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("-j", "--jobs", type=int, default=2, help="notebooks run at once (default 2)")
    parser.add_argument("--refresh-timings", action="store_true",
                        help="also re-record the outputs of cells tagged nbval-ignore-output (timings)")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(p for p in (ROOT / "book").rglob("*.ipynb")
                                     if ".ipynb_checkpoints" not in p.parts)
    failed = 0
    with ProcessPoolExecutor(max_workers=max(1, min(args.jobs, len(paths)))) as pool:
        for path, seconds, error in pool.map(run, [p.resolve() for p in paths], [args.refresh_timings] * len(paths)):
            name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            print(f"{seconds:6.1f} s  {name}{'  FAILED' if error else ''}", flush=True)
            if error:
                failed += 1
                print(error, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
