"""Forecasting with a fitted :class:`~sklearn_lstmae.LSTMSequencePredictor`:
recursive forecasts past the trained horizon (with sampled-path intervals)
and rolling-origin backtests.

Public through :mod:`sklearn_lstmae.windows`. Forecasts come from the
predictor's fitted state only (``_as_fitted``, as ``predict``): parameters set
after ``fit`` do not reach them.
"""

import math

import numpy as np
from sklearn.base import clone
from sklearn.utils import Bunch

from ._data import check_coverage, check_positive_int
from ._predictor import LSTMSequencePredictor
from ._windowing import (
    ALONG_SERIES,
    as_series_list,
    covariate_list,
    is_series_list,
    make_windows,
)

__all__ = ["backtest", "forecast"]

#: Sample paths behind the intervals of recursive forecasts (``forecast``).
N_PATHS = 500


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
        Fitted on forecasting windows (with held-out windows for intervals:
        the default ``validation_split="auto"`` holds out 20%).
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
    fitted = predictor._as_fitted()
    horizon = check_positive_int(horizon, "horizon")
    if coverage is not None:
        check_coverage(coverage)
    single = not is_series_list(series)
    arrays, univariate = as_series_list(series, "series")
    history = _histories(fitted, arrays)
    steps = fitted.n_output_steps_
    n_blocks = math.ceil(horizon / steps)
    ahead = _covariate_blocks(fitted, covariates, len(arrays), horizon, n_blocks)
    point = _recursive(fitted, history, ahead, n_blocks)
    outputs = [point]
    if coverage is not None:
        # The first block: predict_interval's conformal intervals.
        _, lower, upper = fitted._predict_block(
            history, None if ahead is None else ahead[:, :steps], coverage=coverage
        )
        if n_blocks > 1:
            if len(fitted.calibration_residuals_) < 2:
                raise ValueError(
                    f"Intervals past the first {steps} steps come from paths that "
                    "each add the residuals of a random held-out window, and the "
                    "predictor held out 1 window: every path would be the same. "
                    "Hold out more windows (a larger validation_split or more "
                    f"data), or ask for intervals over at most {steps} steps."
                )
            paths = _sample_paths(fitted, history, ahead, n_blocks)
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


def _check_predictor(estimator, name: str) -> None:
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


def _covariate_blocks(predictor, covariates, n_series, horizon, n_blocks):
    """The covariates of the forecast steps, ``(n, n_blocks * steps, C)``
    (the last block padded with its last row), or None."""
    arrays, _ = covariate_list(
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


def _recursive(fitted, history, covariates, n_blocks, noise=None) -> np.ndarray:
    """Forecasts ``(n, n_blocks * steps, F)`` of the ``fitted`` predictor,
    each block fed back; ``noise(n)`` (``(n, steps, F)`` in the network's
    units) is added to every block."""
    steps, blocks = fitted.n_output_steps_, []
    for block in range(n_blocks):
        blocks.append(
            fitted._predict_block(
                history[:, -fitted.n_timesteps_ :],
                None
                if covariates is None
                else covariates[:, block * steps : (block + 1) * steps],
                noise=None if noise is None else noise(len(history)),
            )
        )
        history = np.concatenate([history, blocks[-1]], axis=1)
    return np.concatenate(blocks, axis=1)


def _sample_paths(fitted, history, covariates, n_blocks) -> np.ndarray:
    """``N_PATHS`` simulated continuations of each series, ``(n, N_PATHS,
    n_blocks * steps, F)``: each block's forecast plus the residuals of a
    random held-out window, fed back."""
    residuals = fitted.calibration_residuals_
    rng = np.random.default_rng(0)
    samples = _recursive(
        fitted,
        np.repeat(history, N_PATHS, axis=0),
        None if covariates is None else np.repeat(covariates, N_PATHS, axis=0),
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
        Unfitted or fitted: clones are fitted (with held-out windows for
        intervals, as the default ``validation_split="auto"`` gives).
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
        (``(n_cutoffs,)``, mean absolute error per cut-off), ``levels``
        (list of ``n_cutoffs``: the ``level_`` of each cut-off's model, what
        ``level="auto"`` chose), and with ``coverage`` ``lower`` and
        ``upper``.

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
    >>> len(result.levels)  # the level each cut-off's fit chose
    2
    """
    _check_predictor(estimator, "backtest")
    input_length = check_positive_int(input_length, "input_length")
    output_length = check_positive_int(output_length, "output_length")
    horizon = check_positive_int(
        output_length if horizon is None else horizon, "horizon"
    )
    n_cutoffs = check_positive_int(n_cutoffs, "n_cutoffs")
    step = check_positive_int(horizon if step is None else step, "step")
    if coverage is not None:
        check_coverage(coverage)
    if coverage is not None and not estimator.get_params().get("validation_split"):
        raise ValueError(
            "backtest's intervals are calibrated on windows held out of training, "
            f"but the estimator has validation_split="
            f"{estimator.get_params().get('validation_split')!r}: set it > 0 or "
            "'auto' (the default: the latest 20% of the windows), or leave "
            "coverage=None."
        )
    single = not is_series_list(series)
    arrays, univariate = as_series_list(series, "series")
    covariates, _ = covariate_list(
        covariates, [len(array) for array in arrays], ALONG_SERIES
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
    levels = []
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
        levels.append(model.level_)
        ahead = None
        if covariates is not None:
            ahead = [
                cov[c : c + horizon] for cov, c in zip(covariates, cut, strict=True)
            ]
        outputs = forecast(model, history, horizon, covariates=ahead, coverage=coverage)
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
    result.levels = levels
    return result
