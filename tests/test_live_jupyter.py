"""The notebooks work in a real JupyterLab, as a student uses them (`make lab`).

The unit tests check the widgets in Python only; this one runs notebooks in JupyterLab, started from
this interpreter with the course's server settings (.jupyter/, as `make lab` does), and drives it with
Chromium.

- book/how-to-use.ipynb, every cell run: the explorer's image must render (no "Failed to create view"),
  move when a slider moves, and a quiz answer must give feedback.
- A chapter (CHAPTER), as a student meets it: its MyST renders (jupyterlab-myst: no raw `:label:`,
  `{cite:t}` or `$...$`), its solutions start hidden, opening and saving it leaves the file byte for byte
  unchanged; then Run All, save, shut the kernel down and reload the page (the next day): no widget
  error shows, the saved file keeps its metadata, and the explorer still responds. Progress bars are on,
  as for a student.

The kernel imports the nnlessons of this checkout. The Jupyter configuration, data and runtime directories
are temporary, so no user setting, extension or workspace leaks in; the environment's share/jupyter, where
the extensions live, is still searched. Without Chromium the test skips, except under CI (tests/browser.py).
Set LIVE_JUPYTER_SCREENSHOTS to a directory to keep screenshots of the chapter (opened, after Run All,
reopened; the explorer in view), and LIVE_JUPYTER_CHAPTER to another chapter's file name to test that one.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from browser import chromium

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "book" / "how-to-use.ipynb"
CHAPTER = ROOT / "book" / os.environ.get("LIVE_JUPYTER_CHAPTER", "ch04-universal-approximation.ipynb")
COURSE_CONFIG = ROOT / ".jupyter"  # the course's server settings, as `make lab` uses them
WIDGETS_EXTENSION = "@jupyter-widgets/jupyterlab-manager"
SERVER_START_TIMEOUT = 60
KERNEL_START_TIMEOUT_MS = 60000
RUN_ALL_TIMEOUT = 120  # ceilings for a busy shared machine; on an idle one a run takes seconds
CHAPTER_RUN_ALL_TIMEOUT = 240
SAVE_TIMEOUT = 20
CHANGE_TIMEOUT_MS = 5000
RENDER_TIMEOUT_MS = 60000  # MyST of a whole chapter, on a busy machine
WIDGET_CONSOLE_ERROR = re.compile(r"widget|could not create a view|model id", re.IGNORECASE)
LAB_SETTINGS = {"@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
                "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False}}
WIDGET_ERRORS = ("Failed to create view", "Error displaying widget", "Could not create a view",
                 "Model not found", "Failed to load model class")
# MyST that a reader should never see as source: roles, directive fences and options, label targets, math.
RAW_MYST = {"role": re.compile(r"\{[a-z]+(:[a-z]+)?\}`"), "directive": re.compile(r"```\s*\{"),
            "directive option": re.compile(r"^:(label|class|name):", re.MULTILINE),
            "label target": re.compile(r"^\([\w-]+\)=\s*$", re.MULTILINE), "math": re.compile(r"\$[^$\n]+\$")}
SOLUTION = re.compile(r"```\{solution\}[^\n]*\n(?::[^\n]*\n)*(.*?)```", re.DOTALL)
EXERCISE_TITLE = re.compile(r"```\{exercise\}[ \t]*([^\n]*)")
# The text a reader sees in the markdown cells, typeset math left out (KaTeX's own text is not MyST source).
MARKDOWN_TEXT = """cells => cells.map(cell => {
  const copy = cell.cloneNode(true);
  copy.querySelectorAll('.katex, .katex-display, .cm-editor').forEach(e => e.remove());
  return cell.checkVisibility() ? copy.innerText : '';
}).join('\\n')"""
TYPOGRAPHY = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\xa0": " "})
PLAIN_RUN = re.compile(r"[A-Za-z][A-Za-z ,;]{30,}[A-Za-z]")  # words only: rendered as written


class JupyterLab:
    """A JupyterLab server with Jupyter directories of its own."""

    def __init__(self, home: Path):
        self.home = home
        self.root = home / "notebooks"
        self.root.mkdir()
        for notebook in (NOTEBOOK, CHAPTER):
            shutil.copy(notebook, self.root / notebook.name)
        self.runtime = home / "runtime"
        self.token = secrets.token_hex(16)
        env = {k: v for k, v in os.environ.items()
               if k not in ("MPLBACKEND", "JUPYTER_PATH", "JUPYTERLAB_DIR", "NNLESSONS_PROGRESS")}
        env.update(
            JUPYTER_CONFIG_PATH=str(COURSE_CONFIG),
            JUPYTER_CONFIG_DIR=str(home / "config"),
            JUPYTER_DATA_DIR=str(home / "data"),
            JUPYTER_RUNTIME_DIR=str(self.runtime),
            JUPYTERLAB_SETTINGS_DIR=str(home / "config" / "lab" / "user-settings"),
            JUPYTERLAB_WORKSPACES_DIR=str(home / "config" / "lab" / "workspaces"),
            IPYTHONDIR=str(home / "ipython"),
            PYTHONPATH=os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
        )
        # Every cell attached to the page (not only those in view), so every prompt can be read; no news.
        for plugin, settings in LAB_SETTINGS.items():
            path = home / "config" / "lab" / "user-settings" / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(settings))
        self.log = open(home / "jupyter.log", "wb")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
             "--ServerApp.ip=127.0.0.1", "--ServerApp.port=0", "--ServerApp.port_retries=0",
             f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
             "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
            cwd=self.root, env=env, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)
        self.url = ""

    def log_tail(self, chars: int = 3000) -> str:
        self.log.flush()
        return (self.home / "jupyter.log").read_text(errors="replace")[-chars:]

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(f"{self.url}/api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=5) as response:
            body = response.read()
        return json.loads(body) if body else None

    def wait_until_ready(self) -> None:
        """Waits for the server's info file (it holds the port the OS chose), then for an answer."""
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"JupyterLab exited with code {self.process.returncode}:\n{self.log_tail()}")
            if not self.url:
                for info in self.runtime.glob("jpserver-*.json"):
                    try:
                        self.url = f"http://127.0.0.1:{json.loads(info.read_text())['port']}"
                    except (ValueError, KeyError):
                        pass  # being written
            if self.url:
                try:
                    self.api("status")
                    return
                except (OSError, urllib.error.URLError):
                    pass
            time.sleep(0.2)
        pytest.fail(f"JupyterLab did not answer within {SERVER_START_TIMEOUT} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Shuts the kernels and the server down, gracefully if possible.

        Kernels run in sessions of their own (jupyter_client starts them so), so if the server has to be
        killed, its child processes are killed one by one.
        """
        try:
            if self.process.poll() is None:
                try:
                    self.api("shutdown", method="POST")  # shuts every kernel down, then the server
                except (OSError, urllib.error.URLError):
                    self.process.terminate()  # the server also shuts its kernels down on SIGTERM
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    children = self._children()
                    self.process.kill()
                    self.process.wait()
                    for pid in children:
                        with contextlib.suppress(ProcessLookupError):
                            os.kill(pid, signal.SIGKILL)
        finally:
            self.log.close()

    def _children(self) -> list[int]:
        try:
            text = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]


@pytest.fixture(scope="module")
def browser():
    with chromium() as shared_browser:  # skips without Chromium, fails under CI (see browser.py)
        yield shared_browser


@pytest.fixture(scope="module")
def lab(browser, tmp_path_factory):
    server = JupyterLab(tmp_path_factory.mktemp("live-jupyter"))
    try:
        server.wait_until_ready()
        yield server
    finally:
        server.stop()


def _open(browser, lab, name: str):
    """A new page with the notebook `name` open and its kernel idle; returns (context, page, errors)."""
    host = urlsplit(lab.url).netloc
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).netloc == host
                  else route.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}\n{exc.stack}"))
    page.goto(f"{lab.url}/lab/tree/{name}?token={lab.token}&reset")
    _wait_for_idle_kernel(page)
    return context, page, errors


def _kernel_idle(page):
    return page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\(ipykernel\) \| Idle$"))


def _wait_for_idle_kernel(page) -> None:
    """Run All Cells before the kernel is connected would run nothing: wait for the status bar's "Idle"."""
    try:
        _kernel_idle(page).wait_for(timeout=KERNEL_START_TIMEOUT_MS)
    except Exception:  # noqa: BLE001 (playwright's TimeoutError)
        pytest.fail(f"the kernel was not idle within {KERNEL_START_TIMEOUT_MS} ms: status bar "
                    f"{page.locator('.jp-StatusBar-TextItem').all_inner_texts()}")


def _wait_for_markdown(page, cells: list[dict]) -> None:
    """Waits until JupyterLab shows every markdown cell rendered by jupyterlab-myst."""
    count = sum(c["cell_type"] == "markdown" for c in cells)
    try:
        page.wait_for_function("n => { const m = [...document.querySelectorAll('.jp-MarkdownCell .myst')];"
                               " return m.length >= n && m.some(e => e.checkVisibility()); }",
                               arg=count, timeout=RENDER_TIMEOUT_MS)
    except Exception:  # noqa: BLE001 (playwright's TimeoutError)
        shown = page.locator(".jp-MarkdownCell .myst").count()
        pytest.fail(f"{shown} of {count} markdown cells rendered by jupyterlab-myst within "
                    f"{RENDER_TIMEOUT_MS} ms (is jupyterlab-myst installed?)")


def _run_all(page, timeout: float) -> float:
    """Run > Run All Cells, then wait until every cell has run and the kernel is idle; returns seconds."""
    start = time.monotonic()
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    # Stored outputs carry numbered prompts already: wait until the run has begun ([*]) first.
    with contextlib.suppress(Exception):  # a very short run may be over before it is seen
        page.locator(".jp-CodeCell .jp-InputPrompt", has_text="[*]").first.wait_for(timeout=5000)
    # Polled in the page (cheap): every code cell has a number, and the status bar says the kernel is idle.
    done = """() => {
      // A solution cell starts collapsed: its placeholder's prompt stays empty, so count real prompts only.
      const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt:not(.jp-Placeholder-prompt)')]
        .map(p => p.textContent);
      const idle = [...document.querySelectorAll('.jp-StatusBar-TextItem')]
        .some(t => /\\(ipykernel\\) \\| Idle$/.test(t.innerText));
      return idle && prompts.length > 0 && prompts.every(p => /^\\s*\\[\\d+\\]:\\s*$/.test(p));
    }"""
    try:
        page.wait_for_function(done, polling=500, timeout=timeout * 1000)
    except Exception:  # noqa: BLE001 (playwright's TimeoutError)
        prompts = page.locator(".jp-CodeCell .jp-InputPrompt:not(.jp-Placeholder-prompt)").all_text_contents()
        pytest.fail(f"Run All Cells did not finish within {timeout} s: prompts {prompts}, "
                    f"status bar {page.locator('.jp-StatusBar-TextItem').all_inner_texts()}")
    return time.monotonic() - start


def _save(page, path: Path) -> None:
    """Ctrl+S in the notebook; waits until the file is written and the tab is no longer marked changed."""
    before = path.stat().st_mtime_ns
    page.locator(".jp-NotebookPanel-toolbar").first.click(position={"x": 600, "y": 10})  # focus, no cell edit
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + SAVE_TIMEOUT
    while path.stat().st_mtime_ns == before or page.locator(".lm-TabBar-tab.jp-mod-dirty").count():
        assert time.monotonic() < deadline, f"saving {path.name} did not finish within {SAVE_TIMEOUT} s"
        page.wait_for_timeout(200)


def _widget_problems(page, errors: list[str]) -> list[str]:
    """What shows that a widget failed: error texts on the page, error views, console errors."""
    shown = page.locator("body").inner_text()
    problems = [f"the page shows {text!r}" for text in WIDGET_ERRORS if text.lower() in shown.lower()]
    error_views = page.locator(".jupyter-widgets-error-widget")
    if error_views.count():
        error_views.first.click()  # an error view says "Click to show javascript error." until clicked
        problems.append(f"{error_views.count()} widget(s) failed to render; the first says: "
                        f"{error_views.first.inner_text()[:500]!r}")
    widget_errors = [e for e in errors if WIDGET_CONSOLE_ERROR.search(e)]
    if widget_errors:
        problems.append(f"console errors about widgets: {widget_errors[:5]}")
    other_errors = [e for e in errors if e not in widget_errors]
    if problems and other_errors:
        problems.append(f"other console errors: {other_errors[:5]}")
    return problems


def _untrusted_notes(page) -> tuple[int, int]:
    """(static explorers and quizzes on the page, their "run this cell" notes that are visible)."""
    controls = page.locator(".jp-OutputArea-output").locator(".nnl-explorer, .nnl-quiz").count()
    notes = [n for n in page.locator(".jp-OutputArea-output .nnl-untrusted").all() if n.is_visible()]
    return controls, len(notes)


def _screenshot(page, name: str) -> None:
    """With LIVE_JUPYTER_SCREENSHOTS set: a screenshot of the page, the first explorer in view."""
    directory = os.environ.get("LIVE_JUPYTER_SCREENSHOTS")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        explorer = page.locator(".jp-OutputArea-output").locator(".nnl-explorer, .widget-vbox")
        if explorer.count():
            explorer.first.scroll_into_view_if_needed()
        page.screenshot(path=str(Path(directory) / f"lab-{CHAPTER.stem[:4]}-{name}.png"))


@pytest.fixture(scope="module")
def notebook(browser, lab):
    """how-to-use.ipynb opened in JupyterLab, every cell run, the kernel idle; records console errors."""
    context, page, errors = _open(browser, lab, NOTEBOOK.name)
    try:
        extensions = page.evaluate("() => JSON.parse(document.getElementById('jupyter-config-data').textContent)"
                                   ".federated_extensions.map(e => e.name)")
        assert WIDGETS_EXTENSION in extensions, (
            f"JupyterLab does not load {WIDGETS_EXTENSION} (is jupyterlab_widgets installed in "
            f"{sys.prefix}?); it loads {extensions}")
        _run_all(page, RUN_ALL_TIMEOUT)
        yield page, errors
    finally:
        context.close()


def _solutions(cells: list[dict]) -> list[tuple[str, str]]:
    """Text of every worked solution of a chapter, to look for on the page, as (kind, text).

    Kinds: "text" for a run of plain words of a ```{solution}``` directive's body or of markdown between
    ```{solution-start}``` and ```{solution-end}```; "code" for the longest line, found in no other cell, of
    a code cell between those two or tagged as a solution.
    """
    sources = ["".join(c["source"]) for c in cells]
    found, inside = [], False
    for cell, source in zip(cells, sources):
        tagged = any("solution" in tag for tag in cell.get("metadata", {}).get("tags", []))
        if cell["cell_type"] == "markdown":
            bodies = SOLUTION.findall(source)
            if "{solution-start}" in source:
                inside = True
                bodies.append(re.split(r"```\{solution-start\}[^\n]*\n(?::[^\n]*\n)*```", source)[-1])
            if "{solution-end}" in source:
                bodies.append(source.split("{solution-end}")[0] if inside else "")
                inside = False
            elif inside and "{solution-start}" not in source:
                bodies.append(source)
            found += [("text", m.group(0)) for body in bodies for m in [PLAIN_RUN.search(body)] if m]
        elif inside or tagged:
            others = [s for s in sources if s is not source]
            lines = sorted((line.strip() for line in source.splitlines()), key=len, reverse=True)
            unique = [line for line in lines if len(line) > 12 and not any(line in s for s in others)]
            found += [("code", line) for line in unique[:1]]
            # A collapsed cell shows only its first line, in a placeholder: look for that too.
            first = next((line.strip() for line in source.splitlines() if line.strip()), "")
            found += [("collapsed code", first)] if first else []
    return found


def _shown(page, kind: str, text: str) -> bool | None:
    """Whether the text is visible on the page; None if it is not on the page at all."""
    if kind == "code":
        matches = page.locator(".jp-CodeCell .cm-line").filter(has_text=text).all()
        if not matches and page.locator(".jp-CodeCell .jp-InputPlaceholder").count():
            return False  # not in the page's text: its cell is collapsed (checked by "collapsed code")
    elif kind == "collapsed code":
        matches = page.locator(".jp-CodeCell .jp-PlaceholderText").filter(has_text=text).all()
        if not matches:  # an expanded cell shows the line in its editor instead
            matches = page.locator(".jp-CodeCell .cm-line").filter(has_text=text).all()
            return any(m.is_visible() for m in matches) if matches else None
        return False  # the placeholder of a collapsed cell: the solution is there, hidden
    else:
        matches = page.locator(".jp-MarkdownCell .myst").get_by_text(text).all()
    return any(m.is_visible() for m in matches) if matches else None


@pytest.fixture(scope="module")
def chapter(browser, lab, notebook):
    """CHAPTER as a student meets it: opened, saved, run, saved, and the next day reopened.

    What is seen on the way is recorded for the tests; the page stays open, reopened, for the tests that
    use it. `notebook` comes first so that its tests do not wait for the chapter's kernel.
    """
    path = lab.root / CHAPTER.name
    stored = path.read_bytes()
    cells = json.loads(stored)["cells"]
    seen: dict = {"stored": stored}
    context, page, errors = _open(browser, lab, CHAPTER.name)
    try:
        _wait_for_markdown(page, cells)
        _screenshot(page, "opened")
        seen["markdown"] = page.locator(".jp-MarkdownCell").evaluate_all(MARKDOWN_TEXT)
        seen["math"] = page.locator(".jp-MarkdownCell .katex").count()
        seen["exercise titles"] = [t.strip() for c in cells if c["cell_type"] == "markdown"
                                   for t in EXERCISE_TITLE.findall("".join(c["source"]))]
        seen["solutions"] = {(kind, text): _shown(page, kind, text) for kind, text in _solutions(cells)}
        seen["notes when untrusted"] = _untrusted_notes(page)
        _save(page, path)
        seen["saved unchanged"] = path.read_bytes()

        seen["run all seconds"] = _run_all(page, CHAPTER_RUN_ALL_TIMEOUT)
        page.wait_for_timeout(500)  # the last widget views attach
        _screenshot(page, "after-run-all")
        seen["problems after run"] = _widget_problems(page, errors)
        seen["notes after run"] = _untrusted_notes(page)
        _save(page, path)
        seen["saved after run"] = json.loads(path.read_bytes())

        # The next day: the kernel is gone, the notebook is opened again.
        errors.clear()
        for session in lab.api("sessions"):
            if session["path"].endswith(CHAPTER.name):
                lab.api(f"sessions/{session['id']}", method="DELETE")
        page.goto(f"{lab.url}/lab/tree/{CHAPTER.name}?token={lab.token}&reset")  # the chapter alone
        _wait_for_idle_kernel(page)
        _wait_for_markdown(page, cells)
        page.wait_for_timeout(1000)  # outputs and widget views settle
        _screenshot(page, "reopened")
        seen["problems after reopening"] = _widget_problems(page, errors)
        yield page, seen
    finally:
        context.close()


def _explorer(page):
    """The first explorer on the page: (its image, its first control), static version or live widgets."""
    static = page.locator(".jp-OutputArea-output .nnl-explorer")
    if static.count():
        return static.first.locator("img").first, static.first.locator("input[type=range]").first
    live = page.locator(".jp-OutputArea-output .widget-vbox", has=page.locator(".widget-image")).last
    return live.locator("img.widget-image").first, live.locator(".widget-slider .noUi-handle").first


def _image_changes_when_the_control_moves(page, image, control) -> bool:
    """Moves a slider one step (ipywidgets: the arrow keys) or clicks near an end of its track (a range
    input: in JupyterLab the notebook takes its arrow keys, unless the explorer stops their propagation);
    True if the image changed."""
    before = image.get_attribute("src")
    if control.evaluate("c => c.type === 'range'"):
        box = control.bounding_box()
        at_max = control.evaluate("c => c.value === c.max")
        control.click(position={"x": box["width"] * (0.1 if at_max else 0.9), "y": box["height"] / 2})
    else:
        control.focus()
        at_max = control.get_attribute("aria-valuenow") == control.get_attribute("aria-valuemax")
        page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
    try:
        page.wait_for_function("([img, before]) => img.src !== before", arg=[image.element_handle(), before],
                               timeout=CHANGE_TIMEOUT_MS)
        return True
    except Exception:  # noqa: BLE001 (playwright's TimeoutError; the caller says what went wrong)
        return False


def _explorer_responds(page) -> None:
    image, control = _explorer(page)
    assert image.count() and control.count(), "no explorer (an image and a slider) on the page"
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth > 0, () => false)"), (
        "the explorer's image does not decode")
    assert _image_changes_when_the_control_moves(page, image, control), (
        f"moving the explorer's first slider did not change its image within {CHANGE_TIMEOUT_MS} ms")


