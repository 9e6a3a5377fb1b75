"""LSTMSequencePredictor: sequences -> sequences (seq2seq regression, forecasting)."""

import math
import warnings

import keras
import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils.validation import check_is_fitted

from ._archive_checks import MAX_WIDTH, is_int, scaler_ok, shaped_floats
from ._base import _AUTO_SPLIT, SequenceEstimator
from ._compat import StrOptions
from ._data import (
    SequenceScaler,
    check_coverage,
    choose_level,
    from_targets,
    last_steps,
    mean_changes,
    remove_level,
    restore_level,
    shift_right,
    to_targets,
)
from ._inference import inference_twin, predict_rows
from ._networks import (
    build_conditional_decoder,
    build_repeat_decoder,
    conditional_inference,
    connect,
    connect_linear_path,
)
from ._training import training_rows

#: ``_resolve``'s marker: no level being tried, the rule chooses.
_RULE = object()

#: Penalties the linear path's ridge regression chooses from (by its
#: leave-one-out error), for inputs and targets scaled to unit variance.
_RIDGE_ALPHAS = np.logspace(-3, 3, 13)
#: Values of the windows ``_ridge`` reads at a time (float64: 32 MB).
_CHUNK_VALUES = 1 << 22

#: Held-out windows whose residuals are kept for ``predict_interval`` (the
#: latest ones): enough for any coverage, bounded memory and archive size.
_MAX_CALIBRATION = 10_000
#: Windows trained on (the latest ones) whose leave-one-out errors decide
#: ``window_scale="auto"``: thousands of blocks of evidence, bounded time and
#: memory on large fits.
_MAX_SCALING_EVIDENCE = 20_000


