"""Keep the Colab install cell of every notebook in sync with `repository.url` in _config.yml.

The first code cell of every notebook in book/ installs `nnlessons` from the course repository when the
package is not importable (a fresh Colab runtime) and does nothing, printing nothing, anywhere else.
It carries the tags `colab-install` (how this script finds it) and `remove-cell` (the website hides it).

Usage:
    python scripts/sync_colab_cell.py           rewrite the cell where it differs (or insert it)
    python scripts/sync_colab_cell.py --check   exit 1 if any notebook is out of date
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TAG = "colab-install"
TAGS = [TAG, "remove-cell"]

TEMPLATE = '''\
# Installs the course package on Colab (or wherever it is missing); does nothing where it is installed.
import importlib.util

if importlib.util.find_spec("nnlessons") is None:
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    "nnlessons @ git+{url}"], check=True)
    importlib.invalidate_caches()'''


def repository_url(config: Path = ROOT / "_config.yml") -> str:
    """Return `repository.url` from the book's _config.yml, without a trailing slash."""
    with open(config, encoding="utf-8") as f:
        url = yaml.safe_load(f)["repository"]["url"]
    return str(url).rstrip("/")


def colab_cell_source(url: str) -> str:
    """Return the source of the Colab install cell for the repository at `url`."""
    return TEMPLATE.format(url=url)


def notebooks(book: Path = ROOT / "book") -> list[Path]:
    """Every notebook under book/, checkpoints excluded, in a stable order."""
    return sorted(p for p in book.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def sync(nb: dict, source: str) -> bool:
    """Make the first code cell of `nb` the install cell with `source`. Return True if `nb` changed."""
    code = [i for i, cell in enumerate(nb["cells"]) if cell["cell_type"] == "code"]
    if code and TAG in nb["cells"][code[0]].get("metadata", {}).get("tags", []):
        cell = nb["cells"][code[0]]
        if "".join(cell["source"]) == source and all(t in cell["metadata"]["tags"] for t in TAGS):
            return False
        # The cell prints nothing wherever nnlessons is installed, so its stored state stays valid.
        cell["source"] = source
        cell["metadata"]["tags"] = TAGS + [t for t in cell["metadata"]["tags"] if t not in TAGS]
        cell["outputs"] = []
        return True
    # A new cell shifts the execution counts of the cells below: `make outputs` renumbers them.
    cell = {"cell_type": "code", "execution_count": None, "metadata": {"tags": list(TAGS)},
            "outputs": [], "source": source}
    if nb.get("nbformat_minor", 0) >= 5:
        cell["id"] = TAG
    nb["cells"].insert(code[0] if code else len(nb["cells"]), cell)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report notebooks that are out of date")
    args = parser.parse_args(argv)
    source = colab_cell_source(repository_url())
    stale, inserted = [], []
    for path in notebooks():
        nb = json.loads(path.read_text(encoding="utf-8"))
        before = len(nb["cells"])
        if sync(nb, source):
            if len(nb["cells"]) > before:
                inserted.append(str(path.relative_to(ROOT)))
            stale.append(path.relative_to(ROOT))
            if not args.check:
                import nbformat  # slow to import (2 s), so only when a notebook is written

                nbformat.write(nbformat.from_dict(nb), path)
    for path in stale:
        print(f"{'out of date' if args.check else 'updated'}: {path}")
    if inserted and not args.check:
        print("Install cell added; run `make outputs` to re-execute:", *inserted)
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
