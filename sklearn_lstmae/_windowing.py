"""Cutting series into windows: one series or a list of them checked,
training pairs for forecasting, the window that ends a series, windows to fit
a detector on, and window scores mapped back to time stamps.

Public through :mod:`sklearn_lstmae.windows`; forecasting with fitted
predictors is :mod:`._forecasting`'s job.
"""

import numpy as np

from ._data import check_positive_int


def is_series_list(series) -> bool:
    """Whether ``series`` is a list of series rather than one series."""
    return (
        isinstance(series, list | tuple)
        and len(series) > 0
        and np.ndim(series[0]) in (1, 2)
    )


def as_series_list(series, name: str) -> tuple[list[np.ndarray], bool]:
    """One series or a list of them, as 2D ``(T, F)`` float arrays."""
    if isinstance(series, list | tuple) and len(series) == 0:
        raise ValueError(
            f"{name} is an empty list: give one series (an array of shape (T,) "
            "or (T, n_features)) or a list of at least one."
        )
    items = list(series) if is_series_list(series) else [series]
    arrays = [
        _check_series(item, f"{name} {index}", " or a list of them")
        for index, item in enumerate(items)
    ]
    univariate = all(array.ndim == 1 for array in arrays)
    arrays = [array[:, None] if array.ndim == 1 else array for array in arrays]
    if len({array.shape[1] for array in arrays}) > 1:
        raise ValueError(f"All series in {name} must have the same number of features.")
    return arrays, univariate


def covariate_list(covariates, lengths, needs: str):
    """Covariates given per series (one array, or a list for a list of
    series) as 2D arrays, each of its ``lengths`` entry; and whether they
    were 1D. ``needs`` says why, formatted with ``index`` and ``length``."""
    if covariates is None:
        return None, False
    arrays, univariate = as_series_list(covariates, "covariates")
    if len(arrays) != len(lengths):
        raise ValueError(
            f"covariates has {len(arrays)} series, but there are {len(lengths)} "
            "series: give one covariate array per series."
        )
    for index, (array, length) in enumerate(zip(arrays, lengths, strict=True)):
        if len(array) != length:
            raise ValueError(
                f"covariates {index} has {len(array)} steps, but "
                + needs.format(index=index, length=length)
                + "."
            )
    return arrays, univariate


#: ``covariate_list``'s reason for covariates along whole series.
ALONG_SERIES = "series {index} needs {length} (one row per time step)"


