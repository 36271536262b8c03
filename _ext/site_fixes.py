"""Small Sphinx fixes for the course website (a local extension loaded from _config.yml).

1. Sphinx 7.4 registers an inline script added after the builder starts (sphinx-thebe's and
   sphinx-togglebutton's configuration) twice, once with filename None and once with '' (see
   `StandaloneHTMLBuilder.prepare_writing`). The second copy re-declares `const THEBE_JS_URL`, an error
   in the browser console of every page. `dedupe_scripts` drops the duplicates before each page is written.
2. The text cites author-year ({cite:t} with `bibtex_reference_style: author_year`), so the bibliography is
   labelled the same way: the pybtex style `nnl_author_year` is BibTeX's `plain` (entries sorted by
   author, year, title) with labels such as "Paszke et al., 2019" instead of numbers; an entry without a
   year is labelled by its authors alone ("Zhao").
3. Docutils writes a bibliography as `<div role="list">` whose entries have `role="doc-biblioentry"`, a
   role that ARIA deprecated and that is not a list item (axe: aria-required-children, serious).
   `list_item_roles` gives the entries `role="listitem"`.
"""

from __future__ import annotations

import re
from collections import Counter

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting.author_year_title import SortingStyle as AuthorYearTitleSorting


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


def _last_name(person) -> str:
    """A person's last name as plain text, LaTeX accents decoded ("M{\\"u}ller" -> "Müller")."""
    return Text.from_latex(" ".join(person.prelast_names + person.last_names)).render_as("text")


class AuthorYearLabelStyle(BaseLabelStyle):
    """Labels "Cybenko, 1989", "Glorot and Bengio, 2010", "He et al., 2015"; "a", "b" added to repeats."""

    def format_label(self, entry) -> str:
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [_last_name(p) for p in people]
        if not names:
            who = entry.fields.get("organization") or entry.fields.get("title", entry.key)
        elif len(names) == 1:
            who = names[0]
        elif len(names) == 2:
            who = f"{names[0]} and {names[1]}"
        else:
            who = f"{names[0]} et al."
        year = entry.fields.get("year", "")
        return f"{who}, {year}" if year else who

    def format_labels(self, sorted_entries):
        labels = [self.format_label(entry) for entry in sorted_entries]
        count, seen = Counter(labels), Counter()
        for label in labels:
            if count[label] == 1:
                yield label
            else:
                yield label + chr(ord("a") + seen[label])
                seen[label] += 1


class AuthorYearSorting(AuthorYearTitleSorting):
    """BibTeX's author-year-title order, ignoring the braces of a corporate author ({ML Glossary ...})."""

    def person_key(self, person) -> str:
        return super().person_key(person).replace("{", "").replace("}", "")


class AuthorYearStyle(PlainStyle):
    default_label_style = "nnl_author_year"
    default_sorting_style = "nnl_author_year"


_BIBLIOENTRY = re.compile(r'(<div class="citation"[^>]*?) role="doc-biblioentry"')


def list_item_roles(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body")
    if body and "doc-biblioentry" in body:
        context["body"] = _BIBLIOENTRY.sub(r'\1 role="listitem"', body)


def setup(app):
    register_plugin("pybtex.style.labels", "nnl_author_year", AuthorYearLabelStyle)
    register_plugin("pybtex.style.sorting", "nnl_author_year", AuthorYearSorting)
    register_plugin("pybtex.style.formatting", "nnl_author_year", AuthorYearStyle)
    app.connect("html-page-context", dedupe_scripts, priority=900)
    app.connect("html-page-context", list_item_roles)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
