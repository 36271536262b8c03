"""The live explorer and quiz of book/how-to-use.ipynb work in a real JupyterLab.

The unit tests check the widgets in Python only; this one runs the notebook in JupyterLab, started from
this interpreter, and drives it with Chromium: the explorer's image must render (no "Failed to create
view"), move when a slider moves, and a quiz answer must give feedback. The kernel imports the
nnlessons of this checkout. The Jupyter configuration, data and runtime directories are temporary, so
no user setting, extension or workspace leaks in; the environment's share/jupyter, where the widgets
extension lives, is still searched. Without Chromium the test skips, except under CI (tests/browser.py).
"""

from __future__ import annotations

import contextlib
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
WIDGETS_EXTENSION = "@jupyter-widgets/jupyterlab-manager"
SERVER_START_TIMEOUT = 30
KERNEL_START_TIMEOUT_MS = 30000
RUN_ALL_TIMEOUT = 30
CHANGE_TIMEOUT_MS = 5000
WIDGET_CONSOLE_ERROR = re.compile(r"widget|could not create a view|model id", re.IGNORECASE)
LAB_SETTINGS = {"@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
                "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False}}
WIDGET_ERRORS = ("Failed to create view", "Error displaying widget", "Could not create a view",
                 "Model not found", "Failed to load model class")


class JupyterLab:
    """A JupyterLab server with Jupyter directories of its own."""

    def __init__(self, home: Path):
        self.home = home
        self.root = home / "notebooks"
        self.root.mkdir()
        shutil.copy(NOTEBOOK, self.root / NOTEBOOK.name)
        self.runtime = home / "runtime"
        self.token = secrets.token_hex(16)
        env = {k: v for k, v in os.environ.items()
               if k not in ("MPLBACKEND", "JUPYTER_PATH", "JUPYTERLAB_DIR", "JUPYTER_CONFIG_PATH")}
        env.update(
            NNLESSONS_PROGRESS="0",
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


@pytest.fixture(scope="module")
def notebook(browser, lab):
    """how-to-use.ipynb opened in JupyterLab, every cell run, the kernel idle; records console errors."""
    host = urlsplit(lab.url).netloc
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).netloc == host
                  else route.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}\n{exc.stack}"))
    try:
        page.goto(f"{lab.url}/lab/tree/{NOTEBOOK.name}?token={lab.token}&reset")
        extensions = page.evaluate("() => JSON.parse(document.getElementById('jupyter-config-data').textContent)"
                                   ".federated_extensions.map(e => e.name)")
        assert WIDGETS_EXTENSION in extensions, (
            f"JupyterLab does not load {WIDGETS_EXTENSION} (is jupyterlab_widgets installed in "
            f"{sys.prefix}?); it loads {extensions}")
        # Run All Cells before the kernel is connected would run nothing: wait for the status bar's "Idle".
        kernel_idle = page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\(ipykernel\) \| Idle$"))
        kernel_idle.wait_for(timeout=KERNEL_START_TIMEOUT_MS)
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        deadline = time.monotonic() + RUN_ALL_TIMEOUT
        while True:
            prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
            if (prompts and all(re.fullmatch(r"\s*\[\d+\]:\s*", p) for p in prompts)
                    and kernel_idle.count() == 1):
                break
            assert time.monotonic() < deadline, (
                f"Run All Cells did not finish within {RUN_ALL_TIMEOUT} s: prompts {prompts}, "
                f"status bar {page.locator('.jp-StatusBar-TextItem').all_inner_texts()}")
            page.wait_for_timeout(250)
        yield page, errors
    finally:
        context.close()


def _explorer(page):
    """The live explorer: the widget box that holds the figure."""
    return page.locator(".jp-OutputArea-output .widget-vbox", has=page.locator(".widget-image")).last


def test_no_widget_fails_to_render(notebook):
    page, errors = notebook
    shown = page.locator("body").inner_text()
    problems = [text for text in WIDGET_ERRORS if text.lower() in shown.lower()]
    error_views = page.locator(".jupyter-widgets-error-widget")
    if error_views.count():
        error_views.first.click()  # an error view says "Click to show javascript error." until clicked
        problems.append(f"{error_views.count()} widget(s) failed to render; the first says: "
                        f"{error_views.first.inner_text()[:500]!r}")
    widget_errors = [e for e in errors if WIDGET_CONSOLE_ERROR.search(e)]
    if widget_errors:
        problems.append(f"console errors about widgets: {widget_errors}")
    other_errors = [e for e in errors if e not in widget_errors]
    if problems and other_errors:
        problems.append(f"other console errors: {other_errors}")
    assert not problems, "\n".join(problems)


def test_explorer_image_follows_the_slider(notebook):
    page, _ = notebook
    image = page.locator(".jp-OutputArea-output img.widget-image")
    assert image.count() == 1, f"the live explorer shows {image.count()} images, expected 1"
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth > 0, () => false)"), (
        "the explorer's image does not decode")
    handle = _explorer(page).locator(".widget-slider .noUi-handle").first
    assert handle.count(), "the live explorer has no slider"
    before = image.get_attribute("src")
    handle.focus()
    at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
    page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
    try:
        page.wait_for_function("([img, before]) => img.src !== before", arg=[image.element_handle(), before],
                               timeout=CHANGE_TIMEOUT_MS)
    except Exception:  # noqa: BLE001 (playwright's TimeoutError; the assertion says what went wrong)
        pytest.fail(f"moving the first slider did not change the image within {CHANGE_TIMEOUT_MS} ms")


def test_quiz_answer_gives_feedback(notebook):
    page, _ = notebook
    quiz = page.locator(".jp-OutputArea-output .widget-vbox",
                        has=page.locator("button.jupyter-button", has_text=re.compile(r"^A$"))).last
    assert quiz.count(), "the live quiz has no answer button"
    feedback = re.compile(r"Correct|Not quite")
    assert not [t for t in quiz.locator(".widget-htmlmath").all_inner_texts() if feedback.search(t)], (
        "the quiz shows feedback before any answer")
    quiz.locator("button.jupyter-button", has_text=re.compile(r"^A$")).first.click()
    try:
        quiz.locator(".widget-htmlmath", has_text=feedback).first.wait_for(timeout=CHANGE_TIMEOUT_MS)
    except Exception:  # noqa: BLE001 (playwright's TimeoutError)
        pytest.fail(f"clicking an answer of the quiz gave no feedback within {CHANGE_TIMEOUT_MS} ms")
