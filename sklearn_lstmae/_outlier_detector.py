"""LSTMAutoencoderOutlierDetector: sequences the autoencoder rebuilds badly."""

import warnings
from numbers import Real

import numpy as np
from sklearn.base import OutlierMixin
from sklearn.utils._param_validation import Interval, StrOptions

from ._autoencoder import AutoencoderEstimator
from ._chunks import is_dask_array, map_overlapping
from ._data import check_positive_int
from ._training import training_rows
from .windows import (
    _check_aggregate,
    _check_series,
    _point_scores,
    _window_starts,
)

#: The boxplot's upper fence (Tukey 1977): Q3 + this many interquartile ranges.
_FENCE = 1.5


def upper_fence(errors: np.ndarray) -> float:
    """The error above which a sequence is an outlier: the upper fence of the
    boxplot (``Q3 + 1.5 IQR``) of the root-mean-squared errors ``sqrt(errors)``,
    squared back into the units of ``errors``."""
    q1, q3 = np.percentile(np.sqrt(errors), [25, 75])
    return float((q3 + _FENCE * (q3 - q1)) ** 2)


class LSTMAutoencoderOutlierDetector(OutlierMixin, AutoencoderEstimator):
    """Find anomalous sequences by how badly an LSTM autoencoder rebuilds them.

    ``fit`` trains the autoencoder of :class:`LSTMAutoencoderTransformer` (the
    same network and parameters) on sequences that are mostly normal; a
    sequence it reconstructs badly is an outlier. The conventions are
    scikit-learn's outlier detectors' (like
    :class:`~sklearn.ensemble.IsolationForest`): ``score_samples`` is higher
    for more normal sequences (the negative reconstruction error),
    ``decision_function`` is ``score_samples - offset_`` (negative for
    outliers) and ``predict`` returns +1 for inliers and -1 for outliers.
    ``reconstruction_errors`` shows which steps and features an anomaly
    comes from, and ``score_series`` / ``predict_series`` score every time
    stamp of a long series from the sliding windows that cover it.

    The threshold (``offset_``) is set without knowing how many anomalies
    there are (``contamination="auto"``): from the errors of training
    sequences the network did not train on (the ``validation_split`` held out
    at the end of the training data), flagging an error above the upper fence
    of their boxplot: ``sqrt(threshold) = Q3 + 1.5 IQR`` of the held-out
    sequences' root-mean-squared errors (Tukey's rule, in the data's
    standardized units: robust to a few anomalies among them, and free of a
    rate to guess; about 0.4% of normally distributed values lie beyond it).
    A float ``contamination``
    flags that fraction of the training sequences instead, as scikit-learn's
    detectors do.

    ``X`` of every method takes every form
    :class:`LSTMAutoencoderTransformer` accepts (3D, 2D flat rows, variable
    length).

    Read more in the :doc:`User Guide </user_guide/anomaly_detection>`.

    Parameters
    ----------
    contamination : "auto" or float in (0, 0.5], default="auto"
        How the threshold ``offset_`` is set. ``"auto"``: the upper fence of
        the held-out training sequences' root-mean-squared errors (see above; it needs a
        validation split, which ``validation_split="auto"`` provides: 20% of
        the training sequences, at least one). A float: the expected fraction
        of outliers in the training data; the threshold is that percentile of
        the training sequences' scores.
    %(autoencoder_parameters)s
    %(shared_parameters)s

    Attributes
    ----------
    offset_ : float
        ``decision_function = score_samples - offset_``: minus the error
        above which a sequence is an outlier.
    threshold_ : float
        That error (``-offset_``), in the units of ``score_samples``.
    n_calibration_ : int
        Sequences the threshold was set from: the held-out ones with
        ``contamination="auto"`` (0 when none could be held out: then the
        training errors, which are optimistic), all training sequences
        otherwise.
    %(autoencoder_attributes)s
    %(shared_attributes)s

    See Also
    --------
    LSTMAutoencoderTransformer : The same autoencoder, for codes.
    sklearn.ensemble.IsolationForest : An outlier detector on vectors.
    sklearn_lstmae.windows.sliding_windows : Windows of a long series to fit on.

    Notes
    -----
    Without a linear path (``linear_path=False`` or a configuration that has
    none), ``contamination="auto"`` still holds 20% of the sequences out (to
    calibrate on) but trains for all ``epochs``, as the transformer does.

    References
    ----------
    .. [1] J. W. Tukey, "Exploratory Data Analysis", Addison-Wesley, 1977
       (the boxplot's fences).
    .. [2] P. Malhotra et al., "LSTM-based Encoder-Decoder for Multi-sensor
       Anomaly Detection", ICML Anomaly Detection Workshop, 2016.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_lstmae import LSTMAutoencoderOutlierDetector
    >>> from sklearn_lstmae.datasets import make_sequence_classification
    >>> X, y = make_sequence_classification(n_samples=300, n_timesteps=12,
    ...                                     random_state=0)
    >>> normal, other = X[y == 0], X[y != 0]  # sine waves; other waveforms
    >>> detector = LSTMAutoencoderOutlierDetector(encoding_dim=4, units=8,
    ...                                           epochs=2, random_state=0)
    >>> detector.fit(normal[:80]).n_calibration_  # the last 16 held out
    16
    >>> bool(np.mean(detector.predict(normal[80:]) == 1) >= 0.8)  # new normal
    True
    >>> bool(np.mean(detector.predict(other) == -1) >= 0.9)
    True
    >>> detector.reconstruction_errors(other[:3]).shape  # step, feature
    (3, 12, 2)
    """

    _parameter_constraints: dict = {
        **AutoencoderEstimator._parameter_constraints,
        "contamination": [
            StrOptions({"auto"}),
            Interval(Real, 0.0, 0.5, closed="right"),
        ],
    }

    def __init__(
        self,
        encoding_dim: int | None = 16,
        *,
        contamination="auto",
        objective: str = "reconstruct",
        n_future: int | None = None,
        future_weight: float = 1.0,
        reverse_target: bool = False,
        decoder: str = "repeat",
        temporal_code: bool = False,
        pooling=("mean", "max"),
        downsample="auto",
        linear_path: bool = True,
        units=(64,),
        cell: str = "lstm",
        bidirectional: bool = False,
        dropout: float = 0.0,
        n_features: int | None = None,
        scale: bool = True,
        epochs: int = 100,
        batch_size: int = 32,
        optimizer="adam",
        optimizer__learning_rate: float = 0.005,
        loss="mse",
        metrics=None,
        validation_split="auto",
        validation_batch_size: int | None = None,
        early_stopping="auto",
        shuffle: bool = True,
        callbacks=None,
        random_state=None,
        verbose: int = 0,
        warm_start: bool = False,
        run_eagerly: bool = False,
        jit_compile="auto",
        **kwargs,
    ):
        self._set_init_params(locals())

    # -- the threshold ------------------------------------------------------------
    def _hold_out(self) -> bool:
        return super()._hold_out() or self.contamination == "auto"

    def _after_training(self, batch, validation_split, *, new_network) -> None:
        # The threshold comes from the network the held-out sequences did not
        # train (before it may be refitted on all sequences).
        self._set_offset(batch, validation_split)
        super()._after_training(batch, validation_split, new_network=new_network)

    def _set_offset(self, batch, validation_split: float) -> None:
        if self.contamination != "auto":
            scores = -self._in_row_chunks(batch, self._sequence_errors)
            self.offset_ = float(np.percentile(scores, 100.0 * self.contamination))
            self.n_calibration_ = batch.n_samples
        else:
            held_out = np.arange(
                training_rows(batch.n_samples, validation_split), batch.n_samples
            )
            if validation_split == 0 or len(held_out) == 0:
                warnings.warn(
                    f"contamination='auto' sets the threshold from sequences held "
                    f"out of training, but none were (validation_split="
                    f"{self.validation_split!r} with {batch.n_samples} sequences): "
                    "it comes from the training errors, which are optimistic, so "
                    "expect more false alarms. Fit on more sequences, set "
                    "validation_split, or set a float contamination.",
                    UserWarning,
                    stacklevel=4,
                )
                held_out = np.arange(batch.n_samples)
            errors = self._in_row_chunks(batch.take(held_out), self._sequence_errors)
            self.offset_ = -upper_fence(errors)
            self.n_calibration_ = int(validation_split > 0) * len(held_out)
        self.threshold_ = -self.offset_

    @staticmethod
    def _fitted_checks(fitted: dict, params: dict) -> dict:
        from ._persistence import is_int

        checks = AutoencoderEstimator._fitted_checks(fitted, params)
        offset = fitted.get("offset_")
        return {
            **checks,
            "offset_": lambda v: isinstance(v, float) and np.isfinite(v),
            "threshold_": lambda v: v == -offset,
            "n_calibration_": lambda v: is_int(v, low=0),
        }

    # -- sequences --------------------------------------------------------------
    def decision_function(self, X):
        """Score of each sequence against the threshold: negative for outliers.

        Parameters
        ----------
        X : array-like, DataFrame or list of array-like
            Sequences in any form accepted by ``fit``.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            ``score_samples(X) - offset_``.
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """Whether each sequence is an inlier (+1) or an outlier (-1).

        Parameters
        ----------
        X : array-like, DataFrame or list of array-like
            Sequences in any form accepted by ``fit``.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            +1 where ``decision_function(X) >= 0``, -1 elsewhere.
        """
        return np.where(self.decision_function(X) < 0, -1, 1)

    # -- long series --------------------------------------------------------------
    def score_series(self, series, *, stride: int = 1, aggregate: str = "mean"):
        """Score every time stamp of a long series from the windows covering it.

        The series is cut into windows of the fitted length (``n_timesteps_``)
        every ``stride`` steps (:func:`~sklearn_lstmae.windows.sliding_windows`:
        the last window ends with the series, so every time stamp is covered);
        each window gets its ``score_samples``, and each time stamp the mean
        (or the minimum, ``aggregate="max"`` of the errors) of the scores of
        the windows that cover it. Time stamps near the ends are covered by
        fewer windows (the first and last by one), so their scores rest on
        less evidence. Fit the detector on windows of normal stretches of the
        series (or of similar ones), e.g. ``sliding_windows(normal, length)``.

        A dask array is scored chunk by chunk (lazily: call ``compute``), each
        chunk with the windows that reach into its neighbours, so that the
        result equals the in-memory one while a worker holds one chunk at a
        time.

        Parameters
        ----------
        series : array-like of shape (T,) or (T, n_features), or dask array
            One long series, in the layout of a single training sequence
            (``(T,)`` for a univariate detector), at least ``n_timesteps_``
            steps.
        stride : int, default=1
            Steps between the starts of consecutive windows; larger is faster
            and coarser.
        aggregate : {"mean", "max"}, default="mean"
            How the windows covering a time stamp combine: the mean of their
            errors, or the largest error.

        Returns
        -------
        scores : ndarray of shape (T,), or dask array
            Per time stamp, in the units of ``score_samples`` (higher is more
            normal).
        """
        fitted = self._as_fitted()
        length = fitted._window_length()
        stride = check_positive_int(stride, "stride")
        _check_aggregate(aggregate)
        if is_dask_array(series):
            if series.shape[0] < length:
                _window_starts(series.shape[0], length, stride)  # the error
            return map_overlapping(
                fitted,
                "_score_stretch",
                series,
                depth=length - 1,
                n_timesteps=series.shape[0],
                stride=stride,
                aggregate=aggregate,
            )
        series = _check_series(series)
        return fitted._score_stretch(
            series, 0, slice(None), len(series), stride, aggregate
        )

    def _score_stretch(self, stretch, first, core, n_timesteps, stride, aggregate):
        """Point scores of the time stamps ``core`` of ``stretch``, the steps
        from ``first`` on of a series of ``n_timesteps``: from the series'
        windows that lie in the stretch (all that cover ``core`` when the
        stretch reaches ``n_timesteps_ - 1`` steps past it on both sides)."""
        length = self.n_timesteps_
        starts = _window_starts(n_timesteps, length, stride) - first
        starts = starts[(starts >= 0) & (starts + length <= len(stretch))]
        windows = np.asarray(stretch)[starts[:, None] + np.arange(length)]
        scores = self.score_samples(self._as_windows(windows))
        return _point_scores(scores, starts, length, len(stretch), aggregate)[core]

    def predict_series(self, series, *, stride: int = 1, aggregate: str = "mean"):
        """Whether each time stamp of a long series is normal (+1) or not (-1).

        Parameters
        ----------
        series : array-like of shape (T,) or (T, n_features), or dask array
            As for ``score_series``.
        stride : int, default=1
            As for ``score_series``.
        aggregate : {"mean", "max"}, default="mean"
            As for ``score_series``.

        Returns
        -------
        labels : ndarray of shape (T,), or dask array
            -1 where ``score_series(series) < offset_``, +1 elsewhere.
        """
        scores = self.score_series(series, stride=stride, aggregate=aggregate)
        return (scores < self.offset_) * -2 + 1

    def _window_length(self) -> int:
        if self.variable_length_:
            raise ValueError(
                f"{type(self).__name__} was fitted on sequences of variable length; "
                "scoring a series needs a fixed window length: fit on windows of "
                "one length (sklearn_lstmae.windows.sliding_windows)."
            )
        return self.n_timesteps_

    def _as_windows(self, windows: np.ndarray):
        """Windows ``(n, L[, F])`` in the fitted input's layout."""
        if self.input_layout_ == "2d":
            return windows.reshape(len(windows), -1)
        return windows.reshape(*windows.shape[:2], -1)
