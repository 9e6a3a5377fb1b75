"""Sliding windows of long series: training pairs for forecasting, forecasts
past the trained horizon, rolling-origin backtests, windows to fit a detector
on, and window scores mapped back to time stamps.

The public home of these functions; they are written in ``_windowing``
(cutting series into windows) and ``_forecasting`` (forecasting with a fitted
predictor).
"""

from ._forecasting import N_PATHS, backtest, forecast  # noqa: F401 (N_PATHS)
from ._windowing import last_window, make_windows, map_window_scores, sliding_windows

__all__ = [
    "backtest",
    "forecast",
    "last_window",
    "make_windows",
    "map_window_scores",
    "sliding_windows",
]
