"""Sequence input: checking, conversion, padding/lengths and scaling.

Every accepted input form is converted by :func:`to_sequences` into one canonical
:class:`SequenceBatch`: a float32 array of shape ``(n_samples, n_timesteps,
n_features)`` in which each sequence is followed by all-NaN padding steps (the
tslearn convention, channels-last as in Keras). Everything downstream can assume
that form. This module knows nothing of Keras or of the estimators.
"""

from dataclasses import dataclass, replace
from numbers import Integral, Real

import numpy as np
import scipy.sparse
from sklearn.utils.validation import check_array

__all__ = [
    "SequenceBatch",
    "SequenceScaler",
    "from_sequences",
    "last_steps",
    "mean_changes",
    "remove_level",
    "restore_level",
    "reverse_steps",
    "shift_right",
    "split_future",
    "to_sequences",
    "to_targets",
]

_FLOAT32_MAX = np.finfo(np.float32).max


@dataclass(frozen=True)
class SequenceBatch:
    """Sequences in canonical form.

    Attributes
    ----------
    values : ndarray of shape (n_samples, n_timesteps, n_features), float32
        The sequences; steps after a sequence's end are NaN.
    lengths : ndarray of shape (n_samples,), int64
        Number of valid steps of each sequence.
    layout : {"3d", "2d", "ragged"}
        The form the caller used, so that outputs can be returned in it.
    n_features_in : int
        What scikit-learn's ``n_features_in_`` records: the columns of a 2D input
        (``n_timesteps * n_step_features``); for 3D and ragged input, the
        features per step.
    """

    values: np.ndarray
    lengths: np.ndarray
    layout: str
    n_features_in: int

    @property
    def n_samples(self) -> int:
        return self.values.shape[0]

    @property
    def n_timesteps(self) -> int:
        return self.values.shape[1]

    @property
    def n_step_features(self) -> int:
        """Features per time step."""
        return self.values.shape[2]

    @property
    def step_mask(self) -> np.ndarray:
        """Boolean array (n_samples, n_timesteps): True on valid steps."""
        return np.arange(self.n_timesteps) < self.lengths[:, None]

    def take(self, rows: np.ndarray) -> "SequenceBatch":
        """The sequences selected by a boolean or integer index."""
        return replace(self, values=self.values[rows], lengths=self.lengths[rows])

    @property
    def is_padded(self) -> bool:
        return bool(np.any(self.lengths < self.n_timesteps))


def _as_numeric_array(X, name: str) -> np.ndarray:
    """Convert to a float ndarray, with sklearn-style errors for what cannot be.

    float32 input stays float32 (no copy: a million sequences need not be held
    twice); everything else becomes float64 (checked against float32's range
    later).
    """
    if scipy.sparse.issparse(X):
        raise TypeError(
            f"Sparse input is not supported for {name}: sequences are dense. "
            "Convert it with X.toarray() first."
        )
    if isinstance(X, np.ma.MaskedArray):
        # Masked steps are missing values: NaN, so that masked trailing steps
        # are padding and masked values inside a sequence a clear error.
        X = np.ma.filled(X.astype(np.result_type(X.dtype, np.float32)), np.nan)
    try:
        array = np.asarray(X)
    except ValueError as exc:  # numpy refuses inhomogeneous nesting
        raise ValueError(
            f"{name} could not be read as an array ({exc}). Pass a 2D/3D array, "
            "a DataFrame, or a list of per-sequence arrays of shape (T_i, n_features)."
        ) from None
    if np.iscomplexobj(array):
        raise ValueError(f"Complex data not supported in {name}.")
    if array.dtype.kind in "OUSV":
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError) as exc:
            # Same type as NumPy's error (TypeError for objects, ValueError for
            # strings), as sklearn's check_array does.
            raise type(exc)(
                f"{name} must contain numbers only, but converting it to float "
                f"failed: {exc}. Encode strings/categories numerically first."
            ) from None
    elif array.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} has dtype {array.dtype}, which is not numeric. "
            "Pass numbers (int, float or bool)."
        )
    if array.dtype == np.float32:
        return array
    return array.astype(np.float64, copy=False)


