"""Forecasting with LSTMSequencePredictor: rolling-origin backtests, side by side.

Four real series sets shipped inside packages (no download): Shampoo sales
(36 monthly values), the Canadian lynx trappings (114 annual values, a cycle of
about 10 years) and the M1 yearly competition series (181 series of 15-58
values) from ``aeon``, and the 10 strictly positive US quarterly
macroeconomic series of statsmodels' ``macrodata`` (203 values, 1959-2009:
GDP, consumption, investment, government spending, income, CPI, M1, the
T-bill rate, unemployment, population); one global model of ours for all the
series of a set. At each cut-off ``c`` a contender sees only
``series[:c]`` and forecasts ``series[c : c + horizon]``; the cut-offs are
those of ``sklearn_lstmae.windows.backtest``. Contenders: the seasonal naive
forecast (repeat the last season; the last value for season 1), statsmodels'
ExponentialSmoothing (additive damped trend, multiplicative season when two
full seasons are seen) and SARIMA (its SARIMAX model, order chosen by AICc
over a small grid, on the log scale for the seasonal sets), and ours:
``LSTMSequencePredictor`` with its defaults (the level chosen by ``level="auto"``
reported) and with each explicit ``level``, 3 seeds, and the defaults'
intervals (80% and 95%). MAE and
MASE (Shampoo, Lynx), sMAPE and MASE (M1, Macro), each as a ratio to the seasonal
naive forecast too; empirical coverage and width of the intervals; time.

    pip install -e ".[bench]"   # aeon, statsmodels: this script only
    python benchmarks/forecast.py
    python benchmarks/forecast.py --smoke   # 1 seed, 2 cut-offs, 5 M1 series, 2 Macro
    python benchmarks/forecast.py --smoke --skip-ours   # seconds, no RESULTS.md
    python benchmarks/forecast.py --datasets Lynx   # one dataset, no RESULTS.md
"""

import argparse
import itertools
import warnings
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from _common import SMOKE_HELP, Stopwatch, set_smoke, table, write_section
from joblib import Parallel, delayed, effective_n_jobs
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.arima.model import ARIMA
from statsmodels.tsa.holtwinters import ExponentialSmoothing

SEEDS = (0, 1, 2)
#: Per dataset: the windows of our predictor (input_length, horizon =
#: output_length), the cut-offs (n_cutoffs, step), the season of the
#: seasonal naive forecast, MASE, ETS and SARIMA, and whether SARIMA works on
#: the log scale.
CONFIG = {
    # One year of inputs (season 12); 6 months ahead; 4 cut-offs 3 months
    # apart keep >= 21 training values (4 windows of 18) at the first one.
    # Log scale for SARIMA: seasonal swings that grow with the level.
    "Shampoo": dict(
        input_length=12, horizon=6, n_cutoffs=4, step=3, season=12, sarima_log=True
    ),
    # Two ~10-year cycles of inputs; one cycle ahead; 5 cut-offs 5 years
    # apart, the first after 84 values. Log scale: the classic lynx models.
    "Lynx": dict(
        input_length=20, horizon=10, n_cutoffs=5, step=5, season=10, sarima_log=True
    ),
    # M1's standard holdout is the last 6 values; no season (yearly). Inputs
    # of 6 keep the shortest series (15 values) trainable at 3 cut-offs 1
    # apart: its first training part has 7 values (checked in load_datasets).
    # SARIMA on the original scale: on the log scale a drift fitted to a few
    # values compounds (series 24 starts 0.1, 65, 234: forecasts of 1e6 for
    # values near 50; MASE 23.9 against 3.2 over M1), and auto.arima-style
    # M-competition baselines transform nothing.
    "M1": dict(
        input_length=6, horizon=6, n_cutoffs=3, step=1, season=1, sarima_log=False
    ),
    # Seasonally adjusted quarterly series: season 1 (the naive forecast is the
    # last value). Six years of inputs, about one business cycle (NBER's mean
    # cycle 1945-2009: about 69 months, 5.7 years); two years ahead; 3
    # cut-offs two years apart (the first after 179 values). Log scale for
    # SARIMA: levels that grow exponentially (log GDP is the usual model),
    # 179+ values to fit.
    "Macro": dict(
        input_length=24, horizon=8, n_cutoffs=3, step=8, season=1, sarima_log=True
    ),
}
#: Which metrics are reported for which dataset: MAE means nothing across
#: M1's or Macro's series of different scales, sMAPE is M1's customary metric.
METRICS = {
    "MAE": ("Shampoo", "Lynx"),
    "sMAPE": ("M1", "Macro"),
    "MASE": ("Shampoo", "Lynx", "M1", "Macro"),
}
FORMATS = {"MAE": ".1f", "sMAPE": ".2f", "MASE": ".3f"}
#: Our explicit level settings ("log_last" only for strictly positive data).
LEVELS = (None, "last", "log_last")
COVERAGES = (0.8, 0.95)
NAIVE, ETS, SARIMA = "seasonal naive", "ETS (statsmodels)", "SARIMA (statsmodels)"
DEFAULTS, BEST = "ours, defaults", "ours, best setting"
INTERVALS = "ours, defaults (intervals)"
#: Counted in the notes on the statsmodels fits.
ETS_UNCONVERGED = "ETS fits that did not converge (used anyway)"
ETS_FALLBACKS = "ETS fallbacks to a simpler model"
SARIMA_FAILED = "SARIMA: no order fitted (seasonal naive used)"
SARIMA_DEGENERATE = "SARIMA lowest-AICc fits skipped (noise variance collapsed)"


