"""What the static versions of explorers and quizzes share: colours, the "run this cell" note, safe JSON.

A static explorer or quiz is one HTML fragment with an inline ``<script>``. It must work in four places:
the website (the script runs as the page loads), a trusted notebook in JupyterLab (the script runs when
the output is shown), Colab and VS Code. In an untrusted notebook (every fresh clone) JupyterLab
sanitizes the HTML: ``<script>``, ``<style>``, ``on*`` and ``aria-*`` attributes are removed, while
``class``, ``id``, ``hidden``, ``disabled`` and ``style`` attributes stay. So:

- the controls start ``disabled`` and a note says why (:func:`untrusted_note`, plain markup with inline
  styles); the script enables the controls and removes the note, so a reader whose page runs the
  script (and a screen reader) never meets it;
- the colours are CSS custom properties with light and dark values (:data:`THEME_CSS`), read by the
  pydata-sphinx-theme switch (``html[data-theme]``), by JupyterLab's theme (``body[data-jp-theme-light]``),
  by VS Code (``body.vscode-dark``) and otherwise by ``prefers-color-scheme``.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

__all__ = ["THEME_CSS", "SR_ONLY", "json_for_script", "inline_script", "untrusted_note", "plain_text", "spoken"]

_LIGHT = {
    "fg": "#1f2328", "muted": "#57606a", "panel": "#f6f8fa", "button": "#ffffff", "button-hover": "#eaeef2",
    "border": "#6e7781", "focus": "#0550ae", "ok": "#116329", "bad": "#a40e26", "note": "#8a4600",
    "code-fg": "#1f2328", "code-bg": "#e4e8ec",
}
_DARK = {
    "fg": "#e6edf3", "muted": "#9da7b3", "panel": "#161b22", "button": "#21262d", "button-hover": "#30363d",
    "border": "#8b949e", "focus": "#79c0ff", "ok": "#56d364", "bad": "#ff8e86", "note": "#f0b072",
    "code-fg": "#e6edf3", "code-bg": "#343b45",
}
_ROOTS = ".nnl-quiz, .nnl-explorer"


def _vars(palette: dict[str, str]) -> str:
    return " ".join(f"--nnl-{k}: {v};" for k, v in palette.items())


def _scoped(prefixes: list[str]) -> str:
    return ", ".join(f"{p} {r.strip()}" for p in prefixes for r in _ROOTS.split(","))


_DARK_PAGES = ['html[data-theme="dark"]', 'body[data-jp-theme-light="false"]', "body.vscode-dark"]
_LIGHT_PAGES = ['html[data-theme="light"]', 'body[data-jp-theme-light="true"]', "body.vscode-light"]

THEME_CSS = f"""{_ROOTS} {{ {_vars(_LIGHT)} color: var(--nnl-fg); }}
@media (prefers-color-scheme: dark) {{ {_ROOTS} {{ {_vars(_DARK)} }} {_scoped(_LIGHT_PAGES)} {{ {_vars(_LIGHT)} }} }}
{_scoped(_DARK_PAGES)} {{ {_vars(_DARK)} }}
.nnl-quiz, .nnl-explorer {{ background: var(--nnl-panel); border: 1px solid var(--nnl-border);
  border-radius: 8px; padding: 0.6em 0.9em; margin: 0.8em 0; max-width: 100%; box-sizing: border-box; }}
.nnl-quiz code, .nnl-explorer code {{ color: var(--nnl-code-fg); background: var(--nnl-code-bg);
  border-radius: 3px; padding: 0.05em 0.3em; }}
.nnl-quiz button {{ font: inherit; color: var(--nnl-fg); background: var(--nnl-button);
  border: 1px solid var(--nnl-border); border-radius: 6px; padding: 0.35em 0.75em; min-height: 2.5em;
  cursor: pointer; text-align: left; }}
.nnl-quiz button:hover:not(:disabled) {{ background: var(--nnl-button-hover); }}
.nnl-quiz button:focus-visible, .nnl-quiz input:focus-visible, .nnl-explorer input:focus-visible {{
  outline: 3px solid var(--nnl-focus); outline-offset: 2px; }}
.nnl-quiz button:disabled, .nnl-quiz input:disabled, .nnl-explorer input:disabled {{ cursor: not-allowed; opacity: 0.6; }}
.nnl-quiz input[type="text"] {{ font: inherit; color: var(--nnl-fg); background: var(--nnl-button);
  border: 1px solid var(--nnl-border); border-radius: 6px; padding: 0.35em 0.5em; min-height: 2.5em;
  box-sizing: border-box; max-width: 100%; }}
