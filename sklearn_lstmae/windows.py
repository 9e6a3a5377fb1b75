"""Sliding windows of long series: training pairs for forecasting, forecasts
past the trained horizon, rolling-origin backtests, windows to fit a detector
on, and window scores mapped back to time stamps."""

import math
from numbers import Real

import numpy as np
from sklearn.base import clone
from sklearn.utils import Bunch

from ._data import check_positive_int

__all__ = [
    "backtest",
    "forecast",
    "last_window",
    "make_windows",
    "map_window_scores",
    "sliding_windows",
]

#: Sample paths behind the intervals of recursive forecasts (``forecast``).
N_PATHS = 500


def _is_series_list(series) -> bool:
    """Whether ``series`` is a list of series rather than one series."""
    return (
        isinstance(series, list | tuple)
        and len(series) > 0
        and np.ndim(series[0]) in (1, 2)
    )


def _as_series_list(series, name: str) -> tuple[list[np.ndarray], bool]:
    """One series or a list of them, as 2D ``(T, F)`` float arrays."""
    if isinstance(series, list | tuple) and len(series) == 0:
        raise ValueError(
            f"{name} is an empty list: give one series (an array of shape (T,) "
            "or (T, n_features)) or a list of at least one."
        )
    items = list(series) if _is_series_list(series) else [series]
    arrays = [
        _check_series(item, f"{name} {index}", " or a list of them")
        for index, item in enumerate(items)
    ]
    univariate = all(array.ndim == 1 for array in arrays)
    arrays = [array[:, None] if array.ndim == 1 else array for array in arrays]
    if len({array.shape[1] for array in arrays}) > 1:
        raise ValueError(f"All series in {name} must have the same number of features.")
    return arrays, univariate


def _covariate_list(covariates, lengths, needs: str):
    """Covariates given per series (one array, or a list for a list of
    series) as 2D arrays, each of its ``lengths`` entry; and whether they
    were 1D. ``needs`` says why, formatted with ``index`` and ``length``."""
    if covariates is None:
        return None, False
    arrays, univariate = _as_series_list(covariates, "covariates")
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


#: ``_covariate_list``'s reason for covariates along whole series.
_ALONG_SERIES = "series {index} needs {length} (one row per time step)"


def make_windows(
    series,
    input_length: int,
    output_length: int,
    step: int = 1,
    covariates=None,
    order: str = "series",
):
    """Cut series into (input window, following window) training pairs.

    Window ``i`` of a series ``s`` is ``X = s[i*step : i*step + input_length]``
    and ``y`` the ``output_length`` values that follow it. With
    ``covariates`` (values known in advance, such as calendar features or
    planned prices, one row per time step of the series), it also returns
    their rows for the output steps of each window: the ``X_future`` of
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
    arrays, univariate = _as_series_list(series, "series")
    covariates, covariates_1d = _covariate_list(
        covariates, [len(array) for array in arrays], _ALONG_SERIES
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
    future = cut(covariates, input_length, output_length)[rows]
    return X, y, future[..., 0] if covariates_1d else future


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
    arrays, univariate = _as_series_list(series, "series")
    for index, array in enumerate(arrays):
        if len(array) < input_length:
            raise ValueError(
                f"Series {index} has {len(array)} steps, fewer than "
                f"input_length={input_length}."
            )
    X = np.stack([array[-input_length:] for array in arrays])
    return X[..., 0] if univariate else X


def forecast(predictor, series, horizon: int, *, covariates=None, coverage=None):
    """Forecast ``horizon`` steps after the end of each series, recursively.

    The fitted predictor forecasts its ``n_output_steps_`` from the last
    ``n_timesteps_`` values; for a longer ``horizon`` the forecasts are
    appended to the series and fed back as inputs, block by block. The
    predictor must have been fitted on windows of the series (``y``
    continuing ``X``, as :func:`make_windows` cuts them).

    Intervals (``coverage``): the first ``n_output_steps_`` steps get
    :meth:`~sklearn_lstmae.LSTMSequencePredictor.predict_interval`'s
    split-conformal intervals; later steps the quantiles of
    ``N_PATHS`` (500) simulated paths, each block continued from its path with a
    residual vector of a held-out window added (so the errors of fed-back
    forecasts compound; at least 2 held-out windows are needed). The paths use
    a fixed seed: the same call gives the same intervals.

    Parameters
    ----------
    predictor : LSTMSequencePredictor
        Fitted on forecasting windows (fit with ``validation_split > 0`` for
        intervals).
    series : array-like of shape (T,) or (T, n_features), or list of them
        The histories to continue (at least ``n_timesteps_`` steps each).
    horizon : int
        Steps to forecast.
    covariates : array-like of shape (horizon,) or (horizon, n_covariates), \