@dataclass
class Dataset:
    name: str
    series: list  # 1D float arrays
    input_length: int
    horizon: int
    n_cutoffs: int
    step: int
    season: int
    sarima_log: bool

    def cutoffs(self):
        """``(n_cutoffs, n_series)``: c_k = T - horizon - (n_cutoffs - 1 - k) * step."""
        back = self.horizon + self.step * np.arange(self.n_cutoffs - 1, -1, -1)
        return np.array([[len(s) - b for s in self.series] for b in back])

    def actual(self):
        """``(n_cutoffs, n_series, horizon)``: what follows each cut-off."""
        return np.array(
            [
                [s[c : c + self.horizon] for s, c in zip(self.series, row, strict=True)]
                for row in self.cutoffs()
            ]
        )


@dataclass
class Run:
    """One contender's forecasts on one dataset: one array
    ``(n_cutoffs, n_series, horizon)`` per seed, and seconds per seed."""

    forecasts: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    lower: dict = field(default_factory=dict)  # coverage -> list per seed
    upper: dict = field(default_factory=dict)
    notes: Counter = field(default_factory=Counter)  # statsmodels: fits, orders
    levels: Counter = field(default_factory=Counter)  # ours: level_ per cut-off
    failures: dict = field(default_factory=dict)  # coverage -> why no intervals


#: statsmodels' macrodata columns that are strictly positive levels (infl
#: and realint are rates that change sign; year and quarter are the calendar).
MACRO_COLUMNS = (
    "realgdp", "realcons", "realinv", "realgovt", "realdpi",
    "cpi", "m1", "tbilrate", "unemp", "pop",
)  # fmt: skip


def load_datasets(smoke):
    from aeon import datasets
    from statsmodels.datasets import macrodata

    with warnings.catch_warnings():
        # Deprecated loaders in aeon 1.6, as in _common.load.
        warnings.simplefilter("ignore", FutureWarning)
        raw = {
            "Shampoo": [datasets.load_shampoo_sales()],
            "Lynx": [datasets.load_lynx()],
            "M1": list(
                datasets.load_forecasting("m1_yearly_dataset", return_metadata=True)[0][
                    "series_value"
                ]
            ),
        }
    macro = macrodata.load_pandas().data
    raw["Macro"] = [macro[column].to_numpy() for column in MACRO_COLUMNS]
    if smoke:
        raw["M1"] = raw["M1"][:5]
        # SARIMA takes seconds per order on 179 values: 2 series, 48 values.
        raw["Macro"] = [series[-48:] for series in raw["Macro"][:2]]
    out = []
    for name, series in raw.items():
        config = dict(CONFIG[name])
        if smoke:
            config["n_cutoffs"] = 2
        data = Dataset(name, [np.asarray(s, dtype=float) for s in series], **config)
        first = data.cutoffs()[0]
        assert first.min() >= data.input_length, (name, first.min())
        out.append(data)
    return out


