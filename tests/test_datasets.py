"""Synthetic data generators."""

import numpy as np
import pytest

from sklearn_lstmae.datasets import make_sequence_classification


def test_shapes_labels_and_determinism():
    X, y = make_sequence_classification(
        n_samples=40, n_timesteps=15, n_features=3, n_classes=4, random_state=1
    )
    assert X.shape == (40, 15, 3) and y.shape == (40,)
    assert np.bincount(y).tolist() == [10, 10, 10, 10]
    X_again, y_again = make_sequence_classification(
        n_samples=40, n_timesteps=15, n_features=3, n_classes=4, random_state=1
    )
    np.testing.assert_array_equal(X, X_again)
    np.testing.assert_array_equal(y, y_again)


def test_classes_differ_in_shape_not_level():
    X, y = make_sequence_classification(n_samples=400, noise=0.0, random_state=0)
    means = [X[y == label].mean() for label in range(3)]
    assert np.ptp(means) < 0.1  # same level on average
    square = X[y == 1]
    sine = X[y == 0]
    # a square wave sits at its extremes: |x - offset| is nearly constant
    centred = lambda Z: np.abs(Z - Z.mean(axis=1, keepdims=True))  # noqa: E731
    assert centred(square).std(axis=1).mean() < centred(sine).std(axis=1).mean()


def test_variable_length():
    X, y = make_sequence_classification(
        n_samples=20, n_timesteps=10, variable_length=True, random_state=0
    )
    assert isinstance(X, list) and len(X) == 20 == len(y)
    lengths = [len(sequence) for sequence in X]
    assert min(lengths) >= 5 and max(lengths) <= 10
    assert all(sequence.shape[1] == 2 for sequence in X)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"n_samples": 0}, "n_samples"),
        ({"n_classes": 5}, "n_classes"),
        ({"noise": -1.0}, "noise"),
    ],
)
def test_invalid_arguments(params, match):
    with pytest.raises(ValueError, match=match):
        make_sequence_classification(**params)
