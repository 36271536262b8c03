"""Check functions for the exercises of the chapter on the universal approximation theorem.

``check_bump(make_bump)`` checks a student's function ``make_bump(left, right, height, steepness)`` that
returns a two-unit sigmoid network ``nn.Sequential(nn.Linear(1, 2), nn.Sigmoid(), nn.Linear(2, 1))`` with
weights set by hand so that it computes the bump::

    height * (sigmoid(steepness * (x - left)) - sigmoid(steepness * (x - right)))

The network is judged by what it computes on a grid of inputs, so any weights that give the same function
are accepted (for example, sigmoid(-z) = 1 - sigmoid(z) allows negative input weights). When the values are
wrong, the verdict names the first input where they differ and, for the usual slips (a bias without the
minus sign or without the steepness, an upside-down bump, an output bias), says what to change.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import nn
from ..tensor import Tensor, no_grad
from . import FAIL, PASS, Verdict

__all__ = ["check_bump", "reference_bump", "check_edge_network", "reference_edges"]

#: Named cases: (left, right, height, steepness).
BUMP_CASES: dict[str, tuple[float, float, float, float]] = {
    "unit bump on [0, 1]": (0.0, 1.0, 1.0, 20.0),
    "tall narrow bump on [1.5, 2]": (1.5, 2.0, 3.0, 50.0),
    "negative bump on [-2, -0.5]": (-2.0, -0.5, -0.7, 10.0),
}


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # the logistic function, without overflow


def reference_bump(x: np.ndarray, left: float, right: float, height: float, steepness: float) -> np.ndarray:
    """height * (sigmoid(steepness (x - left)) - sigmoid(steepness (x - right))), elementwise."""
    x = np.asarray(x, dtype=np.float64)
    return height * (_sigmoid(steepness * (x - left)) - _sigmoid(steepness * (x - right)))


def _grid(left: float, right: float) -> np.ndarray:
    return np.linspace(left - 1.0, right + 1.0, 61)


def _architecture_problem(model: Any) -> str | None:
    """None if model is Sequential(Linear(1, 2), Sigmoid(), Linear(2, 1)); else what differs."""
    if not isinstance(model, nn.Module):
        kind = "None (did you forget to return the network?)" if model is None else f"a {type(model).__name__}"
        return f"make_bump must return the network (an nn.Sequential), but it returned {kind}"
    if not isinstance(model, nn.Sequential) or len(model) != 3:
        return ("the network must be nn.Sequential(nn.Linear(1, 2), nn.Sigmoid(), nn.Linear(2, 1)), "
                f"got {' '.join(repr(model).split())}")
    first, act, last = model[0], model[1], model[2]
    if not (isinstance(first, nn.Linear) and first.in_features == 1 and first.out_features == 2):
        return f"the first layer must be nn.Linear(1, 2) (one input, two hidden units), got {' '.join(repr(first).split())}"
    if not isinstance(act, nn.Sigmoid):
        return f"the middle layer must be nn.Sigmoid(), got {' '.join(repr(act).split())}"
    if not (isinstance(last, nn.Linear) and last.in_features == 2 and last.out_features == 1):
        return f"the last layer must be nn.Linear(2, 1) (two hidden units, one output), got {' '.join(repr(last).split())}"
    if first.bias is None or last.bias is None:
        return "both Linear layers need a bias (bias=True, the default)"
    return None


def _evaluate(model: nn.Module, x: np.ndarray) -> np.ndarray:
    with no_grad():
        out = model(Tensor(x.reshape(-1, 1)))
    return np.asarray(getattr(out, "data", out), dtype=np.float64)


def _value(v: float) -> str:
    """A value as a student reads it: 6 decimals at most, so 2e-09 reads 0."""
    return f"{round(float(v), 6) + 0.0:.6g}"


def _hint(got: np.ndarray, x: np.ndarray, left: float, right: float, height: float, steepness: float) -> str:
    """Name a usual slip if the values match it."""

    def close(values: np.ndarray) -> bool:
        return bool(np.allclose(got, values, rtol=1e-6, atol=1e-6))

    expected = reference_bump(x, left, right, height, steepness)
    sig = _sigmoid
    if close(-expected):
        return (" Your bump points the wrong way: the unit whose step is at `left` needs output weight "
                "+height and the unit at `right` needs -height.")
    if close(height * (sig(steepness * x + steepness * left) - sig(steepness * x + steepness * right))):
        return (" Your steps sit at -left and -right: a unit whose step is at a has bias -steepness * a "
                "(with input weight steepness).")
    if close(height * (sig(steepness * x - left) - sig(steepness * x - right))):
        return (" Your steps sit at left / steepness and right / steepness: the bias must be "
                "-steepness * left (and -steepness * right), not -left.")
    offset = got - expected
    if np.ptp(offset) < 1e-6:
        return (f" Your network is the bump plus the constant {offset.mean():.6g}: set the output bias to 0.")
    return ""


def _verdict(name: str, failures: list[tuple[str, str]], total: int, success: str) -> Verdict:
    """Print the verdict of a check of ``total`` cases: the first failing case in full, the others by name."""
    if not failures:
        print(f"{PASS} All {total} checks passed for {name}: {success}.")
        return Verdict(True)
    label, message = failures[0]
    others = f" (failing cases: {', '.join(repr(f[0]) for f in failures)})" if 1 < len(failures) < total else ""
    print(f"{FAIL} {len(failures)} of {total} checks failed for {name}{others}.\n  Case {label!r}: {message}")
    return Verdict(False)


def check_bump(make_bump: Callable[[float, float, float, float], Any]) -> Verdict:
    """Check ``make_bump(left, right, height, steepness)`` on three bumps; print a verdict.

    Returns a :class:`~nnlessons.checks.Verdict`: true if all three bumps are right; it displays nothing in
    a notebook, so the cell shows the printed verdict only.

    The returned network must be ``nn.Sequential(nn.Linear(1, 2), nn.Sigmoid(), nn.Linear(2, 1))`` and compute
    ``height * (sigmoid(steepness * (x - left)) - sigmoid(steepness * (x - right)))`` at every x of a grid
    from left - 1 to right + 1 (to within 1e-8).
    """
    if not callable(make_bump):
        print(f"{FAIL} expected a function make_bump(left, right, height, steepness), got a {type(make_bump).__name__}.")
        return Verdict(False)
    failures: list[tuple[str, str]] = []
    for label, (left, right, height, steepness) in BUMP_CASES.items():
        args = f"make_bump({left:g}, {right:g}, {height:g}, {steepness:g})"
        try:
            model = make_bump(left, right, height, steepness)
        except Exception as error:  # the student's bug, reported rather than raised
            failures.append((label, f"{args} raised {type(error).__name__}: {error}"))
            continue
        problem = _architecture_problem(model)
        if problem:
            failures.append((label, f"{args}: {problem}."))
            continue
        x = _grid(left, right)
        try:
            got = _evaluate(model, x)
        except Exception as error:
            failures.append((label, f"running the network of {args} raised {type(error).__name__}: {error}"))
            continue
        if got.shape != (len(x), 1):
            failures.append((label, f"{args}: for {len(x)} inputs of shape ({len(x)}, 1) the network returned "
                                    f"shape {got.shape}, expected ({len(x)}, 1)."))
            continue
        got = got[:, 0]
        expected = reference_bump(x, left, right, height, steepness)
        bad = ~np.isclose(got, expected, rtol=1e-6, atol=1e-8)
        if bad.any():
            i = int(np.argmax(np.where(bad, np.abs(got - expected), -1.0)))
            failures.append((label, f"{args}: at x = {x[i]:.6g} the network gives {_value(got[i])}, the bump is "
                                    f"{_value(expected[i])} ({int(bad.sum())} of {len(x)} grid points differ)."
                                    + _hint(got, x, left, right, height, steepness)))
    return _verdict("make_bump", failures, len(BUMP_CASES), "two sigmoid units make the bump")


#: Named cases of :func:`check_edge_network`: (edges, heights, steepness).
EDGE_CASES: dict[str, tuple[list[float], list[float], float]] = {
    "one bump on [0, 1]": ([0.0, 1.0], [0.8], 20.0),
    "three bumps on [0, 3]": ([0.0, 1.0, 2.0, 3.0], [1.0, -0.5, 2.0], 10.0),
    "six bumps on [-3, 3]": ([-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0], [0.3, -0.9, 0.7, 0.0, 1.2, -0.4], 10.0),
}


def reference_edges(x: np.ndarray, edges, heights, steepness: float) -> np.ndarray:
    """The sum of bumps sum_k heights[k] * (sigmoid(s (x - edges[k])) - sigmoid(s (x - edges[k + 1])))."""
    x = np.asarray(x, dtype=np.float64)
    e, h = np.asarray(edges, dtype=np.float64), np.asarray(heights, dtype=np.float64)
    return sum(h[k] * (_sigmoid(steepness * (x - e[k])) - _sigmoid(steepness * (x - e[k + 1])))
               for k in range(len(h)))


def _edge_architecture_problem(model: Any, n_edges: int) -> str | None:
    """None if model is Sequential(Linear(1, n_edges), Sigmoid(), Linear(n_edges, 1)); else what differs."""
    if not isinstance(model, nn.Module):
        kind = "None (did you forget to return the network?)" if model is None else f"a {type(model).__name__}"
        return f"edge_network must return the network (an nn.Sequential), but it returned {kind}"
    if not isinstance(model, nn.Sequential) or len(model) != 3 or not isinstance(model[1], nn.Sigmoid):
        return ("the network must be nn.Sequential(nn.Linear(1, N + 1), nn.Sigmoid(), nn.Linear(N + 1, 1)), "
                f"got {' '.join(repr(model).split())}")
    first, last = model[0], model[2]
    if not (isinstance(first, nn.Linear) and isinstance(last, nn.Linear)):
        return "the first and the last layer must be nn.Linear layers"
    units = first.out_features
    if units == 2 * (n_edges - 1) and units != n_edges:
        return (f"it has {units} hidden units, two per bump; neighbouring bumps can share the unit of their "
                f"common edge, so {n_edges} units (one per edge) are enough")
    if first.in_features != 1 or units != n_edges or last.in_features != n_edges or last.out_features != 1:
        return (f"for {n_edges} edges the layers must be nn.Linear(1, {n_edges}) and nn.Linear({n_edges}, 1), "
                f"got {' '.join(repr(first).split())} and {' '.join(repr(last).split())}")
    return None


def check_edge_network(edge_network: Callable[[Any, Any, float], Any]) -> Verdict:
    """Check ``edge_network(edges, heights, steepness)``: N bumps on N + 1 edges with one unit per edge.

    The network must be ``nn.Sequential(nn.Linear(1, N + 1), nn.Sigmoid(), nn.Linear(N + 1, 1))`` and compute
    the same sum of bumps as :func:`nnlessons.chapters.approximation.bump_network` (to within 1e-8) on a grid
    from one unit left of the first edge to one unit right of the last. Prints a verdict; returns a
    :class:`~nnlessons.checks.Verdict`.
    """
    if not callable(edge_network):
        print(f"{FAIL} expected a function edge_network(edges, heights, steepness), "
              f"got a {type(edge_network).__name__}.")
        return Verdict(False)
    failures: list[tuple[str, str]] = []
    for label, (edges, heights, steepness) in EDGE_CASES.items():
        try:
            model = edge_network(np.array(edges), np.array(heights), steepness)
        except Exception as error:  # the student's bug, reported rather than raised
            failures.append((label, f"edge_network raised {type(error).__name__}: {error}"))
            continue
        problem = _edge_architecture_problem(model, len(edges))
        if problem:
            failures.append((label, problem + "."))
            continue
        x = np.linspace(edges[0] - 1.0, edges[-1] + 1.0, 121)
        try:
            got = _evaluate(model, x)
        except Exception as error:
            failures.append((label, f"running the network raised {type(error).__name__}: {error}"))
            continue
        got = got.reshape(-1)
        expected = reference_edges(x, edges, heights, steepness)
        bad = ~np.isclose(got, expected, rtol=1e-6, atol=1e-8)
        if bad.any():
            i = int(np.argmax(np.where(bad, np.abs(got - expected), -1.0)))
            failures.append((label, f"at x = {x[i]:.6g} the network gives {_value(got[i])}, the sum of bumps is "
                                    f"{_value(expected[i])} ({int(bad.sum())} of {len(x)} grid points differ). "
                                    "The output weight of the unit at edge j is the jump of the staircase "
                                    "there: heights[j] - heights[j - 1], with height 0 outside."))
    return _verdict("edge_network", failures, len(EDGE_CASES), "one unit per edge makes the same bumps")