# --- Metrics ----------------------------------------------------------------


def naive_scale(train, lag):
    """In-sample MAE of the seasonal naive forecast (MASE's denominator)."""
    return np.mean(np.abs(train[lag:] - train[:-lag]))


def scores(data, forecasts):
    """MAE, sMAPE and MASE of ``(n_cutoffs, n_series, horizon)`` forecasts,
    each a mean over series and cut-offs (MASE per series and cut-off first)."""
    actual = data.actual()
    errors = np.abs(forecasts - actual)
    scale = np.array(
        [
            [
                naive_scale(s[:c], data.season)
                for s, c in zip(data.series, row, strict=True)
            ]
            for row in data.cutoffs()
        ]
    )
    # A constant training part has no naive error to scale by: left out.
    scale[scale == 0] = np.nan
    denominator = np.abs(forecasts) + np.abs(actual)
    # 0/0 (forecast and actual both 0) counts as no error.
    smape = np.divide(
        2 * errors, denominator, out=np.zeros_like(errors), where=denominator > 0
    )
    return {
        "MAE": errors.mean(),
        "sMAPE": 100 * smape.mean(),
        "MASE": np.nanmean(errors.mean(axis=-1) / scale),
    }


def mean_scores(data, run):
    """``scores`` averaged over the seeds."""
    each = [scores(data, forecasts) for forecasts in run.forecasts]
    return {metric: np.mean([s[metric] for s in each]) for metric in each[0]}


def interval_scores(data, run, coverage):
    """Empirical coverage, mean width and width / mean |actual|, over seeds."""
    actual = data.actual()
    rows = []
    for lower, upper in zip(run.lower[coverage], run.upper[coverage], strict=True):
        inside = (lower <= actual) & (actual <= upper)
        width = np.mean(upper - lower)
        rows.append((inside.mean(), width, width / np.abs(actual).mean()))
    return np.mean(rows, axis=0)


# --- Contenders: seasonal naive and statsmodels --------------------------------


def seasonal_naive(train, horizon, season):
    """Repeat the last season: step h is train[c - season + h % season]."""
    c = len(train)
    return np.array([train[c - season + h % season] for h in range(horizon)])


def ets(train, horizon, season, notes):
    """ExponentialSmoothing, additive damped trend, multiplicative season with
    two full seasons seen; simpler models when a fit raises or gives NaN."""
    seasonal = None
    if season > 1 and len(train) >= 2 * season:
        seasonal = "mul" if train.min() > 0 else "add"
    settings = [dict(trend="add", damped_trend=True, seasonal=seasonal)]
    if seasonal:
        settings.append(dict(trend="add", damped_trend=True, seasonal=None))
    settings.append(dict(trend=None, seasonal=None))
    for tried, setting in enumerate(settings):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                model = ExponentialSmoothing(
                    train,
                    seasonal_periods=season if setting["seasonal"] else None,
                    **setting,
                )
                forecast = np.asarray(model.fit().forecast(horizon))
            except (ValueError, np.linalg.LinAlgError):
                continue
        if np.isfinite(forecast).all():
            # A fit that did not converge is used anyway, and counted.
            notes[ETS_UNCONVERGED] += any(
                issubclass(w.category, ConvergenceWarning) for w in caught
            )
            notes[ETS_FALLBACKS] += tried
            return forecast
    raise RuntimeError("No ETS model could be fitted.")


