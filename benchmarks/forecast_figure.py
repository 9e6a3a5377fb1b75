"""The forecasting guide's figure: history, forecast and its bands on one series.

Lynx (the Canadian lynx trappings, 114 annual values, shipped with ``aeon``) at
the last cut-off of ``benchmarks/forecast.py``: ``LSTMSequencePredictor`` with
its defaults (``level="auto"`` and ``validation_split="auto"``: the latest 20%
of the windows held out, choosing the level and calibrating the intervals)
fitted on ``series[:-10]``, its 10-year forecast with
:func:`sklearn_lstmae.windows.forecast` and the 80% and 95% bands, next to what
happened. One seed, one cut-off: an illustration, not a measurement (the
coverage measured over cut-offs, seeds and datasets is in RESULTS.md).

    pip install -e ".[bench]"   # aeon, matplotlib
    python benchmarks/forecast_figure.py   # writes benchmarks/forecast.png
"""

import argparse
import os
import tempfile
import warnings

import numpy as np
from _common import SMOKE_HELP, set_smoke, smoke_mode

from sklearn_lstmae import LSTMSequencePredictor
from sklearn_lstmae.windows import forecast, make_windows

#: The Lynx windows of benchmarks/forecast.py: two cycles in, one ahead.
INPUT_LENGTH, HORIZON = 20, 10
COVERAGES = (0.95, 0.8)
#: The series runs 1821-1934 (aeon returns the values alone).
FIRST_YEAR = 1821


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    set_smoke(parser.parse_args().smoke)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from aeon import datasets

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # aeon 1.6's loaders
        lynx = datasets.load_lynx()
    series = np.asarray(lynx, dtype=float).ravel()
    years = FIRST_YEAR + np.arange(len(series))
    train = series[:-HORIZON]
    X, y = make_windows(train, INPUT_LENGTH, HORIZON)
    # Smoke mode (--smoke): 2 epochs, the figure written to a temporary folder.
    epochs = {"epochs": 2} if smoke_mode() else {}
    model = LSTMSequencePredictor(random_state=0, **epochs).fit(X, y)
    bands = {
        coverage: forecast(model, train, HORIZON, coverage=coverage)
        for coverage in COVERAGES
    }
    point = bands[COVERAGES[0]][0]
    actual = series[-HORIZON:]
    fig, ax = plt.subplots(figsize=(8, 3.6))
    ahead = years[-HORIZON:]
    for (coverage, (_, lower, upper)), alpha in zip(
        bands.items(), (0.2, 0.35), strict=True
    ):
        ax.fill_between(
            ahead, lower, upper, alpha=alpha, color="C0", label=f"{coverage:.0%} band"
        )
    ax.plot(years[:-HORIZON], train, color="black", label="history")
    ax.plot(ahead, actual, "k--", label="what happened")
    ax.plot(ahead, point, color="C0", label=f"forecast (level_={model.level_!r})")
    ax.axvline(years[-HORIZON] - 0.5, color="grey", linewidth=0.5)
    ax.set(
        xlabel="year",
        ylabel="lynx trapped",
        title="Lynx: the defaults' forecast of the last 10 years, with its bands",
    )
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    folder = (
        tempfile.mkdtemp()
        if smoke_mode()
        else os.path.dirname(os.path.abspath(__file__))
    )
    path = os.path.join(folder, "forecast.png")
    fig.savefig(path, dpi=100)
    inside = {
        f"{coverage:.0%}": float(np.mean((lower <= actual) & (actual <= upper)))
        for coverage, (_, lower, upper) in bands.items()
    }
    print(f"level_={model.level_!r}; share inside the bands: {inside}")
    print(f"figure written to {path}")


if __name__ == "__main__":
    main()
