"""nnlessons: the engine and teaching tools of the nnlessons course.

A small, NumPy-backed autograd engine with PyTorch's names and semantics::

    import nnlessons as nl
    from nnlessons import nn, functional as F

    net = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 3))
    loss = F.cross_entropy(net(nl.Tensor(X)), y)
    loss.backward()
"""

from . import functional, nn, optim
from . import functional as F
from .gradcheck import GradcheckError, gradcheck
from .tensor import (BackwardStep, Tensor, backward_steps, default_rng, enable_grad, is_grad_enabled, manual_seed,
                     no_grad, topological_order)

__version__ = "0.1.0"

__all__ = [
    "Tensor", "no_grad", "enable_grad", "is_grad_enabled", "manual_seed", "default_rng",
    "gradcheck", "GradcheckError", "functional", "F", "nn", "optim",
    "topological_order", "backward_steps", "BackwardStep",
]


def __getattr__(name):
    # The folders around the engine are imported on first use, so that `import nnlessons` stays light.
    if name in ("training", "display", "chapters", "checks"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'nnlessons' has no attribute {name!r}")
