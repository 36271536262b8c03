"""Time one full training step (forward, backward, SGD update) of nnlessons against a hand-written
NumPy forward/backward of the same network: the floor for any NumPy-backed engine.

Both run in this process, interleaved, and the median over several rounds is compared, so the
ratio does not depend on how fast the machine is. If PyTorch happens to be installed, it is timed
too (it is never required).

    python benchmarks/bench_training_step.py [--rounds 15] [--steps 50]

Goal (issue 2): nnlessons at most 1.5x the hand-written time on both workloads.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

# One BLAS thread for every contender: on a 2-core machine, threads fighting over cores make
# the timings noise. Set before NumPy loads.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

import nnlessons as nl  # noqa: E402
from nnlessons import functional as F, nn, optim  # noqa: E402


def make_data(workload: str):
    rng = np.random.default_rng(0)
    if workload == "classifier":
        X = rng.standard_normal((512, 2))
        y = rng.integers(0, 3, 512)
    else:
        X = rng.uniform(-3, 3, (1000, 1))
        y = np.sin(2 * X) + 0.3 * np.abs(X)
    return X, y


def make_model(workload: str):
    nl.manual_seed(0)
    if workload == "classifier":
        return nn.Sequential(nn.Linear(2, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 3))
    return nn.Sequential(nn.Linear(1, 128), nn.Sigmoid(), nn.Linear(128, 1))


def nnlessons_step(workload: str):
    X, y = make_data(workload)
    model = make_model(workload)
    opt = optim.SGD(model.parameters(), lr=0.05)
    Xt = nl.Tensor(X)
    loss_fn = F.cross_entropy if workload == "classifier" else F.mse_loss

    def step():
        opt.zero_grad()
        loss = loss_fn(model(Xt), y)
        loss.backward()
        opt.step()
        return loss

    return step


def numpy_step(workload: str):
    """The same network written by hand with NumPy: forward, backward, update."""
    X, y = make_data(workload)
    model = make_model(workload)
    params = [p.data.copy() for p in model.parameters()]
    lr = 0.05
    n = len(X)

    if workload == "classifier":
        W1, b1, W2, b2, W3, b3 = params
        onehot = np.eye(3)[y]

        def step():
            h1 = np.tanh(X @ W1.T + b1)
            h2 = np.tanh(h1 @ W2.T + b2)
            z = h2 @ W3.T + b3
            z = z - z.max(axis=1, keepdims=True)
            e = np.exp(z)
            p = e / e.sum(axis=1, keepdims=True)
            loss = -np.log(p[np.arange(n), y]).mean()
            dz = (p - onehot) / n
            dW3, db3 = dz.T @ h2, dz.sum(0)
            dh2 = (dz @ W3) * (1 - h2 * h2)
            dW2, db2 = dh2.T @ h1, dh2.sum(0)
            dh1 = (dh2 @ W2) * (1 - h1 * h1)
            dW1, db1 = dh1.T @ X, dh1.sum(0)
            for P, G in ((W1, dW1), (b1, db1), (W2, dW2), (b2, db2), (W3, dW3), (b3, db3)):
                P -= lr * G
            return loss
    else:
        W1, b1, W2, b2 = params

        def step():
            h = 1 / (1 + np.exp(-(X @ W1.T + b1)))
            out = h @ W2.T + b2
            diff = out - y
            loss = (diff * diff).mean()
            dout = 2 * diff / diff.size
            dW2, db2 = dout.T @ h, dout.sum(0)
            dpre = (dout @ W2) * h * (1 - h)
            dW1, db1 = dpre.T @ X, dpre.sum(0)
            for P, G in ((W1, dW1), (b1, db1), (W2, dW2), (b2, db2)):
                P -= lr * G
            return loss

    return step


def torch_step(workload: str):
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    X, y = make_data(workload)
    model = make_model(workload)
    arrays = [p.data.copy() for p in model.parameters()]
    if workload == "classifier":
        net = torch.nn.Sequential(torch.nn.Linear(2, 64), torch.nn.Tanh(), torch.nn.Linear(64, 64), torch.nn.Tanh(), torch.nn.Linear(64, 3))
        Xt, yt, loss_fn = torch.tensor(X), torch.tensor(y), torch.nn.functional.cross_entropy
    else:
        net = torch.nn.Sequential(torch.nn.Linear(1, 128), torch.nn.Sigmoid(), torch.nn.Linear(128, 1))
        Xt, yt, loss_fn = torch.tensor(X), torch.tensor(y), torch.nn.functional.mse_loss
    net = net.double()
    with torch.no_grad():
        for p, a in zip(net.parameters(), arrays):
            p.copy_(torch.tensor(a))
    opt = torch.optim.SGD(net.parameters(), lr=0.05)

    def step():
        opt.zero_grad()
        loss = loss_fn(net(Xt), yt)
        loss.backward()
        opt.step()
        return loss

    return step


def check_same_losses(workload: str) -> None:
    """Both implementations must compute the same thing, or the comparison means nothing."""
    a, b = nnlessons_step(workload), numpy_step(workload)
    for _ in range(3):
        la, lb = float(a().item()), float(b())
        assert abs(la - lb) <= 1e-10 * max(1.0, abs(lb)), (workload, la, lb)


def time_steps(step, steps: int) -> float:
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - t0) / steps


def settle_allocator() -> None:
    """Start every run from the same allocator state.

    glibc's malloc raises its mmap and trim thresholds the first time a large block is freed, and
    until then returns freed memory to the system, so later arrays pay page faults again. When that
    happens depends on the process's history (importing PyTorch alone halved every time here), so
    one 32 MB buffer is allocated and freed first, as any longer session would have done.
    """
    np.ones(4_000_000).sum()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--steps", type=int, default=50)
    args = parser.parse_args()
    settle_allocator()
    print(f"{'workload':<34}{'nnlessons':>12}{'numpy':>12}{'ratio':>8}{'torch':>12}{'vs torch':>10}")
    for workload, label in (("classifier", "(a) 2-64-64-3 tanh, 512 pts, CE"), ("regressor", "(b) 1-128-1 sigmoid, 1000 pts, MSE")):
        check_same_losses(workload)
        impls = {"nnlessons": nnlessons_step(workload), "numpy": numpy_step(workload)}
        t = torch_step(workload)
        if t is not None:
            impls["torch"] = t
        times = {k: [] for k in impls}
        for name, step in impls.items():  # warm-up
            time_steps(step, 5)
        for _ in range(args.rounds):  # interleaved rounds
            for name, step in impls.items():
                times[name].append(time_steps(step, args.steps))
        med = {k: statistics.median(v) for k, v in times.items()}
        ratio = med["nnlessons"] / med["numpy"]
        torch_cols = f"{med['torch'] * 1e6:>10.0f}us{med['nnlessons'] / med['torch']:>9.2f}x" if "torch" in med else f"{'-':>12}{'-':>10}"
        print(f"{label:<34}{med['nnlessons'] * 1e6:>10.0f}us{med['numpy'] * 1e6:>10.0f}us{ratio:>7.2f}x{torch_cols}")


if __name__ == "__main__":
    main()
