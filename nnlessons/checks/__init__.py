"""Check functions for the coding exercises: say whether a student's answer is right, and if not, what is wrong.

A chapter's checks live in ``nnlessons/checks/<topic>.py`` and are one-liners on top of this module::

    from nnlessons.checks import check_function

    def check_sigmoid(sigmoid):
        cases = {"zero": (0.0,), "vector": (np.array([-2.0, 2.0]),)}
        return check_function(sigmoid, _reference_sigmoid, cases,
                              name="sigmoid")

Both functions print a short verdict and return True or False, so a notebook can simply call them and the
book's worked solution can ``assert`` them. Numbers, NumPy arrays, nnlessons Tensors (compared by their
``.data``), and tuples or lists of these are compared with ``numpy.isclose(got, expected, rtol, atol)``.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["check_function", "check_value", "compare", "without_overflow", "PASS", "FAIL", "Verdict"]

PASS, FAIL = "\u2713", "\u2717"  # check mark, ballot x


class Verdict:
    """What a check returns: true if the check passed, false if not.

    The check has already printed its verdict, so in a notebook a ``Verdict`` displays nothing (a cell that
    ends with a check shows the message, not a bare ``True`` or ``False`` after it); ``assert check(...)``
    and ``if check(...)`` work as with a bool.
    """

    __slots__ = ("passed",)

    def __init__(self, passed: bool) -> None:
        self.passed = bool(passed)

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return f"Verdict(passed={self.passed})"

    def _ipython_display_(self) -> None:  # IPython shows this instead of the repr: nothing
        return None


def _is_tensor(x: Any) -> bool:
    """Duck-typed nnlessons (or similar) Tensor: an array in ``.data`` and a ``backward`` method."""
    return isinstance(getattr(x, "data", None), np.ndarray) and hasattr(x, "backward")


def _is_numeric(x: Any) -> bool:
    if isinstance(x, np.ndarray):
        return x.dtype.kind in "biuf"
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


def _kind(x: Any, result: bool = False) -> str:
    """How to name a value's type to a student (``result``: x is what the student's code returned)."""
    if _is_tensor(x):
        return "a Tensor"
    if isinstance(x, np.ndarray):
        if x.dtype.kind not in "biuf":
            return f"a NumPy array of dtype {x.dtype}"
        return "a number" if x.ndim == 0 else "a NumPy array"
    if isinstance(x, bool) or isinstance(x, np.bool_):
        return "a bool"
    if _is_numeric(x):
        return "a number"
    if x is None:
        return "None (did you forget to return?)" if result else "None"
    return f"a {type(x).__name__}"


def _short(x: Any, limit: int = 80) -> str:
    """A readable, short rendering of a value for a verdict."""
    if _is_tensor(x):
        return f"Tensor({_short(x.data, limit - 8)})"
    if isinstance(x, np.ndarray):
        if x.size > 8:
            return f"<array of shape {x.shape}>"
        text = np.array2string(x, precision=6, separator=", ", suppress_small=False)
    elif isinstance(x, (float, np.floating)):
        text = repr(float(x)) if len(repr(float(x))) <= 10 else f"{float(x):.6g}"
    else:
        text = repr(x)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _shape_text(shape: tuple) -> str:
    return "a single number (shape ())" if shape == () else f"shape {shape}"


def compare(got: Any, expected: Any, *, atol: float = 1e-8, rtol: float = 1e-6) -> str | None:
    """None if ``got`` matches ``expected``; else a sentence saying what differs."""
    if _is_tensor(expected) or _is_tensor(got):
        if not (_is_tensor(expected) and _is_tensor(got)):
            return f"wrong type: expected {_kind(expected)}, got {_kind(got, result=True)}"
        return compare(got.data, expected.data, atol=atol, rtol=rtol)
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)):
            return (f"wrong type: expected a {type(expected).__name__} of {len(expected)} values, "
                    f"got {_kind(got, result=True)}")
        if len(got) != len(expected):
            return f"wrong length: expected {len(expected)} values, got {len(got)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            problem = compare(g, e, atol=atol, rtol=rtol)
            if problem:
                return f"in item [{i}] of the result: {problem}"
        return None
    if _is_numeric(expected):
        array_expected = isinstance(expected, np.ndarray) and expected.ndim > 0
        if not _is_numeric(got) or (array_expected and not isinstance(got, np.ndarray)):
            what = f"a NumPy array of {_shape_text(expected.shape)}" if array_expected else _kind(expected)
            return f"wrong type: expected {what}, got {_kind(got, result=True)}"
        g, e = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
        if g.shape != e.shape:
            return f"wrong shape: expected {_shape_text(e.shape)}, got {_shape_text(g.shape)}"
        close = np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
        if close.all():
            return None
        with np.errstate(invalid="ignore", over="ignore"):
            diff = np.where(close, 0.0, np.abs(g - e))
        diff = np.where(np.isnan(diff), np.inf, diff)
        worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), e.shape)) if e.ndim else ()
        where = "" if e.ndim == 0 else f" at index {worst if e.ndim > 1 else worst[0]}"
        count = "" if e.ndim == 0 else f" ({int((~close).sum())} of {e.size} entries differ)"
        largest = f"; largest difference {_short(_as_int(diff[worst], expected))}" if np.isfinite(diff[worst]) else ""
        return (f"wrong value{where}: expected {_short(_as_int(e[worst], expected))}, "
                f"got {_short(_as_int(g[worst], got))}{largest}{count}")
    if _kind(got) != _kind(expected):
        return f"wrong type: expected {_kind(expected)}, got {_kind(got, result=True)}"
    if got != expected:
        return f"wrong value: expected {_short(expected)}, got {_short(got)}"
    return None


def _as_int(value: float, source: Any) -> Any:
    """``value`` as an int if ``source`` holds integers (a count is printed 3, not 3.0)."""
    integral = (np.asarray(source).dtype.kind in "iu") if _is_numeric(source) else False
    return int(value) if integral and float(value).is_integer() else value


def check_value(got: Any, expected: Any, *, name: str = "your answer", atol: float = 1e-8,
                rtol: float = 1e-6) -> bool:
    """Print whether ``got`` equals ``expected`` (within tolerances) and return True or False."""
    problem = compare(got, expected, atol=atol, rtol=rtol)
    print(f"{PASS} {name} is right." if problem is None else f"{FAIL} {name}: {problem}.")
    return problem is None


def _normalise_cases(cases: Mapping[str, Any] | Sequence[tuple[str, Any]]) -> list[tuple[str, tuple]]:
    items = list(cases.items()) if isinstance(cases, Mapping) else list(cases)
    if not items:
        raise ValueError("check_function: give at least one case")
    out = []
    for item in items:
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)):
            raise ValueError(f"check_function: each case must be (label, args), got {item!r}")
        label, args = item
        out.append((label, args if isinstance(args, tuple) else (args,)))
    return out


def _fresh(args: tuple) -> tuple:
    """A copy of the arguments, so that neither function sees what the other did to them."""
    try:
        return copy.deepcopy(args)
    except Exception:  # an argument that cannot be copied is passed as it is
        return args


def check_function(user_fn: Callable[..., Any], reference_fn: Callable[..., Any],
                   cases: Mapping[str, Any] | Sequence[tuple[str, Any]], *, name: str | None = None,
                   atol: float = 1e-8, rtol: float = 1e-6) -> bool:
    """Run the student's function and a reference on named cases; print a verdict; return True if all match.

    Args:
        user_fn: the student's function.
        reference_fn: a correct implementation (its errors are the author's, so they propagate).
        cases: ``{"label": args}`` or ``[("label", args), ...]``; ``args`` is a tuple of positional
            arguments (a single non-tuple value is one argument).
        name: what to call the function in the verdict (default: its ``__name__``).
        atol, rtol: tolerances of ``numpy.isclose``.

    The verdict names the first failing case and what is wrong: an exception (its type and message), a
    wrong type or shape (both named), or a wrong value (expected, got, largest difference).
    """
    if not callable(user_fn):
        print(f"{FAIL} expected a function, got {_kind(user_fn)}.")
        return False
    if name is None:
        name = getattr(user_fn, "__name__", "")
        name = name if name.isidentifier() else "your function"
    failures: list[tuple[str, str]] = []
    normalised = _normalise_cases(cases)
    for label, args in normalised:
        expected = reference_fn(*_fresh(args))
        try:
            got = user_fn(*_fresh(args))
        except Exception as error:  # the student's bug, reported rather than raised
            failures.append((label, f"{_input_text(args)}: {name} raised {type(error).__name__}: {error}"))
            continue
        problem = compare(got, expected, atol=atol, rtol=rtol)
        if problem:
            failures.append((label, f"{_input_text(args)}: {problem}"))
    total = len(normalised)
    if not failures:
        print(f"{PASS} All {total} checks passed for {name}." if total > 1 else f"{PASS} The check passed for {name}.")
        return True
    label, message = failures[0]
    names = [repr(f[0]) for f in failures]
    names = names if len(names) <= 4 else names[:3] + [f"and {len(names) - 3} more"]
    others = f" (failing cases: {', '.join(names)})" if len(failures) > 1 else ""
    head = f"{len(failures)} of {total} checks failed" if total > 1 else "The check failed"
    print(f"{FAIL} {head} for {name}{others}.\n"
          f"  Case {label!r}{message}.")
    return False


def _input_text(args: tuple) -> str:
    """" (inputs ...)" when every input reads in full; "" when one would be cut (the case's label names it)."""
    texts = [_short(a, 40) for a in args]
    if any(t.endswith("...") or t.startswith("<array of shape") for t in texts):
        return ""
    word = "input" if len(args) == 1 else "inputs"
    return f" ({word} {', '.join(texts)})"


def without_overflow(user_fn: Callable[..., Any], advice: str) -> Callable[..., Any]:
    """``user_fn`` run with overflow and invalid values as errors, whose message ends with ``advice``.

    A NumPy overflow only warns and gives inf or nan; a check that runs the student's function through
    this wrapper reports it as an error in the verdict, with what to do instead (for example
    ``"np.exp(z) is inf for z above about 709: subtract each row's largest score before np.exp"``).
    """

    @functools.wraps(user_fn)
    def run(*args):
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            try:
                return user_fn(*args)
            except FloatingPointError as error:
                raise FloatingPointError(f"{error}; {advice}") from None

    return run
