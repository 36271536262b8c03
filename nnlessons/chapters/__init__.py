"""Helpers that belong to one chapter: the experiments and pictures that chapter needs and no other.

- :mod:`.activation_experiments`: chapter 3 (derivatives, dead units, gradient flow, speed of training);
- :mod:`.approximation`: chapter 4 (networks built by hand from bumps, widths trained side by side);
- :mod:`.optimisation`: chapter 5 (mini-batch gradient noise, momentum on a narrow valley);
- :mod:`.digits`: chapter 7 (the 8x8 digits split, the confusion matrix, early stopping, pictures).
"""