def _split_flat(array: np.ndarray, n_features: int, name: str) -> np.ndarray:
    """Reshape flat rows ``(..., n_columns)`` to ``(..., n_steps, n_features)``."""
    n_columns = array.shape[-1]
    if n_columns % n_features:
        raise ValueError(
            f"{name} has {n_columns} columns, which is not a multiple of "
            f"n_features={n_features}. Flat input holds n_timesteps * n_features "
            "columns in time-major order (t0f0, t0f1, ..., t1f0, ...)."
        )
    return array.reshape(*array.shape[:-1], n_columns // n_features, n_features)


def _stack_ragged(items, n_features: int | None, name: str) -> np.ndarray:
    """NaN-pad a list of per-sequence arrays into one 3D float64 array."""
    sequences = []
    for index, item in enumerate(items):
        sequence = _as_numeric_array(item, f"{name}[{index}]")
        if sequence.ndim == 1:
            sequence = _split_flat(sequence[None, :], n_features or 1, name)[0]
        if sequence.ndim != 2:
            raise ValueError(
                f"{name}[{index}] has {sequence.ndim} dimensions; each sequence in a "
                "list must be 1D (T_i,) or 2D (T_i, n_features)."
            )
        if sequence.shape[0] == 0:
            raise ValueError(
                f"{name}[{index}] is a zero-length sequence; every sequence needs "
                "at least one time step."
            )
        sequences.append(sequence)
    widths = {sequence.shape[1] for sequence in sequences}
    if len(widths) > 1:
        raise ValueError(
            f"The sequences in {name} have different numbers of features per step "
            f"({sorted(widths)}); all must have the same."
        )
    n_steps = max(sequence.shape[0] for sequence in sequences)
    padded = np.full((len(sequences), n_steps, widths.pop()), np.nan)
    for index, sequence in enumerate(sequences):
        padded[index, : sequence.shape[0]] = sequence
    return padded


def _is_ragged_list(X) -> bool:
    if not isinstance(X, list | tuple) or len(X) == 0:
        return False
    shapes = {np.shape(item) for item in X}
    return len(shapes) > 1


#: Rows checked at a time, so the temporary masks stay small for any input size.
_CHECK_ROWS = 16384


def _lengths_from_padding(values: np.ndarray, name: str) -> np.ndarray:
    """Lengths from trailing all-NaN steps; any other NaN/inf is an error.

    Works through ``values`` in portions of rows: its boolean masks are as large
    as a portion, not as the input.
    """
    lengths = np.empty(values.shape[0], np.int64)
    for start in range(0, values.shape[0], _CHECK_ROWS):
        portion = values[start : start + _CHECK_ROWS]
        lengths[start : start + len(portion)] = _portion_lengths(portion, start, name)
    return lengths


def _portion_lengths(values: np.ndarray, offset: int, name: str) -> np.ndarray:
    if np.isfinite(values).all():  # no padding, nothing wrong: one pass
        return np.full(values.shape[0], values.shape[1], np.int64)
    if np.isinf(values).any():
        sample = offset + int(np.nonzero(np.isinf(values).any(axis=(1, 2)))[0][0])
        raise ValueError(
            f"Input {name} contains infinity or a value too large for float32 in "
            f"sample {sample}. Remove or clip it."
        )
    missing = np.isnan(values)
    step_missing = missing.all(axis=2)
    n_timesteps = values.shape[1]
    # Length = 1 + index of the last step that holds any value.
    has_value = ~step_missing
    last_valid = n_timesteps - 1 - np.argmax(has_value[:, ::-1], axis=1)
    lengths = np.where(has_value.any(axis=1), last_valid + 1, 0)
    empty = np.nonzero(lengths == 0)[0]
    if empty.size:
        raise ValueError(
            f"Sample {offset + int(empty[0])} of {name} is a zero-length sequence "
            "(all NaN); every sequence needs at least one time step."
        )
    inside = missing & (np.arange(n_timesteps)[None, :, None] < lengths[:, None, None])
    if inside.any():
        sample, step, _ = (int(i[0]) for i in np.nonzero(inside))
        raise ValueError(
            f"Input {name} contains NaN inside sample {offset + sample} (time step "
            f"{step}). NaN is only allowed as padding: whole time steps at the end "
            "of a sequence. Impute missing values first (e.g. with interpolation)."
        )
    return lengths


def to_sequences(X, *, n_features: int | None = None, name: str = "X"):
    """Convert any accepted input form to a :class:`SequenceBatch`.

    Parameters
    ----------
    X : array-like, DataFrame or list of array-like
        ``(n_samples, n_timesteps, n_features)``; ``(n_samples, n_columns)``
        (univariate sequences, or flat time-major rows when ``n_features`` is
        given); a list of ``(T_i, n_features)`` or ``(T_i,)`` arrays. Trailing
        all-NaN steps are padding.
    n_features : int or None
        Features per time step of 2D (flat) input; None means 1.
    name : str
        How the input is named in error messages.

    Returns
    -------
    SequenceBatch
    """
    if _is_ragged_list(X):
        values, layout = _stack_ragged(X, n_features, name), "ragged"
        n_features_in = values.shape[2]
    else:
        array = _as_numeric_array(X, name)
        if array.ndim <= 1 and array.size == 0:
            raise ValueError(
                f"Found empty input {name}: at least 1 sample is required."
            )
        if array.ndim == 2:
            layout, n_features_in = "2d", array.shape[1]
            if array.shape[0] and n_features_in:
                array = _split_flat(array, n_features or 1, name)
        elif array.ndim == 3:
            layout, n_features_in = "3d", array.shape[2]
            if n_features is not None and n_features != n_features_in:
                raise ValueError(
                    f"{name} is 3D with {n_features_in} features per step, but "
                    f"n_features={n_features}. Leave n_features=None for 3D input."
                )
        else:
            raise ValueError(
                f"Expected a 2D or 3D array for {name}, got {array.ndim}D with shape "
                f"{array.shape}. Reshape your data: for one sequence use "
                "X.reshape(1, -1) (univariate) or X[None] (multivariate, shape "
                "(1, T, n_features)); 3D input is (n_samples, n_timesteps, n_features)."
            )
        if array.shape[0] == 0:
            raise ValueError(
                f"Found array with 0 sample(s) (shape={array.shape}) while a minimum "
                f"of 1 is required in {name}."
            )
        if array.ndim == 2 or 0 in array.shape:
            raise ValueError(
                f"Found array with 0 feature(s) (shape={np.shape(X)}) while a minimum "
                f"of 1 is required in {name}: sequences need at least one time step "
                "and one feature."
            )
        values = array

    if values.dtype != np.float32 and values.size:
        # fmax/fmin reduce without a temporary array and ignore NaN (padding).
        flat = values.reshape(-1)
        if max(np.fmax.reduce(flat), -np.fmin.reduce(flat)) > _FLOAT32_MAX:
            values = np.where(np.abs(values) > _FLOAT32_MAX, np.inf, values)
    lengths = _lengths_from_padding(values, name)
    # A read-only view when no conversion was needed: never the caller's array
    # itself, and nothing downstream may write into it.
    values = values[:, : lengths.max()].astype(np.float32, copy=False).view()
    values.flags.writeable = False
    return SequenceBatch(values, lengths, layout, n_features_in)


def to_targets(y, n_samples: int, name: str = "y") -> tuple[np.ndarray, str]:
    """Check a sequence target and return it as float32 ``(n, T_out, F_out)``.

    ``y`` may be ``(n,)`` (one value per sequence), ``(n, T_out)`` or
    ``(n, T_out, F_out)``; the second value returned names that layout
    (``"1d"``, ``"2d"``, ``"3d"``) so predictions can be given back in it.
    ``name`` is the argument's name in messages (per-step inputs such as
    ``X_future`` share this layout).
    """
    if y is None:
        raise ValueError(
            f"This estimator requires {name} to be passed, but {name} is None."
        )
    if scipy.sparse.issparse(y):
        raise TypeError(
            f"Sparse {name} is not supported; convert it with {name}.toarray()."
        )
    if isinstance(y, np.ma.MaskedArray):
        # Unlike X (where masked means missing: padding), a target value the
        # loss would train on must be known: never read through the mask.
        if np.ma.getmaskarray(y).any():
            raise ValueError(
                f"{name} is a masked array with masked values; every target value "
                f"must be known to train on. Drop the sequences whose {name} is "
                f"incomplete (or fill the values with {name}.filled(...))."
            )
        y = np.ma.getdata(y)
    # check_array gives sklearn's own messages for NaN, inf, strings, complex.
    y = check_array(
        y,
        ensure_2d=False,
        allow_nd=True,
        dtype=np.float64,
        ensure_all_finite=True,
        input_name=name,
    )
    if y.ndim not in (1, 2, 3):
        raise ValueError(
            f"{name} must be (n_samples,), (n_samples, n_output_steps) or (n_samples, "
            f"n_output_steps, n_output_features); got {y.ndim} dimensions "
            f"(shape {y.shape})."
        )
    if y.shape[0] != n_samples:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: "
            f"X has {n_samples} sequences but {name} has {y.shape[0]} rows."
        )
    layout = f"{y.ndim}d"
    y = y.reshape(y.shape[0], -1, 1) if y.ndim < 3 else y
    if np.abs(y).max(initial=0.0) > _FLOAT32_MAX:
        raise ValueError(f"Input {name} contains a value too large for float32.")
    return y.astype(np.float32), layout


