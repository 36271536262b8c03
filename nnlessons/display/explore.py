"""Slider figures that work in live Jupyter and on the static website.

One call, ``explore(draw, alt=..., steepness=(1, 50, 5), units=[1, 2, 4, 8])``, gives an object
with two lives:

- displayed, it is a self-contained HTML version: every frame is rendered in advance as a PNG data
  URI (256 colours, so that pages stay light), and a few lines of inline JavaScript swap the picture,
  its alt text and a one-line summary (announced to screen readers) when a range input moves. It is
  the same output in a live notebook, a saved and reopened one, and on the website; no network, no
  kernel, and no widget view that a reopened notebook could not find;
- its ``widget`` is the ipywidgets view: moving a control calls ``draw(**params)`` again (results are
  cached) and shows the new figure.

Each keyword parameter is a control: a tuple ``(lo, hi, step)`` (optionally ``(lo, hi, step, start)``)
is a numeric slider over ``lo, lo + step, ..., hi``; a list is a set of choices (numbers, strings or
booleans). The number of frames, the product of the grid sizes, is at most ``MAX_FRAMES``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import itertools
import math
import numbers
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import traitlets
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from .static import SR_ONLY, THEME_CSS, inline_script, untrusted_note

__all__ = ["explore", "Explorer", "MAX_FRAMES", "glue"]

MAX_FRAMES = 60
"""Most frames one explorer may precompute for the static site."""

FRAME_DPI = 80
"""Resolution of every frame; with a 6 x 3.6 inch figure a frame is about 480 x 290 pixels."""

PALETTE_COLORS = 256
"""Frames are stored with an adaptive palette of this many colours (None keeps full-colour PNGs)."""

MAX_HTML_BYTES = 4_000_000
"""Largest static version allowed (a page must stay under 5 MB)."""

_ids = itertools.count(1)  # numbering restarts in every process, so ids are reproducible


class _FrameImage(widgets.Image):
    """``widgets.Image`` whose ``tooltip`` renders in ipywidgets 8.

    The front end's ``DOMWidgetView.updateTooltip`` reads ``description.length``, and Image has no
    ``description``: with a tooltip set, the view fails to render ("Cannot read properties of undefined
    (reading 'length')", jupyter-widgets/ipywidgets PR #3921). An empty synced ``description`` avoids it.
    """

    description = traitlets.Unicode("").tag(sync=True)


class _Control:
    """One parameter: its name, the values it can take, and where it starts."""

    def __init__(self, name: str, spec: Any) -> None:
        self.name = name
        if isinstance(spec, tuple):
            self.kind = "range"
            self.values, self.start = _range_values(name, spec)
            self.step = spec[2]
        elif isinstance(spec, list):
            self.kind = "choice"
            self.values = _choice_values(name, spec)
            self.start = 0
        else:
            raise ValueError(
                f"explore: parameter {name!r} must be a tuple (lo, hi, step) for a slider or a list "
                f"of choices, got {type(spec).__name__} {spec!r}"
            )
        self.labels = [_label(v) for v in self.values]

    def snap(self, value: Any) -> Any:
        """The grid value equal (up to float rounding) to ``value``, else ``value`` itself."""
        if self.kind == "range" and isinstance(value, float):
            tol = 1e-9 * max(1.0, *(abs(v) for v in self.values))
            for v in self.values:
                if abs(v - value) <= tol:
                    return v
        return value

    def widget(self) -> widgets.ValueWidget:
        """The live ipywidgets control, labelled with the parameter's name."""
        common = dict(description=self.name, continuous_update=True, style={"description_width": "initial"})
        start = self.values[self.start]
        if self.kind == "range" and all(isinstance(v, int) for v in self.values):
            return widgets.IntSlider(value=start, min=self.values[0], max=self.values[-1], step=self.step,
                                     **common)
        if self.kind == "range":
            digits = max(1, _decimals(self.values[0]), _decimals(self.step))
            return widgets.FloatSlider(value=start, min=self.values[0], max=self.values[-1], step=self.step,
                                       readout_format=f".{digits}f", **common)
        options = list(zip(self.labels, self.values))
        if all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in self.values):
            return widgets.SelectionSlider(options=options, value=start, **common)
        common.pop("continuous_update")
        return widgets.Dropdown(options=options, value=start, **common)


