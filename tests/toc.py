"""The documents of the book, as _toc.yml lists them (shared by the notebook and the site tests)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def expand_glob(pattern: str) -> list[str]:
    """The documents a `glob:` entry of _toc.yml names, without suffix, in sorted order."""
    paths = [p for suffix in (".ipynb", ".md") for p in ROOT.glob(pattern + suffix)]
    return sorted(str(p.relative_to(ROOT).with_suffix("")) for p in paths
                  if ".ipynb_checkpoints" not in p.parts)


def toc_files() -> list[str]:
    """Every document named in _toc.yml, e.g. 'book/intro', in order, without suffix."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            found.extend(str(node[k]) for k in ("root", "file") if k in node)
            if "glob" in node:  # e.g. book/ch*: every chapter, in sorted order
                found.extend(expand_glob(node["glob"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8")))
    return found