def from_targets(values: np.ndarray, layout: str) -> np.ndarray:
    """``(n, T_out, F_out)`` predictions in the layout ``to_targets`` reported."""
    if layout == "1d":
        return values.reshape(values.shape[0])
    if layout == "2d":
        return values.reshape(values.shape[0], -1)
    return values


def last_steps(batch: SequenceBatch) -> np.ndarray:
    """The last valid step of every sequence, ``(n_samples, n_features)``."""
    return batch.values[np.arange(batch.n_samples), batch.lengths - 1]


def remove_level(
    values: np.ndarray, level: np.ndarray, log: bool, scale: np.ndarray | None = None
) -> np.ndarray:
    """Express ``(n, T, F)`` values relative to a per-sequence ``(n, F)`` level.

    ``values - level``, or ``log(values) - log(level)`` (relative change) when
    ``log``; the caller checks that values are positive for the log. With a
    per-sequence ``(n, F)`` ``scale`` the result is divided by it.
    """
    if log:
        values = np.log(values) - np.log(level)[:, None, :]
    else:
        values = values - level[:, None, :]
    return values if scale is None else values / scale[:, None, :]


def restore_level(
    values: np.ndarray, level: np.ndarray, log: bool, scale: np.ndarray | None = None
) -> np.ndarray:
    """Inverse of :func:`remove_level`."""
    if scale is not None:
        values = values * scale[:, None, :]
    if log:
        return np.exp(values + np.log(level)[:, None, :])
    return values + level[:, None, :]


