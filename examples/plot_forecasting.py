"""
Multi-step forecasting of a trending seasonal series
====================================================

A monthly series whose level grows and whose seasonal swing grows with it
(multiplicative seasonality, like airline passengers). We cut the history into
windows with :func:`~sklearn_lstmae.windows.make_windows`, train
:class:`~sklearn_lstmae.LSTMSequencePredictor` to map 24 months to the next 12,
and forecast the 12 months after the end of the training history with
:func:`~sklearn_lstmae.windows.last_window`.

Two ways of handling the level are compared with the seasonal-naive forecast
(each month equals the same month one year earlier):

- ``level=None``: the textbook recipe, one global scaling of the series. The
  test period lies above every level seen in training, so the network must
  extrapolate in value, which it does badly.
- ``level="log_last"``: each window is expressed on the log scale relative to
  its last value, so the network learns relative changes (seasonal shape and
  growth rate), which look alike at every level. Use ``"last"`` (no log) for
  additive seasonality or series that reach zero.
"""

import numpy as np

from sklearn_lstmae import LSTMSequencePredictor
from sklearn_lstmae.windows import last_window, make_windows

INPUT_LENGTH, HORIZON, SEASON = 24, 12, 12

rng = np.random.RandomState(0)
months = np.arange(144)
trend = 100 * np.exp(0.01 * months)
season = 1 + 0.25 * np.sin(2 * np.pi * months / SEASON)
series = trend * season * np.exp(rng.normal(0, 0.03, months.size))
train, test = series[:-HORIZON], series[-HORIZON:]

X, y = make_windows(train, input_length=INPUT_LENGTH, output_length=HORIZON)
print(f"{len(train)} training months -> {X.shape[0]} windows of {INPUT_LENGTH}")

naive = train[-SEASON:][:HORIZON]
naive_mae = np.abs(naive - test).mean()
print(f"Seasonal naive MAE: {naive_mae:.2f}")

forecasts = {}
for level in (None, "log_last"):
    model = LSTMSequencePredictor(level=level, units=(32,), random_state=0)
    model.fit(X, y)
    forecasts[level] = model.predict(last_window(train, INPUT_LENGTH))[0]
    mae = np.abs(forecasts[level] - test).mean()
    change = 100 * (1 - mae / naive_mae)
    print(f"LSTM, level={level!s:9}: MAE {mae:.2f} ({change:+.0f}% vs seasonal naive)")

try:
    import matplotlib.pyplot as plt
except ImportError:  # plotting is optional
    plt = None
if plt is not None:
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot(months[-48:], series[-48:], color="black", label="truth")
    ax.plot(months[-HORIZON:], naive, "--", label="seasonal naive")
    for level, forecast in forecasts.items():
        ax.plot(months[-HORIZON:], forecast, label=f"LSTM, level={level}")
    ax.axvline(months[-HORIZON] - 0.5, color="grey", linewidth=0.5)
    ax.set_xlabel("month")
    ax.legend()
    ax.set_title("12-month forecast after the training history")
    fig.tight_layout()
