"""Sequence data sets for examples, tests and docs: synthetic ones, and a
small real series shipped with the package."""

import gzip
from importlib import resources

import numpy as np
from sklearn.utils import check_random_state

from ._data import check_positive_int

__all__ = ["load_kdd_tsad_135", "make_sequence_classification"]


def _sine(phase):
    return np.sin(2 * np.pi * phase)


def _square(phase):
    return np.sign(np.sin(2 * np.pi * phase))


def _sawtooth(phase):
    return 2 * (phase - np.floor(phase + 0.5))


def _triangle(phase):
    return 2 * np.abs(_sawtooth(phase)) - 1


_WAVEFORMS = (_sine, _square, _sawtooth, _triangle)
# Typical period (in steps) of each class's waveform.
_PERIODS = (12.0, 8.0, 16.0, 10.0)


def make_sequence_classification(
    n_samples: int = 200,
    n_timesteps: int = 40,
    n_features: int = 2,
    *,
    n_classes: int = 3,
    noise: float = 0.1,
    variable_length: bool = False,
    random_state=None,
):
    """Labelled multivariate sequences whose classes differ in waveform shape.

    Class ``k`` is a periodic waveform (sine, square, sawtooth, triangle, in
    that order) with a typical period (12, 8, 16, 10 steps). Each sequence draws
    its own phase, amplitude (0.5 to 1.5), period (within 10% of its class's)
    and offset; feature ``j`` is the waveform shifted by
    a quarter period times ``j``; Gaussian noise of standard deviation ``noise``
    is added. The class is therefore in the shape and rhythm, not in the phase or level,
    which is what a sequence model must pick up.

    Parameters
    ----------
    n_samples : int, default=200
        Number of sequences.
    n_timesteps : int, default=40
        Length of each sequence (the maximum length when ``variable_length``).
    n_features : int, default=2
        Features per time step.
    n_classes : int, default=3
        Number of classes, 2 to 4.
    noise : float, default=0.1
        Standard deviation of the added Gaussian noise.
    variable_length : bool, default=False
        If True, each sequence keeps a random length between half of
        ``n_timesteps`` and ``n_timesteps`` and ``X`` is a list of arrays.
    random_state : int, RandomState instance or None, default=None
        Seed for reproducible output.

    Returns
    -------
    X : ndarray of shape (n_samples, n_timesteps, n_features), or list
        The sequences, float64 (a list of ``(T_i, n_features)`` arrays when
        ``variable_length``).
    y : ndarray of shape (n_samples,)
        Class labels ``0 .. n_classes - 1``, balanced.

    Examples
    --------
    >>> from sklearn_lstmae.datasets import make_sequence_classification
    >>> X, y = make_sequence_classification(n_samples=6, n_timesteps=20,
    ...                                     random_state=0)
    >>> X.shape, y.tolist()
    ((6, 20, 2), [2, 2, 1, 0, 0, 1])
    >>> X_var, _ = make_sequence_classification(n_samples=3, variable_length=True,
    ...                                         random_state=0)
    >>> [len(x) for x in X_var]
    [20, 25, 31]
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    n_timesteps = check_positive_int(n_timesteps, "n_timesteps")
    n_features = check_positive_int(n_features, "n_features")
    if not 2 <= n_classes <= len(_WAVEFORMS):
        raise ValueError(f"n_classes must be between 2 and 4, got {n_classes!r}.")
    if noise < 0:
        raise ValueError(f"noise must be non-negative, got {noise!r}.")
    rng = check_random_state(random_state)

    y = rng.permutation(np.arange(n_samples) % n_classes)
    period = np.asarray(_PERIODS)[y, None, None] * rng.uniform(
        0.9, 1.1, (n_samples, 1, 1)
    )
    start = rng.uniform(0, 1, size=(n_samples, 1, 1))
    amplitude = rng.uniform(0.5, 1.5, size=(n_samples, 1, 1))
    offset = rng.normal(0, 0.3, size=(n_samples, 1, 1))
    steps = np.arange(n_timesteps)[None, :, None]
    shifts = 0.25 * np.arange(n_features)[None, None, :]
    phase = start + steps / period + shifts
    X = np.empty((n_samples, n_timesteps, n_features))
    for label, waveform in enumerate(_WAVEFORMS[:n_classes]):
        rows = y == label
        X[rows] = waveform(phase[rows])
    X = offset + amplitude * X + rng.normal(0, noise, size=X.shape)
    if variable_length:
        lengths = rng.randint(max(1, n_timesteps // 2), n_timesteps + 1, n_samples)
        return [
            sequence[:length] for sequence, length in zip(X, lengths, strict=True)
        ], y
    return X, y


#: KDD-TSAD_135: the steps of the anomaly-free training part.
KDD_TSAD_135_TRAIN = 1200


def load_kdd_tsad_135():
    """A real heart-rate series with one labelled anomaly (KDD-TSAD_135).

    Dataset 135 of the KDD Cup 2021 time-series anomaly detection collection
    (UCR anomaly archive, "InternalBleeding16"; Keogh et al. 2021), as shipped
    by aeon: the heart rate of a patient, 7501 points, univariate, with one
    anomaly labelled at points 4187 to 4198. The first 1200 points
    (``KDD_TSAD_135_TRAIN``) are the collection's anomaly-free training part.

    Returns
    -------
    series : ndarray of shape (7501,)
        The values, float64.
    is_anomaly : ndarray of shape (7501,)
        1 at the anomalous points, 0 elsewhere.

    References
    ----------
    .. [1] E. Keogh, T. Dutta Roy, U. Naik, A. Agrawal, "Multi-dataset
       Time-Series Anomaly Detection Competition", SIGKDD 2021.

    Examples
    --------
    >>> from sklearn_lstmae.datasets import load_kdd_tsad_135
    >>> series, is_anomaly = load_kdd_tsad_135()
    >>> series.shape, int(is_anomaly.sum())
    ((7501,), 12)
    """
    source = resources.files("sklearn_lstmae") / "data" / "kdd_tsad_135.csv.gz"
    with source.open("rb") as compressed, gzip.open(compressed, "rt") as text:
        values = np.loadtxt(text, delimiter=",", skiprows=1)
    return values[:, 0], values[:, 1].astype(np.int64)
