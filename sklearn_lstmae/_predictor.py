"""LSTMSequencePredictor: sequences -> sequences (seq2seq regression, forecasting)."""

import weakref

import keras
import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import StrOptions

from ._base import SequenceEstimatorBase
from ._compiled import predict_in_chunks
from ._data import (
    SequenceScaler,
    from_targets,
    last_steps,
    remove_level,
    restore_level,
    shift_right,
    to_targets,
)
from ._networks import (
    build_encoder,
    build_feedback_decoder,
    build_repeat_decoder,
    feedback_inference,
    feedback_model,
)

# Inference twins of teacher-forced models, built on first use and shared with
# the trained model's layers; weak keys so they go with the model, never pickled.
_inference_models: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


class LSTMSequencePredictor(RegressorMixin, SequenceEstimatorBase):
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

    Parameters
    ----------
    decoder : {"repeat", "teacher_forcing"}, default="repeat"
        ``"repeat"``: the encoder's final state is repeated at every output step
        (RepeatVector) and decoded by recurrent layers and a per-step Dense head,
        the classic Keras encoder-decoder. ``"teacher_forcing"``: the encoder's
        final states seed a decoder that receives the previous target step as
        input, the true one in training and its own prediction at inference,
        step by step (Sutskever et al. 2014).
    level : {None, "last", "log_last"}, default=None
        Per-window level removal for series with a trend or changing level,
        applied before scaling and undone on predictions. ``"last"`` subtracts
        each window's last input value from its inputs and targets;
        ``"log_last"`` does it on the log scale (predicting relative change),
        for positive series whose seasonal swings grow with the level. Both need
        ``y`` to be the continuation of ``X`` (same features). None leaves values
        as they are: right for regression targets that are a different quantity.
        On a trending multiplicative seasonal series, "log_last" cut the error of
        plain scaling by more than half (see ``examples/plot_forecasting.py``).
    units : int or tuple of int, default=(64,)
        Sizes of the stacked recurrent encoder layers; the decoder has the same
        (twice as wide with a bidirectional encoder and ``"teacher_forcing"``).
    cell : {"lstm", "gru"}, default="lstm"
        Recurrent cell type.
    bidirectional : bool, default=False
        Bidirectional encoder layers (forward and backward states concatenated).
    dropout : float, default=0.0
        Dropout on the inputs of every recurrent layer, during training.
    n_features : int or None, default=None
        Features per time step of 2D (flat, time-major) ``X``; None means 1.
    scale : bool, default=True
        Standardize each feature of ``X`` and of ``y`` (learned in ``fit``);
        predictions are returned in ``y``'s units.
    epochs : int, default=100
        Maximum number of passes over the training data.
    batch_size : int, default=32
        Sequences per gradient step.
    optimizer : str or keras.optimizers.Optimizer, default="adam"
        Keras optimizer; settings routed with ``optimizer__``.
    optimizer__learning_rate : float, default=0.005
        Learning rate (see :class:`LSTMAutoencoderTransformer` for the choice).
    loss : str or keras.losses.Loss, default="mse"
        Training loss, on scaled targets.
    validation_split : float, default=0.0
        Fraction of the training sequences (the last ones) held out as
        ``val_loss``, which ``early_stopping`` monitors.
    early_stopping : int or None, default=None
        Patience in epochs (restores the best weights); None trains all epochs.
    callbacks : list of keras.callbacks.Callback or None, default=None
        Extra Keras callbacks for ``fit``.
    random_state : int, RandomState instance or None, default=None
        Seeds initialization, dropout and shuffling; the same integer gives
        identical predictions on CPU, also when fits run in several threads
        (fits in one process take turns). Global random state is restored.
    verbose : int, default=0
        0 is silent; 1 shows Keras' progress bar.
    warm_start : bool, default=False
        When True, ``fit`` continues training the fitted network (only training
        settings such as ``epochs`` or ``optimizer__learning_rate`` may change).
    jit_compile : "auto" or bool, default="auto"
        Train with XLA compilation (Keras' ``compile(jit_compile=...)``).
        ``"auto"``: no XLA with TensorFlow on CPU, where it measured slower than
        our default training path (see ``benchmarks/RESULTS.md``); otherwise
        Keras' own choice (XLA on GPU and with the JAX backend). The choice made
        is ``jit_compile_``. Independently of it, fits of at least 2 million
        sequence-steps (sequences x epochs x time steps) trace their training
        steps for static batch shapes, 2-6x faster on CPU.
    **kwargs : dict
        Other scikeras parameters and routed settings.

    Attributes
    ----------
    model_ : keras.Model
        The trained network (for "teacher_forcing", the teacher-forced one,
        with inputs ``[sequences, previous_targets]``).
    jit_compile_ : bool
        Whether the network was compiled with XLA (the resolved ``jit_compile``).
    fitted_params_ : dict
        The parameters the model was fitted with (``get_params(deep=False)``
        at ``fit``). Inference uses these: parameters changed with
        ``set_params`` after ``fit`` take effect at the next fit.
    history_ : dict of list
        Per-epoch ``loss`` (and ``val_loss``).
    scaler_, target_scaler_ : SequenceScaler or None
        Per-feature scaling of ``X`` and ``y``.
    n_features_in_ : int
        Columns of 2D training input; features per step for 3D/list input.
    n_timesteps_, n_step_features_ : int
        Input length (the longest, when variable) and features per step.
    n_output_steps_, n_output_features_ : int
        Shape of one target sequence.
    target_layout_ : {"1d", "2d", "3d"}
        Layout of ``y`` in ``fit``, which ``predict`` returns.

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

    _parameter_constraints: dict = {
        **SequenceEstimatorBase._parameter_constraints,
        "decoder": [StrOptions({"repeat", "teacher_forcing"})],
        "level": [StrOptions({"last", "log_last"}), None],
    }

    def __init__(
        self,
        decoder: str = "repeat",
        *,
        level: str | None = None,
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
        validation_split: float = 0.0,
        early_stopping: int | None = None,
        callbacks=None,
        random_state=None,
        verbose: int = 0,
        warm_start: bool = False,
        jit_compile="auto",
        **kwargs,
    ):
        super().__init__(
            optimizer=optimizer,
            optimizer__learning_rate=optimizer__learning_rate,
            loss=loss,
            epochs=epochs,
            batch_size=batch_size,
            validation_split=validation_split,
            callbacks=callbacks,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
            **kwargs,
        )
        self.decoder = decoder
        self.level = level
        self.units = units
        self.cell = cell
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.n_features = n_features
        self.scale = scale
        self.early_stopping = early_stopping
        self.jit_compile = jit_compile

    # -- network ------------------------------------------------------------
    def _keras_build_fn(self, compile_kwargs):
        units = self._units()
        seeded = self.decoder == "teacher_forcing"
        encoder = build_encoder(
            self.n_step_features_,
            units=units,
            cell=self.cell,
            bidirectional=self.bidirectional,
            dropout=self.dropout,
            encoding_dim=None,
            masked=self.variable_length_,
            return_states=seeded,
        )
        output_shape = (self.n_output_steps_, self.n_output_features_)
        if seeded:
            # Decoder layer i starts from encoder layer i's final states.
            widths = tuple(int(state.shape[-1]) for state in encoder.outputs)
            per_layer = len(widths) // len(units)
            decoder = build_feedback_decoder(
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
            )
        model = feedback_model(encoder, [decoder], name="seq2seq")
        model.compile(**compile_kwargs)
        return model

    def _inference_model(self) -> keras.Model:
        if self.decoder != "teacher_forcing":
            return self.model_
        model = _inference_models.get(self.model_)
        if model is None:
            model = feedback_inference(self.model_)
            _inference_models[self.model_] = model
        return model

    # -- data ---------------------------------------------------------------
    def _level(self, batch):
        """Each window's level, ``(n, n_features)``, or None without ``level``."""
        if self.level is None:
            return None
        level = last_steps(batch)
        if self.level == "log_last" and not (np.nanmin(batch.values) > 0):
            raise ValueError(
                "level='log_last' works on the log scale and needs X > 0 "
                "everywhere; use level='last' for series that reach 0 or below."
            )
        return level

    def _unscaled_inputs(self, batch):
        level = self._level(batch)
        if level is None:
            return batch.values
        return remove_level(batch.values, level, self.level == "log_last")

    def _training_data(self, batch, inputs, y, *, reset):
        targets, layout = to_targets(y, batch.n_samples)
        if reset:
            self.target_layout_ = layout
            self.n_output_steps_, self.n_output_features_ = targets.shape[1:]
        elif targets.shape[1:] != (self.n_output_steps_, self.n_output_features_):
            raise ValueError(
                f"y has sequences of shape {targets.shape[1:]}, but the model was "
                f"fitted on ({self.n_output_steps_}, {self.n_output_features_})."
            )
        level = self._level(batch)
        if level is not None:
            if self.n_output_features_ != batch.n_features:
                raise ValueError(
                    f"level={self.level!r} subtracts each window's last input value "
                    f"from its targets, so y needs the same {batch.n_features} "
                    f"features per step as X; it has {self.n_output_features_}. "
                    "Use level=None for targets that are a different quantity."
                )
            if self.level == "log_last" and not (targets.min() > 0):
                raise ValueError("level='log_last' needs y > 0 everywhere.")
            targets = remove_level(targets, level, self.level == "log_last")
        if reset:
            self.target_scaler_ = SequenceScaler().fit(targets) if self.scale else None
        if self.scale:
            targets = self.target_scaler_.transform(targets)
        targets = targets.astype(np.float32)
        if self.decoder == "teacher_forcing":
            return [inputs, shift_right(targets)], targets, None
        return inputs, targets, None

    # -- public API ---------------------------------------------------------
    def fit(self, X, y, sample_weight=None, **kwargs):
        """Train the encoder-decoder to map ``X`` to ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
(n_samples, n_columns), DataFrame, or list of array-like
            Input sequences.
        y : array-like of shape (n_samples, n_output_steps, n_output_features), \
(n_samples, n_output_steps) or (n_samples,)
            Target sequences, finite.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sequence weights in the loss. Zero-weight sequences are dropped.
        **kwargs : dict
            Extra arguments for ``keras.Model.fit``.

        Returns
        -------
        self : LSTMSequencePredictor
            The fitted predictor.
        """
        return super().fit(X, y, sample_weight=sample_weight, **kwargs)

    def predict(self, X):
        """Predict the output sequence of each input sequence.

        Parameters
        ----------
        X : array-like, DataFrame or list of array-like
            Input sequences in any form accepted by ``fit``.

        Returns
        -------
        y_pred : ndarray, float64
            In the layout and units of the ``y`` given to ``fit``:
            ``(n_samples,)``, ``(n_samples, n_output_steps)`` or
            ``(n_samples, n_output_steps, n_output_features)``.
        """
        return self._as_fitted()._predict(X)

    def _predict(self, X):
        batch = self._check_sequences(X, reset=False)
        outputs = predict_in_chunks(self._inference_model(), batch, self._model_inputs)
        if self.scale:
            outputs = self.target_scaler_.inverse_transform(outputs)
        level = self._level(batch)
        if level is not None:
            outputs = restore_level(outputs, level, self.level == "log_last")
        return from_targets(outputs.astype(np.float64), self.target_layout_)

    def score(self, X, y, sample_weight=None):
        """R^2 of the predictions over all outputs (every step and feature).

        Parameters
        ----------
        X : array-like, DataFrame or list of array-like
            Input sequences.
        y : array-like
            True target sequences, in any layout ``fit`` accepts.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sequence weights.

        Returns
        -------
        score : float
            ``r2_score`` averaged uniformly over the flattened outputs.
        """
        predictions = self.predict(X)
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