class LSTMSequencePredictor(RegressorMixin, SequenceEstimator):
    """Predict output sequences from input sequences with an LSTM encoder-decoder.

    ``fit(X, y)`` trains an encoder-decoder network; ``predict(X)`` returns
    sequences in ``y``'s layout and units. Typical uses are multi-step
    forecasting (windows from :func:`sklearn_lstmae.windows.make_windows`) and
    sequence-to-sequence regression.

    ``X`` takes every form :class:`LSTMAutoencoderTransformer` accepts (3D,
    2D univariate or flat with ``n_features``, DataFrames, variable length).
    ``y`` is ``(n_samples, n_output_steps, n_output_features)``,
    ``(n_samples, n_output_steps)`` or ``(n_samples,)``; the output length and
    width come from ``y``.

    Read more in the :doc:`User Guide </user_guide/architectures>`.

    Parameters
    ----------
    decoder : {"repeat", "conditional"}, default="repeat"
        ``"repeat"``: the encoder's final state is repeated at every output step
        (RepeatVector) and decoded by recurrent layers and a per-step Dense head,
        the classic Keras encoder-decoder. ``"conditional"``: the encoder's
        final states seed a decoder that receives the previous target step as
        input, the true one in training (teacher forcing) and its own
        prediction at inference, step by step (Sutskever et al. 2014).

        .. deprecated:: 0.3
           ``"teacher_forcing"``, this decoder's name before 0.3, still works
           with a ``FutureWarning`` and will be removed in 0.5.
    level : {"auto", "last", "log_last"} or None, default="auto"
        Per-window level removal for series with a trend or changing level,
        applied before scaling and undone on predictions. ``"last"`` subtracts
        each window's last input value from its inputs and targets;
        ``"log_last"`` does it on the log scale (predicting relative change),
        for positive series whose seasonal swings grow with the level. Both need
        ``y`` to be the continuation of ``X`` (same features). None leaves
        values as they are: right for regression targets that are a different
        quantity. ``"auto"`` chooses (recorded in ``level_``): a rule on the
        training windows proposes a level (None when ``y`` has other features
        than ``X``; the log scale for strictly positive data, unless at least 30
        windows show changes of one size at every level; then the level is kept
        when the series returns to its mean within the horizon, and removed
        otherwise; where windows are scaled, ``window_scale``, the rule removes
        it as ``"last"``: the scaling already makes changes relative to each
        series' size). Where the held-out windows (``validation_split``) hold at
        least two blocks of ``n_output_steps`` consecutive windows, a network is
        also fitted with each other level that applies (None; ``"last"`` when
        ``y`` has ``X``'s features; ``"log_last"`` when they are also positive),
        and the one with the lowest error on the held-out windows replaces the
        rule's when its errors are clearly lower: a one-sided paired t-test at
        5% over those blocks (windows one step apart share targets, so single
        windows are not independent evidence). With fewer blocks and the linear
        path kept untrained (see ``linear_path``), the level with the lowest
        mean leave-one-out error of the ridge regression on the windows trained
        on is chosen, where those windows make 2 blocks or more; otherwise the
        rule's level stays and no other is fitted. Each window's error is scaled
        by the mean absolute change between its input steps, so that series of
        different scales count alike. The user guide's *Forecasting* page gives
        the reasons. ``examples/plot_forecasting.py`` compares them on a
        trending series.

        .. versionchanged:: 0.3
           The default was None; ``"auto"`` chooses with the held-out
           windows' errors where there are held-out windows.
    linear_path : bool, default=True
        A linear path beside the recurrent network (a repeat decoder on
        fixed-length windows without ``X_future``; ignored otherwise): a Dense
        layer from the flattened input window to every output value, added to
        the decoder's output. It starts at the ridge regression of the
        windows trained on (scaled, level removed; penalty chosen by
        leave-one-out error), with the recurrent head at zero, so the network
        starts as that linear model and training adds to it. The trained
        network is kept only where its errors on the held-out windows are
        clearly lower than the ridge's (the test ``level="auto"`` uses), and
        then combined with it: the two forecasts averaged, as one network
        (the linear path at the mean of both, the recurrent head halved), a
        hedge against that noisy verdict. Otherwise the ridge is kept,
        refitted on all windows (``linear_kept_``). With held-out windows of
        fewer than 2 blocks of ``n_output_steps`` (a short single series) no
        test can show that, so
        the network is not trained: ``history_`` is empty. A linear
        autoregression is a strong forecaster on short series (the user
        guide's *Forecasting* page); the network must earn its place.

        .. versionadded:: 0.3
    window_scale : "auto" or bool, default="auto"
        Per-window scaling, with a level (``level_`` not None): each window's
        inputs and targets, level removed, are divided by the mean absolute
        change between its input steps (MASE's scale, on the window), and
        predictions multiplied back. One network then forecasts series of
        different scales and volatility alike, a smooth series as precisely
        as a jagged one (DeepAR, Salinas et al. 2020, scales each window for
        the same reason). Windows whose inputs do not change take the mean
        scale of the training windows (``window_scale_``). ``"auto"`` scales
        where that clearly lowers the leave-one-out errors of a ridge
        regression on the windows trained on (the linear path's start), each
        window's error scaled as ``level="auto"``'s and compared by its
        one-sided t-test over blocks of ``n_output_steps`` windows: typically
        many series of different scales in one model, rarely one series.
        With ``level="auto"`` the rule's level is tested as ``"last"`` (see
        ``level``). Without 2 such blocks, or with windows of different
        lengths, it does not scale.

        .. versionadded:: 0.3
    %(shared_parameters)s

    Attributes
    ----------
    target_scaler_ : SequenceScaler or None
        Per-feature scaling of ``y``.
    n_output_steps_, n_output_features_ : int
        Shape of one target sequence.
    target_layout_ : {"1d", "2d", "3d"}
        Layout of ``y`` in ``fit``, which ``predict`` returns.
    level_ : {"last", "log_last"} or None
        The level removal used: ``level``, or with ``level="auto"`` the one
        chosen (the rule's, unless another level's held-out errors were
        clearly lower; on a short series with the linear path, the lowest
        leave-one-out error of the ridge regression).
    window_scale_ : ndarray of shape (n_features,) or None
        With per-window scaling (``window_scale``), the scale of windows whose
        inputs do not change, per feature (the mean of the training windows'
        scales); None without it.
    linear_kept_ : bool
        Whether the network is the linear path's ridge regression (the
        recurrent head at zero): the trained network's held-out errors were
        not clearly lower, or it was not trained. False without the path.
    n_covariates_ : int
        Covariates per output step (the features of ``X_future``) the network
        takes; 0 when fitted without them.
    covariate_scaler_ : SequenceScaler or None
        Per-feature scaling of ``X_future``.
    calibration_residuals_ : ndarray of shape (n_calibration, n_output_steps, \
n_output_features) or None
        Residuals of the windows held out of training (``validation_split``,
        20% by default; the last windows, at most 10,000), in the network's
        units (level removed, scaled), behind ``predict_interval``. None
        without held-out windows.
    residual_scale_ : ndarray of shape (n_output_steps, n_output_features) or None
        Root mean squared residual of each output step on the training
        windows: ``predict_interval`` scales its width per step by it.
    %(shared_attributes)s

    Notes
    -----
    For ``decoder="conditional"``, ``model_`` is the teacher-forced network,
    with inputs ``[sequences, previous_targets]``; ``predict`` runs its inference
    twin, which feeds each prediction back.

    References
    ----------
    .. [1] I. Sutskever, O. Vinyals, Q. V. Le, "Sequence to Sequence Learning
       with Neural Networks", NeurIPS 2014.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_lstmae import LSTMSequencePredictor
    >>> from sklearn_lstmae.windows import make_windows, last_window
    >>> series = np.sin(np.arange(200) / 4)
    >>> X, y = make_windows(series, input_length=12, output_length=3)
    >>> X.shape, y.shape
    ((186, 12), (186, 3))
    >>> model = LSTMSequencePredictor(units=8, epochs=2, random_state=0).fit(X, y)
    >>> model.predict(X[:5]).shape
    (5, 3)
    >>> model.predict(last_window(series, 12)).shape  # the next 3 steps
    (1, 3)
    """

    #: Held-out windows by default: they calibrate ``predict_interval`` and
    #: choose ``level="auto"``.
    _shared_defaults = {"validation_split": "auto"}

    _parameter_constraints: dict = {
        **SequenceEstimator._parameter_constraints,
        "decoder": [
            StrOptions(
                {"repeat", "conditional", "teacher_forcing"},
                deprecated={"teacher_forcing"},
            ),
        ],
        "level": [StrOptions({"auto", "last", "log_last"}), None],
        "linear_path": ["boolean"],
        "window_scale": [StrOptions({"auto"}), "boolean"],
    }

    def __init__(
        self,
        decoder: str = "repeat",
        *,
        level: str | None = "auto",
        linear_path: bool = True,
        window_scale: str | bool = "auto",
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
        early_stopping: int | None = None,
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

    def _conditional(self) -> bool:
        """Whether the decoder is fed its previous output (``"conditional"``,
        or its name before 0.3)."""
        return self.decoder in ("conditional", "teacher_forcing")

    def _resolve(self, batch, y) -> None:
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None: pass the target sequences (e.g. from make_windows)."
            )
        if self.decoder == "teacher_forcing":
            warnings.warn(
                "decoder='teacher_forcing' was renamed decoder='conditional' in "
                "0.3 (the name both estimators use); the old name will be removed "
                "in 0.5.",
                FutureWarning,
                stacklevel=5,
            )
        self.level_ = self.level
        ruled, targets = False, None
        if self.level == "auto":
            # The candidate being tried (``_fit_staged``), else the rule.
            self.level_ = vars(self).get("_level_trial", _RULE)
            if self.level_ is _RULE:
                ruled = True
                targets, _ = to_targets(y, batch.n_samples)
                self.level_ = choose_level(batch.values, batch.lengths, targets)
        self.window_scale_ = None
        if self.level_ is None or self.window_scale is False:
            return
        proposed = self.level_
        if ruled:
            # A window divided by its mean change is already relative to the
            # series' size, as the log makes it: with scaling the rule
            # proposes the level removed as it is (the log would only bend
            # the forecasts), and the log competes as another level.
            self.level_ = "last"
        self.window_scale_ = self._fallback_scale(batch)
        if isinstance(self.window_scale, str):
            if targets is None:  # read once: the rule may have read them
                targets, _ = to_targets(y, batch.n_samples)
            if not self._scaling_helps(batch, targets):
                self.level_, self.window_scale_ = proposed, None

    def _auto_split(self, n_samples: int) -> float:
        """``validation_split="auto"`` holds windows out as an explicit 0.2
        does (1 of 4 windows): they calibrate the intervals and choose
        ``level="auto"``, and a short series needs them most."""
        return _AUTO_SPLIT

    def _fit_staged(self, X, y, *args) -> None:
        """Fit; with ``level="auto"`` and held-out windows, fit each level
        that applies and keep the rule's level unless another has clearly
        lower held-out errors (``_clearly_lower``)."""
        continuing = (self.warm_start or args[1]) and self.__sklearn_is_fitted__()
        before = dict(vars(self))  # each level is tried from here
        try:
            super()._fit_staged(X, y, *args)
            if continuing or self.level != "auto" or self._held_out_errors is None:
                return
            # The first fit is the rule's choice: the level kept without
            # clear evidence against it.
            ruled = self.level_
            evidence = "_held_out_errors"
            if _n_blocks(len(self._held_out_errors), self.n_output_steps_) < 2:
                # Too few held-out windows to overrule the rule. A network
                # kept untrained, the linear path's ridge regression, has the
                # leave-one-out errors of the windows it was fitted on
                # instead: where they make 2 blocks or more, the level with
                # the lowest mean is chosen, as the ridge's penalty is.
                loo = self._loo_errors
                if loo is None or _n_blocks(len(loo), self.n_output_steps_) < 2:
                    return  # fit no other level
                evidence = "_loo_errors"
            trials = {ruled: (vars(self)[evidence], dict(vars(self)))}
            others = [None]
            if self.n_output_features_ == self.n_step_features_:
                others += ["last", "log_last"]
            for level in others:
                if level in trials:
                    continue
                trial = object.__new__(type(self))
                vars(trial).update(before, _level_trial=level)
                try:
                    super(LSTMSequencePredictor, trial)._fit_staged(X, y, *args)
                except ValueError:
                    # The level does not apply (the log of values <= 0), or
                    # its fit diverged: not a candidate.
                    continue
                if vars(trial).get(evidence) is not None:
                    trials[level] = (vars(trial)[evidence], vars(trial))
            # The lowest mean error; a tie keeps the first tried (the rule's).
            lowest = min(trials, key=lambda level: trials[level][0].mean())
            chosen = ruled
            if evidence == "_loo_errors" or _clearly_lower(
                trials[lowest][0], trials[ruled][0], self.n_output_steps_
            ):
                chosen = lowest
            vars(self).update(trials[chosen][1])
        finally:
            vars(self).pop("_level_trial", None)
            vars(self).pop("_held_out_errors", None)
            vars(self).pop("_loo_errors", None)

    @staticmethod
    def _fitted_checks(fitted: dict, params: dict) -> dict:
        """``load``'s checks of the fitted attributes set here (name -> test)."""
        outputs = (fitted.get("n_output_steps_"), fitted.get("n_output_features_"))
        return {
            "target_layout_": lambda v: v in ("1d", "2d", "3d"),
            "n_output_steps_": lambda v: is_int(v),
            "n_output_features_": lambda v: is_int(v, high=MAX_WIDTH),
            "target_scaler_": lambda v: scaler_ok(
                v, fitted.get("n_output_features_"), params.get("scale")
            ),
            "level_": lambda v: (
                v == params.get("level")
                if params.get("level") != "auto"
                else v in (None, "last", "log_last")
            ),
            "window_scale_": lambda v: (
                v is None
                if fitted.get("level_") is None or params.get("window_scale") is False
                else v is None
                or shaped_floats(v, (fitted.get("n_step_features_"),), positive=True)
            ),
            "n_covariates_": lambda v: is_int(v, low=0, high=MAX_WIDTH),
            "covariate_scaler_": lambda v: scaler_ok(
                v,
                fitted.get("n_covariates_"),
                params.get("scale") and fitted.get("n_covariates_", 0) > 0,
            ),
            "calibration_residuals_": lambda v: (
                v is None
                or shaped_floats(v, (None, *outputs), max_rows=_MAX_CALIBRATION)
            ),
            "residual_scale_": lambda v: (
                (v is None) == (fitted.get("calibration_residuals_") is None)
                and (v is None or shaped_floats(v, outputs, positive=True))
            ),
        }

    # -- network ------------------------------------------------------------
    def _keras_build_fn(self, compile_kwargs):
        units = self._units()
        conditional = self._conditional()
        encoder = self._build_encoder(encoding_dim=None, return_states=conditional)
        output_shape = (self.n_output_steps_, self.n_output_features_)
        if conditional:
            # Decoder layer i starts from encoder layer i's final states.
            widths = tuple(int(state.shape[-1]) for state in encoder.outputs)
            per_layer = len(widths) // len(units)
            decoder = build_conditional_decoder(
                *output_shape,
                units=widths[::per_layer],
                cell=self.cell,
                dropout=self.dropout,
                state_widths=widths,
            )
        else:
            decoder = build_repeat_decoder(
                encoder.output_shape[-1],
                *output_shape,
                units=units,
                cell=self.cell,
                dropout=self.dropout,
                n_covariates=self.n_covariates_,
            )
        if self.n_covariates_:
            sequences = keras.Input(encoder.input_shape[1:], name="sequences")
            covariates = keras.Input(
                (self.n_output_steps_, self.n_covariates_),
                name="covariates",
            )
            outputs = decoder([encoder(sequences), covariates])
            model = keras.Model([sequences, covariates], outputs, name="seq2seq")
        elif self._linear():
            model = connect_linear_path(
                encoder, decoder, self.n_timesteps_, name="seq2seq"
            )
        else:
            model = connect(encoder, [decoder], name="seq2seq")
        model.compile(**compile_kwargs)
        return model

    def _linear(self) -> bool:
        """Whether the network has the linear path (see ``linear_path``): a
        repeat decoder without ``X_future``, on fixed-length windows."""
        return bool(
            self.linear_path
            and not self._conditional()
            and not self.n_covariates_
            and not self.variable_length_
        )

    def _keep_start(self) -> bool:
        # The linear path starts at the ridge regression: kept unless training
        # improves the held-out windows' forecasts.
        return self._linear()

    def _kept_untrained(self, n_samples: int, rows: int) -> bool:
        # Held-out windows of fewer than 2 blocks cannot show that training
        # beat the ridge regression (``_clearly_lower``): it is kept as is.
        return (
            self._linear()
            and rows < n_samples
            and _n_blocks(n_samples - rows, self.n_output_steps_) < 2
        )

    def _initialize_network(self, model, inputs, targets, rows, *, weights=None):
        """The linear path at the ridge regression of the windows trained on
        (``_ridge``), the recurrent head at zero: the network is that linear
        model, where training starts and which the trained network must beat
        on the held-out windows (see ``_after_training``)."""
        if not self._linear():
            return None
        some = None if weights is None else weights[:rows]
        self._loo_outputs = self._set_ridge(model, inputs[:rows], targets[:rows], some)
        head = model.get_layer("decoder").get_layer("output")
        head.set_weights([np.zeros_like(w) for w in head.get_weights()])
        self._linear_start = model.get_weights()
        return None

    @staticmethod
    def _set_ridge(model, inputs, targets, weights):
        """Set the linear path to the ridge regression of ``targets`` on
        ``inputs``; return its leave-one-out predictions (or None)."""
        coef, intercept, loo, _ = _ridge(inputs, targets, weights)
        model.get_layer("linear_forecast").set_weights(
            [coef.astype(np.float32), intercept.astype(np.float32)]
        )
        return loo

    def _combine_with(self, ridge) -> None:
        """The trained network's and the ridge regression's (``ridge``, the
        linear path's weights at the start) forecasts averaged, as one
        network: the linear path at the mean of both, the recurrent head
        (zero in the ridge) halved. The held-out windows' verdict that
        training helped is noisy; an equal-weight combination of two
        forecasts hedges it (Bates and Granger 1969)."""
        path = self.model_.get_layer("linear_forecast")
        path.set_weights(
            [(a + b) / 2 for a, b in zip(path.get_weights(), ridge, strict=True)]
        )
        head = self.model_.get_layer("decoder").get_layer("output")
        head.set_weights([w / 2 for w in head.get_weights()])

    @property
    def linear_kept_(self) -> bool:
        """Whether the network is the linear path's ridge regression (see
        ``linear_path``): it has the linear path and the recurrent head is
        zero."""
        check_is_fitted(self)
        if not self._linear():
            return False
        head = self.model_.get_layer("decoder").get_layer("output")
        return all(not np.any(w) for w in head.get_weights())

    def _inference_model(self) -> keras.Model:
        """The model that predicts: ``model_``, or its twin that feeds each
        prediction back (the conditional decoder)."""
        if not self._conditional():
            return self.model_
        return inference_twin(
            self.model_,
            "sequences",
            lambda: conditional_inference(
                self.model_,
                cell=self.cell,
                n_layers=len(self._units()),
                context=False,
            ),
        )

    # -- data ---------------------------------------------------------------
    def _level(self, batch):
        """Each window's level, ``(n, n_features)``, or None without ``level_``."""
        if self.level_ is None:
            return None
        level = last_steps(batch)
        if self.level_ == "log_last" and not (np.nanmin(batch.values) > 0):
            chosen = " (chosen by level='auto')" * (self.level == "auto")
            raise ValueError(
                f"level='log_last'{chosen} works on the log scale and needs X > 0 "
                "everywhere; use level='last' for series that reach 0 or below."
            )
        return level

    def _window_scales(self, batch, level):
        """Each window's scale (``window_scale``), ``(n, n_features)``: the
        mean absolute change between its input steps, level removed, or the
        fitted ``window_scale_`` where they do not change; None without."""
        if self.window_scale_ is None:
            return None
        relative = remove_level(batch.values, level, self.level_ == "log_last")
        scales = mean_changes(relative)
        return np.where(scales > 0, scales, self.window_scale_)

    def _fallback_scale(self, batch) -> np.ndarray:
        """``window_scale_``: per feature, the mean of the windows' positive
        scales (1 where none is), the scale of windows without change."""
        level = self._level(batch)
        relative = remove_level(batch.values, level, self.level_ == "log_last")
        scales = mean_changes(relative)
        positive = np.where(scales > 0, scales, np.nan)
        counted = np.isfinite(positive).sum(axis=0)
        total = np.where(counted > 0, np.nansum(positive, axis=0), 1.0)
        return (total / np.maximum(counted, 1)).astype(np.float64)

    def _scaling_helps(self, batch, targets) -> bool:
        """``window_scale="auto"``: whether window scaling clearly lowers the
        leave-one-out errors of a ridge regression of the targets on the
        inputs (standardized, level removed: the linear path's start) on the
        windows trained on, each window's error scaled as ``level="auto"``'s
        (``_scaled_errors``), by the test ``level="auto"`` uses
        (``_clearly_lower``); on the latest ``_MAX_SCALING_EVIDENCE`` of them
        at most, unweighted. False where that cannot be measured: windows of
        different lengths, or fewer than 2 blocks of ``n_output_steps``."""
        log = self.level_ == "log_last"
        if (
            targets.size == 0
            or targets.shape[2] != batch.n_step_features
            or (log and not (targets.min() > 0))
        ):
            return False  # the fit refuses these targets (_training_data)
        rows = training_rows(batch.n_samples, self._validation_split(batch.n_samples))
        n_steps = targets.shape[1]
        if self.variable_length_ or _n_blocks(rows, n_steps) < 2:
            return False
        evidence = np.arange(max(0, rows - _MAX_SCALING_EVIDENCE), rows)
        trained_on = batch.take(evidence)
        targets = targets[evidence].astype(np.float64)
        level = self._level(trained_on)
        errors = []
        for scale in (None, self._window_scales(trained_on, level)):
            inputs = remove_level(trained_on.values, level, log, scale)
            relative = remove_level(targets, level, log, scale)
            x_scaler = SequenceScaler().fit(inputs)
            y_scaler = SequenceScaler().fit(relative)
            loo = _ridge(x_scaler.transform(inputs), y_scaler.transform(relative))[2]
            predictions = y_scaler.inverse_transform(loo)
            predictions = restore_level(predictions, level, log, scale)
            errors.append(_scaled_errors(trained_on, targets, predictions))
        return _clearly_lower(errors[1], errors[0], n_steps)

    def _unscaled_inputs(self, batch):
        level = self._level(batch)
        if level is None:
            return batch.values
        return remove_level(
            batch.values,
            level,
            self.level_ == "log_last",
            self._window_scales(batch, level),
        )

    def _covariate_inputs(self, X_future, n_samples: int, *, reset: bool):
        """``X_future`` checked and scaled, float32 ``(n, n_output_steps, C)``,
        or None; ``reset`` (in ``fit``) records its width and scaling."""
        name = type(self).__name__
        if reset:
            self.n_covariates_, self.covariate_scaler_ = 0, None
            if X_future is None:
                return None
            if self._conditional():
                raise ValueError(
                    "X_future (inputs known for the output steps) is fed to the "
                    "decoder='repeat' network; the conditional decoder does not "
                    "take it yet. Use decoder='repeat'."
                )
        elif X_future is None:
            if self.n_covariates_:
                raise ValueError(
                    f"{name} was fitted with X_future ({self.n_covariates_} "
                    "inputs per output step): pass X_future for these sequences "
                    "too."
                )
            return None
        elif not self.n_covariates_:
            raise ValueError(
                f"{name} was fitted without X_future; refit with X_future to use "
                "inputs known for the output steps."
            )
        covariates, _ = to_targets(X_future, n_samples, name="X_future")
        if covariates.shape[1] != self.n_output_steps_:
            raise ValueError(
                f"X_future has {covariates.shape[1]} steps per sequence, but the "
                f"forecasts have {self.n_output_steps_} (one row of inputs per "
                "output step)."
            )
        if reset:
            self.n_covariates_ = covariates.shape[2]
            if self.scale:
                self.covariate_scaler_ = SequenceScaler().fit(covariates)
        elif covariates.shape[2] != self.n_covariates_:
            raise ValueError(
                f"X_future has {covariates.shape[2]} features per step, but {name} "
                f"was fitted with {self.n_covariates_}."
            )
        if self.scale:
            covariates = self.covariate_scaler_.transform(covariates)
        return covariates.astype(np.float32)

    def _training_data(self, batch, inputs, y, *, reset, covariates=None):
        targets, layout = to_targets(y, batch.n_samples)
        if reset:
            self.target_layout_ = layout
            self.n_output_steps_, self.n_output_features_ = targets.shape[1:]
        elif targets.shape[1:] != (self.n_output_steps_, self.n_output_features_):
            raise ValueError(
                f"y has sequences of shape {targets.shape[1:]}, but the model was "
                f"fitted on ({self.n_output_steps_}, {self.n_output_features_})."
            )
        covariates = self._covariate_inputs(covariates, batch.n_samples, reset=reset)
        level = self._level(batch)
        if level is not None:
            if self.n_output_features_ != batch.n_step_features:
                raise ValueError(
                    f"level={self.level!r} subtracts each window's last input value "
                    f"from its targets, so y needs the same {batch.n_step_features} "
                    f"features per step as X; it has {self.n_output_features_}. "
                    "Use level=None for targets that are a different quantity."
                )
            if self.level_ == "log_last" and not (targets.min() > 0):
                raise ValueError("level='log_last' needs y > 0 everywhere.")
            targets = remove_level(
                targets,
                level,
                self.level_ == "log_last",
                self._window_scales(batch, level),
            )
        if reset:
            self.target_scaler_ = SequenceScaler().fit(targets) if self.scale else None
        if self.scale:
            targets = self.target_scaler_.transform(targets)
        targets = targets.astype(np.float32)
        if self._conditional():
            return [inputs, shift_right(targets)], targets, None
        if covariates is not None:
            return [inputs, covariates], targets, None
        return inputs, targets, None

    def _after_training(
        self,
        batch,
        inputs,
        validation_split,
        *,
        new_network,
        network_inputs,
        targets,
        weights=None,
    ):
        """The linear path's ridge regression kept unless training clearly
        beat it on the held-out windows, and refitted on all windows when
        kept; the residuals behind ``predict_interval``: of the held-out
        windows (the last ones, never trained on) and, for their per-step
        scale, of the windows trained on."""
        self.calibration_residuals_ = self.residual_scale_ = None
        self._held_out_errors = self._loo_errors = None
        start = vars(self).pop("_linear_start", None)
        loo = vars(self).pop("_loo_outputs", None)
        if loo is not None and self.level == "auto":
            trained_on = batch.take(np.arange(len(loo)))
            self._loo_errors = _scaled_errors(
                trained_on,
                self._target_units(targets[: len(loo)], trained_on),
                self._target_units(loo, trained_on),
            )
        split_at = training_rows(batch.n_samples, validation_split)
        if not validation_split or split_at in (0, batch.n_samples):
            return
        # The inference network's inputs: the sequences, and X_future where
        # the network takes it (as in training; a conditional decoder's
        # inference twin feeds itself).
        prepared = network_inputs if self.n_covariates_ else inputs
        held_out = batch.take(np.arange(split_at, batch.n_samples))

        def held_out_errors(outputs):
            return _scaled_errors(
                held_out,
                self._target_units(targets[split_at:], held_out),
                self._target_units(outputs[split_at:], held_out),
            )

        outputs = predict_rows(self._inference_model(), prepared)
        errors = held_out_errors(outputs)
        if start is not None and self.history_.get("loss") and not self.linear_kept_:
            # The best epoch on the held-out windows (unless it is the ridge
            # start itself) is kept over the ridge start only where its
            # errors there are clearly lower: the standard of evidence a
            # level needs (``_clearly_lower``); then combined with it.
            trained = self.model_.get_weights()
            self.model_.set_weights(start)
            path = self.model_.get_layer("linear_forecast")
            ridge = path.get_weights()
            linear = predict_rows(self._inference_model(), prepared)
            linear_errors = held_out_errors(linear)
            if _clearly_lower(errors, linear_errors, self.n_output_steps_):
                self.model_.set_weights(trained)
                self._combine_with(ridge)
                outputs = predict_rows(self._inference_model(), prepared)
                errors = held_out_errors(outputs)
            else:
                outputs, errors = linear, linear_errors
        residuals = targets - outputs
        scale = np.sqrt(np.mean(np.square(residuals[:split_at]), axis=0))
        tiny = np.finfo(np.float32).eps
        self.residual_scale_ = np.maximum(scale, tiny).astype(np.float32)
        self.calibration_residuals_ = residuals[split_at:][-_MAX_CALIBRATION:]
        self._held_out_errors = errors
        if new_network and self.linear_kept_:
            # Chosen on the held-out windows, fitted on all of them (as the
            # autoencoder's PCA): the residuals above stay held-out ones.
            self._set_ridge(self.model_, inputs, targets, weights)

    # -- public API ---------------------------------------------------------
    def fit(self, X, y, sample_weight=None, X_future=None, **kwargs):
        """Train a new network to predict ``y`` from ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
(n_samples, n_columns), DataFrame, or list of array-like
            Input sequences (see the class docstring for the forms).
        y : array-like
            Target sequences: ``(n_samples, n_output_steps, n_output_features)``,
            ``(n_samples, n_output_steps)`` or ``(n_samples,)``.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sequence weights in the loss. Zero-weight sequences are dropped.
        X_future : array-like of shape (n_samples, n_output_steps, \
n_covariates) or (n_samples, n_output_steps), default=None
            Covariates: values known in advance for each output step (calendar, prices,
            promotions), fed to the decoder next to the code
            (``decoder="repeat"``). ``make_windows(..., covariates=...)``
            cuts them. A model fitted with them needs them in ``predict``.
        **kwargs : dict
            Extra arguments for ``keras.Model.fit`` (prefer ``fit__`` parameters).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit_call(X, y, sample_weight, kwargs, X_future)

    def partial_fit(self, X, y, sample_weight=None, X_future=None, **kwargs):
        """Train for one more epoch, keeping the learned weights.

        Parameters
        ----------
        X : array-like or list of array-like
            Input sequences, in any form accepted by ``fit``.
        y : array-like
            Target sequences.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sequence weights.
        X_future : array-like, default=None
            Inputs of the output steps, as in ``fit``.
        **kwargs : dict
            Extra arguments for ``keras.Model.fit``.

        Returns
        -------
        self : object
            The estimator.
        """
        return self._partial_fit_call(X, y, sample_weight, kwargs, X_future)

    def predict(self, X, X_future=None):
        """Predict the output sequence of each input sequence.

        Parameters
        ----------
        X : array-like, DataFrame or list of array-like
            Input sequences in any form accepted by ``fit``.
        X_future : array-like, default=None
            Inputs of the output steps, for a model fitted with them.

        Returns
        -------
        y_pred : ndarray, float64
            In the layout and units of the ``y`` given to ``fit``:
            ``(n_samples,)``, ``(n_samples, n_output_steps)`` or
            ``(n_samples, n_output_steps, n_output_features)``.
        """
        self = self._as_fitted()
        batch, outputs = self._outputs(X, X_future)
        return from_targets(self._target_units(outputs, batch), self.target_layout_)

    def predict_interval(self, X, coverage=0.9, X_future=None):
        """Prediction intervals: ranges that hold the truth with ``coverage``.

        Split-conformal intervals (Papadopoulos et al. 2002; Lei et al. 2018):
        the residuals of the windows held out of training (the last
        ``validation_split`` of them, in time order when the windows are)
        calibrate a half-width, in units of each output step's typical error
        on the training windows, that covers ``coverage`` of them; it is
        applied around the prediction before the level and scaling are undone,
        so ``level="log_last"`` gives intervals that widen with the level. The
        default ``validation_split="auto"`` holds out 20% of the windows (as
        Keras rounds: 1 of 4); an explicit ``validation_split=0`` gives no
        intervals.
        With too few held-out
        residuals for the conformal quantile (``n < coverage / (1 -
        coverage)``: 19 for 95%), the half-width assumes normal errors of the
        residuals' root mean square (Student's t quantile with ``n`` degrees
        of freedom) instead.

        Parameters
        ----------
        X : array-like, DataFrame or list of array-like
            Input sequences.
        coverage : float, default=0.9
            Share of true values the intervals should hold, in (0, 1).
        X_future : array-like, default=None
            Inputs of the output steps, for a model fitted with them.

        Returns
        -------
        lower, upper : ndarray, float64
            Bounds in the layout and units of ``predict``.
        """
        self = self._as_fitted()
        half_width = self._interval_half_width(coverage)
        batch, outputs = self._outputs(X, X_future)
        return tuple(
            from_targets(self._target_units(bound, batch), self.target_layout_)
            for bound in (outputs - half_width, outputs + half_width)
        )

    def _interval_half_width(self, coverage) -> np.ndarray:
        """The conformal half-width ``(n_output_steps, n_output_features)`` in
        the network's units for ``coverage``."""
        check_coverage(coverage)
        if self.calibration_residuals_ is None:
            raise ValueError(
                "Prediction intervals are calibrated on windows held out of "
                f"training, and this fit held out none (validation_split="
                f"{self.validation_split!r}). Fit with "
                "validation_split > 0 or 'auto' (the default: the last 20% of the "
                "windows, at least 2 windows needed) to use predict_interval."
            )
        scores = np.sort(
            np.abs(self.calibration_residuals_ / self.residual_scale_), axis=None
        )
        rank = math.ceil((scores.size + 1) * float(coverage))
        if rank <= scores.size:
            return scores[rank - 1] * self.residual_scale_
        # Too few scores for the conformal quantile (fewer than
        # coverage / (1 - coverage): 19 for 95%): the quantile of normal
        # errors with the scores' root mean square, widened for estimating it
        # from n scores (r / rms follows Student's t with n degrees of freedom).
        from scipy.stats import t as student_t  # imported here: slow to import

        rms = np.sqrt(np.mean(np.square(scores)))
        factor = student_t.ppf((1 + float(coverage)) / 2, df=scores.size) * rms
        return (factor * self.residual_scale_).astype(np.float32)

    def _predict_block(self, windows, covariates=None, *, noise=None, coverage=None):
        """The next ``n_output_steps_`` steps after each window, for
        ``_forecasting``, which feeds them back: float64 ``(n, n_output_steps_,
        n_output_features_)`` in ``y``'s units, from what was fitted (as
        ``predict``).

        ``windows``: ``(n, n_timesteps_, n_step_features_)`` values (in the
        layout they were fitted in or not); ``covariates``: their ``X_future``.
        ``noise``: ``(n, n_output_steps_, n_output_features_)`` added to the
        network's outputs in its units (level removed, scaled), as a held-out
        window's residuals are (the sampled paths of ``forecast``).
        ``coverage``: also ``predict_interval``'s bounds, ``(point, lower,
        upper)``.
        """
        self = self._as_fitted()
        half_width = None if coverage is None else self._interval_half_width(coverage)
        if self.input_layout_ == "2d":
            windows = windows.reshape(len(windows), -1)
        batch, outputs = self._outputs(windows, covariates)
        if noise is not None:
            outputs = outputs + noise
        point = self._target_units(outputs, batch)
        if half_width is None:
            return point
        return point, *(
            self._target_units(bound, batch)
            for bound in (outputs - half_width, outputs + half_width)
        )

    def _outputs(self, X, X_future):
        """The checked input batch and the network's outputs for it (in its
        units: level removed, scaled)."""
        batch = self._check_sequences(X, reset=False)
        covariates = self._covariate_inputs(X_future, batch.n_samples, reset=False)
        return batch, self._run(self._inference_model(), batch, covariates)

    def _target_units(self, outputs, batch) -> np.ndarray:
        """Network outputs ``(n, T_out, F_out)`` in ``y``'s units (float64)."""
        if self.scale:
            outputs = self.target_scaler_.inverse_transform(outputs)
        level = self._level(batch)
        if level is not None:
            outputs = restore_level(
                outputs,
                level,
                self.level_ == "log_last",
                self._window_scales(batch, level),
            )
        return outputs.astype(np.float64)

    def score(self, X, y, sample_weight=None, X_future=None):
        """R^2 of the predictions over all outputs (every step and feature).

        Parameters
        ----------
        X : array-like, DataFrame or list of array-like
            Input sequences.
        y : array-like
            True target sequences, in any layout ``fit`` accepts.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sequence weights.
        X_future : array-like, default=None
            Inputs of the output steps, for a model fitted with them.

        Returns
        -------
        score : float
            ``r2_score`` averaged uniformly over the flattened outputs.
        """
        predictions = self.predict(X, X_future)
        truth, _ = to_targets(y, len(predictions))
        return float(
            r2_score(
                truth.reshape(len(truth), -1),
                np.asarray(predictions).reshape(len(truth), -1),
                sample_weight=sample_weight,
            )
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        # A few epochs of a tiny network (as in sklearn's checks) fit poorly.
        tags.regressor_tags.poor_score = True
        return tags


def _scaled_errors(batch, targets: np.ndarray, predictions: np.ndarray) -> np.ndarray:
    """Mean absolute error of ``predictions`` ``(n, T_out, F)`` of each
    window of ``batch``, ``(n,)``, over the mean absolute change between its
    consecutive input steps (MASE's scale, on the window), so that windows of
    series of different scales count alike; windows without change count
    unscaled."""
    with warnings.catch_warnings():
        # 1-step windows have no change (NaN for every feature): unscaled.
        warnings.simplefilter("ignore", RuntimeWarning)
        scale = np.nanmean(mean_changes(batch.values), axis=1)
    scale = np.where(scale > 0, scale, 1.0)
    errors = np.abs(targets - predictions).reshape(batch.n_samples, -1)
    return errors.mean(axis=1) / scale


def _clearly_lower(errors: np.ndarray, than: np.ndarray, n_output_steps: int) -> bool:
    """Whether the held-out windows' ``errors`` are lower than ``than`` (the
    same windows' errors of another fit) beyond chance: a one-sided paired
    t-test at 5% on the differences, averaged over blocks of
    ``n_output_steps`` consecutive windows (the latest ones; an earlier
    remainder is left out).

    Windows cut one step apart share all but one of their targets, so
    neighbouring windows' errors are not independent evidence; blocks as long
    as the horizon are close to it (the method of batch means). With fewer
    than 2 blocks (a short single series) the held-out windows are one
    stretch of the series and cannot tell levels apart.
    """
    n_blocks = _n_blocks(len(errors), n_output_steps)
    if n_blocks < 2:
        return False
    differences = (than - errors)[len(errors) - n_blocks * n_output_steps :]
    blocks = differences.reshape(n_blocks, n_output_steps).mean(axis=1)
    if np.ptp(blocks) == 0:  # no spread: the sign decides
        return bool(blocks[0] > 0)
    from scipy.stats import ttest_1samp  # imported here: slow to import

    return bool(ttest_1samp(blocks, 0.0, alternative="greater").pvalue < 0.05)


def _n_blocks(n_windows: int, n_output_steps: int) -> int:
    """Blocks of ``n_output_steps`` consecutive held-out windows: the
    independent pieces of evidence ``_clearly_lower`` compares levels on."""
    return n_windows // n_output_steps


def _ridge(inputs, targets, weights=None):
    """Ridge regression of the flattened ``targets`` on the flattened
    ``inputs`` (``n`` windows): ``(coef (d, k), intercept (k,), loo, alpha)``.

    The intercept is not penalized; ``weights`` weigh the windows (None: all
    1). The penalty is the one of ``_RIDGE_ALPHAS`` with the lowest weighted
    mean squared leave-one-out error, which one eigendecomposition gives for
    every penalty (Golub, Heath and Wahba 1979; sklearn's ``RidgeCV`` chooses
    so too). ``loo`` holds the leave-one-out predictions, shaped like
    ``targets`` (None for a single window); ``alpha`` the penalty.

    The windows are read in chunks of about ``_CHUNK_VALUES`` values: memory
    beyond ``inputs`` stays within ``min(n, d) ** 2`` values and a chunk.
    """
    n = len(inputs)
    x = inputs.reshape(n, -1)
    y = targets.reshape(n, -1).astype(np.float64)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    share = w / w.sum()
    x_mean, y_mean = share @ x, share @ y
    if n < 2:
        return np.zeros((x.shape[1], y.shape[1])), y_mean, None, None
    root = np.sqrt(w)[:, None]
    step = max(1, _CHUNK_VALUES // x.shape[1])
    chunks = [slice(start, start + step) for start in range(0, n, step)]

    def centred(rows):
        """The weighted, centred windows ``rows``, float64."""
        return root[rows] * (x[rows].astype(np.float64) - x_mean)

    # One pass: the windows' cross-products with the targets and, where the
    # windows outnumber their values, with themselves (the Gram matrix).
    deviations = root * (y - y_mean)
    wide = n <= x.shape[1]
    cross, gram = 0.0, 0.0
    for rows in chunks:
        part = centred(rows)
        cross = cross + part.T @ deviations[rows]
        if not wide:
            gram = gram + part.T @ part
    # The right singular vectors and squared singular values of the centred
    # windows, from the smaller side.
    if wide:
        _, values, vectors = np.linalg.svd(centred(slice(None)), full_matrices=False)
        squares, vectors = values**2, vectors.T
    else:
        squares, vectors = np.linalg.eigh(gram)
        squares = np.maximum(squares, 0.0)
    covariance = vectors.T @ cross
    inverses = 1.0 / (squares + _RIDGE_ALPHAS[:, None])  # (n_alphas, r)

    def loo_residuals(rows, projected, inverse):
        """Leave-one-out residuals of the windows ``rows`` (``projected`` on
        the singular vectors) at one penalty."""
        fitted = projected @ (inverse[:, None] * covariance) / root[rows]
        leverage = share[rows] + np.square(projected) @ inverse
        return (y[rows] - y_mean - fitted) / (1.0 - leverage)[:, None]

    losses = np.zeros(len(inverses))
    for rows in chunks:
        projected = centred(rows) @ vectors
        for index, inverse in enumerate(inverses):
            residuals = loo_residuals(rows, projected, inverse)
            losses[index] += share[rows] @ np.mean(np.square(residuals), axis=1)
    best = int(np.argmin(losses))  # the first of equal losses, as RidgeCV
    coef = vectors @ (inverses[best][:, None] * covariance)
    intercept = y_mean - x_mean @ coef
    loo = np.concatenate(
        [
            loo_residuals(rows, centred(rows) @ vectors, inverses[best])
            for rows in chunks
        ]
    )
    return coef, intercept, (y - loo).reshape(targets.shape), _RIDGE_ALPHAS[best]
