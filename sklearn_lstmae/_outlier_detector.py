"""LSTMAutoencoderOutlierDetector: anomalous sequences, by their codes or by how
badly the autoencoder rebuilds them."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import OutlierMixin
from sklearn.covariance import LedoitWolf

from ._archive_checks import is_int, shaped_floats
from ._autoencoder import AutoencoderEstimator
from ._compat import Interval, StrOptions
from ._dask import is_dask_array, map_overlapping
from ._data import check_positive_int
from ._inference import row_portions
from ._training import training_rows
from ._windowing import (
    _check_aggregate,
    _check_finite,
    _check_series,
    _check_stride,
    _point_scores,
    _window_starts,
)

#: The boxplot's upper fence (Tukey 1977): Q3 + this many interquartile ranges.
_FENCE = 1.5
#: Most training codes kept to measure distances to (``anomaly_score="neighbors"``).
_MAX_REFERENCE = 10_000


def upper_fence(values: np.ndarray) -> float:
    """The upper fence of the boxplot of ``values``: ``Q3 + 1.5 IQR``."""
    q1, q3 = np.percentile(values, [25, 75])
    return float(q3 + _FENCE * (q3 - q1))


def _scale(codes: np.ndarray, bottleneck: int) -> np.ndarray:
    """The scale of each code column: the standard deviation of each pooled
    column; for the ``bottleneck``'s columns, their variances shrunk towards
    their mean by Ledoit and Wolf's (2004) estimate; 1 where that is 0.

    With PCA's configuration the bottleneck's columns are the principal
    components' scores: dividing each by its own deviation would blow up the
    last components, whose small variance on a few training sequences is
    mostly noise, while on many sequences their deviations are well
    estimated and anomalies often lie along them. The shrinkage weighs the
    two by how well the sample pins the variances down.
    """
    scale = codes.std(axis=0)
    if bottleneck > 1 and len(codes) > 1:
        variance = scale[:bottleneck] ** 2
        shrinkage = LedoitWolf().fit(codes[:, :bottleneck]).shrinkage_
        variance = (1 - shrinkage) * variance + shrinkage * variance.mean()
        scale[:bottleneck] = np.sqrt(variance)
    return np.where(scale > 0, scale, 1.0)


def _nearest(reference, k: int):
    """A search for the ``k`` nearest of the ``reference`` codes."""
    from sklearn.neighbors import NearestNeighbors

    return NearestNeighbors(n_neighbors=k).fit(reference)


def _mean_distances(search, codes) -> np.ndarray:
    """Mean Euclidean distance of each code to its nearest references."""
    return search.kneighbors(codes)[0].mean(axis=1)


def _leave_one_out_distances(codes, n_neighbors: int) -> np.ndarray:
    """``_mean_distances`` of each code to the others."""
    if len(codes) < 2:
        return np.zeros(len(codes))
    k = min(n_neighbors, len(codes) - 1)
    # The nearest of each code is itself, at distance 0.
    return _mean_distances(_nearest(codes, k + 1), codes) * (k + 1) / k


class LSTMAutoencoderOutlierDetector(OutlierMixin, AutoencoderEstimator):
    """Find anomalous sequences with an LSTM autoencoder.

    ``fit`` trains the autoencoder of :class:`LSTMAutoencoderTransformer` (the
    same network and parameters) on sequences that are mostly normal. A new
    sequence is an outlier when its code lies far from the codes of the
    training sequences (``anomaly_score="neighbors"``), or when the network rebuilds
    it badly (``anomaly_score="reconstruction"``). The conventions are scikit-learn's
    outlier detectors' (like :class:`~sklearn.ensemble.IsolationForest`):
    ``score_samples`` is higher for more normal sequences,
    ``decision_function`` is ``score_samples - offset_`` (negative for
    outliers) and ``predict`` returns +1 for inliers and -1 for outliers.
    ``reconstruction_errors`` shows which steps and features of a sequence
    the network does not rebuild, and ``score_series`` / ``predict_series``
    score every time stamp of a long series from the sliding windows that
    cover it.

    The threshold (``offset_``) is set without knowing how many anomalies
    there are (``contamination="auto"``), at the upper fence of a boxplot
    (Tukey's rule, ``Q3 + 1.5 IQR``: robust to a few anomalies among the
    training sequences, and free of a rate to guess; about 0.4% of normally
    distributed values lie beyond it) of what new normal sequences would
    score: with ``anomaly_score="neighbors"``, the distances of each training
    sequence's code to the other training codes (leave one out); with
    ``anomaly_score="reconstruction"``, the root-mean-squared errors of training
    sequences the network did not train on (the ``validation_split`` held out
    at the end of the training data), since the errors of those it trained on
    are optimistic. A float ``contamination`` sets the threshold at that
    fraction of the same values instead: with ``anomaly_score="neighbors"``
    of the leave-one-out distances (so about that share of new normal
    sequences is flagged, as with
    :class:`~sklearn.neighbors.LocalOutlierFactor` with ``novelty=True``;
    the training sequences themselves, each its own nearest code, are
    flagged less), with ``anomaly_score="reconstruction"`` of the training
    sequences' errors (scikit-learn's convention: ``predict`` flags that
    share of them).

    ``X`` of every method takes every form
    :class:`LSTMAutoencoderTransformer` accepts (3D, 2D flat rows, variable
    length).

    Read more in the :doc:`User Guide </user_guide/anomaly_detection>`.

    Parameters
    ----------
    contamination : "auto" or float in (0, 0.5], default="auto"
        How the threshold ``offset_`` is set. ``"auto"``: the upper fence of
        the scores of normal sequences (see above; with
        ``anomaly_score="reconstruction"`` it needs a validation split, which
        ``validation_split="auto"`` provides: 20% of the training sequences).
        A float: the expected fraction of outliers; the threshold is that
        percentile of the training sequences' leave-one-out distances
        (``"neighbors"``) or errors (``"reconstruction"``; ``predict`` flags
        that share of them). ``warm_start`` may change it, ``n_neighbors``
        and ``anomaly_score``: they only set the threshold.
    anomaly_score : {"neighbors", "reconstruction"}, default="neighbors"
        What makes a sequence anomalous. ``"neighbors"``: the mean Euclidean
        distance of its code (``transform``'s output of the same network,
        scaled as ``code_scale_`` says) to the
        ``n_neighbors`` nearest codes of the training sequences (at most
        10,000 of them, evenly spread). ``"reconstruction"``: its
        reconstruction error, the mean squared error over steps and features
        in standardized units (:meth:`LSTMAutoencoderTransformer.score_samples`).
        The User Guide compares them.
    n_neighbors : int, default=5
        Training codes a code is compared with (``anomaly_score="neighbors"``; fewer
        when there are fewer training sequences). More than one keeps a few
        anomalies among the training sequences from vouching for their like.
    %(autoencoder_parameters)s
    %(shared_parameters)s

    Attributes
    ----------
    offset_ : float
        ``decision_function = score_samples - offset_``: minus the distance
        (or error) above which a sequence is an outlier.
    threshold_ : float
        That distance or error (``-offset_``), in the units of
        ``-score_samples``.
    n_calibration_ : int
        Sequences the threshold was set from: the reference codes with
        ``anomaly_score="neighbors"``; with ``anomaly_score="reconstruction"`` and
        ``contamination="auto"``, the held-out sequences (0 when none could be
        held out: then the training sequences, which the network rebuilds
        better than new ones); all training sequences with a float
        ``contamination``.
    reference_codes_ : ndarray of shape (n_reference, n_codes)
        The standardized codes of (at most 10,000 of) the training sequences,
        with ``anomaly_score="neighbors"``.
    code_mean_, code_scale_ : ndarray of shape (n_codes,)
        Per-column mean and scale of the training codes, with
        ``anomaly_score="neighbors"``: each pooled column's standard
        deviation; for the bottleneck's columns, their variances shrunk
        towards their mean (Ledoit-Wolf), so that on a few training sequences
        the small last components of PCA's configuration are not blown up.
    %(autoencoder_attributes)s
    %(shared_attributes)s

    See Also
    --------
    LSTMAutoencoderTransformer : The same autoencoder, for codes.
    sklearn.ensemble.IsolationForest : An outlier detector on vectors.
    sklearn.neighbors.LocalOutlierFactor : Outliers by their neighbors.
    sklearn_lstmae.windows.sliding_windows : Windows of a long series to fit on.

    Notes
    -----
    With ``anomaly_score="reconstruction"`` and ``contamination="auto"``,
    ``validation_split="auto"`` holds 20% of the sequences out (to calibrate
    on) also without a linear path, which then trains for all ``epochs``, as
    the transformer does.

    References
    ----------
    .. [1] J. W. Tukey, "Exploratory Data Analysis", Addison-Wesley, 1977
       (the boxplot's fences).
    .. [2] P. Malhotra et al., "LSTM-based Encoder-Decoder for Multi-sensor
       Anomaly Detection", ICML Anomaly Detection Workshop, 2016.
    .. [3] S. Ramaswamy, R. Rastogi, K. Shim, "Efficient Algorithms for Mining
       Outliers from Large Data Sets", SIGMOD 2000 (distance to the k-th
       nearest neighbour as an outlier score).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_lstmae import LSTMAutoencoderOutlierDetector
    >>> from sklearn_lstmae.datasets import make_sequence_classification
    >>> X, y = make_sequence_classification(n_samples=300, n_timesteps=12,
    ...                                     random_state=0)
    >>> normal, other = X[y == 0], X[y != 0]  # sine waves; other waveforms
    >>> detector = LSTMAutoencoderOutlierDetector(units=16, epochs=2,
    ...                                           random_state=0)
    >>> detector.fit(normal[:80]).n_calibration_  # codes compared with the others
    80
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
        "anomaly_score": [StrOptions({"neighbors", "reconstruction"})],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        encoding_dim: int | None = 16,
        *,
        contamination="auto",
        anomaly_score: str = "neighbors",
        n_neighbors: int = 5,
        objective: str = "reconstruct",
        n_future: int | None = None,
        future_weight: float = 1.0,
        reverse_target: bool = False,
        decoder: str = "repeat",
        temporal_code: bool = False,
        pooling=("mean", "max"),
        downsample="auto",
        linear_path: bool = True,
        units=(128,),
        cell: str = "lstm",
        bidirectional: bool = False,
        dropout: float = 0.0,
        n_features: int | None = None,
        scale: bool = True,
        epochs: int = 100,
        batch_size: int = 64,
        optimizer="adam",
        optimizer__learning_rate: float = 0.003,
        optimizer__clipnorm: float | None = 1.0,
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

    #: Parameters that only set the threshold after training: a warm start
    #: may change them (the threshold is set anew).
    _AFTER_TRAINING_PARAMS = frozenset(
        {"contamination", "anomaly_score", "n_neighbors"}
    )

    def _resolve(self, batch, y) -> None:
        super()._resolve(batch, y)
        if self.anomaly_score == "neighbors" and batch.n_samples < 2:
            raise ValueError(
                f"{type(self).__name__} with anomaly_score='neighbors' compares each "
                f"training sequence's code with the others' to set its threshold, "
                f"so it needs at least 2 training sequences; got {batch.n_samples} "
                "sample (with non-zero weight). Fit on more sequences."
            )

    # -- scores -----------------------------------------------------------------
    def _hold_out(self) -> bool:
        # The reconstruction errors of sequences trained on are optimistic.
        calibrates = (
            self.contamination == "auto" and self.anomaly_score == "reconstruction"
        )
        return super()._hold_out() or calibrates

    def _codes(self, batch) -> np.ndarray:
        """The encoder's codes of ``batch``, standardized like the reference's
        (before the reference exists: raw)."""
        codes = self._run(self.encoder_, batch).astype(np.float64)
        if hasattr(self, "code_scale_"):
            codes = (codes - self.code_mean_) / self.code_scale_
        return codes

    def _anomaly_values(self, batch) -> np.ndarray:
        """``-score_samples``: the reconstruction error, or the mean distance
        to the nearest reference codes."""
        if self.anomaly_score == "reconstruction":
            return super()._anomaly_values(batch)
        k = min(self.n_neighbors, len(self.reference_codes_))
        search = _nearest(self.reference_codes_, k)
        return self._in_row_portions(
            batch, lambda rows: _mean_distances(search, self._codes(rows))
        )

    def score_samples(self, X):
        """Normality of each sequence (higher is more normal).

        ``anomaly_score="reconstruction"``: the negative reconstruction error (mean
        squared error over steps and features, in standardized units, as
        :meth:`LSTMAutoencoderTransformer.score_samples`);
        ``anomaly_score="neighbors"``: the negative mean distance of the sequence's
        code to the ``n_neighbors`` nearest codes of the training sequences
        (standardized codes).

        Parameters
        ----------
        X : array-like, DataFrame, list of array-like, or dask array
            Sequences in any form accepted by ``fit``. A dask array is scored
            lazily, chunk of rows by chunk of rows.

        Returns
        -------
        scores : ndarray of shape (n_samples,), or dask array
            Higher for more normal sequences.
        """
        return super().score_samples(X)

    # -- the threshold ------------------------------------------------------------
    def _after_training(
        self, batch, inputs, validation_split, *, new_network, **training
    ) -> None:
        for name in ("code_mean_", "code_scale_", "reference_codes_"):
            vars(self).pop(name, None)  # of an earlier fit
        auto = self.contamination == "auto"
        if auto and self.anomaly_score == "reconstruction":
            # From the network the held-out sequences did not train, before it
            # may be refitted on all sequences (it then rebuilds new sequences
            # at least as well: a cautious threshold).
            rmse = np.sqrt(self._held_out_errors(batch, validation_split))
        super()._after_training(
            batch, inputs, validation_split, new_network=new_network, **training
        )
        if self.anomaly_score == "neighbors":
            self._set_reference(batch)
        if self.anomaly_score == "neighbors":
            # Each training code against the others (leave one out): what new
            # normal sequences score. A training sequence's own code is among
            # the references, so its distance is optimistic (as with
            # LocalOutlierFactor(novelty=True)).
            self.n_calibration_ = len(self.reference_codes_)
            distances = _leave_one_out_distances(
                self.reference_codes_, self.n_neighbors
            )
            threshold = (
                upper_fence(distances)
                if auto
                else np.percentile(distances, 100 * (1 - self.contamination))
            )
        elif not auto:
            # scikit-learn's convention: that share of the training sequences
            # is flagged.
            self.n_calibration_ = batch.n_samples
            training = self._anomaly_values(batch)
            threshold = np.percentile(training, 100 * (1 - self.contamination))
        else:
            self.n_calibration_ = len(rmse) if validation_split else 0
            threshold = upper_fence(rmse) ** 2
        self.offset_ = -float(threshold)

    @property
    def threshold_(self) -> float:
        """The distance or error above which a sequence is an outlier
        (``-offset_``)."""
        return -self.offset_

    def _held_out_errors(self, batch, validation_split: float) -> np.ndarray:
        """Reconstruction errors of the held-out sequences (of the training
        sequences when none were held out: optimistic, so it warns)."""
        if not validation_split:
            warnings.warn(
                f"contamination='auto' with anomaly_score='reconstruction' sets the "
                f"threshold from sequences held out of training, but none were "
                f"(validation_split={self.validation_split!r} with "
                f"{batch.n_samples} sequences): it comes from the training "
                "sequences, which the network rebuilds better than new ones, so "
                "expect more false alarms. Fit on more sequences, set "
                "validation_split, or set a float contamination.",
                UserWarning,
                stacklevel=5,
            )
            return self._in_row_portions(batch, self._sequence_errors)
        held_out = np.arange(
            training_rows(batch.n_samples, validation_split), batch.n_samples
        )
        return self._in_row_portions(batch.take(held_out), self._sequence_errors)

    def _set_reference(self, batch) -> None:
        """Keep the standardized codes of the training sequences (at most
        ``_MAX_REFERENCE``, evenly spread) to measure distances to."""
        rows = np.arange(batch.n_samples)
        if len(rows) > _MAX_REFERENCE:
            rows = np.linspace(0, len(rows) - 1, _MAX_REFERENCE).astype(int)
        codes = self._codes(batch.take(rows))
        self.code_mean_ = codes.mean(axis=0)
        self.code_scale_ = _scale(codes, self._code_layout()[0])
        self.reference_codes_ = ((codes - self.code_mean_) / self.code_scale_).astype(
            np.float32
        )

    @staticmethod
    def _fitted_checks(fitted: dict, params: dict) -> dict:
        checks = AutoencoderEstimator._fitted_checks(fitted, params)
        reference = fitted.get("reference_codes_")
        width = reference.shape[-1] if isinstance(reference, np.ndarray) else -1
        checks = {
            **checks,
            "offset_": lambda v: isinstance(v, float) and np.isfinite(v),
            "n_calibration_": lambda v: is_int(v, low=0),
        }
        if params.get("anomaly_score") == "neighbors":
            checks |= {
                "reference_codes_": lambda v: shaped_floats(
                    v, (None, width), max_rows=_MAX_REFERENCE
                ),
                "code_mean_": lambda v: shaped_floats(v, (width,)),
                "code_scale_": lambda v: shaped_floats(v, (width,), positive=True),
            }
        return checks

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
        the last window ends with the series, and ``stride`` is at most the
        window length, so every time stamp is covered); each window gets its
        ``score_samples``, and each time stamp the mean (or the minimum,
        ``aggregate="max"`` of the errors) of the scores of the windows that
        cover it, and of no others. Time stamps near the ends are covered by
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
            steps, finite (a NaN or infinity is refused, naming its time
            step). For several series, call this once per series.
        stride : int, default=1
            Steps between the starts of consecutive windows, at most
            ``n_timesteps_``; larger is faster and coarser.
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
        _check_stride(stride, length, "length, n_timesteps_={length}")
        _check_aggregate(aggregate)
        if is_dask_array(series):
            if np.iscomplexobj(series):  # as X is refused (_data.py)
                raise ValueError("Complex data not supported in series.")
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
        fitted._refuse_series_list(series)
        series = _check_series(series)
        return fitted._score_stretch(
            series, 0, slice(None), len(series), stride, aggregate
        )

    def _refuse_series_list(self, series) -> None:
        """Refuse a list of series (what ``make_windows`` takes): a list of 2D
        arrays, or of 1D arrays that are not rows of this detector's steps."""
        if not isinstance(series, list | tuple) or not series:
            return
        item = np.ndim(series[0])
        width = self.n_step_features_
        if item == 2 or (item == 1 and len(series[0]) != width):
            raise ValueError(
                f"score_series takes one series, an array of shape (T,) or "
                f"(T, n_features) (this detector reads {width} feature(s) per "
                f"step); got a list of {len(series)} arrays of shape "
                f"{np.shape(series[0])}: several series. Score them one by one: "
                "[detector.score_series(s) for s in series]."
            )

    def _score_stretch(self, stretch, first, core, n_timesteps, stride, aggregate):
        """Point scores of the time stamps ``core`` of ``stretch``, the steps
        from ``first`` on of a series of ``n_timesteps``: from the series'
        windows that lie in the stretch (all that cover ``core`` when the
        stretch reaches ``n_timesteps_ - 1`` steps past it on both sides)."""
        length = self.n_timesteps_
        starts = _window_starts(n_timesteps, length, stride) - first
        starts = starts[(starts >= 0) & (starts + length <= len(stretch))]
        stretch, steps = np.asarray(stretch), np.arange(length)
        _check_finite(stretch, first=first)  # a dask chunk: checked here
        # A portion of windows at a time, so that the windows never exist all at once.
        scores = np.concatenate(
            [
                self.score_samples(
                    self._as_windows(stretch[starts[rows, None] + steps])
                )
                for rows in row_portions(len(starts))
            ]
        )
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
            +1 where ``score_series(series) >= offset_``, -1 elsewhere (also
            where a score is NaN: a window whose error overflowed is never
            called normal).
        """
        scores = self.score_series(series, stride=stride, aggregate=aggregate)
        return (scores >= self.offset_) * 2 - 1

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
