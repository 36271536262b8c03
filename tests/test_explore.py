"""Tests for nnlessons.display.explore: the live ipywidgets view and the static HTML version of an explorer."""

import base64
import io
import itertools
import json
import re
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402

from nnlessons.display import explore as explore_module  # noqa: E402
from nnlessons.display.explore import MAX_FRAMES, explore  # noqa: E402

X = np.linspace(-6, 6, 200)


def sigmoid_figure(steepness, shift):
    """The figure an explorer should show, drawn without pyplot (so never shown by a backend)."""
    fig = Figure(figsize=(6, 3.6))
    ax = fig.add_subplot()
    ax.plot(X, 1 / (1 + np.exp(-np.clip(steepness * (X - shift), -50, 50))))
    ax.set(xlabel="x", ylabel="y", title=f"steepness {steepness}, shift {shift}", ylim=(-0.05, 1.05))
    return fig


def reference_png(fig) -> bytes:
    """Independent full-colour rendering of a figure at the explorer's resolution."""
    buffer = io.BytesIO()
    FigureCanvasAgg(fig).print_figure(buffer, format="png", dpi=explore_module.FRAME_DPI,
                                      metadata={"Software": None})
    return buffer.getvalue()


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)


def shows(png: bytes, fig) -> bool:
    """Whether a frame shows the figure: the same size and every pixel nearly the same colour (frames
    are stored with a 256-colour palette, a few levels off at most; another figure differs somewhere by
    far more, e.g. 255 where a curve or a digit of the title moved)."""
    got, want = pixels(png), pixels(reference_png(fig))
    return got.shape == want.shape and np.abs(got - want).max() <= 16


class Recorder:
    """A draw function that remembers its calls."""

    def __init__(self):
        self.calls = []

    def __call__(self, steepness, shift):
        self.calls.append((steepness, shift))
        return sigmoid_figure(steepness, shift)


class Elements(HTMLParser):
    """Collect start tags as (tag, attrs) pairs and the script bodies."""

    def __init__(self, text):
        super().__init__()
        self.tags, self.scripts, self._in_script = [], [], False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)

    def find(self, tag, **attrs):
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


@pytest.fixture(autouse=True)
def no_figures_left():
    plt.close("all")
    yield
    assert plt.get_fignums() == [], "the explorer left pyplot figures open"


def fresh_ids(monkeypatch):
    monkeypatch.setattr(explore_module, "_ids", itertools.count(1))


