"""Layers and containers, shaped like ``torch.nn``.

A :class:`Module` holds :class:`Parameter` tensors and other modules as
attributes; ``parameters()`` finds them all, so an optimiser can update them.
``Linear.weight[i, j]`` is the lecture's W_ij: the weight from unit j of the
previous layer to unit i of this one (shape: out_features x in_features).
"""

from __future__ import annotations

import math
from typing import Iterator

import numpy as np

from . import functional as F
from .tensor import Tensor, default_rng

__all__ = [
    "Parameter", "Module", "Linear", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "PReLU", "ELU",
    "Identity", "Sequential",
]


class Parameter(Tensor):
    """A tensor that a module learns: ``requires_grad`` is on, and ``Module.parameters()`` finds it."""

    __slots__ = ()

    def __init__(self, data, requires_grad: bool = True):
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """Base class of every layer and network: subclasses set attributes in ``__init__`` and define ``forward``."""

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})

    def __setattr__(self, name: str, value) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__}.__init__ must call super().__init__() before setting {name!r}")
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def named_parameters(self, prefix: str = "", remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """Yield (name, parameter) pairs, e.g. ('0.weight', ...), for this module and its children.

        A parameter shared by several places (tied weights, a layer used twice) is yielded once,
        under the first name it is found by, as in PyTorch; ``remove_duplicate=False`` yields every name.
        """
        seen: set = set()
        for name, p in self._named_parameters_all(prefix):
            if remove_duplicate:
                if id(p) in seen:
                    continue
                seen.add(id(p))
            yield name, p

    def _named_parameters_all(self, prefix: str) -> Iterator[tuple[str, Parameter]]:
        for name, p in self._parameters.items():
            yield prefix + name, p
        for name, m in self._modules.items():
            yield from m._named_parameters_all(prefix + name + ".")

    def parameters(self) -> Iterator[Parameter]:
        """Yield every parameter of this module and its children, each once."""
        for _, p in self.named_parameters():
            yield p

    def children(self) -> Iterator["Module"]:
        """Yield the direct sub-modules."""
        yield from self._modules.values()

    def modules(self) -> Iterator["Module"]:
        """Yield this module and every module inside it, each once (a module used twice is one module)."""
        seen: set = set()
        stack = [self]
        while stack:
            m = stack.pop()
            if id(m) in seen:
                continue
            seen.add(id(m))
            yield m
            stack.extend(reversed(list(m._modules.values())))

    def zero_grad(self) -> None:
        """Reset every parameter's gradient to None (PyTorch's default, ``set_to_none=True``)."""
        for p in self.parameters():
            p.grad = None

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter's values, by name (a shared parameter under each of its names, as in PyTorch)."""
        return {name: p.data.copy() for name, p in self.named_parameters(remove_duplicate=False)}

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        """Copy values saved by :meth:`state_dict` back into the parameters (names and shapes must match)."""
        own = dict(self.named_parameters(remove_duplicate=False))
        if set(own) != set(state):
            raise KeyError(f"load_state_dict: missing {sorted(set(own) - set(state))}, unexpected {sorted(set(state) - set(own))}")
        for name, p in own.items():
            value = np.asarray(state[name], dtype=np.float64)
            if value.shape != p.shape:
                raise ValueError(f"load_state_dict: {name} has shape {p.shape} but the saved value has shape {value.shape}")
            p.data[...] = value

    __constants__: tuple[str, ...] = ()
    """Names of fixed settings (not parameters) that ``repr()`` shows, as in PyTorch."""

    def extra_repr(self) -> str:
        """The text inside ``repr()``'s parentheses: by default each name in ``__constants__`` with its value."""
        return ", ".join(f"{name}={getattr(self, name)}" for name in self.__constants__)

    def __repr__(self) -> str:
        lines = [f"({name}): " + repr(m).replace("\n", "\n  ") for name, m in self._modules.items()]
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"


class Linear(Module):
    """The affine layer y = x W^T + b, with W of shape (out_features, in_features).

    Initialised as in PyTorch: W and b uniform in [-1/sqrt(in_features), 1/sqrt(in_features)],
    drawn from the generator seeded by ``nnlessons.manual_seed``.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True):
        super().__init__()
        for label, n in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(n, (int, np.integer)) or n < 1:
                raise ValueError(f"Linear: {label} must be a positive integer, got {n!r}")
        self.in_features, self.out_features = int(in_features), int(out_features)
        bound = 1.0 / math.sqrt(in_features)
        rng = default_rng()
        self.weight = Parameter(rng.uniform(-bound, bound, size=(out_features, in_features)))
        self.bias = Parameter(rng.uniform(-bound, bound, size=out_features)) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        """z_i = sum_j W_ij x_j + b_i for every row x of the batch."""
        x = x if isinstance(x, Tensor) else Tensor(x)
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(
                f"Linear({self.in_features}, {self.out_features}): input of shape {x.shape} does not fit "
                f"weight of shape {self.weight.shape}; expected the last dimension to be {self.in_features}"
            )
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Sigmoid(Module):
    """Element-wise sigma(x) = 1 / (1 + e^-x)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.sigmoid(x)


class Tanh(Module):
    """Element-wise tanh(x)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.tanh(x)


class ReLU(Module):
    """Element-wise max(0, x)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(x)


class LeakyReLU(Module):
    """Element-wise max(negative_slope * x, x) (PyTorch's default slope 0.01)."""

    __constants__ = ("negative_slope",)

    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)


class PReLU(Module):
    """Leaky ReLU whose negative slope ``weight`` is learned by backpropagation (He et al., 2015)."""

    __constants__ = ("num_parameters",)

    def __init__(self, num_parameters: int = 1, init: float = 0.25):
        super().__init__()
        self.num_parameters = num_parameters
        self.weight = Parameter(np.full(num_parameters, float(init)))

    def forward(self, x: Tensor) -> Tensor:
        return F.prelu(x, self.weight)


class ELU(Module):
    """Element-wise x for x > 0 and alpha (e^x - 1) otherwise."""

    __constants__ = ("alpha",)

    def __init__(self, alpha: float = 1.0):
        super().__init__()
        self.alpha = alpha

    def forward(self, x: Tensor) -> Tensor:
        return F.elu(x, self.alpha)


class Identity(Module):
    """Returns its input unchanged (a 'no activation' placeholder)."""

    def forward(self, x: Tensor) -> Tensor:
        return x


class Sequential(Module):
    """Modules applied one after another; ``net[0]`` is the first, ``len(net)`` counts them."""

    def __init__(self, *modules: Module):
        super().__init__()
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(f"Sequential: argument {i} is a {type(m).__name__}, not a Module")
            setattr(self, str(i), m)

    def forward(self, x: Tensor) -> Tensor:
        for m in self._modules.values():
            x = m(x)
        return x

    def __getitem__(self, index):
        mods = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*mods[index])
        return mods[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())
