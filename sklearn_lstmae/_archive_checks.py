"""Tests of the values an archive holds, shared by ``load`` and the estimators.

``_persistence.load`` checks every stored parameter and fitted attribute
before it builds anything; each estimator states the tests of its own fitted
attributes (``_fitted_checks``) with these predicates. A leaf module (it knows
only ``_data``), so the estimators need not import ``_persistence``.
"""

import numpy as np

from ._data import SequenceScaler

#: Sane upper bounds of sizes a stored estimator may declare.
MAX_WIDTH = 1 << 16  # units of a layer, encoding_dim, features per step
MAX_STEPS = 10**8  # time steps, n_future, downsample


def is_int(value, low=1, high=MAX_STEPS) -> bool:
    """An int (not a bool) in ``[low, high]``."""
    return (
        isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    )


def shaped_floats(value, shape, *, positive=False, max_rows=MAX_STEPS) -> bool:
    """A finite float array of ``shape`` (None: any length up to ``max_rows``)."""
    return (
        isinstance(value, np.ndarray)
        and value.dtype.kind == "f"
        and value.ndim == len(shape)
        and all(
            (size is None and length <= max_rows) or length == size
            for size, length in zip(shape, value.shape, strict=True)
        )
        and bool(np.all(np.isfinite(value)))
        and (not positive or bool(np.all(value > 0)))
    )


def scaler_ok(scaler, length: int, scaled: bool) -> bool:
    """A fitted :class:`SequenceScaler` of ``length`` features where ``scaled``,
    None where not."""
    if scaler is None:
        return not scaled
    return (
        scaled
        and isinstance(scaler, SequenceScaler)
        and set(vars(scaler)) == {"mean_", "scale_"}
        and shaped_floats(scaler.mean_, (length,))
        and shaped_floats(scaler.scale_, (length,), positive=True)
    )