def sarima(train, horizon, season, notes, coverages=(), log=True):
    """SARIMA with a constant (a drift when d=1), order by AICc over p 0..2,
    d 0..1, q 0..1, with or without a seasonal AR(1) (two full seasons seen);
    on the log scale when ``log`` and the series is strictly positive. The
    forecast and, per coverage, the interval bounds.

    statsmodels' ``ARIMA`` is its ``SARIMAX`` state-space model (a subclass)
    with better starting values: the same fits, about 2.5 times faster here.
    """
    log = log and train.min() > 0
    endog = np.log(train) if log else train
    seasonals = [(0, 0, 0, 0)]
    if season > 1 and len(train) >= 2 * season:
        seasonals.append((1, 0, 0, season))
    best, best_aicc = None, np.inf
    for p, d, q in itertools.product(range(3), range(2), range(2)):
        for seasonal_order in seasonals:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    fitted = ARIMA(
                        endog,
                        order=(p, d, q),
                        seasonal_order=seasonal_order,
                        # ARIMA's trend is on the undifferenced series: "t" is
                        # the drift of a d=1 model.
                        trend="c" if d == 0 else "t",
                    ).fit()
                except (ValueError, np.linalg.LinAlgError):
                    continue
                prediction = fitted.get_forecast(horizon)
            # AICc is inf where the parameters leave no degrees of freedom.
            if not (np.isfinite(fitted.aicc) and fitted.aicc < best_aicc):
                continue
            # A fit whose noise variance collapsed has a huge likelihood and
            # no forecast variance (NaN intervals, erratic forecasts): out.
            variance = np.asarray(prediction.var_pred_mean)
            if not (np.isfinite(variance).all() and variance.min() > 0):
                notes[SARIMA_DEGENERATE] += 1
                continue
            best, best_aicc = prediction, fitted.aicc
            order = f"{fitted.model.order}"
            if seasonal_order[3]:
                order += f"x{seasonal_order}"
    if best is None:
        notes[SARIMA_FAILED] += 1
        naive = seasonal_naive(train, horizon, season)
        return naive, {coverage: (naive, naive) for coverage in coverages}
    notes[f"SARIMA order {order}"] += 1
    back = np.exp if log else np.asarray
    intervals = {}
    for coverage in coverages:
        bounds = np.asarray(best.conf_int(alpha=1 - coverage))
        intervals[coverage] = (back(bounds[:, 0]), back(bounds[:, 1]))
    return back(np.asarray(best.predicted_mean)), intervals


def baseline_series(data, i):
    """The seasonal naive forecast, ETS and SARIMA at every cut-off of series
    ``i``, fitted on its training part alone: ``(n_cutoffs, horizon)`` forecasts
    and SARIMA's bounds, seconds per contender, and notes on the fits."""
    forecasts = {name: [] for name in (NAIVE, ETS, SARIMA)}
    seconds = dict.fromkeys(forecasts, 0.0)
    bounds = {coverage: ([], []) for coverage in COVERAGES}
    notes = Counter()
    for cutoff in data.cutoffs()[:, i]:
        train = data.series[i][:cutoff]
        with Stopwatch() as watch:
            forecasts[NAIVE].append(seasonal_naive(train, data.horizon, data.season))
        seconds[NAIVE] += watch.seconds
        with Stopwatch() as watch:
            forecasts[ETS].append(ets(train, data.horizon, data.season, notes))
        seconds[ETS] += watch.seconds
        with Stopwatch() as watch:
            forecast, intervals = sarima(
                train, data.horizon, data.season, notes, COVERAGES, data.sarima_log
            )
        forecasts[SARIMA].append(forecast)
        seconds[SARIMA] += watch.seconds
        for coverage, (lower, upper) in intervals.items():
            bounds[coverage][0].append(lower)
            bounds[coverage][1].append(upper)
    return forecasts, bounds, seconds, notes