def assert_offline(page: str) -> None:
    """Every src or href is a data URI, and no URL hides anywhere else (base64 data set aside)."""
    assert all(link.startswith("data:image/png;base64,")
               for link in re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)""", page))
    text = re.sub(r"[A-Za-z0-9+/=]{200,}", "", page)  # long base64 runs may contain 'http' by chance
    assert "http" not in text and "//" not in text and "url(" not in text


def frames_of(page: str) -> list[bytes]:
    script = Elements(page).scripts[0]
    config = json.loads(re.search(r"var cfg = (\{.*\});", script).group(1))
    return [base64.b64decode(f) for f in config["frames"]], config


# -- live view ----------------------------------------------------------------------------------------

def test_moving_a_live_slider_redraws_the_figure_at_the_new_values():
    draw = Recorder()
    ex = explore(draw, alt="A sigmoid curve", steepness=(1, 21, 5), shift=[-1, 0, 1])
    assert isinstance(ex.controls["steepness"], widgets.IntSlider)
    assert draw.calls == [(1, -1)]
    assert shows(ex.image.value, sigmoid_figure(1, -1))
    assert not shows(ex.image.value, sigmoid_figure(11, -1))

    before = ex.image.value
    ex.controls["steepness"].value = 11
    assert draw.calls[-1] == (11, -1)
    assert ex.image.value != before
    assert shows(ex.image.value, sigmoid_figure(11, -1))
    assert ex.image.tooltip == "A sigmoid curve (steepness = 11, shift = -1)"

    ex.controls["shift"].value = 1
    assert shows(ex.image.value, sigmoid_figure(11, 1))
    assert Image.open(io.BytesIO(ex.image.value)).size == (480, 288)  # 6 x 3.6 inches at 80 dpi


def test_live_frames_are_cached():
    draw = Recorder()
    ex = explore(draw, alt="A sigmoid curve", steepness=(1, 21, 5), shift=[-1, 0, 1])
    first = ex.image.value
    ex.controls["steepness"].value = 6
    ex.controls["steepness"].value = 1
    assert draw.calls == [(1, -1), (6, -1)]
    assert ex.image.value == first


def test_float_slider_values_snap_to_the_grid():
    calls = []

    def draw(c):
        calls.append(c)
        return sigmoid_figure(5, c)

    ex = explore(draw, alt="A sigmoid curve", c=(0, 1, 0.1))
    assert isinstance(ex.controls["c"], widgets.FloatSlider)
    ex.controls["c"].value = 0.1 + 0.2  # 0.30000000000000004, as a browser slider may send
    assert calls[-1] == 0.3 and repr(calls[-1]) == "0.3"


def test_choices_of_strings_use_a_dropdown():
    ex = explore(lambda units: sigmoid_figure(1 if units == "one" else 10, 0), alt="A curve",
                 units=["one", "ten"])
    assert isinstance(ex.controls["units"], widgets.Dropdown)
    assert ex.controls["units"].description == "units"
    before = ex.image.value
    ex.controls["units"].value = "ten"
    assert ex.image.value != before and shows(ex.image.value, sigmoid_figure(10, 0))


def test_start_value_and_draw_returning_pyplot_figures():
    def with_subplots(steepness, shift):  # the (fig, ax) pair of plt.subplots
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.plot(X, np.tanh(steepness * (X - shift)))
        return fig, ax

    def with_none(steepness, shift):  # draws on the current pyplot figure and returns nothing
        plt.figure(figsize=(3, 2))
        plt.plot(X, np.tanh(steepness * (X - shift)))

    images = []
    for draw in (with_subplots, with_none):
        ex = explore(draw, alt="A tanh curve", steepness=(1, 5, 2, 3), shift=[0, 1])
        assert ex.controls["steepness"].value == 3
        images.append(ex.image.value)
        ex.to_html()
    assert images[0] == images[1]


def test_bad_draw_results_are_named():
    with pytest.raises(TypeError, match="must return a matplotlib Figure, got str"):
        explore(lambda a: "a figure", alt="Nothing", a=[1, 2])
    with pytest.raises(ValueError, match="returned None and drew no pyplot figure"):
        explore(lambda a: None, alt="Nothing", a=[1, 2])


def test_display_is_the_static_html_only():
    """A stored widget view has no model after a reopen ("Error displaying widget: model not found"):
    the display is the static version, and the live view is there to display on purpose."""
    ex = explore(Recorder(), alt="A sigmoid curve", steepness=(1, 6, 5), shift=[0])
    bundle = ex._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}
    assert bundle["text/html"].startswith('<div class="nnl-explorer"')
    assert bundle["text/plain"] == "<Explorer 'A sigmoid curve': 2 steepness x 1 shift = 2 frames>"
    assert ex.image in ex.widget.children and ex.status in ex.widget.children


def test_live_status_line_follows_the_frame():
    ex = explore(Recorder(), alt="A sigmoid curve", describe=lambda steepness, shift: f"centre at {shift}",
                 steepness=(1, 6, 5), shift=[0, 1])
    assert ex.status.value == "centre at 0"
    ex.controls["shift"].value = 1
    assert ex.status.value == "centre at 1" and ex.image.tooltip == "A sigmoid curve (centre at 1)"


def test_summary_default_and_describe():
    ex = explore(Recorder(), alt="A curve", steepness=(1, 6, 5), shift=[-1, 0.5])
    assert ex.summary(steepness=6, shift=0.5) == "steepness = 6, shift = 0.5"
    described = explore(Recorder(), alt="A curve", steepness=(1, 6, 5), shift=[-1, 0.5],
                        describe=lambda steepness, shift: f"slope {steepness / 4:g} at x = {shift}")
    assert described.summary(steepness=6, shift=0.5) == "slope 1.5 at x = 0.5"
    with pytest.raises(ValueError, match="must return a sentence"):
        explore(Recorder(), alt="A curve", shift=[0, 1], steepness=[1], describe=lambda **p: "").summary(shift=0,
                                                                                                      steepness=1)
    with pytest.raises(TypeError, match="describe must be a function"):
        explore(Recorder(), alt="A curve", shift=[0], steepness=[1], describe="text")


# -- static version -----------------------------------------------------------------------------------

def test_static_html_holds_every_frame_in_order_with_labels_and_alt(monkeypatch):
    fresh_ids(monkeypatch)
    ex = explore(Recorder(), alt="A sigmoid curve", title="Steepness", steepness=(1, 21, 5), shift=[-1, 0, 1])
    page = ex.to_html()
    parsed = Elements(page)

    (outer,) = parsed.find("div", **{"class": "nnl-explorer"})
    ranges = parsed.find("input", type="range")
    labels = parsed.find("label")
    assert [r["name"] for r in ranges] == ["steepness", "shift"]
    assert [r["max"] for r in ranges] == ["4", "2"] and all(r["min"] == "0" for r in ranges)
    assert sorted(label["for"] for label in labels) == sorted(r["id"] for r in ranges)
    assert len(parsed.find("output")) == 2
    assert all("disabled" in r for r in ranges)  # until the script runs; the note says why
    assert parsed.find("p", **{"class": "nnl-untrusted"})
    (status,) = parsed.find("p", **{"class": "nnl-explorer-status"})
    assert status["role"] == "status" and status["aria-live"] == "polite"
    assert all(r["id"].startswith(outer["id"]) for r in ranges)

    (img,) = parsed.find("img", **{"class": "nnl-explorer-frame"})
    assert img["alt"] == "A sigmoid curve (steepness = 1, shift = -1)"
    assert img["src"] == "data:image/png;base64," + base64.b64encode(ex.image.value).decode()
    assert shows(ex.image.value, sigmoid_figure(1, -1))
    assert len(parsed.scripts) == 1 and "src" not in parsed.find("script")[0]

    frames, config = frames_of(page)
    assert len(frames) == ex.n_frames == 15
    assert config["labels"] == [["1", "6", "11", "16", "21"], ["-1", "0", "1"]]
    assert config["summaries"][3 * 2 + 2] == "steepness = 11, shift = 1"
    # frame index = steepness index * 3 + shift index (the last control varies fastest)
    assert shows(frames[3 * 2 + 2], sigmoid_figure(11, 1))
    assert shows(frames[3 * 4 + 0], sigmoid_figure(21, -1))
    assert not shows(frames[3 * 4 + 0], sigmoid_figure(16, -1))
    assert len(set(frames)) == 15
    assert_offline(page)


def test_static_html_is_identical_in_a_fresh_process_and_ids_are_unique(monkeypatch):
    fresh_ids(monkeypatch)
    first = explore(Recorder(), alt="A sigmoid curve", steepness=(1, 6, 5), shift=[0, 1])
    second = explore(Recorder(), alt="A sigmoid curve", steepness=(1, 6, 5), shift=[0, 1])
    assert first.id != second.id
    fresh_ids(monkeypatch)  # as when the notebook runs again in a new kernel
    again = explore(Recorder(), alt="A sigmoid curve", steepness=(1, 6, 5), shift=[0, 1])
    assert again.to_html() == first.to_html()


def test_text_from_the_author_is_escaped():
    ex = explore(lambda a: sigmoid_figure(1, 0), alt='Curve "a" <b>', title="</script>", a=["</script>", "x"])
    page = ex.to_html()
    assert page.count("</script>") == 1
    assert 'alt="Curve &quot;a&quot; &lt;b&gt; (a = &lt;/script&gt;)"' in page


def test_sixty_frames_stay_well_under_two_megabytes():
    ex = explore(Recorder(), alt="A sigmoid curve", steepness=(1, 45, 4), shift=(-2, 2, 1))
    assert ex.n_frames == MAX_FRAMES
    size = len(ex.to_html().encode())
    print(f"\nstatic explorer with {ex.n_frames} frames of a 6 x 3.6 inch figure: {size / 1e6:.2f} MB")
    assert size < 1.0e6


def test_frames_use_a_palette_unless_transparent():
    opaque = explore_module.render_png(lambda: sigmoid_figure(5, 0), {})
    full = reference_png(sigmoid_figure(5, 0))
    assert Image.open(io.BytesIO(opaque)).mode == "P" and len(opaque) < 0.6 * len(full)
    assert opaque == explore_module.render_png(lambda: sigmoid_figure(5, 0), {})  # deterministic

    def transparent():
        fig = sigmoid_figure(5, 0)
        fig.patch.set_alpha(0.0)
        return fig

    assert Image.open(io.BytesIO(explore_module.render_png(transparent, {}))).mode == "RGBA"


# -- validation ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("params, message", [
    ({"a": (0, 60, 1)}, "'a' has 61 values, more than the 60"),
    ({"a": (0, 9, 1), "b": [1, 2, 3, 4, 5, 6, 7]}, "10 \\(a\\) x 7 \\(b\\) = 70 frames, more than the 60"),
    ({"a": (0, 1, 0)}, "'a' needs step > 0, got step = 0"),
    ({"a": (0, 1, -0.5)}, "step > 0"),
    ({"a": (2, 1, 0.5)}, "lo <= hi"),
    ({"a": (0, 1)}, "must be \\(lo, hi, step\\)"),
    ({"a": (0, float("nan"), 1)}, "finite numbers"),
    ({"a": []}, "'a' has an empty list of choices"),
    ({"a": [1, 1]}, "lists a choice twice"),
    ({"a": [None, 1]}, "choice None of 'a' is a NoneType"),
    ({"a": {"x": 1}}, "'a' must be a tuple \\(lo, hi, step\\) for a slider or a list of choices, got dict"),
    ({"a": "abc"}, "got str"),
    ({"a": (0, 4, 1, 2.5)}, "start value 2.5"),
    ({}, "at least one parameter"),
])
def test_bad_parameters_are_refused_with_the_reason(params, message):
    calls = []
    with pytest.raises(ValueError, match=message):
        explore(lambda **p: calls.append(p), alt="A figure", **params)
    assert calls == []


def test_alt_text_is_required():
    with pytest.raises(ValueError, match="alt"):
        explore(lambda a: sigmoid_figure(a, 0), alt="  ", a=[1, 2])


def test_an_error_in_draw_names_the_frame():
    def draw(a):
        if a == 2:
            raise ZeroDivisionError("boom")
        return sigmoid_figure(a, 0)

    ex = explore(draw, alt="A figure", a=[1, 2])
    with pytest.raises(ZeroDivisionError) as info:
        ex.to_html()
    assert "draw(a=2)" in "".join(getattr(info.value, "__notes__", ["draw(a=2)"]))


def test_glue_shows_the_object_and_names_it_for_other_pages(monkeypatch):
    """The output must carry MyST-NB's glue metadata so that a Markdown page can paste it with {glue}."""
    import IPython.display

    from nnlessons.display.explore import glue

    published = []
    monkeypatch.setattr(IPython.display, "publish_display_data",
                        lambda data, metadata=None: published.append((data, metadata)))

    class Shown:
        def _repr_mimebundle_(self, include=None, exclude=None):
            return {"text/plain": "shown", "text/html": "<b>shown</b>"}

    glue("my-key", Shown())
    ((data, metadata),) = published
    assert data["text/html"] == "<b>shown</b>"
    assert metadata["scrapbook"] == {"name": "my-key", "mime_prefix": ""}


