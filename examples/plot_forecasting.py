"""
Multi-step forecasting of a trending seasonal series, with intervals
====================================================================

A monthly series whose level grows and whose seasonal swing grows with it
(multiplicative seasonality, like airline passengers). We cut the history into
windows with :func:`~sklearn_lstmae.windows.make_windows`, train
:class:`~sklearn_lstmae.LSTMSequencePredictor` to map 24 months to the next 12,
and forecast the 12 months after the end of the training history with
:func:`~sklearn_lstmae.windows.forecast`.

Two ways of handling the level are compared with the seasonal-naive forecast
(each month equals the same month one year earlier):

- ``level=None``: the textbook recipe, one global scaling of the series. The
  test period lies above every level seen in training, so the network must
  extrapolate in value, which it does badly.
- ``level="auto"`` (the default): a rule on the training windows proposes a
  level removal, and the predictor fits a network with each one that applies
  (none, ``"last"``, ``"log_last"``), switching from the rule's only to one
  with clearly lower errors on the windows it held out of training (the
  default ``validation_split="auto"``: the latest 20%); ``level_`` says which.
  With ``"log_last"`` each window is expressed on the log scale relative to its
  last value, so the network learns relative changes (seasonal shape and
  growth rate), which look alike at every level.

The same held-out windows calibrate split-conformal prediction intervals
(``predict_interval``; here through ``forecast`` with ``coverage=0.8``), drawn
as a band: the default model gives them without any setting.
"""

import numpy as np

from sklearn_lstmae import LSTMSequencePredictor
from sklearn_lstmae.windows import forecast, make_windows

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

forecasts, models = {}, {}
for level in (None, "auto"):
    model = LSTMSequencePredictor(level=level, units=(32,), random_state=0)
    models[level] = model.fit(X, y)
    forecasts[level] = forecast(model, train, HORIZON)
    mae = np.abs(forecasts[level] - test).mean()
    change = 100 * (1 - mae / naive_mae)
    print(
        f"LSTM, level={level!s:4} (level_={model.level_!s:8}): "
        f"MAE {mae:.2f} ({change:+.0f}% vs seasonal naive)"
    )

# %%
# Prediction intervals
# --------------------
# The default model's held-out windows calibrate the intervals; coverage is
# the share of true values they are meant to hold.
point, lower, upper = forecast(models["auto"], train, HORIZON, coverage=0.8)
inside = np.mean((lower <= test) & (test <= upper))
print(f"80% interval: mean width {np.mean(upper - lower):.1f}, holds {inside:.0%}")

try:
    import matplotlib.pyplot as plt
except ImportError:  # plotting is optional
    plt = None
if plt is not None:
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot(months[-48:], series[-48:], color="black", label="truth")
    ax.plot(months[-HORIZON:], naive, "--", label="seasonal naive")
    ax.plot(months[-HORIZON:], forecasts[None], label="LSTM, level=None")
    ax.plot(months[-HORIZON:], point, label="LSTM, defaults (level='auto')")
    ax.fill_between(months[-HORIZON:], lower, upper, alpha=0.25, label="80% interval")
    ax.axvline(months[-HORIZON] - 0.5, color="grey", linewidth=0.5)
    ax.set_xlabel("month")
    ax.legend()
    ax.set_title("12-month forecast after the training history")
    fig.tight_layout()