def baseline_runs(data, n_jobs):
    """``baseline_series`` for every series (``n_jobs`` series at a time), as
    Runs; seconds are the sums over the fits, as if run one at a time."""
    parts = Parallel(n_jobs=n_jobs)(
        delayed(baseline_series)(data, i) for i in range(len(data.series))
    )
    runs = {name: Run() for name in (NAIVE, ETS, SARIMA)}
    for name, run in runs.items():
        # Per series (n_cutoffs, horizon) -> (n_cutoffs, n_series, horizon).
        run.forecasts.append(np.stack([part[0][name] for part in parts], axis=1))
        run.seconds.append(sum(part[2][name] for part in parts))
    for coverage in COVERAGES:
        for side, bounds in enumerate((runs[SARIMA].lower, runs[SARIMA].upper)):
            bounds[coverage] = [
                np.stack([part[1][coverage][side] for part in parts], axis=1)
            ]
    for part in parts:
        runs[SARIMA].notes.update(part[3])
    return runs


# --- Our contenders -------------------------------------------------------------


def our_backtest(data, estimator, coverage=None):
    """``windows.backtest`` on the dataset (a list of series: one global
    model), reshaped to ``(n_cutoffs, n_series, horizon)``."""
    from sklearn_lstmae.windows import backtest

    single = len(data.series) == 1
    result = backtest(
        estimator,
        data.series[0] if single else data.series,
        data.input_length,
        data.horizon,
        n_cutoffs=data.n_cutoffs,
        step=data.step,
        coverage=coverage,
    )
    cutoffs = np.asarray(result.cutoffs).reshape(data.n_cutoffs, -1)
    assert np.array_equal(cutoffs, data.cutoffs()), "cut-offs differ from backtest's"
    names = ["forecasts", "actual"] + ["lower", "upper"] * (coverage is not None)
    out = {
        name: np.asarray(result[name]).reshape(data.actual().shape) for name in names
    }
    assert np.allclose(out["actual"], data.actual())
    out["levels"] = result.levels
    return out


def our_runs(data, seeds, extra):
    """Ours with its defaults (forecasts, intervals and the levels chosen) and
    with each explicit level."""
    from sklearn_lstmae import LSTMSequencePredictor

    positive = min(s.min() for s in data.series) > 0
    settings = {}
    for level in LEVELS:
        if level != "log_last" or positive:
            settings[f"ours, level={level!r}"] = {"level": level}
    runs = {name: Run() for name in (DEFAULTS, *settings)}
    intervals = Run()
    for seed in seeds:
        # The defaults: the forecasts and the first coverage's intervals come
        # from one backtest (the fits do not depend on the coverage).
        for coverage in COVERAGES:
            model = LSTMSequencePredictor(random_state=seed, **extra)
            with Stopwatch() as watch:
                out = our_backtest(data, model, coverage)
            print(
                f"  {data.name}, defaults, {coverage:.0%} intervals, seed {seed}: "
                f"{watch.seconds:.1f} s, levels {out['levels']}",
                flush=True,
            )
            intervals.lower.setdefault(coverage, []).append(out["lower"])
            intervals.upper.setdefault(coverage, []).append(out["upper"])
            intervals.seconds.append(watch.seconds)
            if coverage == COVERAGES[0]:
                runs[DEFAULTS].forecasts.append(out["forecasts"])
                runs[DEFAULTS].seconds.append(watch.seconds)
                runs[DEFAULTS].levels.update(map(repr, out["levels"]))
        for name, params in settings.items():
            model = LSTMSequencePredictor(random_state=seed, **params, **extra)
            with Stopwatch() as watch:
                out = our_backtest(data, model)
            runs[name].forecasts.append(out["forecasts"])
            runs[name].seconds.append(watch.seconds)
            print(
                f"  {data.name}, {name}, seed {seed}: {watch.seconds:.1f} s", flush=True
            )
    return runs, intervals


# --- Report -----------------------------------------------------------------------


def metric_table(metric, datasets, results, best):
    """One row per contender, one column per dataset: value (ratio to naive)."""
    names = [d.name for d in datasets if d.name in METRICS[metric]]
    contenders = list(dict.fromkeys(c for d in names for c in results[d]))
    if best:
        contenders.append(BEST)
    rows = []
    for contender in contenders:
        row = [contender]
        for name in names:
            chosen = best.get(name) if contender == BEST else contender
            if chosen not in results[name]:
                row.append("")
                continue
            value = results[name][chosen][metric]
            ratio = value / results[name][NAIVE][metric]
            cell = f"{value:{FORMATS[metric]}} ({ratio:.2f}x)"
            row.append(cell + (f", {chosen[6:]}" if contender == BEST else ""))
        rows.append(row)
    return table(["contender", *names], rows)