.nnl-choice {{ display: flex; align-items: baseline; column-gap: 0; width: 100%; margin: 0.3em 0; }}
.nnl-choice .nnl-letter {{ font-weight: 600; min-width: 1.2em; }}
.nnl-choice .nnl-option {{ flex: 1 1 auto; }}
.nnl-choice .nnl-mark {{ font-weight: 600; white-space: nowrap; margin-left: 0.6em; }}
.nnl-choice[aria-pressed="true"] {{ border-width: 2px; box-shadow: 0 0 0 1px var(--nnl-fg) inset; }}
.nnl-choice[data-nnl-state="wrong"] {{ border-color: var(--nnl-bad); }}
.nnl-choice[data-nnl-state="wrong"] .nnl-mark {{ color: var(--nnl-bad); }}
.nnl-choice[data-nnl-state="right"] {{ border-color: var(--nnl-ok); border-width: 2px; }}
.nnl-choice[data-nnl-state="right"] .nnl-mark {{ color: var(--nnl-ok); }}
.nnl-feedback:not(:empty) {{ margin-top: 0.5em; padding: 0.4em 0.6em; border-left: 4px solid var(--nnl-border); }}
.nnl-feedback[data-nnl-status="right"], .nnl-feedback[data-nnl-status="answer"] {{ border-left-color: var(--nnl-ok); }}
.nnl-feedback[data-nnl-status="wrong"], .nnl-feedback[data-nnl-status="invalid"] {{ border-left-color: var(--nnl-bad); }}
.nnl-precision {{ color: var(--nnl-muted); }}
.nnl-question + .nnl-question {{ border-top: 1px solid var(--nnl-border); padding-top: 0.6em; }}
.nnl-explorer input[type="range"] {{ accent-color: var(--nnl-focus); vertical-align: middle;
  width: min(16em, 55vw); min-height: 1.8em; }}
.nnl-explorer img {{ background: #ffffff; }}"""
"""The stylesheet every static explorer and quiz carries (scoped to its own classes)."""

SR_ONLY = ("position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;"
           "clip:rect(0,0,0,0);white-space:nowrap;border:0")
"""Inline style of text meant for screen readers only (inline, so that it survives the sanitizer)."""


def json_for_script(data: Any) -> str:
    """JSON that is safe inside an inline <script> (no '</script>' or '<!--' can appear)."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_SCRIPT_START = """(function () {
  var root = document.getElementById(%(id)s);
  if (!root || root.getAttribute("data-nnl-ready")) return;
  root.setAttribute("data-nnl-ready", "1");
  var cfg = %(cfg)s;
  var note = root.querySelector(".nnl-untrusted");
  if (note) note.parentNode.removeChild(note);
"""


def inline_script(root_id: str, cfg: Any, body: str) -> str:
    """The ``<script>`` of a static explorer or quiz: ``body`` (JavaScript) run once for the element ``root_id``.

    Before ``body`` runs, ``root`` is the element and ``cfg`` the data (``cfg`` as JSON); the
    :func:`untrusted_note` is removed. The script runs at most once per element, however many times the
    output is shown.
    """
    start = _SCRIPT_START % {"id": json_for_script(root_id), "cfg": json_for_script(cfg)}
    return f"<script>\n{start}{body}\n}})();\n</script>"


def untrusted_note(what: str) -> str:
    """The note shown while the script has not run: visible with or without the stylesheet."""
    return (
        '<p class="nnl-untrusted" style="margin:0.3em 0 0.6em;padding:0.3em 0.6em;'
        'border-left:4px solid #b35900;font-size:0.95em">'
        f"&#9888; {what} work once you run this cell (or trust the notebook). "
        "Until then they do nothing.</p>"
    )


def plain_text(fragment: str) -> str:
    """An HTML fragment reduced to plain text (tags removed, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


_TEX_WORDS = [
    (r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"\1 over \2"), (r"\\tfrac\{([^{}]*)\}\{([^{}]*)\}", r"\1 over \2"),
    (r"\\sqrt\{([^{}]*)\}", r"square root of \1"),
    (r"\^\{([^{}]*)\}", r" to the power \1"), (r"\^(\w)", r" to the power \1"),
    (r"_\{([^{}]*)\}", r" sub \1"), (r"_(\w)", r" sub \1"),
    (r"\\(max|min|tanh|sinh|cosh|exp|log|ln|sin|cos)\b", r"\1"),
    (r"\\(sigma|alpha|beta|gamma|delta|epsilon|lambda|mu|theta|eta|partial)\b", r"\1"),
    (r"\\(cdot|times)\b", " times "), (r"\\le(q)?\b", " at most "), (r"\\ge(q)?\b", " at least "),
    (r"\\[,;:! ]", " "), (r"\\(left|right)\b", ""), (r"\\[a-zA-Z]+", ""),
    (r"(\w)\(", r"\1 of ("), (r"=", " equals "), (r"-", " minus "), (r"\+", " plus "),
]


def spoken(fragment: str) -> str:
    """A spoken form of an HTML fragment with TeX math, for an ``aria-label``.

    ``\\(g(t) = \\max(0, t)\\)`` becomes ``g of (t) equals max of (0, t)``. Good enough for short
    formulas; give a question option an explicit ``label`` when it is not.
    """
    text = plain_text(fragment)

    def words(match: re.Match) -> str:
        tex = match.group(1)
        for pattern, repl in _TEX_WORDS:
            tex = re.sub(pattern, repl, tex)
        return tex.replace("{", "").replace("}", "")

    text = re.sub(r"\\\((.*?)\\\)", words, text, flags=re.S)
    return re.sub(r"\s+", " ", text).strip()
