"""
Multi-step forecasting of a trending seasonal series, with intervals
====================================================================

A monthly series whose level grows and whose seasonal swing grows with it
(multiplicative seasonality, like airline passengers). We cut the history into
windows with :func:`~sklearn_lstmae.windows.make_windows`, train
:class:`~sklearn_lstmae.LSTMSequencePredictor` to map 24 months to the next 12,
and forecast the 12 months after the end of the training history with
:func:`~sklearn_lstmae.windows.forecast`.

Three models are compared with the seasonal-naive forecast (each month equals
the same month one year earlier):

- The recurrent network alone (``linear_path=False``) with ``level=None``: the
  textbook recipe, one global scaling of the series. The test period lies
  above every level seen in training, so the network must extrapolate in
  value, which it does badly.
- The network alone with ``level="auto"``: a rule on the training windows
  proposes a level removal, and ``window_scale="auto"`` divides each window,
  level removed, by its mean absolute change where that clearly helps a ridge
  regression of the windows (here it does: the swings grow with the level),
  then removing the level as ``"last"``; so the network learns changes in
  units of each window's own changes, which look alike at every level.
  ``level_`` and ``window_scale_`` say what was chosen.
- The defaults: the network gets a linear path, started at the ridge
  regression of the windows' outputs on their inputs. The 20 windows held out
  of training (the default ``validation_split="auto"``: the latest 20%) are
  fewer than 2 blocks of the 12-month horizon, too few to show that training
  beats the ridge regression, so the ridge regression is kept
  (``linear_kept_``), and its level is the one with the lowest leave-one-out
  error on the windows trained on. A linear autoregression on two years of
  history extrapolates a trend without being taught to.

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

MODELS = {
    "network alone, level=None": {"linear_path": False, "level": None},
    "network alone, level=auto": {"linear_path": False},
    "defaults": {},
}
forecasts, models = {}, {}
for name, settings in MODELS.items():
    model = LSTMSequencePredictor(units=(32,), random_state=0, **settings)
    models[name] = model.fit(X, y)
    forecasts[name] = forecast(model, train, HORIZON)
    mae = np.abs(forecasts[name] - test).mean()
    change = 100 * (1 - mae / naive_mae)
    print(
        f"{name:26} (level_={model.level_!s:8}, linear_kept_={model.linear_kept_!s:5})"
        f": MAE {mae:.2f} ({change:+.0f}% vs seasonal naive)"
    )

# %%
# Prediction intervals
# --------------------
# The default model's held-out windows calibrate the intervals; coverage is
# the share of true values they are meant to hold.
point, lower, upper = forecast(models["defaults"], train, HORIZON, coverage=0.8)
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
    for name in MODELS:
        if name != "defaults":
            ax.plot(months[-HORIZON:], forecasts[name], label=f"LSTM, {name}")
    ax.plot(months[-HORIZON:], point, label="LSTMSequencePredictor, defaults")
    ax.fill_between(months[-HORIZON:], lower, upper, alpha=0.25, label="80% interval")
    ax.axvline(months[-HORIZON] - 0.5, color="grey", linewidth=0.5)
    ax.set_xlabel("month")
    ax.legend()
    ax.set_title("12-month forecast after the training history")
    fig.tight_layout()