def level_table(datasets, results, runs, best):
    """The level ``level="auto"`` chose (``level_`` of each cut-off's fit,
    counted over cut-offs and seeds) next to the best explicit level."""
    rows = []
    for data in datasets:
        if data.name not in best:
            continue
        levels = runs[data.name][DEFAULTS].levels.most_common()
        defaults = results[data.name][DEFAULTS]["MASE"]
        fixed = results[data.name][best[data.name]]["MASE"]
        rows.append(
            [
                data.name,
                ", ".join(f"{level} {n}" for level, n in levels),
                f"{defaults:.3f}",
                f"{best[data.name][6:]}: {fixed:.3f}",
                f"{defaults / fixed:.2f}",
            ]
        )
    return table(
        [
            "dataset",
            "level_ chosen (fits)",
            "defaults' MASE",
            "best explicit level: MASE",
            "defaults / best",
        ],
        rows,
    )


def time_table(datasets, runs):
    names = [d.name for d in datasets]
    contenders = list(dict.fromkeys(c for d in names for c in runs[d]))
    rows = []
    for contender in contenders:
        seconds = [
            np.mean(runs[d][contender].seconds) if contender in runs[d] else np.nan
            for d in names
        ]
        cells = ["" if np.isnan(s) else f"{s:.1f}" for s in seconds]
        rows.append([contender, *cells, f"{np.nansum(seconds):.1f}"])
    return table(["contender", *names, "total"], rows)


def interval_table(datasets, interval_runs):
    rows = []
    for data in datasets:
        for coverage in COVERAGES:
            for contender, run in interval_runs[data.name].items():
                if coverage in run.failures:
                    failure = f"not available: {run.failures[coverage]}"
                    rows.append([data.name, f"{coverage:.0%}", contender, failure])
                    rows[-1] += ["", ""]
                    continue
                share, width, relative = interval_scores(data, run, coverage)
                rows.append(
                    [
                        data.name,
                        f"{coverage:.0%}",
                        contender,
                        f"{share:.2f}",
                        f"{width:.4g}",
                        f"{relative:.2f}",
                    ]
                )
    return table(
        [
            "dataset",
            "nominal",
            "contender",
            "coverage",
            "mean width",
            "width / mean |actual|",
        ],
        rows,
    )


def training_windows(data):
    """Windows of input_length + horizon steps at the first cut-off, all series."""
    span = data.input_length + data.horizon
    return sum(max(c - span + 1, 0) for c in data.cutoffs()[0])


def statsmodels_paragraph(datasets, results):
    """Where ETS or SARIMA beats our defaults on MASE, with the amount of
    training data; the "why" is a hypothesis for the reader to check."""
    compared, wins = [], []
    for data in datasets:
        mase = {c: results[data.name][c]["MASE"] for c in (ETS, SARIMA, DEFAULTS)}
        compared.append(f"{data.name} " + " / ".join(f"{v:.3f}" for v in mase.values()))
        wins += [
            f"{c.split()[0]} on {data.name}"
            for c in (ETS, SARIMA)
            if mase[c] < mase[DEFAULTS]
        ]
    context = "; ".join(
        f"{d.name} {training_windows(d)} (training parts of "
        + "-".join(str(n) for n in sorted({d.cutoffs()[0].min(), d.cutoffs()[0].max()}))
        + " values)"
        for d in datasets
    )
    return (
        "**Where statsmodels wins, and why.** MASE of ETS / SARIMA / our "
        f"defaults: {'; '.join(compared)}. Lower than our defaults: "
        + (", ".join(wins) if wins else "neither, on any dataset")
        + f". Training windows at the first cut-off: {context}. Why (a "
        "hypothesis to check, not measured here): ETS and SARIMA fit a handful "
        "of parameters to each series alone, which suits short series that give "
        "a network few windows; a network has the edge where there are many "
        "windows, or many series to share one model."
    )