# -- the static script, in Chromium -------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    from browser import chromium

    with chromium() as shared:  # skips without Chromium, fails under CI (see browser.py)
        yield shared


def open_page(browser, tmp_path, body):
    path = tmp_path / "explorer.html"
    path.write_text(f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title></head>'
                    f"<body>{body}</body></html>", encoding="utf-8")
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    return page, errors


def test_static_explorer_works_by_keyboard_and_announces_each_frame(browser, tmp_path):
    ex = explore(Recorder(), alt="A sigmoid curve", steepness=(1, 11, 5), shift=[-1, 0, 1],
                 describe=lambda steepness, shift: f"steepness {steepness}, centred at x = {shift}")
    page, errors = open_page(browser, tmp_path, ex.to_html())
    assert page.locator(".nnl-untrusted").count() == 0  # the script ran: the note is gone
    img, status = page.locator("img.nnl-explorer-frame"), page.locator(".nnl-explorer-status")
    assert status.inner_text() == "steepness 1, centred at x = -1" and status.is_visible()

    page.keyboard.press("Tab")  # the first slider is the first Tab stop
    assert page.evaluate("document.activeElement.name") == "steepness"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    page.keyboard.press("End")
    assert img.get_attribute("alt") == "A sigmoid curve (steepness 6, centred at x = 1)"
    frames, _ = frames_of(ex.to_html())
    shown = base64.b64decode(img.get_attribute("src").split(",", 1)[1])
    assert shown == frames[3 * 1 + 2] and shows(shown, sigmoid_figure(6, 1))
    assert page.locator("input[name=shift]").get_attribute("aria-valuetext") == "1"
    page.wait_for_function("() => document.querySelector('.nnl-explorer-status').textContent.includes('x = 1')",
                           timeout=3000)  # announced once the reader stops (250 ms)
    assert status.inner_text() == "steepness 6, centred at x = 1"
    assert not errors


def test_sanitized_explorer_says_run_this_cell(browser, tmp_path):
    """An untrusted notebook drops <script> and <style>: the note stays, the sliders are disabled."""
    ex = explore(Recorder(), alt="A sigmoid curve", steepness=(1, 6, 5), shift=[0])
    sanitized = re.sub(r"<script>.*?</script>|<style>.*?</style>", "", ex.to_html(), flags=re.S)
    page, errors = open_page(browser, tmp_path, sanitized)
    note = page.locator(".nnl-untrusted")
    assert note.is_visible() and "run this cell" in note.inner_text()
    assert page.locator("input[type=range]").first.is_disabled()
    box = page.locator(".nnl-explorer-status").first.bounding_box()
    assert box["width"] <= 1 and box["height"] <= 1  # for screen readers only, unless describe= is given
    assert not errors