or list of them, default=None
        The inputs known in advance for the ``horizon`` forecast steps, for a
        predictor fitted with ``X_future``.
    coverage : float in (0, 1), default=None
        Also return intervals meant to hold the truth with this probability.

    Returns
    -------
    forecasts : ndarray
        ``(horizon,)`` for a univariate series, ``(horizon, n_features)`` for a
        multivariate one, with a leading ``n_series`` axis for a list.
    lower, upper : ndarray
        Only with ``coverage``: the interval bounds, shaped like ``forecasts``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_lstmae import LSTMSequencePredictor
    >>> from sklearn_lstmae.windows import forecast, make_windows
    >>> series = np.sin(np.arange(200) / 4)
    >>> X, y = make_windows(series, input_length=12, output_length=3)
    >>> model = LSTMSequencePredictor(units=8, epochs=2, validation_split=0.2,
    ...                               random_state=0).fit(X, y)
    >>> forecast(model, series, horizon=7).shape
    (7,)
    >>> point, lower, upper = forecast(model, series, horizon=7, coverage=0.8)
    >>> bool(np.all(lower <= upper))
    True
    """
    _check_predictor(predictor, "forecast")
    # Like predict: what was fitted, not parameters set since.
    predictor = predictor._as_fitted()
    horizon = check_positive_int(horizon, "horizon")
    _check_coverage(coverage)
    single = not _is_series_list(series)
    arrays, univariate = _as_series_list(series, "series")
    history = _histories(predictor, arrays)
    steps = predictor.n_output_steps_
    n_blocks = math.ceil(horizon / steps)
    future = _future_blocks(predictor, covariates, len(arrays), horizon, n_blocks)
    point = _recursive(predictor, history, future, n_blocks)
    outputs = [point]
    if coverage is not None:
        # The first block: predict_interval's conformal intervals.
        half_width = predictor._interval_half_width(coverage)
        batch, first = predictor._outputs(
            _as_inputs(predictor, history),
            None if future is None else future[:, :steps],
        )
        lower, upper = (
            predictor._target_units(bound, batch)
            for bound in (first - half_width, first + half_width)
        )
        if n_blocks > 1:
            if len(predictor.calibration_residuals_) < 2:
                raise ValueError(
                    f"Intervals past the first {steps} steps come from paths that "
                    "each add the residuals of a random held-out window, and the "
                    "predictor held out 1 window: every path would be the same. "
                    "Hold out more windows (a larger validation_split or more "
                    f"data), or ask for intervals over at most {steps} steps."
                )
            paths = _sample_paths(predictor, history, future, n_blocks)
            tail = (1 - coverage) / 2
            lower = np.concatenate(
                [lower, np.quantile(paths, tail, axis=1, method="lower")[:, steps:]],
                axis=1,
            )
            upper = np.concatenate(
                [
                    upper,
                    np.quantile(paths, 1 - tail, axis=1, method="higher")[:, steps:],
                ],
                axis=1,
            )
        outputs += [lower, upper]
    outputs = [values[:, :horizon] for values in outputs]
    if univariate:
        outputs = [values[..., 0] for values in outputs]
    if single:
        outputs = [values[0] for values in outputs]
    return outputs[0] if coverage is None else tuple(outputs)


def _check_coverage(coverage) -> None:
    """Refuse a ``coverage`` that is not None or a number in (0, 1)."""
    if coverage is not None and (
        not isinstance(coverage, Real)
        or isinstance(coverage, bool)
        or not 0 < coverage < 1
    ):
        raise ValueError(
            f"coverage must be a number in (0, 1), e.g. 0.9; got {coverage!r}."
        )


def _check_predictor(estimator, name: str) -> None:
    from ._predictor import LSTMSequencePredictor

    if not isinstance(estimator, LSTMSequencePredictor):
        raise TypeError(
            f"{name} takes an LSTMSequencePredictor (it forecasts windows of "
            f"series); got {type(estimator).__name__}."
        )


def _histories(predictor, arrays) -> np.ndarray:
    """The last ``n_timesteps_`` steps of every series, ``(n, L, F)``."""
    length, width = predictor.n_timesteps_, predictor.n_step_features_
    if predictor.n_output_features_ != width:
        raise ValueError(
            f"forecast feeds the forecasts back as inputs, so the predictor must "
            f"forecast the {width} features it reads per step; it forecasts "
            f"{predictor.n_output_features_}. Fit it on make_windows(series, ...)."
        )
    for index, array in enumerate(arrays):
        if array.shape[1] != width:
            raise ValueError(
                f"Series {index} has {array.shape[1]} features per step, but the "
                f"predictor was fitted with {width}."
            )
        if len(array) < length:
            raise ValueError(
                f"Series {index} has {len(array)} steps, fewer than the "
                f"{length} the predictor reads (its input_length)."
            )
    return np.stack([array[-length:] for array in arrays])


def _future_blocks(predictor, covariates, n_series, horizon, n_blocks):
    """The covariates of the forecast steps, ``(n, n_blocks * steps, C)``
    (the last block padded with its last row), or None."""
    arrays, _ = _covariate_list(
        covariates,
        [horizon] * n_series,
        "horizon={length} needs one row per forecast step",
    )
    if arrays is None:
        return None
    padded = n_blocks * predictor.n_output_steps_
    return np.stack(
        [
            np.concatenate([array, np.repeat(array[-1:], padded - horizon, 0)])
            for array in arrays
        ]
    )


def _as_inputs(predictor, windows: np.ndarray) -> np.ndarray:
    """``(n, L, F)`` windows in the layout the predictor was fitted on."""
    if predictor.input_layout_ == "2d":
        return windows.reshape(len(windows), -1)
    return windows


def _recursive(predictor, history, future, n_blocks, noise=None) -> np.ndarray:
    """Forecasts ``(n, n_blocks * steps, F)``, each block fed back; ``noise(n)``
    (``(n, steps, F)`` in the network's units) is added to every block."""
    steps, blocks = predictor.n_output_steps_, []
    for block in range(n_blocks):
        batch, outputs = predictor._outputs(
            _as_inputs(predictor, history[:, -predictor.n_timesteps_ :]),
            None if future is None else future[:, block * steps : (block + 1) * steps],
        )
        if noise is not None:
            outputs = outputs + noise(len(outputs))
        blocks.append(predictor._target_units(outputs, batch))
        history = np.concatenate([history, blocks[-1]], axis=1)
    return np.concatenate(blocks, axis=1)


def _sample_paths(predictor, history, future, n_blocks) -> np.ndarray:
    """``N_PATHS`` simulated continuations of each series, ``(n, N_PATHS,
    n_blocks * steps, F)``: each block's forecast plus the residuals of a
    random held-out window, fed back."""
    residuals = predictor.calibration_residuals_
    rng = np.random.default_rng(0)
    samples = _recursive(
        predictor,
        np.repeat(history, N_PATHS, axis=0),
        None if future is None else np.repeat(future, N_PATHS, axis=0),
        n_blocks,
        noise=lambda n: residuals[rng.integers(len(residuals), size=n)],
    )
    return samples.reshape(len(history), N_PATHS, *samples.shape[1:])


def backtest(
    estimator,
    series,
    input_length: int,
    output_length: int,
    *,
    horizon=None,
    n_cutoffs: int = 5,
    step=None,
    covariates=None,
    coverage=None,
):
    """Rolling-origin evaluation: refit at several cut-offs, forecast what follows.

    At each cut-off ``c`` a clone of ``estimator`` is fitted on the windows of
    ``series[:c]`` only (:func:`make_windows` with ``order="time"``, so that a
    ``validation_split`` holds out the latest windows of every series; scaling
    and level are learned inside ``fit``, so nothing after ``c`` leaks in) and
    forecasts ``series[c : c + horizon]`` with :func:`forecast`. The last
    cut-off leaves
    ``horizon`` steps; the others are ``step`` apart before it. For a list of
    series (one model for all), the cut-offs count from each series' end;
    series too short to give a training window at a cut-off are still
    forecast. This is how forecasters compare settings (darts'
    ``historical_forecasts``, sktime's ``evaluate``); shuffled or k-fold
    splits of the windows would train on the future.

    Parameters
    ----------
    estimator : LSTMSequencePredictor
        Unfitted or fitted: clones are fitted (with ``validation_split > 0``
        for intervals).
    series : array-like of shape (T,) or (T, n_features), or list of them
        The whole history.
    input_length, output_length : int
        The windows to train on (as in :func:`make_windows`).
    horizon : int, default=None
        Steps forecast at each cut-off; ``output_length`` if None (longer
        horizons are forecast recursively).
    n_cutoffs : int, default=5
        How many cut-offs.
    step : int, default=None
        Steps between consecutive cut-offs; ``horizon`` if None (forecast
        periods that do not overlap).
    covariates : array-like, or list of them, default=None
        Inputs known in advance, one row per step of each series (as in
        :func:`make_windows`).
    coverage : float in (0, 1), default=None
        Also return intervals with this coverage.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        ``cutoffs`` (``(n_cutoffs,)``, or ``(n_cutoffs, n_series)`` for a
        list), ``forecasts`` and ``actual`` (``(n_cutoffs, horizon)`` for one
        univariate series, with an ``n_series`` axis after the first for a
        list and a trailing feature axis for multivariate series), ``mae``
        (``(n_cutoffs,)``, mean absolute error per cut-off), and with
        ``coverage`` ``lower`` and ``upper``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_lstmae import LSTMSequencePredictor
    >>> from sklearn_lstmae.windows import backtest
    >>> series = np.sin(np.arange(120) / 4)
    >>> result = backtest(LSTMSequencePredictor(units=4, epochs=2, random_state=0),
    ...                   series, input_length=12, output_length=3, n_cutoffs=2)
    >>> result.cutoffs
    array([114, 117])
    >>> result.forecasts.shape, result.mae.shape
    ((2, 3), (2,))
    """
    _check_predictor(estimator, "backtest")
    input_length = check_positive_int(input_length, "input_length")
    output_length = check_positive_int(output_length, "output_length")
    horizon = check_positive_int(
        output_length if horizon is None else horizon, "horizon"
    )
    n_cutoffs = check_positive_int(n_cutoffs, "n_cutoffs")
    step = check_positive_int(horizon if step is None else step, "step")
    _check_coverage(coverage)
    if coverage is not None and not estimator.get_params().get("validation_split"):
        raise ValueError(
            "backtest's intervals are calibrated on windows held out of training, "
            f"but the estimator has validation_split="
            f"{estimator.get_params().get('validation_split')!r}: set it > 0 (e.g. "
            "0.2: the latest 20% of the windows), or leave coverage=None."
        )
    single = not _is_series_list(series)
    arrays, univariate = _as_series_list(series, "series")
    covariates, _ = _covariate_list(
        covariates, [len(array) for array in arrays], _ALONG_SERIES
    )
    back = horizon + step * np.arange(n_cutoffs - 1, -1, -1)
    cutoffs = np.array([[len(array) - b for array in arrays] for b in back])
    if cutoffs.min() < input_length:
        index = int(np.argmin(cutoffs[0]))
        raise ValueError(
            f"Series {index} has {len(arrays[index])} steps: too few for "
            f"{n_cutoffs} cut-offs {step} apart, each followed by horizon={horizon} "
            f"steps and preceded by input_length={input_length}."
        )
    span = input_length + output_length
    results = {"forecasts": [], "actual": [], "lower": [], "upper": []}
    for cut in cutoffs:
        history = [array[:c] for array, c in zip(arrays, cut, strict=True)]
        trainable = [i for i, part in enumerate(history) if len(part) >= span]
        if not trainable:
            raise ValueError(
                f"At cut-off {cut.tolist()}, no series has input_length + "
                f"output_length = {span} steps to train on: use fewer cut-offs "
                "or shorter windows."
            )
        windows = make_windows(
            [history[i] for i in trainable],
            input_length,
            output_length,
            order="time",
            covariates=None
            if covariates is None
            else [covariates[i][: cut[i]] for i in trainable],
        )
        X, y, *X_future = windows  # X_future only with covariates
        model = clone(estimator).fit(X, y, X_future=X_future[0] if X_future else None)
        future = None
        if covariates is not None:
            future = [
                cov[c : c + horizon] for cov, c in zip(covariates, cut, strict=True)
            ]
        outputs = forecast(
            model, history, horizon, covariates=future, coverage=coverage
        )
        outputs = outputs if coverage is not None else (outputs,)
        for name, values in zip(("forecasts", "lower", "upper"), outputs, strict=False):
            results[name].append(values)
        results["actual"].append(
            np.stack(
                [array[c : c + horizon] for array, c in zip(arrays, cut, strict=True)]
            )
        )
    # Stacked: (n_cutoffs, n_series, horizon, n_features); then the caller's layout.
    result = Bunch(cutoffs=cutoffs[:, 0] if single else cutoffs)
    for name, values in results.items():
        if values:
            values = np.stack(values)
            values = values[..., 0] if univariate else values
            result[name] = values[:, 0] if single else values
    errors = np.abs(result.forecasts - result.actual)
    result.mae = errors.reshape(n_cutoffs, -1).mean(axis=1)
    return result


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
_STAMPS_PER_CHUNK = 2**18


def _point_scores(
    scores: np.ndarray, starts: np.ndarray, length: int, n_timesteps: int, aggregate
) -> np.ndarray:
    """Scores of the windows starting at ``starts`` (sorted) combined per time
    stamp, each from the windows covering it only (NaN where none does)."""
    _check_aggregate(aggregate)
    mean = aggregate == "mean"
    points = np.full(n_timesteps, np.nan)
    for begin in range(0, n_timesteps, _STAMPS_PER_CHUNK):
        stamps = np.arange(begin, min(begin + _STAMPS_PER_CHUNK, n_timesteps))
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