def _is_number(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and math.isfinite(x)


def _range_values(name: str, spec: tuple) -> tuple[list, int]:
    if len(spec) not in (3, 4) or not all(_is_number(x) for x in spec):
        raise ValueError(
            f"explore: slider {name!r} must be (lo, hi, step) or (lo, hi, step, start) with finite "
            f"numbers, got {spec!r}"
        )
    lo, hi, step = spec[:3]
    if step <= 0:
        raise ValueError(f"explore: slider {name!r} needs step > 0, got step = {step}")
    if hi < lo:
        raise ValueError(f"explore: slider {name!r} needs lo <= hi, got lo = {lo}, hi = {hi}")
    count = int(math.floor((hi - lo) / step + 1e-9)) + 1
    if count > MAX_FRAMES:  # checked here so that a huge grid is never built
        raise ValueError(
            f"explore: slider {name!r} has {count} values, more than the {MAX_FRAMES} frames allowed"
        )
    if all(isinstance(x, numbers.Integral) for x in (lo, hi, step)):
        values = [int(lo) + i * int(step) for i in range(count)]
    else:
        values = [round(lo + i * step, 12) for i in range(count)]
    start = 0
    if len(spec) == 4:
        distances = [abs(v - spec[3]) for v in values]
        start = distances.index(min(distances))
        if distances[start] > 1e-9 * max(1.0, abs(spec[3])):
            raise ValueError(f"explore: start value {spec[3]} of slider {name!r} is not one of {values}")
    return values, start


def _choice_values(name: str, spec: list) -> list:
    if len(spec) == 0:
        raise ValueError(f"explore: parameter {name!r} has an empty list of choices")
    for v in spec:
        if not (isinstance(v, (str, bool)) or _is_number(v)):
            raise ValueError(
                f"explore: choice {v!r} of {name!r} is a {type(v).__name__}; choices must be numbers, "
                f"strings or booleans"
            )
    if len({(type(v), v) for v in spec}) != len(spec):
        raise ValueError(f"explore: parameter {name!r} lists a choice twice: {spec!r}")
    return list(spec)


def _decimals(x: float) -> int:
    """How many decimals ``x`` needs (0.25 -> 2), to show slider values without float noise."""
    text = f"{x:.10f}".rstrip("0")
    return len(text.split(".")[1])


def _label(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _figure_of(result: Any) -> Figure:
    """The figure that ``draw`` made: returned, the figure of a returned Axes or (fig, ax) pair, or
    the current pyplot figure when ``draw`` returned None."""
    if isinstance(result, tuple) and result and isinstance(result[0], Figure):
        result = result[0]
    if isinstance(result, Axes):
        result = result.figure
    if isinstance(result, Figure):
        return result
    if result is None:
        if plt.get_fignums():
            return plt.gcf()
        raise ValueError("explore: draw() returned None and drew no pyplot figure; return the Figure")
    raise TypeError(f"explore: draw() must return a matplotlib Figure, got {type(result).__name__}")


def render_png(draw: Callable[..., Any], params: dict[str, Any], dpi: int = FRAME_DPI) -> bytes:
    """Call ``draw(**params)`` and return the figure as PNG bytes (identical on every run).

    The figure and every other pyplot figure the call opened are closed, so that none of them is
    shown again in the notebook and none stays in memory.
    """
    before = set(plt.get_fignums())
    try:
        fig = _figure_of(draw(**params))
        plt.close(fig)  # a no-op for figures made without pyplot
        buffer = io.BytesIO()
        FigureCanvasAgg(fig).print_figure(buffer, format="png", dpi=dpi, metadata={"Software": None})
        return _palette_png(buffer.getvalue())
    except Exception as error:
        if hasattr(error, "add_note"):
            error.add_note(f"while drawing the explorer frame draw({_call_args(params)})")
        raise
    finally:
        for num in set(plt.get_fignums()) - before:
            plt.close(num)


def _palette_png(png: bytes) -> bytes:
    """The same picture with at most ``PALETTE_COLORS`` colours: about 3 times smaller, and to the eye
    the same for plots (lines, text, colour maps). Figures with transparent pixels are kept as they are."""
    if not PALETTE_COLORS:
        return png
    image = Image.open(io.BytesIO(png))
    if image.mode == "RGBA" and image.getextrema()[3][0] < 255:
        return png
    small = image.convert("RGB").quantize(PALETTE_COLORS, method=Image.Quantize.MEDIANCUT,
                                          dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    small.save(buffer, format="png", optimize=True)
    return buffer.getvalue()


def _call_args(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in params.items())


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels, read from the PNG header."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


_SCRIPT = """  var img = root.querySelector("img.nnl-explorer-frame"), status = root.querySelector(".nnl-explorer-status");
  var inputs = [], outputs = [], timer = null;
  cfg.names.forEach(function (name, k) {
    inputs.push(document.getElementById(root.id + "-" + name));
    outputs.push(document.getElementById(root.id + "-" + name + "-value"));
  });
  function update() {
    var index = 0;
    inputs.forEach(function (input, k) {
      var i = parseInt(input.value, 10), label = cfg.labels[k][i];
      index = index * cfg.labels[k].length + i;
      outputs[k].textContent = label;
      input.setAttribute("aria-valuetext", label);
    });
    img.src = "data:image/png;base64," + cfg.frames[index];
    img.alt = cfg.alt + " (" + cfg.summaries[index] + ")";
    clearTimeout(timer);  /* announce where the reader stops, not each frame passed while dragging */
    timer = setTimeout(function () { status.textContent = cfg.summaries[index]; }, 250);
  }
  inputs.forEach(function (input) {
    input.disabled = false;
    input.addEventListener("input", update);
    /* JupyterLab's notebook takes arrow keys for its own shortcuts: keep them on the slider */
    input.addEventListener("keydown", function (event) { event.stopPropagation(); });
  });"""


class Explorer:
    """A slider figure; see :func:`explore`. Display it as the last expression of a cell.

    The display is the static version (:meth:`to_html`), the same in a live notebook, a reopened one
    and on the website; ``widget`` is the ipywidgets view, which redraws in the kernel
    (``display(explorer.widget)``). No widget view is stored in a notebook, so a reopened notebook
    never shows "Error displaying widget: model not found".

    Attributes:
        controls: parameter name -> live ipywidgets control (set ``.value`` to move it).
        image: the ``widgets.Image`` showing the current frame as PNG bytes.
        status: the ``widgets.HTML`` line that describes the current frame.
        widget: the ``widgets.VBox`` holding controls, image and status (the live view).
        n_frames: number of frames of the static version.
    """

    def __init__(self, draw: Callable[..., Any], params: dict[str, Any], *, alt: str,
                 title: str | None = None, describe: Callable[..., str] | None = None) -> None:
        if not callable(draw):
            raise TypeError(f"explore: draw must be a function, got {type(draw).__name__}")
        if not isinstance(alt, str) or not alt.strip():
            raise ValueError("explore: alt must be a sentence saying what the figure shows")
        if describe is not None and not callable(describe):
            raise TypeError(f"explore: describe must be a function of the parameters, got {type(describe).__name__}")
        if not params:
            raise ValueError("explore: give at least one parameter, e.g. steepness=(1, 50, 5)")
        self.draw, self.alt, self.title, self.describe = draw, alt.strip(), title, describe
        self._spec = [_Control(name, spec) for name, spec in params.items()]
        self.n_frames = math.prod(len(c.values) for c in self._spec)
        if self.n_frames > MAX_FRAMES:
            sizes = " x ".join(f"{len(c.values)} ({c.name})" for c in self._spec)
            raise ValueError(
                f"explore: {sizes} = {self.n_frames} frames, more than the {MAX_FRAMES} allowed; "
                f"use a coarser step or fewer choices"
            )
        digest = hashlib.sha1(repr((title, self.alt, list(params.items()))).encode()).hexdigest()[:8]
        self.id = f"nnl-explorer-{digest}-{next(_ids)}"
        self._cache: dict[tuple, bytes] = {}
        self._html: str | None = None
        self._widget: widgets.VBox | None = None
        self.render(**{c.name: c.values[c.start] for c in self._spec})  # a broken draw fails here, at once

    # -- both lives ---------------------------------------------------------------------------
    def render(self, **params: Any) -> bytes:
        """PNG bytes of ``draw(**params)``, drawn once and then cached."""
        key = tuple((name, type(params[name]).__name__, params[name]) for name in sorted(params))  # 1 != True
        if key not in self._cache:
            self._cache[key] = render_png(self.draw, params)
        return self._cache[key]

    def frame_params(self) -> list[dict[str, Any]]:
        """Parameters of every static frame, in the order the page stores them (last one fastest)."""
        names = [c.name for c in self._spec]
        return [dict(zip(names, combo)) for combo in itertools.product(*(c.values for c in self._spec))]

    def summary(self, **params: Any) -> str:
        """One line saying what the frame at ``params`` shows: ``describe(**params)``, or by default
        the values (``"steepness = 5, units = 4"``). Screen readers hear it when the frame changes."""
        if self.describe is not None:
            text = self.describe(**params)
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"explore: describe({_call_args(params)}) must return a sentence, got {text!r}")
            return " ".join(text.split())
        return ", ".join(f"{k} = {_label(v)}" for k, v in params.items())

    def _alt_for(self, params: dict[str, Any]) -> str:
        return f"{self.alt} ({self.summary(**params)})"

    # -- live Jupyter -------------------------------------------------------------------------
    @property
    def widget(self) -> widgets.VBox:
        """The live view, built on first use."""
        if self._widget is None:
            self.controls = {c.name: c.widget() for c in self._spec}
            start = self._current()
            self.image = _FrameImage(value=self.render(**start), format="png", tooltip=self._alt_for(start),
                                     layout=widgets.Layout(align_self="flex-start"))  # natural size
            self.status = widgets.HTML(html.escape(self.summary(**start)))
            header = [widgets.HTML(f"<b>{html.escape(self.title)}</b>")] if self.title else []
            self._widget = widgets.VBox([*header, *self.controls.values(), self.image, self.status])
            for control in self.controls.values():
                control.observe(self._on_change, names="value")
        return self._widget

    def __getattr__(self, name: str) -> Any:
        if name in ("controls", "image", "status"):  # parts of the live view: build it
            self.widget  # noqa: B018
            return self.__dict__[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _current(self) -> dict[str, Any]:
        return {c.name: c.snap(self.controls[c.name].value) for c in self._spec}

    def _on_change(self, change: dict) -> None:
        params = self._current()
        self.image.value = self.render(**params)
        self.image.tooltip = self._alt_for(params)
        self.status.value = html.escape(self.summary(**params))

    # -- static website -----------------------------------------------------------------------
    def to_html(self) -> str:
        """The self-contained static version (all frames inline; no external URL)."""
        if self._html is None:
            self._html = self._build_html()
            if len(self._html) > MAX_HTML_BYTES:
                raise ValueError(
                    f"explore: the static explorer is {len(self._html) / 1e6:.1f} MB, more than "
                    f"{MAX_HTML_BYTES / 1e6:.0f} MB; use a smaller figsize or fewer frames"
                )
        return self._html

    def _build_html(self) -> str:
        every = self.frame_params()
        frames = [base64.b64encode(self.render(**p)).decode("ascii") for p in every]
        summaries = [self.summary(**p) for p in every]
        starts = [c.start for c in self._spec]
        first = 0
        for c, i in zip(self._spec, starts):
            first = first * len(c.values) + i
        width, height = _png_size(base64.b64decode(frames[first]))
        esc = html.escape
        parts = [f'<div class="nnl-explorer" id="{self.id}">', f"<style>{THEME_CSS}</style>",
                 untrusted_note("The sliders")]
        if self.title:
            parts.append(f'<p class="nnl-explorer-title" style="margin:0 0 0.3em"><strong>{esc(self.title)}'
                         "</strong></p>")
        parts.append('<div class="nnl-explorer-controls">')
        for c, i in zip(self._spec, starts):
            cid = f"{self.id}-{c.name}"
            parts.append(
                f'<div class="nnl-explorer-control" style="margin:0.2em 0">'
                f'<label for="{cid}" style="display:inline-block;min-width:7em">{esc(c.name)}</label> '
                f'<input type="range" id="{cid}" name="{esc(c.name)}" min="0" max="{len(c.values) - 1}" '
                f'step="1" value="{i}" aria-valuetext="{esc(c.labels[i])}" disabled style="vertical-align:middle"> '
                f'<output id="{cid}-value" for="{cid}">{esc(c.labels[i])}</output></div>'
            )
        parts.append("</div>")
        parts.append(
            f'<img class="nnl-explorer-frame" src="data:image/png;base64,{frames[first]}" '
            f'alt="{esc(self.alt)} ({esc(summaries[first])})" width="{width}" height="{height}" '
            f'style="max-width:100%;height:auto;display:block">'
        )
        shown = "margin:0.3em 0 0;font-size:0.95em" if self.describe else SR_ONLY
        parts.append(f'<p class="nnl-explorer-status" role="status" aria-live="polite" style="{shown}">'
                     f"{esc(summaries[first])}</p>")
        cfg = {"alt": self.alt, "names": [c.name for c in self._spec],
               "labels": [c.labels for c in self._spec], "frames": frames, "summaries": summaries}
        parts.append(inline_script(self.id, cfg, _SCRIPT))
        parts.append("</div>")
        return "\n".join(parts)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/plain": repr(self), "text/html": self.to_html()}

    def __repr__(self) -> str:
        grid = " x ".join(f"{len(c.values)} {c.name}" for c in self._spec)
        return f"<Explorer {self.alt!r}: {grid} = {self.n_frames} frames>"


def explore(draw: Callable[..., Any], *, alt: str, title: str | None = None,
            describe: Callable[..., str] | None = None, **params: Any) -> Explorer:
    """A figure with a slider (or choice) per parameter, live in Jupyter and static on the site.

    Args:
        draw: ``draw(**params)`` draws one frame and returns its matplotlib Figure (or an Axes, or the
            ``(fig, ax)`` pair from ``plt.subplots``; returning None uses the current pyplot figure).
        alt: what the figure shows, for readers who cannot see it; the current values are appended.
        title: optional heading shown above the controls.
        describe: optional ``describe(**params) -> str``, one line saying what a frame shows (e.g.
            ``"8 bumps, steepness 32: largest error 0.05"``); shown under the figure, announced to
            screen readers when the frame changes, and added to the alt text. Default: the values.
        **params: ``name=(lo, hi, step)`` or ``(lo, hi, step, start)`` for a numeric slider over
            ``lo, lo + step, ..., hi``; ``name=[choice, ...]`` for choices (numbers, strings, booleans).

    Returns:
        An :class:`Explorer`; make it the last expression of a cell to display it.

    Raises:
        ValueError: a parameter of unknown type, empty choices, ``step <= 0``, or more than
            ``MAX_FRAMES`` frames in total.

    Example:
        >>> def draw(steepness, shift):
        ...     fig, ax = plt.subplots()
        ...     ...
        ...     return fig
        >>> explore(draw, alt="A sigmoid curve",
        ...         steepness=(1, 21, 5), shift=[-1, 0, 1])  # doctest: +SKIP
    """
    return Explorer(draw, params, alt=alt, title=title, describe=describe)


def glue(name: str, obj: Any) -> None:
    """Show ``obj`` (an explorer, a quiz, a figure...) and register it under ``name`` for other pages.

    The output is stored in MyST-NB's "glue" format, so a Markdown page of the website can paste the
    same output with ``{glue} name`` and a ``:doc:`` option naming this notebook. Unlike
    ``myst_nb.glue``, this needs nothing beyond IPython, so it also runs on Colab.
    """
    from IPython.core.formatters import format_display_data
    from IPython.display import publish_display_data

    data, metadata = format_display_data(obj)
    metadata["scrapbook"] = {"name": name, "mime_prefix": ""}
    publish_display_data(data, metadata=metadata)
