"""The progress bar that :func:`nnlessons.training.fit` shows while a notebook trains: for watching only.

The bar must leave nothing in the notebook once training ends, so that a notebook's stored outputs are
the same whether or not a bar was shown. It is shown through a *display id*: the cell first gets an
empty display (nothing to store or compare), which is then updated in place with the bar. At the end
the widgets are closed and the output is removed: when the bar was the cell's only output so far, by
clearing the cell's output (the Jupyter protocol has no message that deletes one output), otherwise
by updating the display back to empty (an output with no data, which shows and compares as nothing).
To know whether the cell printed or displayed anything else, the kernel's outgoing messages are
counted per cell (:class:`_OutputCounter`).

- With ipywidgets: an ``IntProgress`` bar and a label (updated at most ten times a second).
- Without ipywidgets: the same as one line of plain text.
- Outside a running kernel, or with ``NNLESSONS_PROGRESS=0`` in the environment: nothing at all.
"""

from __future__ import annotations

import os
import time
from typing import Optional

__all__ = ["ProgressBar", "in_kernel"]

_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def in_kernel() -> bool:
    """True inside a running IPython kernel (Jupyter, Colab), where a display can be updated in place."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class _OutputCounter:
    """Counts the outputs each cell execution has sent, by wrapping the kernel session's ``send``.

    Installed once per kernel. Cells that ran before it was installed (and the cell installing it)
    count as having output, so that the bar never clears an output it did not see.
    """

    _OUTPUTS = ("stream", "display_data", "execute_result", "error")

    def __init__(self, kernel):
        from jupyter_client.session import extract_header

        self.counts: dict = {}
        self.own: set = set()  # display ids of the bars, whose outputs do not count
        self.installed_in = _cell_id(kernel)
        session, original = kernel.session, kernel.session.send

        def send(stream, msg_or_type, content=None, parent=None, *args, **kwargs):
            if isinstance(msg_or_type, dict):
                msg_type, parent_header = msg_or_type["header"]["msg_type"], msg_or_type.get("parent_header")
                content = msg_or_type.get("content", content)
            else:
                msg_type, parent_header = msg_or_type, extract_header(parent) if parent else None
            display_id = ((content or {}).get("transient") or {}).get("display_id")
            if msg_type in self._OUTPUTS and parent_header and display_id not in self.own:
                key = parent_header.get("msg_id")
                self.counts[key] = self.counts.get(key, 0) + 1
            return original(stream, msg_or_type, content, parent, *args, **kwargs)

        session.send = send

    def only_own_outputs(self, kernel) -> bool:
        """True if the running cell has sent no output but the bars' (streams flushed first)."""
        import sys

        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        cell = _cell_id(kernel)
        return cell is not None and cell != self.installed_in and self.counts.get(cell, 0) == 0


def _cell_id(kernel):
    """The msg_id of the execute request the kernel is running (None if unknown)."""
    parent = kernel.get_parent() if hasattr(kernel, "get_parent") else getattr(kernel, "_parent_header", {})
    return (parent or {}).get("header", {}).get("msg_id")


def _counter():
    """The kernel's :class:`_OutputCounter`, installed on first use."""
    from IPython import get_ipython

    kernel = get_ipython().kernel
    counter = getattr(kernel, "_nnlessons_output_counter", None)
    if counter is None:
        counter = _OutputCounter(kernel)
        kernel._nnlessons_output_counter = counter
    return kernel, counter


def _widgets():
    try:
        import ipywidgets
    except ImportError:
        return None
    return ipywidgets


class ProgressBar:
    """A bar over ``total`` epochs; ``update`` shows a line of text, ``close`` removes everything.

    Args:
        total: number of epochs.
        enabled: None follows the environment variable ``NNLESSONS_PROGRESS`` (shown unless it is "0");
            False never shows a bar.
    """

    def __init__(self, total: int, enabled: Optional[bool] = None):
        if enabled is None:
            enabled = os.environ.get("NNLESSONS_PROGRESS", "1") != "0"
        self.total, self.last = total, 0.0
        self.handle = self.bar = self.label = self.box = None
        if not (enabled and in_kernel()):
            return
        from IPython.display import DisplayHandle

        self.kernel, self.counter = _counter()
        self.handle = DisplayHandle()
        self.counter.own.add(self.handle.display_id)
        self.handle.display({}, raw=True)  # an empty output: nothing to store or compare
        widgets = _widgets()
        if widgets is not None:
            self.bar = widgets.IntProgress(min=0, max=total, value=0, description="Training")
            self.label = widgets.Label(value="")
            self.box = widgets.HBox([self.bar, self.label])
            self.handle.update({_WIDGET_VIEW: {"version_major": 2, "version_minor": 0,
                                               "model_id": self.box.model_id}}, raw=True)

    @property
    def shown(self) -> bool:
        """Whether a bar is on screen."""
        return self.handle is not None

    def update(self, done: int, text: str, force: bool = False) -> None:
        """Show ``done`` of ``total`` epochs and ``text``, at most ten times a second unless ``force``."""
        if self.handle is None:
            return
        now = time.perf_counter()
        if not force and now - self.last < 0.1:
            return
        self.last = now
        if self.bar is not None:
            self.bar.value, self.label.value = done, text
        else:
            self.handle.update({"text/plain": f"Training {done}/{self.total}  {text}"}, raw=True)

    def close(self) -> None:
        """Remove the bar: the display becomes empty again and the widgets are closed."""
        if self.handle is None:
            return
        from IPython.display import clear_output

        if self.box is not None:
            for widget in (self.box, self.bar, self.label):
                widget.close()
        if self.counter.only_own_outputs(self.kernel):
            clear_output()  # removes the bar's output entry; the cell had no other output
        else:
            self.handle.update({}, raw=True)
        self.counter.own.discard(self.handle.display_id)
        self.handle = None


if in_kernel() and os.environ.get("NNLESSONS_PROGRESS", "1") != "0":
    _counter()  # count from the import on, so that a later cell's bar knows what else the cell showed