def make_windows(
    series,
    input_length: int,
    output_length: int,
    step: int = 1,
    covariates=None,
    order: str = "series",
):
    """Cut series into (input window, following window) training pairs.

    Pair ``i`` of a series ``s`` is the input window
    ``X = s[i*step : i*step + input_length]`` and the window ``y`` of the
    ``output_length`` values that follow it. With ``covariates`` (values known
    in advance, such as calendar features or planned prices, one row per time
    step of the series), it also returns their rows for the output steps of
    each pair: the ``X_future`` of
    :meth:`~sklearn_lstmae.LSTMSequencePredictor.fit`.

    Parameters
    ----------
    series : array-like of shape (T,) or (T, n_features), or list of them
        One series, or several (windows never cross from one to the next).
    input_length : int
        Steps in each input window.
    output_length : int
        Steps to predict after each input window.
    step : int, default=1
        Distance between the starts of consecutive windows.
    covariates : array-like of shape (T,) or (T, n_covariates), or list of them, \
default=None
        Inputs known in advance, aligned with ``series`` (a list for a list of
        series).
    order : {"series", "time"}, default="series"
        Order of the windows of a list of series: ``"series"``, series after
        series, each in time order; ``"time"``, by how close each window ends
        to the end of its series, the latest last (series aligned at their
        ends; ties keep the series order). With ``"time"`` the last windows,
        which ``validation_split`` holds out (for early stopping and for
        ``predict_interval``'s calibration), are the latest of every series,
        the closest to what is forecast. One series: the same either way.

    Returns
    -------
    X : ndarray
        ``(n_windows, input_length)`` for univariate series (shape ``(T,)``),
        else ``(n_windows, input_length, n_features)``.
    y : ndarray
        ``(n_windows, output_length)`` for univariate series, else
        ``(n_windows, output_length, n_features)``.
    X_future : ndarray
        Only with ``covariates``: their values at the output steps,
        ``(n_windows, output_length)`` for 1D covariates, else
        ``(n_windows, output_length, n_covariates)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_lstmae.windows import make_windows
    >>> X, y = make_windows(np.arange(6), input_length=3, output_length=2)
    >>> X
    array([[0., 1., 2.],
           [1., 2., 3.]])
    >>> y
    array([[3., 4.],
           [4., 5.]])
    >>> X, y, X_future = make_windows(
    ...     np.arange(6), input_length=3, output_length=2, covariates=np.arange(6) % 2
    ... )
    >>> X_future  # the covariate at the two output steps of each window
    array([[1., 0.],
           [0., 1.]])
    """
    input_length = check_positive_int(input_length, "input_length")
    output_length = check_positive_int(output_length, "output_length")
    step = check_positive_int(step, "step")
    arrays, univariate = as_series_list(series, "series")
    covariates, covariates_1d = covariate_list(
        covariates, [len(array) for array in arrays], ALONG_SERIES
    )
    if order not in ("series", "time"):
        raise ValueError(f"order must be 'series' or 'time', got {order!r}.")
    span = input_length + output_length
    starts = []
    for index, array in enumerate(arrays):
        if len(array) < span:
            raise ValueError(
                f"Series {index} has {len(array)} steps, fewer than one window of "
                f"input_length + output_length = {span}."
            )
        starts.append(range(0, len(array) - span + 1, step))

    def cut(values, offset, length):
        return np.stack(
            [
                array[start + offset : start + offset + length]
                for array, series_starts in zip(values, starts, strict=True)
                for start in series_starts
            ]
        )

    X, y = cut(arrays, 0, input_length), cut(arrays, input_length, output_length)
    rows = slice(None)
    if order == "time":  # steps after each window's end, most first
        after = np.concatenate(
            [
                len(array) - span - np.asarray(series_starts)
                for array, series_starts in zip(arrays, starts, strict=True)
            ]
        )
        rows = np.argsort(-after, kind="stable")
    X, y = X[rows], y[rows]
    if univariate:
        X, y = X[..., 0], y[..., 0]
    if covariates is None:
        return X, y
    ahead = cut(covariates, input_length, output_length)[rows]
    return X, y, ahead[..., 0] if covariates_1d else ahead


def last_window(series, input_length: int):
    """The input window that ends a series: what to predict the future from.

    ``predictor.predict(last_window(series, input_length))`` forecasts the
    ``output_length`` steps after the end of ``series``.

    Parameters
    ----------
    series : array-like of shape (T,) or (T, n_features), or list of them
        The series whose continuation is wanted.
    input_length : int
        Steps in each input window (as used for training).

    Returns
    -------
    X : ndarray
        ``(n_series, input_length)`` for univariate series, else
        ``(n_series, input_length, n_features)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_lstmae.windows import last_window
    >>> last_window(np.arange(6), input_length=3)
    array([[3., 4., 5.]])
    """
    input_length = check_positive_int(input_length, "input_length")
    arrays, univariate = as_series_list(series, "series")
    for index, array in enumerate(arrays):
        if len(array) < input_length:
            raise ValueError(
                f"Series {index} has {len(array)} steps, fewer than "
                f"input_length={input_length}."
            )
    X = np.stack([array[-input_length:] for array in arrays])
    return X[..., 0] if univariate else X


def _check_series(series, name: str = "series", alternatives: str = "") -> np.ndarray:
    """One series as a float array ``(T,)`` or ``(T, F)``, finite."""
    array = np.asarray(series)
    if np.iscomplexobj(array):  # as X is refused (_data.py)
        raise ValueError(f"Complex data not supported in {name}.")
    array = np.asarray(array, dtype=np.float64)
    if array.ndim not in (1, 2):
        raise ValueError(
            f"{name} must be a series of shape (T,) or (T, n_features){alternatives};"
            f" got shape {array.shape}."
        )
    _check_finite(array, name)
    return array


