"""The one early-stopping rule: strict improvement, patience, min_delta, modes."""

import pytest

from nnlessons.training.early_stopping import EarlyStopping


def replay(values, **kwargs):
    rule = EarlyStopping(**kwargs)
    for v in values:
        rule.update(v)
        if rule.should_stop:
            break
    return rule.best_epoch, rule.stopped_epoch


def test_stops_after_patience_epochs_without_strict_improvement():
    # losses: best 0.5 at epoch 1; epochs 2 (equal, no improvement) and 3 (worse) exhaust patience 2.
    assert replay([1.0, 0.5, 0.5, 0.7, 0.1], patience=2) == (1, 3)
    assert replay([0.1, 0.5, 0.9, 0.95], patience=2, mode="max") == (3, None)


def test_min_delta_ignores_small_improvements():
    assert replay([1.0, 0.95, 0.92, 0.5], patience=2, min_delta=0.1) == (0, 2)


def test_without_patience_it_never_stops_but_tracks_the_best():
    assert replay([3.0, 1.0, 2.0, 2.5, 4.0]) == (1, None)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="patience must be an integer >= 1, got patience=0"):
        EarlyStopping(0)
    with pytest.raises(ValueError, match="mode must be 'min' or 'max'"):
        EarlyStopping(2, mode="best")
    with pytest.raises(ValueError, match="min_delta must be a finite number >= 0"):
        EarlyStopping(2, min_delta=-1)
