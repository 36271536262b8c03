"""Data and training: seeded data sets (:mod:`.data`) and the one training loop of the course (:mod:`.loop`).

>>> from nnlessons.training import fit, accuracy
>>> from nnlessons.training.data import moons
"""

from .loop import History, accuracy, fit  # noqa: F401  (documented in .loop)
