"""Small Sphinx fixes for the course website (a local extension loaded from _config.yml).

Sphinx 7.4 registers an inline script added after the builder starts (sphinx-thebe's and
sphinx-togglebutton's configuration) twice, once with filename None and once with '' (see
`StandaloneHTMLBuilder.prepare_writing`). The second copy re-declares `const THEBE_JS_URL`, an error
in the browser console of every page. This extension drops the duplicates before each page is written.
"""

from __future__ import annotations


def _key(asset) -> tuple:
    attributes = tuple(sorted((k, str(v)) for k, v in getattr(asset, "attributes", {}).items()))
    return (getattr(asset, "filename", asset) or "", attributes)


def dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for asset in scripts:
        key = _key(asset)
        if key not in seen:
            seen.add(key)
            unique.append(asset)
    scripts[:] = unique


def setup(app):
    app.connect("html-page-context", dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