def test_no_widget_fails_to_render(notebook):
    page, errors = notebook
    problems = _widget_problems(page, errors)
    assert not problems, "\n".join(problems)


def test_explorer_image_follows_the_slider(notebook):
    page, _ = notebook
    _explorer_responds(page)


def test_quiz_answer_gives_feedback(notebook):
    """The first answer of the first quiz gives feedback (static quiz, or the ipywidgets one)."""
    page, _ = notebook
    static = page.locator(".jp-OutputArea-output .nnl-quiz .nnl-question").first
    if static.count():
        answer, feedback = static.locator("button.nnl-choice").first, static.locator(".nnl-feedback")
    else:
        quiz = page.locator(".jp-OutputArea-output .widget-vbox",
                            has=page.locator("button.jupyter-button", has_text=re.compile(r"^A$"))).last
        answer = quiz.locator("button.jupyter-button", has_text=re.compile(r"^A$")).first
        feedback = quiz.locator(".widget-htmlmath").last
    assert answer.count(), "the quiz has no answer button"
    assert not feedback.inner_text().strip(), "the quiz shows feedback before any answer"
    answer.click()
    try:
        page.wait_for_function("el => el.innerText.trim() !== ''", arg=feedback.element_handle(),
                               timeout=CHANGE_TIMEOUT_MS)
    except Exception:  # noqa: BLE001 (playwright's TimeoutError)
        pytest.fail(f"clicking an answer of the quiz gave no feedback within {CHANGE_TIMEOUT_MS} ms")