def notes_text(datasets, baselines):
    """Per dataset: ETS's fallbacks and SARIMA's orders, most chosen first."""
    lines = []
    for data in datasets:
        notes = baselines[data.name][SARIMA].notes
        fits = [f"{key}: {notes[key]}" for key in (ETS_UNCONVERGED, ETS_FALLBACKS)]
        fits += [f"{key}: {notes[key]}" for key in (SARIMA_DEGENERATE, SARIMA_FAILED)]
        orders = [
            f"{key.split('order ')[1]} {n}"
            for key, n in notes.most_common()
            if "order " in key
        ]
        lines.append(
            f"- {data.name} ({data.cutoffs().size} fits each): "
            + "; ".join(fits)
            + "; SARIMA orders chosen: "
            + ", ".join(orders)
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=len(SEEDS))
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="1 seed, 2 cut-offs, 5 M1 and 2 short Macro series, tiny networks: "
        + SMOKE_HELP,
    )
    parser.add_argument(
        "--skip-ours",
        action="store_true",
        help="only the naive forecast and statsmodels",
    )
    parser.add_argument(
        "--datasets",
        nargs="+",
        choices=list(CONFIG),
        default=list(CONFIG),
        help="only these datasets (a partial run does not write RESULTS.md)",
    )
    parser.add_argument(
        "--n-jobs",
        type=int,
        default=-1,
        help="series fitted by statsmodels at a time (joblib; -1: all cores)",
    )
    args = parser.parse_args()
    set_smoke(args.smoke)
    seeds = SEEDS[: 1 if args.smoke else args.seeds]
    extra = {"epochs": 2, "units": (4,)} if args.smoke else {}
    datasets = [d for d in load_datasets(args.smoke) if d.name in args.datasets]
    # Per dataset: contender -> Run, for the metrics, the intervals and the times.
    runs, interval_runs, baselines, timed = {}, {}, {}, {}
    for data in datasets:
        print(f"{data.name}: {len(data.series)} series", flush=True)
        baselines[data.name] = baseline_runs(data, args.n_jobs)
        runs[data.name] = dict(baselines[data.name])
        interval_runs[data.name] = {SARIMA: baselines[data.name][SARIMA]}
        if not args.skip_ours:
            ours, intervals = our_runs(data, seeds, extra)
            runs[data.name].update(ours)
            interval_runs[data.name] = {
                INTERVALS: intervals,
                SARIMA: baselines[data.name][SARIMA],
            }
        timed[data.name] = {**runs[data.name], **interval_runs[data.name]}
    results = {
        data.name: {c: mean_scores(data, run) for c, run in runs[data.name].items()}
        for data in datasets
    }
    # The best explicit level per dataset, picked on MASE after the fact.
    best = {}
    for name, by in results.items():
        levels = [c for c in by if c.startswith("ours, level=")]
        if levels:
            best[name] = min(levels, key=lambda c: by[c]["MASE"])
    protocol = "; ".join(
        f"{d.name}: {len(d.series)} series, input_length={d.input_length}, "
        f"horizon=output_length={d.horizon}, {d.n_cutoffs} cut-offs {d.step} apart "
        "(first "
        + "-".join(str(n) for n in sorted({d.cutoffs()[0].min(), d.cutoffs()[0].max()}))
        + f" values), season {d.season}"
        for d in datasets
    )
    seed_text = ", ".join(map(str, seeds))
    logged = " and ".join(d.name for d in datasets if d.sarima_log) or "no set"
    body = (
        "Rolling-origin backtests: at cut-off c_k = T - horizon - (n_cutoffs - 1 - "
        "k) * step a contender sees only series[:c_k] and forecasts the next "
        f"`horizon` values ({protocol}). Seasonal naive: repeat the last season "
        "(the last value for season 1). ETS: statsmodels `ExponentialSmoothing`, "
        'additive damped trend, `seasonal="mul"` when two full seasons are seen '
        "(simpler models when a fit fails). SARIMA: statsmodels `ARIMA` (its "
        "`SARIMAX` state-space model) with a "
        "constant (a drift when d=1), order by AICc over p 0-2, d 0-1, q 0-1, "
        "with or without a seasonal AR(1) when two full seasons are seen, on the "
        f"log scale for {logged} (fits with a collapsed noise variance left "
        "out). Both fitted per series and cut-off. Ours: "
        "`windows.backtest(LSTMSequencePredictor(random_state=seed, ...), ...)`, "
        "one model per cut-off (for a set of series one global model on the "
        f"windows of all its series), mean over seeds {seed_text}; best setting: "
        "the explicit `level` with the lowest MASE on these very cut-offs (an "
        "optimistic pick). "
        "Cells: the metric (its ratio to the seasonal naive forecast). MASE: MAE "
        "over the in-sample MAE of the seasonal naive forecast of series[:c] "
        "(lag = season), per series and cut-off, then averaged; sMAPE: 100 * mean "
        "2|f - a| / (|f| + |a|).\n\n"
    )
    for metric, names in METRICS.items():
        if not any(d.name in names for d in datasets):
            continue  # a partial run (--datasets) without a dataset it applies to
        body += f"{metric}:\n\n" + metric_table(metric, datasets, results, best)
        body += "\n\n"
    if best:
        body += (
            'The level of the defaults: `level="auto"` takes the level its rule '
            "proposes unless another level that applies has clearly lower errors "
            "on the held-out windows (the latest 20% of each cut-off's windows, "
            '`validation_split="auto"`; a one-sided paired t-test at 5% over '
            "blocks of `horizon` consecutive windows, at least 2 blocks; with "
            "fewer, as on Shampoo and Lynx, the linear path's ridge regression is "
            "kept untrained and the level with its lowest leave-one-out error on "
            "the windows trained on is taken), recorded "
            'in `level_`. Where `window_scale="auto"` scales the windows (by '
            "their mean absolute change, where the ridge regression's "
            "leave-one-out errors are clearly lower with it), the rule proposes "
            '`"last"`. Counted over cut-offs and seeds, next to the best '
            "explicit level (picked after the fact on these cut-offs):\n\n"
            + level_table(datasets, results, runs, best)
            + "\n\n"
        )
    body += (
        "Intervals: empirical coverage (share of actual values inside [lower, "
        "upper]) and mean width, also over the mean absolute actual value. Ours: "
        "the defaults, `LSTMSequencePredictor(random_state=seed)`, "
        "`backtest(..., coverage=...)`, mean over seeds (split-conformal on the "
        "last 20% of each cut-off's windows, which the default "
        '`validation_split="auto"` holds out; where they give fewer residuals '
        "than the conformal quantile needs, 19 for 95%, as at Shampoo's "
        "cut-offs of 4-13 windows, the normal approximation of "
        "`predict_interval`); SARIMA: its Gaussian "
        f"intervals (exp'd back from the log scale for {logged}).\n\n"
        + interval_table(datasets, interval_runs)
        + "\n\nSeconds per run of the whole backtest (all cut-offs and series; "
        f"statsmodels: the sum over its fits, {effective_n_jobs(args.n_jobs)} "
        "series fitted at a time; ours: mean over seeds, fitting included; the "
        "interval row: mean over seeds and coverages):\n\n"
        + time_table(datasets, timed)
        + "\n\nstatsmodels fits:\n\n"
        + notes_text(datasets, baselines)
    )
    if not args.skip_ours:
        body += "\n\n" + statsmodels_paragraph(datasets, results)
    print(body)
    if args.skip_ours or len(datasets) < len(CONFIG):
        print("\n[--skip-ours or --datasets: RESULTS.md not written]")
        return
    command = "python benchmarks/forecast.py" + (
        f" --seeds {args.seeds}" if args.seeds != len(SEEDS) else ""
    )
    write_section("forecast", "Forecasting: rolling-origin backtests", body, command)


if __name__ == "__main__":
    main()
