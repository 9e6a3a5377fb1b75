"""LSTMAutoencoderTransformer: sequences -> fixed-length codes."""

import weakref
from numbers import Integral, Real

import numpy as np
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_array

from ._base import SequenceEstimatorBase
from ._compiled import predict_in_chunks, row_chunks
from ._data import from_sequences, reverse_steps, shift_right, split_future
from ._networks import (
    build_encoder,
    build_feedback_decoder,
    build_repeat_decoder,
    build_temporal_decoder,
    feedback_inference,
    feedback_model,
)

# Code -> sequence twins of conditional decoders (see _networks.feedback_inference),
# built on first use, keyed weakly by the trained model so they are never pickled.
_decoders: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()

#: What ``pooling`` may name.
_POOLING = ("mean", "max")
#: ``downsample="auto"`` shortens sequences to at most this many recurrent steps.
_AUTO_STEPS = 64


class LSTMAutoencoderTransformer(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, SequenceEstimatorBase
):
    """Turn sequences into fixed-length codes with an LSTM autoencoder.

    ``fit`` trains an encoder-decoder network to reconstruct its input
    sequences; ``transform`` returns the encoder's output, a fixed-length
    vector per sequence (a bottleneck of ``encoding_dim`` values and the
    encoder's outputs pooled over time), ready for any scikit-learn model.
    The decoder is unconditioned: the code is repeated at every output step
    (RepeatVector), as in the classic Keras LSTM autoencoder.

    Inputs (``X`` of every method) may be:

    - 3D ``(n_samples, n_timesteps, n_features)``, channels-last;
    - 2D ``(n_samples, n_columns)`` or a DataFrame: univariate sequences of
      length ``n_columns``, or with ``n_features=k`` flat rows of
      ``n_timesteps * k`` values in time-major order (``t0f0, t0f1, ..., t1f0``);
    - variable length: a list of ``(T_i, n_features)`` or ``(T_i,)`` arrays, or
      trailing all-NaN time steps. Padding never influences codes, losses or
      scores. A model fitted on fixed-length data requires that length; one
      fitted on variable-length data accepts sequences up to the longest seen
      (``transform``, which only runs the encoder, takes longer ones too).

    Parameters
    ----------
    encoding_dim : int or None, default=16
        Size of the bottleneck: a linear Dense layer on the encoder's final
        state. None uses the final state itself (``units[-1]`` values, twice
        that when bidirectional). The codes are this bottleneck followed by the
        pooled encoder outputs (see ``pooling``).
    objective : {"reconstruct", "predict", "composite"}, default="reconstruct"
        What the decoder learns from the code (Srivastava et al. 2015):
        ``"reconstruct"`` the input sequence; ``"predict"`` the ``n_future``
        steps that follow (each training sequence is cut into a past, fed to the
        encoder, and its last ``n_future`` steps, the target); ``"composite"``
        both, with two decoders on one code. ``transform`` always encodes the
        sequences as given (their full length); the encoder of "predict" and
        "composite" was trained on the first ``n_timesteps_ - n_future_`` steps.
    n_future : int or None, default=None
        Steps to predict for "predict"/"composite"; None means a quarter of the
        training length (at least 1). Every training sequence must be longer.
    future_weight : float, default=1.0
        Weight of the future-prediction loss against the reconstruction loss
        (weight 1) for "composite".
    reverse_target : bool, default=False
        Reconstruct the input in reverse time order (Srivastava et al. 2015;
        Sutskever et al. 2014 reverse the input): the decoder starts with the
        steps the encoder saw last. ``inverse_transform`` returns forward order.
        On ``make_sequence_classification`` it reached a lower training loss
        than forward reconstruction in the same epochs.
    decoder : {"repeat", "conditional"}, default="repeat"
        ``"repeat"``: the code is repeated at every step (unconditioned).
        ``"conditional"``: each step also receives the previous output step
        (the true one in training, teacher forcing; its own at inference).
    temporal_code : bool, default=False
        Keep a code per time step (a temporal latent space, as aeon's
        ``temporal_latent_space``): the last encoder layer returns every step
        and the bottleneck compresses each to ``encoding_dim`` values, so the
        code has ``n_timesteps_ * encoding_dim`` values, flattened time-major
        (names ``..._t{step}_{k}``); ``inverse_transform`` accepts it back.
        Needs fixed-length input, ``encoding_dim``, "reconstruct" and "repeat".
    pooling : None, "mean", "max" or tuple of them, default=("mean", "max")
        Append the last encoder layer's outputs, averaged and/or maximized
        over the (valid) time steps, to the bottleneck: the codes are
        ``[bottleneck, mean, max]``, ``encoding_dim + 2 * units[-1]`` values
        by default (the outputs are twice as wide when bidirectional). The
        decoder reconstructs from all of them. None keeps the bottleneck alone
        (the classic LSTM autoencoder). On the quality benchmark
        (``benchmarks/quality.py``: codes -> StandardScaler ->
        LogisticRegression, 3 seeds) the pooled outputs are what makes the
        codes competitive: test accuracy 0.982 on GunPoint and 1.000 on
        BasicMotions, against 0.820 and 0.850 with ``pooling=None`` (PCA(16):
        0.873 and 0.750; MiniRocket: 0.993 and 1.000). Ignored with
        ``temporal_code=True``.
    downsample : int or "auto", default="auto"
        Average non-overlapping windows of this many time steps before the
        recurrent layers, and decode one step per window (repeated over the
        window), so long sequences train faster and more easily; errors are
        still measured on every step. ``"auto"``: windows of
        ``ceil(n_timesteps / 64)`` steps, so the recurrent layers see at most 64
        (no averaging up to 64 steps, nor with ``temporal_code=True``). On the
        quality benchmark "auto" (windows of 3 on GunPoint's 150 steps, 2 on
        BasicMotions' 100) gave the same accuracy as ``downsample=1`` in
        40-50% less fit time (GunPoint: 15 s vs 26 s per fit on 2 CPU cores),
        with a final training loss of 0.025 instead of 0.264 (seed 0), and lifted
        ``pooling=None`` codes from 0.598 to 0.820 there. The
        ``decoder="conditional"`` decoder works at full resolution. The
        resolved value is ``downsample_``.
    units : int or tuple of int, default=(64,)
        Sizes of the stacked recurrent encoder layers; the decoder mirrors them.
    cell : {"lstm", "gru"}, default="lstm"
        Recurrent cell type.
    bidirectional : bool, default=False
        Run each encoder layer forwards and backwards and concatenate.
    dropout : float, default=0.0
        Dropout on the inputs of every recurrent layer, during training.
    n_features : int or None, default=None
        Features per time step of 2D input (flat, time-major). None means 1
        (univariate) for 2D input; ignored for 3D and list input.
    scale : bool, default=True
        Standardize each feature (mean 0, variance 1 over all valid steps,
        learned in ``fit``) before the network, and undo it on reconstructions.
    epochs : int, default=100
        Maximum number of passes over the training data.
    batch_size : int, default=32
        Sequences per gradient step.
    optimizer : str or keras.optimizers.Optimizer, default="adam"
        Keras optimizer. Its settings are routed with ``optimizer__`` (e.g.
        ``optimizer__beta_1=0.8``).
    optimizer__learning_rate : float, default=0.005
        Learning rate of the optimizer. Adam's usual 0.001 left small training
        sets (about 100 sequences) stuck on the initial plateau within 100
        epochs; 0.005 did not (measured on ``make_sequence_classification``).
    loss : str or keras.losses.Loss, default="mse"
        Reconstruction loss (Keras); padded steps get zero weight.
    validation_split : float, default=0.0
        Fraction of the training sequences (the last ones) held out and
        reported as ``val_loss``; it is what ``early_stopping`` monitors.
        Ignored when it would hold out no sequence.
    early_stopping : int or None, default=None
        Patience in epochs: stop when the validation loss (the training loss
        without a validation split) has not improved for this many epochs and
        restore the best weights. None trains for all ``epochs``: with small
        data, a patience of 10 stopped training on the initial plateau.
    callbacks : list of keras.callbacks.Callback or None, default=None
        Extra Keras callbacks for ``fit``.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialization, dropout and shuffling. The same integer
        gives identical codes on CPU, also when fits run in several threads
        (fits in one process take turns; use processes to run several at
        once). Global random state is restored after ``fit``.
    verbose : int, default=0
        0 is silent; 1 shows Keras' progress bar.
    warm_start : bool, default=False
        When True, ``fit`` continues training the fitted network instead of
        building a new one. Only training settings (``epochs``, ``batch_size``,
        ``optimizer__learning_rate``, which is applied, ...) may change in
        between; other changed parameters are refused.
    jit_compile : "auto" or bool, default="auto"
        Train with XLA compilation (Keras' ``compile(jit_compile=...)``).
        ``"auto"``: no XLA with TensorFlow on CPU, where it measured slower than
        our default training path (see ``benchmarks/RESULTS.md``); otherwise
        Keras' own choice (XLA on GPU and with the JAX backend). The choice made
        is ``jit_compile_``. Independently of it, fits of at least 2 million
        sequence-steps (sequences x epochs x time steps) trace their training
        steps for static batch shapes, 2-6x faster on CPU.
    **kwargs : dict
        Other scikeras parameters and routed settings (``optimizer__*``,
        ``loss__*``, ``fit__*``, ``callbacks__*``, ``shuffle``, ``metrics``...).

    Attributes
    ----------
    model_ : keras.Model
        The autoencoder, ``decoder_(encoder_(X))``, trained on scaled data
        (with a second output, ``future_decoder``, for "composite", and the
        shifted targets as extra inputs for the conditional decoder).
    encoder_ : keras.Model
        Scaled sequences ``(batch, timesteps, n_features)`` -> codes.
    decoder_ : keras.Model
        Codes -> scaled reconstructions ``(batch, n_timesteps_, n_features)``.
    jit_compile_ : bool
        Whether the network was compiled with XLA (the resolved ``jit_compile``).
    fitted_params_ : dict
        The parameters the model was fitted with (``get_params(deep=False)``
        at ``fit``). Inference uses these: parameters changed with
        ``set_params`` after ``fit`` take effect at the next fit.
    history_ : dict of list
        Per-epoch ``loss`` (and ``val_loss``) of the Keras training.
    scaler_ : SequenceScaler or None
        Per-feature ``mean_`` and ``scale_`` learned in ``fit``.
    n_features_in_ : int
        Columns of 2D training input; features per step for 3D/list input.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame input with string column names.
    n_timesteps_ : int
        Length of the training sequences (the longest, when variable).
    n_step_features_ : int
        Features per time step.
    variable_length_ : bool
        Whether the training sequences were padded (variable length).
    n_future_ : int or None
        Steps predicted for "predict"/"composite" (None for "reconstruct").
    n_past_ : int
        Steps the encoder was trained on (``n_timesteps_ - n_future_``).
    downsample_ : int
        Steps averaged into one before the recurrent layers (resolved
        ``downsample``).
    input_layout_ : {"2d", "3d", "ragged"}
        Layout of the training input; ``inverse_transform`` returns 2D flat rows
        for "2d" and 3D arrays otherwise.

    See Also
    --------
    sklearn.decomposition.PCA : Linear codes of fixed-length vectors.

    References
    ----------
    .. [1] N. Srivastava, E. Mansimov, R. Salakhutdinov, "Unsupervised Learning
       of Video Representations using LSTMs", ICML 2015.
    .. [2] I. Sutskever, O. Vinyals, Q. V. Le, "Sequence to Sequence Learning
       with Neural Networks", NeurIPS 2014.

    Examples
    --------
    >>> from sklearn_lstmae import LSTMAutoencoderTransformer
    >>> from sklearn_lstmae.datasets import make_sequence_classification
    >>> X, y = make_sequence_classification(n_samples=40, n_timesteps=12,
    ...                                     random_state=0)
    >>> X.shape
    (40, 12, 2)
    >>> ae = LSTMAutoencoderTransformer(encoding_dim=4, units=8, epochs=2,
    ...                                 random_state=0)
    >>> codes = ae.fit_transform(X)
    >>> codes.shape  # 4 bottleneck values, then the mean and max of 8 outputs
    (40, 20)
    >>> ae.inverse_transform(codes).shape
    (40, 12, 2)
    >>> ae.score_samples(X).shape
    (40,)
    """

    _parameter_constraints: dict = {
        **SequenceEstimatorBase._parameter_constraints,
        "encoding_dim": [Interval(Integral, 1, None, closed="left"), None],
        "objective": [StrOptions({"reconstruct", "predict", "composite"})],
        "n_future": [Interval(Integral, 1, None, closed="left"), None],
        "future_weight": [Interval(Real, 0.0, None, closed="left")],
        "reverse_target": ["boolean"],
        "decoder": [StrOptions({"repeat", "conditional"})],
        "temporal_code": ["boolean"],
        "pooling": [None, StrOptions(set(_POOLING)), "array-like"],
        "downsample": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
    }

    def __init__(
        self,
        encoding_dim: int | None = 16,
        *,
        objective: str = "reconstruct",
        n_future: int | None = None,
        future_weight: float = 1.0,
        reverse_target: bool = False,
        decoder: str = "repeat",
        temporal_code: bool = False,
        pooling=("mean", "max"),
        downsample="auto",
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
        self.encoding_dim = encoding_dim
        self.objective = objective
        self.n_future = n_future
        self.future_weight = future_weight
        self.reverse_target = reverse_target
        self.decoder = decoder
        self.temporal_code = temporal_code
        self.pooling = pooling
        self.downsample = downsample
        self.units = units
        self.cell = cell
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.n_features = n_features
        self.scale = scale
        self.early_stopping = early_stopping
        self.jit_compile = jit_compile

    # -- network ------------------------------------------------------------
    def _decoder_names(self) -> dict:
        """Decoder layer name of each target: {"reconstruction": .., "future": ..}."""
        return {
            "reconstruct": {"reconstruction": "decoder"},
            "predict": {"future": "decoder"},
            "composite": {"reconstruction": "decoder", "future": "future_decoder"},
        }[self.objective]

    def _keras_build_fn(self, compile_kwargs):
        units = self._units()
        encoder = build_encoder(
            self.n_step_features_,
            units=units,
            cell=self.cell,
            bidirectional=self.bidirectional,
            dropout=self.dropout,
            encoding_dim=self.encoding_dim,
            masked=self.variable_length_,
            temporal_steps=self.n_timesteps_ if self.temporal_code else None,
            window=self.downsample_,
            pooling=self._pooling(),
        )
        steps = {"reconstruction": self.n_past_, "future": self.n_future_}
        shape = {"units": units[::-1], "cell": self.cell, "dropout": self.dropout}
        decoders = []
        for target, name in self._decoder_names().items():
            if self.temporal_code:
                decoder = build_temporal_decoder(
                    self.n_timesteps_,
                    self.encoding_dim,
                    self.n_step_features_,
                    name=name,
                    **shape,
                )
            elif self.decoder == "conditional":
                decoder = build_feedback_decoder(
                    steps[target],
                    self.n_step_features_,
                    context_dim=encoder.output_shape[-1],
                    name=name,
                    **shape,
                )
            else:
                decoder = build_repeat_decoder(
                    encoder.output_shape[-1],
                    steps[target],
                    self.n_step_features_,
                    window=self.downsample_,
                    name=name,
                    **shape,
                )
            decoders.append(decoder)
        model = feedback_model(encoder, decoders, name="autoencoder")
        if self.objective == "composite":
            # One loss per output (Keras 3 does not broadcast one over two).
            compile_kwargs = {
                **compile_kwargs,
                "loss": [compile_kwargs["loss"]] * 2,
                "loss_weights": [1.0, self.future_weight],
            }
        model.compile(**compile_kwargs)
        return model

    def _pooling(self) -> tuple[str, ...]:
        """``pooling`` as a tuple (empty for None); checked in ``_check_variant``."""
        if self.pooling is None or self.temporal_code:
            return ()
        return (self.pooling,) if isinstance(self.pooling, str) else tuple(self.pooling)

    def _check_variant(self, lengths) -> None:
        """Resolve ``n_future`` and ``downsample``; refuse combinations that make
        no sense."""
        name = type(self).__name__
        pooling = self._pooling()
        if any(mode not in _POOLING for mode in pooling) or len(set(pooling)) < len(
            pooling
        ):
            raise ValueError(
                f"{name}: pooling must be None, 'mean', 'max' or a tuple of distinct "
                f"ones, such as ('mean', 'max'); got {self.pooling!r}."
            )
        if self.downsample == "auto":
            self.downsample_ = (
                1 if self.temporal_code else -(-self.n_timesteps_ // _AUTO_STEPS)
            )
        else:
            self.downsample_ = int(self.downsample)
        self.n_future_ = None
        self.n_past_ = self.n_timesteps_
        if self.objective != "reconstruct":
            self.n_future_ = self.n_future or max(1, self.n_timesteps_ // 4)
            self.n_past_ = self.n_timesteps_ - self.n_future_
            if lengths.min() <= self.n_future_:
                raise ValueError(
                    f"objective={self.objective!r} splits each training sequence "
                    f"into past and the last n_future={self.n_future_} steps, but "
                    f"sample {int(lengths.argmin())} has only {lengths.min()} steps"
                    f"{self._steps_as_columns()}. Lower n_future or drop short "
                    "sequences."
                )
        if self.temporal_code:
            problems = {
                "encoding_dim=None": self.encoding_dim is None,
                f"objective={self.objective!r}": self.objective != "reconstruct",
                "decoder='conditional'": self.decoder == "conditional",
                "variable-length sequences": self.variable_length_,
                f"downsample={self.downsample!r}": self.downsample_ > 1,
            }
            bad = [problem for problem, present in problems.items() if present]
            if bad:
                raise ValueError(
                    f"{name}(temporal_code=True) keeps one code step per input "
                    f"step and reconstructs step by step, so it needs fixed-length "
                    f"sequences, a bottleneck (encoding_dim), objective="
                    f"'reconstruct', decoder='repeat' and no downsampling; got "
                    f"{', '.join(bad)}."
                )

    def _steps_as_columns(self) -> str:
        """How 2D input's columns map to steps, for messages about length."""
        if self.input_layout_ != "2d":
            return ""
        return (
            f" (2D input with {self.n_features_in_} feature(s), i.e. columns, "
            f"read as {self.n_timesteps_} time steps)"
        )

    def _split(self, inputs, lengths):
        """``(encoder inputs, future)``: the past and future, or all and None."""
        if self.objective == "reconstruct":
            return inputs, None
        if lengths.min() <= self.n_future_:
            raise ValueError(
                f"Scoring with objective={self.objective!r} needs sequences longer "
                f"than n_future={self.n_future_}; sample {int(lengths.argmin())} "
                f"has {lengths.min()} steps."
            )
        return split_future(inputs, lengths, self.n_future_)

    def _reconstruction_target(self, past, lengths):
        """What the reconstruction decoder outputs: the past, maybe reversed."""
        if self.reverse_target:
            return reverse_steps(past, lengths)
        return past

    def _training_data(self, batch, inputs, y, *, reset):
        if reset:
            self._check_variant(batch.lengths)
        past, future = self._split(inputs, batch.lengths)
        past_lengths = batch.lengths - (self.n_future_ or 0)
        targets, step_weights = [], []
        if "reconstruction" in self._decoder_names():
            target = self._reconstruction_target(past, past_lengths)
            targets.append(np.nan_to_num(target, nan=0.0))
            valid = np.isfinite(target).all(axis=2).astype(np.float32)
            step_weights.append(valid if self.variable_length_ else None)
        if future is not None:
            targets.append(future)
            step_weights.append(None)
        network_inputs = past
        if self.decoder == "conditional":
            network_inputs = [past, *(shift_right(target) for target in targets)]
        if len(targets) == 1:
            return network_inputs, targets[0], step_weights[0]
        return network_inputs, targets, step_weights

    def _decode(self, codes: np.ndarray, target: str = "reconstruction"):
        """Run the decoder of ``target`` on codes; scaled, in decoder order."""
        name = self._decoder_names()[target]
        if self.decoder == "conditional":
            model = _decoders.get(self.model_, {}).get(name)
            if model is None:
                model = feedback_inference(self.model_, name, from_codes=True)
                _decoders.setdefault(self.model_, {})[name] = model
        else:
            model = self.model_.get_layer(name)
        return predict_in_chunks(model, codes)

    @property
    def encoder_(self):
        """The fitted encoder (a sub-model of ``model_``, sharing its weights)."""
        return self.model_.get_layer("encoder")

    @property
    def decoder_(self):
        """The fitted decoder (a sub-model of ``model_``, sharing its weights):
        the reconstruction decoder, or the future predictor for
        ``objective="predict"``."""
        return self.model_.get_layer("decoder")

    @property
    def predict(self):
        # scikeras' BaseWrapper defines `predict`; a transformer has none, and
        # sklearn (Pipelines, checks) decides what an estimator is by hasattr.
        raise AttributeError(
            f"{type(self).__name__} has no predict; use transform for codes or "
            "inverse_transform(transform(X)) for reconstructions."
        )

    @property
    def _n_features_out(self) -> int:
        return int(self.encoder_.output_shape[-1])

    # -- public API -----------------------------------------------------------
    def fit(self, X, y=None, sample_weight=None, **kwargs):
        """Train the autoencoder to reconstruct ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
(n_samples, n_columns), DataFrame, or list of array-like
            Training sequences (see the class docstring for the forms).
        y : None
            Ignored; present for Pipeline compatibility.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sequence weights in the loss. Zero-weight sequences are dropped.
        **kwargs : dict
            Extra arguments for ``keras.Model.fit`` (prefer ``fit__`` parameters).

        Returns
        -------
        self : LSTMAutoencoderTransformer
            The fitted transformer.
        """
        return super().fit(X, y, sample_weight=sample_weight, **kwargs)

    def transform(self, X):
        """Encode sequences into fixed-length codes.

        Parameters
        ----------
        X : array-like, DataFrame or list of array-like
            Sequences in any form accepted by ``fit``, with the fitted number
            of features per step.

        Returns
        -------
        codes : ndarray of shape (n_samples, n_codes), float32
            One code per sequence: the bottleneck (``encoding_dim`` values, or
            the final state when ``encoding_dim=None``), then the pooled
            encoder outputs of each ``pooling`` mode in turn.
        """
        fitted = self._as_fitted()
        batch = fitted._check_sequences(X, reset=False, longer=True)
        return predict_in_chunks(fitted.encoder_, batch, fitted._model_inputs)

    def inverse_transform(self, X):
        """Decode codes into sequences, in the units of the training data.

        What comes back depends on ``objective``: the reconstruction of the
        sequence (``"reconstruct"``), of its past (``"composite"``: the steps
        before the last ``n_future``), or the predicted ``n_future`` steps that
        follow it (``"predict"``). Reversed targets are returned in forward
        time order (for variable-length models, steps past a sequence's own
        length carry no meaning).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_codes)
            Codes, as returned by ``transform``.

        Returns
        -------
        sequences : ndarray
            ``(n_samples, n_steps, n_features)``, or flat
            ``(n_samples, n_steps * n_features)`` rows when the model was
            fitted on 2D input.
        """
        return self._as_fitted()._inverse_transform(X)

    def _inverse_transform(self, X):
        codes = check_array(X, dtype=np.float32)
        if codes.shape[1] != self._n_features_out:
            raise ValueError(
                f"X has {codes.shape[1]} columns, but {type(self).__name__} codes "
                f"have {self._n_features_out}. Pass the output of transform."
            )
        target = next(iter(self._decoder_names()))
        decoded = self._decode(codes, target)
        if self.reverse_target and target == "reconstruction":
            decoded = decoded[:, ::-1]
        layout = "2d" if self.input_layout_ == "2d" else "3d"
        return from_sequences(self._unscale(decoded), layout)

    def score_samples(self, X):
        """Negative error of each sequence (higher is more normal).

        The error is a mean squared difference over valid steps and features,
        in standardized units (those the network is trained in when
        ``scale=True``), so features of different scales weigh alike:
        ``"reconstruct"``: sequence vs. its reconstruction; ``"predict"``: the
        last ``n_future_`` steps vs. their prediction from the steps before;
        ``"composite"``: both, weighted like the training loss,
        ``(reconstruction + future_weight * future) / (1 + future_weight)``.
        Use it as an anomaly score.

        Parameters
        ----------
        X : array-like, DataFrame or list of array-like
            Sequences in any form accepted by ``fit``.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            ``-error`` per sequence.
        """
        fitted = self._as_fitted()
        batch = fitted._check_sequences(X, reset=False)
        # Chunk by chunk, so scaled copies never exist for the whole input.
        return np.concatenate(
            [
                fitted._negative_errors(batch.take(rows))
                for rows in row_chunks(batch.n_samples)
            ]
        )

    def _negative_errors(self, batch) -> np.ndarray:
        """``score_samples`` of the sequences of ``batch``."""
        past, future = self._split(self._model_inputs(batch), batch.lengths)
        codes = predict_in_chunks(self.encoder_, past)
        errors = {}
        if future is not None:
            predicted = self._decode(codes, "future")
            errors["future"] = np.mean((predicted - future) ** 2, axis=(1, 2))
        if "reconstruction" in self._decoder_names():
            lengths = batch.lengths - (self.n_future_ or 0)
            target = self._reconstruction_target(past, lengths)
            squared = (self._decode(codes).astype(np.float64) - target) ** 2
            errors["reconstruction"] = np.nanmean(squared, axis=(1, 2))
        if len(errors) == 2:
            weight = self.future_weight
            return -(errors["reconstruction"] + weight * errors["future"]) / (
                1 + weight
            )
        return -next(iter(errors.values())).astype(np.float64)

    def get_feature_names_out(self, input_features=None):
        """Names of the code columns.

        The bottleneck's ``lstmautoencodertransformer0``, ``...1``, ..., then
        the pooled outputs ``lstmautoencodertransformer_mean0``, ... and
        ``lstmautoencodertransformer_max0``, ... (in ``pooling`` order); with
        ``temporal_code=True``, ``lstmautoencodertransformer_t{step}_{k}`` for
        value ``k`` of the code of time step ``step`` (time-major, the order of
        ``transform``'s columns).

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Checked against ``feature_names_in_`` when given.

        Returns
        -------
        feature_names_out : ndarray of str
            One name per code column.
        """
        return self._as_fitted()._feature_names_out(input_features)

    def _feature_names_out(self, input_features):
        names = super().get_feature_names_out(input_features)
        prefix = type(self).__name__.lower()
        if self.temporal_code:
            names = [
                f"{prefix}_t{step}_{k}"
                for step in range(self.n_timesteps_)
                for k in range(self.encoding_dim)
            ]
        elif self._pooling():
            pooling = self._pooling()
            width = self._units()[-1] * (1 + self.bidirectional)  # per mode
            bottleneck = len(names) - len(pooling) * width
            names = [
                *names[:bottleneck],
                *(f"{prefix}_{mode}{k}" for mode in pooling for k in range(width)),
            ]
        return np.asarray(names, dtype=object)

    def score(self, X, y=None, sample_weight=None):
        """Negative mean reconstruction error (higher is better).

        Parameters
        ----------
        X : array-like, DataFrame or list of array-like
            Sequences in any form accepted by ``fit``.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the per-sequence errors.

        Returns
        -------
        score : float
            Weighted mean of ``score_samples(X)``, for model selection.
        """
        scores = self.score_samples(X)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, scores)
        return float(np.average(scores, weights=sample_weight))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