def test_chapter_myst_renders(chapter):
    """jupyterlab-myst renders the chapter's MyST: no source syntax in the markdown cells as shown,
    every exercise in its numbered box, and the math typeset."""
    _, seen = chapter
    raw = {what: sorted({m.group(0)[:40] for m in pattern.finditer(seen["markdown"])})[:5]
           for what, pattern in RAW_MYST.items()}
    raw = {what: found for what, found in raw.items() if found}
    assert not raw, f"{CHAPTER.name} shows MyST as source in JupyterLab (is jupyterlab-myst installed?): {raw}"
    titles = seen["exercise titles"]
    assert titles, f"{CHAPTER.name} has no exercise"
    shown = seen["markdown"].translate(TYPOGRAPHY)
    boxes = [f"Exercise {i} ({title.translate(TYPOGRAPHY)})" if title and not re.search(r"[$`*_]", title)
             else f"Exercise {i}" for i, title in enumerate(titles, 1)]
    missing = [box for box in boxes if box not in shown]
    assert not missing, f"exercise boxes not shown: {missing}"
    assert seen["math"] > 10, f"only {seen['math']} formulas typeset (KaTeX) in {CHAPTER.name}"


def test_chapter_solutions_are_found_on_the_page(chapter):
    """The solutions the next test looks for exist (so that it can fail), and are on the page."""
    _, seen = chapter
    assert seen["solutions"], f"no solution found in {CHAPTER.name} to look for (see _solutions)"
    absent = [text for (_, text), shown in seen["solutions"].items() if shown is None]
    assert not absent, f"solutions not on the page at all (not rendered?): {absent}"