def mean_changes(values: np.ndarray) -> np.ndarray:
    """The mean absolute change between consecutive steps of each ``(n, T, F)``
    sequence, per feature: ``(n, F)`` float64, NaN padding skipped; NaN where a
    sequence has fewer than 2 steps."""
    changes = np.abs(np.diff(values.astype(np.float64), axis=1))
    counted = np.isfinite(changes)
    total = np.where(counted, changes, 0.0).sum(axis=1)
    count = counted.sum(axis=1)
    return np.divide(total, count, out=np.full(total.shape, np.nan), where=count > 0)


#: ``choose_level``: the slope of log(change) on log(level) below which
#: changes count as additive rather than proportional to the level (0:
#: additive, 1: multiplicative), and what it takes to trust that slope: this
#: many windows, levels spread by this factor (largest / smallest).
_LOG_SLOPE, _MIN_WINDOWS, _LEVEL_SPREAD = 0.5, 30, 1.5
#: ``choose_level`` keeps the level when the mean of all inputs forecasts the
#: targets with less than this share of the last value's squared error: for a
#: stationary AR(1) series, 1 / (2 (1 - rho)), i.e. its autocorrelation rho at
#: the horizon is below 1/3 (it returns to its mean within the horizon).
_REVERTS = 0.75


def choose_level(values: np.ndarray, lengths: np.ndarray, targets: np.ndarray):
    """What ``level="auto"`` removes from forecasting windows: a level name or None.

    ``values`` ``(n, T, F)`` (NaN-padded) are the input windows, ``targets``
    ``(n, T_out, F_out)`` what follows them. The rule, in order:

    1. Targets of other features than the inputs are another quantity: None.
    2. Strictly positive data is handled on the log scale (changes relative
       to the level, as DeepAR's per-window mean scaling), unless the windows
       show additive changes: with at least 30 windows whose levels differ by
       a factor of 1.5 or more, the slope of log mean |target - last input| on
       log last input is below 0.5 (closer to additive than to proportional).
    3. The level is kept (None) when the series returns to one mean within
       the horizon: the mean of all inputs forecasts the targets with less
       than 3/4 of the squared error of the last input value (for a stationary
       AR(1) series: its autocorrelation at the horizon is below 1/3), so the
       absolute level carries information. Otherwise (it trends or wanders)
       the level is removed (``"last"`` / ``"log_last"``): forecasts then
       never have to reach values outside the training range. The risks are
       unequal, hence the margin: a level removed needlessly costs some
       noise (the network still sees the whole window relative to its last
       value), a trend left in makes the network extrapolate.
    """
    if targets.shape[2] != values.shape[2]:
        return None
    last = values[np.arange(len(values)), lengths - 1].astype(np.float64)
    values, targets = values.astype(np.float64), targets.astype(np.float64)
    log = bool(np.nanmin(values) > 0 and targets.min() > 0) and _multiplicative(
        last, targets
    )
    if log:
        values, targets, last = np.log(values), np.log(targets), np.log(last)
    persistence = np.mean((targets - last[:, None, :]) ** 2)
    overall = np.mean((targets - np.nanmean(values, axis=(0, 1))) ** 2)
    if overall < _REVERTS * persistence:
        return None
    return "log_last" if log else "last"