def _check_finite(array: np.ndarray, name: str = "series", first: int = 0) -> None:
    """Refuse a series ``(T[, F])`` with a NaN or infinite value, naming the
    time step of the first (counted from ``first``: where ``array`` starts)."""
    bad = ~np.isfinite(array)
    if bad.any():
        step = int(np.flatnonzero(bad.reshape(len(array), -1).any(axis=1))[0])
        where = f"time step {first + step}"
        if array.ndim == 2:
            where += f", feature {int(np.flatnonzero(bad[step])[0])}"
        raise ValueError(
            f"{name} contains NaN or infinity (the first at {where}: "
            f"{array[step].tolist()!r}). Windows are scored as a whole, so a "
            "series must be finite: fill or drop the missing values first (e.g. "
            "interpolate them)."
        )


def _check_stride(stride: int, length: int, what: str = "length={length}") -> None:
    """Refuse a stride that leaves time stamps in no window (``what`` names
    the window length, formatted with ``length``)."""
    if stride > length:
        raise ValueError(
            f"stride={stride} is larger than the window {what.format(length=length)}"
            f": the {stride - length} step(s) between consecutive windows would be "
            "in no window and get no score, but every time stamp must be covered. "
            f"Use stride <= {length} (stride={length}: each step in one window)."
        )


def _window_starts(n_timesteps: int, length: int, stride: int) -> np.ndarray:
    """Start of each window of ``sliding_windows``: every ``stride`` steps,
    and a last one ending with the series where the stride does not reach it
    (sorted, distinct)."""
    if n_timesteps < length:
        raise ValueError(
            f"The series has {n_timesteps} steps, fewer than one window of "
            f"length={length}."
        )
    starts = np.arange(0, n_timesteps - length + 1, stride)
    if starts[-1] != n_timesteps - length:
        starts = np.append(starts, n_timesteps - length)
    return starts


def sliding_windows(series, length: int, stride: int = 1):
    """Cut a long series into overlapping windows of ``length`` steps.

    Window ``i`` starts at step ``i * stride``; where the stride does not
    reach the end of the series, a last window ends with it, so with
    ``stride <= length`` every time stamp is in at least one window (a larger
    stride skips the steps between windows: fine for windows to fit on, but
    ``score_series`` and :func:`map_window_scores` refuse it). Fit an
    :class:`~sklearn_lstmae.LSTMAutoencoderOutlierDetector` on the windows of a
    normal stretch, then score a series with its ``score_series``.

    Parameters
    ----------
    series : array-like of shape (T,) or (T, n_features)
        One series, at least ``length`` steps long.
    length : int
        Steps in each window.
    stride : int, default=1
        Steps between the starts of consecutive windows.

    Returns
    -------
    windows : ndarray
        ``(n_windows, length)`` for a univariate series (shape ``(T,)``),
        else ``(n_windows, length, n_features)``; a copy.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_lstmae.windows import sliding_windows
    >>> sliding_windows(np.arange(7), length=3, stride=2)
    array([[0., 1., 2.],
           [2., 3., 4.],
           [4., 5., 6.]])
    >>> sliding_windows(np.arange(6), length=3, stride=2)  # the last one ends it
    array([[0., 1., 2.],
           [2., 3., 4.],
           [3., 4., 5.]])
    """
    length = check_positive_int(length, "length")
    stride = check_positive_int(stride, "stride")
    array = _check_series(series)
    starts = _window_starts(len(array), length, stride)
    return array[starts[:, None] + np.arange(length)]