def test_chapter_solutions_start_hidden(chapter):
    _, seen = chapter
    shown = [f"{kind}: {text}" for (kind, text), visible in seen["solutions"].items() if visible]
    assert not shown, f"solutions visible before the student opens them in {CHAPTER.name}: {shown}"


def test_untrusted_controls_say_why_until_they_work(chapter):
    """Freshly cloned (untrusted), every static explorer and quiz says "run this cell"; after a run, none."""
    _, seen = chapter
    controls, notes = seen["notes when untrusted"]
    assert controls and notes == controls, (
        f"{CHAPTER.name} as cloned: {notes} 'run this cell' notes shown for {controls} static controls")
    controls, notes = seen["notes after run"]
    assert notes == 0, f"after Run All, {notes} of {controls} static controls still say 'run this cell'"


def test_opening_and_saving_a_chapter_changes_nothing(chapter):
    """A save writes the kernel's language_info; the stored metadata and the save hook make it a no-op."""
    _, seen = chapter
    if seen["saved unchanged"] != seen["stored"]:
        before = seen["stored"].decode().splitlines()
        after = seen["saved unchanged"].decode().splitlines()
        diff = "\n".join(list(difflib.unified_diff(before, after, "stored", "saved", lineterm="", n=1))[:40])
        pytest.fail(f"opening and saving {CHAPTER.name} in JupyterLab changed it:\n{diff}")


def test_chapter_runs_without_widget_errors(chapter):
    _, seen = chapter
    print(f"Run All took {seen['run all seconds']:.1f} s")
    assert seen["run all seconds"] < CHAPTER_RUN_ALL_TIMEOUT
    assert not seen["problems after run"], "\n".join(seen["problems after run"])


def test_saving_after_run_all_keeps_the_metadata(chapter):
    _, seen = chapter
    stored = json.loads(seen["stored"])["metadata"]
    assert seen["saved after run"]["metadata"] == stored


def test_reopened_chapter_shows_no_widget_errors(chapter):
    _, seen = chapter
    assert not seen["problems after reopening"], "\n".join(seen["problems after reopening"])


def test_reopened_chapter_explorer_responds(chapter):
    """After a save and a new kernel, the explorer shows its static version (or its live one) and it works."""
    page, _ = chapter
    _explorer_responds(page)
