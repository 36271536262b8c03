"""Data and training: seeded data sets (:mod:`.data`), networks from layer sizes (:mod:`.models`), the one
training loop of the course (:mod:`.loop`) with its early-stopping rule (:mod:`.early_stopping`) and
progress bar (:mod:`.progress`), networks trained side by side (:mod:`.ensemble`), and the argument
checks they share (:mod:`.arguments`).

>>> from nnlessons.training import fit, accuracy, mlp, predict
>>> from nnlessons.training.data import moons
"""

from . import data  # noqa: F401
from .early_stopping import EarlyStopping  # noqa: F401  (documented in their modules)
from .loop import History, accuracy, fit  # noqa: F401
from .models import mlp, predict  # noqa: F401