def _multiplicative(last: np.ndarray, targets: np.ndarray) -> bool:
    """Whether no feature's windows show changes that stay the same size
    whatever the (positive) level."""
    changes = np.abs(targets - last[:, None, :]).mean(axis=1)
    for level, change in zip(last.T, changes.T, strict=True):
        keep = change > 0
        level, change = level[keep], change[keep]
        if len(level) < _MIN_WINDOWS or level.max() < _LEVEL_SPREAD * level.min():
            continue  # too little evidence to overrule the log
        if np.polyfit(np.log(level), np.log(change), 1)[0] < _LOG_SLOPE:
            return False
    return True


def split_future(values: np.ndarray, lengths: np.ndarray, n_future: int):
    """Cut each NaN-padded sequence into its past and its last ``n_future`` steps.

    Returns ``past`` ``(n, n_timesteps - n_future, F)`` (NaN-padded; sequence
    ``i`` keeps ``lengths[i] - n_future`` steps) and ``future``
    ``(n, n_future, F)``. Every length must exceed ``n_future``.
    """
    rows = np.arange(len(values))[:, None]
    future = values[rows, lengths[:, None] - n_future + np.arange(n_future)]
    past = values[:, : values.shape[1] - n_future].copy()
    past[np.arange(past.shape[1]) >= (lengths - n_future)[:, None]] = np.nan
    return past, future


def reverse_steps(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Each sequence in reverse time order; padding stays at the end."""
    steps = np.arange(values.shape[1])
    order = np.where(steps < lengths[:, None], lengths[:, None] - 1 - steps, steps)
    return np.take_along_axis(values, order[:, :, None], axis=1)


def shift_right(targets: np.ndarray) -> np.ndarray:
    """Targets delayed one step behind a zero step: a teacher-forced decoder's
    inputs (at step t it sees the true output of step t - 1)."""
    start = np.zeros_like(targets[:, :1])
    return np.concatenate([start, targets[:, :-1]], axis=1)


def pad_to(values: np.ndarray, n_timesteps: int) -> np.ndarray:
    """NaN-pad (or never truncate) ``values`` along time to ``n_timesteps``."""
    missing = n_timesteps - values.shape[1]
    if missing <= 0:
        return values
    return np.pad(values, ((0, 0), (0, missing), (0, 0)), constant_values=np.nan)


def from_sequences(values: np.ndarray, layout: str, lengths=None):
    """Return ``(n, T, F)`` ``values`` in a caller's layout.

    ``"2d"`` flattens time-major to ``(n, T * F)``; ``"3d"`` keeps the array;
    ``"ragged"`` returns a list of ``(T_i, F)`` arrays cut to ``lengths`` (a
    NaN-padded 3D array when ``lengths`` is None).
    """
    if layout == "2d":
        return values.reshape(values.shape[0], -1)
    if layout == "ragged" and lengths is not None:
        return [
            sequence[:length] for sequence, length in zip(values, lengths, strict=True)
        ]
    return values


class SequenceScaler:
    """Per-feature standardization of NaN-padded sequences.

    Means and standard deviations are computed over every valid step of every
    sequence (padding is NaN and ignored); features with zero variance keep a
    scale of 1. NaN padding stays NaN.
    """

    def fit(self, values: np.ndarray) -> "SequenceScaler":
        flat = values.reshape(-1, values.shape[-1]).astype(np.float64)
        self.mean_ = np.nanmean(flat, axis=0).astype(np.float32)
        scale = np.nanstd(flat, axis=0)
        tiny = scale < 10 * np.finfo(np.float32).eps * np.maximum(
            1.0, np.abs(self.mean_)
        )
        self.scale_ = np.where(tiny, 1.0, scale).astype(np.float32)
        return self

    def transform(self, values: np.ndarray) -> np.ndarray:
        return (values - self.mean_) / self.scale_

    def inverse_transform(self, values: np.ndarray) -> np.ndarray:
        return values * self.scale_ + self.mean_


def check_coverage(coverage) -> float:
    """Validate the ``coverage`` of an interval: a number in (0, 1)."""
    if (
        not isinstance(coverage, Real)
        or isinstance(coverage, bool)
        or not 0 < coverage < 1
    ):
        raise ValueError(
            f"coverage must be a number in (0, 1), e.g. 0.9; got {coverage!r}."
        )
    return float(coverage)


def check_positive_int(value, name: str) -> int:
    """Validate an integer count argument of a public function."""
    if not isinstance(value, Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)