def map_window_scores(
    scores, n_timesteps: int, length: int, stride: int = 1, aggregate: str = "mean"
):
    """Give every time stamp of a series the scores of the windows covering it.

    For windows laid out as :func:`sliding_windows` lays them out (same
    ``length`` and ``stride`` over a series of ``n_timesteps`` steps), time
    stamp ``t`` gets the mean, or the minimum, of the scores of the windows that
    contain it (PyOD's ``TimeSeriesOD`` and darts' ``window_agg`` do the same
    with anomaly scores), computed from those windows alone: a window's score
    reaches no other time stamp. Time stamps near the ends are covered by fewer
    windows (the first and the last by one). A NaN window score makes the time
    stamps it covers NaN.

    Parameters
    ----------
    scores : array-like of shape (n_windows,)
        One score per window, higher for more normal (as ``score_samples``).
    n_timesteps : int
        Length of the series the windows were cut from.
    length : int
        Steps in each window.
    stride : int, default=1
        Steps between the starts of consecutive windows, at most ``length``
        (so that every time stamp is covered).
    aggregate : {"mean", "max"}, default="mean"
        ``"mean"``: the mean score of the covering windows; ``"max"``: the
        score of the most anomalous one (the largest error, i.e. the lowest
        score).

    Returns
    -------
    point_scores : ndarray of shape (n_timesteps,)
        One score per time stamp.

    Examples
    --------
    >>> from sklearn_lstmae.windows import map_window_scores
    >>> map_window_scores([0.0, -3.0, 0.0], n_timesteps=5, length=3)
    array([ 0. , -1.5, -1. , -1.5,  0. ])
    >>> map_window_scores([0.0, -3.0, 0.0], n_timesteps=5, length=3,
    ...                   aggregate="max")
    array([ 0., -3., -3., -3.,  0.])
    """
    length = check_positive_int(length, "length")
    stride = check_positive_int(stride, "stride")
    n_timesteps = check_positive_int(n_timesteps, "n_timesteps")
    _check_stride(stride, length)
    starts = _window_starts(n_timesteps, length, stride)
    scores = np.asarray(scores)
    if np.iscomplexobj(scores):
        raise ValueError("Complex data not supported in scores.")
    scores = scores.astype(np.float64)
    if scores.shape != starts.shape:
        raise ValueError(
            f"{len(starts)} windows of length={length} and stride={stride} cover "
            f"{n_timesteps} steps, but scores has shape {scores.shape}."
        )
    return _point_scores(scores, starts, length, n_timesteps, aggregate)


#: Time stamps combined at once by ``_point_scores`` (bounded memory).
_STAMPS_PER_PORTION = 2**18


def _point_scores(
    scores: np.ndarray, starts: np.ndarray, length: int, n_timesteps: int, aggregate
) -> np.ndarray:
    """Scores of the windows starting at ``starts`` (sorted) combined per time
    stamp, each from the windows covering it only (NaN where none does)."""
    _check_aggregate(aggregate)
    mean = aggregate == "mean"
    points = np.full(n_timesteps, np.nan)
    for begin in range(0, n_timesteps, _STAMPS_PER_PORTION):
        stamps = np.arange(begin, min(begin + _STAMPS_PER_PORTION, n_timesteps))
        # The windows covering stamp t start in [t - length + 1, t]: a run
        # first[t] : first[t] + count[t] of the sorted starts. Add (or take the
        # minimum of) the k-th window of every run, k = 0, 1, ...: no sums
        # running past a window's end, so one window reaches only its stamps.
        first = np.searchsorted(starts, stamps - length + 1, side="left")
        count = np.searchsorted(starts, stamps, side="right") - first
        combined = np.full(len(stamps), 0.0 if mean else np.inf)
        for k in range(int(count.max(initial=0))):
            rows = np.flatnonzero(count > k)
            values = scores[first[rows] + k]
            combined[rows] = (
                combined[rows] + values if mean else np.minimum(combined[rows], values)
            )
        covered = count > 0
        points[begin + np.flatnonzero(covered)] = (
            combined[covered] / count[covered] if mean else combined[covered]
        )
    return points


def _check_aggregate(aggregate) -> None:
    if aggregate not in ("mean", "max"):
        raise ValueError(f"aggregate must be 'mean' or 'max', got {aggregate!r}.")
