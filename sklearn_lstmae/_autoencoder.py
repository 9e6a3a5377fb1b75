"""The autoencoders' base: the network, its training data and its errors.

:class:`AutoencoderEstimator` is what :class:`LSTMAutoencoderTransformer` and
:class:`LSTMAutoencoderOutlierDetector` share, written once: the autoencoder's
parameters (declared, validated and documented here), the network they
describe, what it learns from, its PCA start (the linear path), and the
reconstruction errors of sequences (per sequence and per step). Each public
estimator adds only its own public methods.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils.extmath import randomized_svd
from sklearn.utils.validation import check_is_fitted

from ._archive_checks import is_int
from ._base import SequenceEstimator
from ._compat import Interval, Options, StrOptions
from ._dask import is_dask_array, map_rows
from ._data import from_sequences, reverse_steps, shift_right, split_future
from ._inference import inference_twin, predict_rows, row_portions
from ._networks import (
    build_conditional_decoder,
    build_repeat_decoder,
    build_temporal_decoder,
    conditional_inference,
    connect,
)

#: What each objective's decoders learn from the code: target -> decoder name.
#: The first target is what ``inverse_transform`` returns; "future" means the
#: last ``n_future_`` steps of each training sequence are cut off as a target.
_OBJECTIVES = {
    "reconstruct": {"reconstruction": "decoder"},
    "predict": {"future": "decoder"},
    "composite": {"reconstruction": "decoder", "future": "future_decoder"},
}
#: What ``pooling`` may name.
_POOLING = ("mean", "max")
#: ``downsample="auto"`` cuts sequences into patches so that the recurrent
#: layers run at most this many steps.
_AUTO_STEPS = 16


class _PoolingModes(Options):
    """Constraint: "mean", "max", or a sequence of distinct ones."""

    def __init__(self):
        super().__init__(object, set())

    def is_satisfied_by(self, val):
        modes = (val,) if isinstance(val, str) else val
        try:
            modes = tuple(modes)
        except TypeError:
            return False
        return len(set(modes)) == len(modes) and all(
            isinstance(mode, str) and mode in _POOLING for mode in modes
        )

    def __str__(self):
        return "'mean', 'max' or a tuple of distinct ones, such as ('mean', 'max')"


_AUTOENCODER_PARAMETERS = """\
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
    (the classic LSTM autoencoder). Ignored with ``temporal_code=True``.
    The User Guide shows what the pooled outputs add on the quality
    benchmark.

    .. versionadded:: 0.2
downsample : int or "auto", default="auto"
    Cut sequences into non-overlapping patches of this many time steps, one
    recurrent step per patch (its values side by side), and decode one
    patch per recurrent step: the recurrent layers run this many times
    fewer steps and still see, and rebuild, every value. ``"auto"``:
    patches of ``ceil(n_timesteps / 16)`` steps, so the recurrent layers run
    at most 16 steps (none with ``temporal_code=True``). The
    ``decoder="conditional"`` decoder works at full resolution. The resolved
    value is ``downsample_``.

    .. versionadded:: 0.2
    .. versionchanged:: 0.3
       Each patch's values instead of their mean (which lost the values
       inside each patch), and ``"auto"`` aims at 16 recurrent steps instead of 64.
optimizer__clipnorm : float or None, default=1.0
    Rescale each weight's gradient to at most this norm before a step
    (Keras' ``clipnorm``); None does not clip. Recurrent networks trained
    at the autoencoders' rate take occasional large steps that undo what
    they learned; measured on 2400 training sequences of
    ``benchmarks/learning.py``'s synthetic family, clipping at 1.0 ended
    at a test error 0.62 times that without clipping.

    .. versionadded:: 0.3
linear_path : bool, default=True
    Run a linear path next to the recurrent one, holding PCA's solution:
    the flattened sequence -> the bottleneck, and the code -> every output
    step, fixed layers added to the recurrent network's share of each. The
    network has two configurations: PCA with ``encoding_dim`` components of
    the (scaled) sequences it trains on (the recurrent share at zero), and
    the recurrent network alone (the linear path at zero). With a
    validation split (the defaults, ``validation_split="auto"`` and
    ``early_stopping="auto"``, hold out 20% of the training sequences and
    stop after 15 epochs without improvement when the linear path is used),
    the recurrent network trains from its random start and the fit ends
    with the weights that reconstruct the validation sequences best, PCA's
    configuration included, so the reconstruction is never worse there than
    PCA's; where PCA is kept, it is then refitted on all training sequences.
    Without a validation split, training starts from PCA's configuration and
    the recurrent share learns what PCA misses. False builds the recurrent
    network alone (the default of version 0.2, trained as in 0.2: the
    ``"auto"`` settings then hold nothing out and train for all ``epochs``).
    Used with a bottleneck (``encoding_dim``), fixed-length sequences,
    ``objective="reconstruct"`` and ``decoder="repeat"``; ignored otherwise.
    The User Guide compares both on reconstruction, anomaly scores and
    classification.

    .. versionadded:: 0.3
"""

_AUTOENCODER_ATTRIBUTES = """\
encoder_ : keras.Model
    Scaled sequences ``(batch, timesteps, n_features)`` -> codes (a part of
    ``model_``, sharing its weights).
decoder_ : keras.Model
    Codes -> scaled reconstructions ``(batch, n_timesteps_, n_features)``
    (the future predictor for "predict").
n_future_ : int or None
    Steps predicted for "predict"/"composite" (None for "reconstruct").
n_past_ : int
    Steps the encoder was trained on (``n_timesteps_ - n_future_``).
downsample_ : int
    Steps per patch, one recurrent step each (resolved ``downsample``).
downsampling_ : str
    How the network shortens sequences when ``downsample_ > 1``:
    ``"patches"`` (a patch's values side by side, one recurrent step each);
    ``"patch_means"`` in networks loaded from 0.2 archives (each patch
    averaged, the decoded step repeated over it), which keep their network,
    also when they go on training (``warm_start=True``).
pca_kept_ : bool
    Whether the network is PCA's configuration of the linear path: True
    where no trained epoch reconstructed the held-out sequences better (then
    ``history_`` shows the training that was discarded), or where the
    network started there and training left the recurrent share at zero;
    False where the recurrent network was kept, or without a linear path.
"""


class AutoencoderEstimator(SequenceEstimator, public=False):
    """Base class of the autoencoders (not public).

    A subclass has an explicit ``__init__`` with these parameters (and its
    own), and places ``%(autoencoder_parameters)s`` and
    ``%(autoencoder_attributes)s`` lines in its docstring next to the shared
    ones.
    """

    # PCA (the linear path) is kept unless held-out sequences say that the
    # trained network beats it: hold some out by default (see ``linear_path``).
    # Wider, with larger batches at a lower rate than the predictor: measured
    # on many sequences in benchmarks/learning.py (issue 34).
    _shared_defaults = {
        "validation_split": "auto",
        "early_stopping": "auto",
        "units": (128,),
        "batch_size": 64,
        "optimizer__learning_rate": 0.003,
    }

    _doc_entries = {
        **SequenceEstimator._doc_entries,
        "autoencoder_parameters": _AUTOENCODER_PARAMETERS,
        "autoencoder_attributes": _AUTOENCODER_ATTRIBUTES,
    }

    _parameter_constraints: dict = {
        **SequenceEstimator._parameter_constraints,
        "encoding_dim": [Interval(Integral, 1, None, closed="left"), None],
        "objective": [StrOptions(set(_OBJECTIVES))],
        "n_future": [Interval(Integral, 1, None, closed="left"), None],
        "future_weight": [Interval(Real, 0.0, None, closed="left")],
        "reverse_target": ["boolean"],
        "decoder": [StrOptions({"repeat", "conditional"})],
        "temporal_code": ["boolean"],
        "pooling": [None, _PoolingModes()],
        "downsample": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "linear_path": ["boolean"],
        "optimizer__clipnorm": [Interval(Real, 0.0, None, closed="neither"), None],
    }

    # -- fit-time settings ------------------------------------------------------
    def _targets(self) -> dict:
        """Decoder name of each target of the objective (see ``_OBJECTIVES``)."""
        return _OBJECTIVES[self.objective]

    def _pooling(self) -> tuple[str, ...]:
        """``pooling`` as a tuple (empty for None or a temporal code)."""
        if self.pooling is None or self.temporal_code:
            return ()
        return (self.pooling,) if isinstance(self.pooling, str) else tuple(self.pooling)

    def _code_layout(self) -> tuple[int, tuple[str, ...], int]:
        """The fitted code's layout, as the encoder built it: ``[bottleneck,
        pooled]``: the bottleneck's width, the pooling modes and the width of
        each mode's block (0 without pooling)."""
        n_codes = int(self.encoder_.output.shape[-1])
        if not self._pooling():
            return n_codes, (), 0
        pooling = self.encoder_.get_layer("pooling")
        width = int(pooling.output.shape[-1]) // len(pooling.modes)
        return n_codes - len(pooling.modes) * width, tuple(pooling.modes), width

    def _resolve(self, batch, y) -> None:
        """Resolve ``downsample_``, ``n_future_`` and ``n_past_``; refuse
        combinations that cannot work."""
        if self.downsample == "auto":
            self.downsample_ = (
                1 if self.temporal_code else -(-self.n_timesteps_ // _AUTO_STEPS)
            )
        else:
            self.downsample_ = int(self.downsample)
        self.downsampling_ = "patches"
        self.n_future_ = None
        if "future" in self._targets():
            self.n_future_ = self.n_future or max(1, self.n_timesteps_ // 4)
            lengths = batch.lengths
            if lengths.min() <= self.n_future_:
                raise ValueError(
                    f"objective={self.objective!r} splits each training sequence "
                    f"into past and the last n_future={self.n_future_} steps, but "
                    f"sample {int(lengths.argmin())} has only {lengths.min()} steps"
                    f"{self._steps_as_columns()}. Lower n_future or drop short "
                    "sequences."
                )
        self.n_past_ = self.n_timesteps_ - (self.n_future_ or 0)
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
                    f"{type(self).__name__}(temporal_code=True) keeps one code step "
                    f"per input step and reconstructs step by step, so it needs "
                    f"fixed-length sequences, a bottleneck (encoding_dim), objective="
                    f"'reconstruct', decoder='repeat' and no downsampling; got "
                    f"{', '.join(bad)}."
                )

    def _linear(self) -> bool:
        """Whether the network has the linear path (see ``linear_path``)."""
        return bool(
            self.linear_path
            and self.encoding_dim is not None
            and self.objective == "reconstruct"
            and self.decoder == "repeat"
            and not self.temporal_code
            and not self.variable_length_
        )

    def _keep_start(self) -> bool:
        # The linear path starts at PCA's solution: keep it unless training
        # improves the reconstruction of the validation sequences.
        return self._linear()

    def _steps_as_columns(self) -> str:
        """How 2D input's columns map to steps, for messages about length."""
        if self.input_layout_ != "2d":
            return ""
        return (
            f" (2D input with {self.n_features_in_} feature(s), i.e. columns, "
            f"read as {self.n_timesteps_} time steps)"
        )

    @staticmethod
    def _fitted_checks(fitted: dict, params: dict) -> dict:
        """``load``'s checks of the fitted attributes set here (name -> test)."""
        steps, future = fitted.get("n_timesteps_"), fitted.get("n_future_")
        objective = params.get("objective")
        return {
            "downsample_": lambda v: is_int(v),
            "downsampling_": lambda v: v in ("patches", "patch_means"),
            "n_future_": lambda v: (
                (v is None) == ("future" not in _OBJECTIVES.get(objective, {}))
                and (v is None or is_int(v, high=steps - 1))
            ),
            "n_past_": lambda v: v == steps - (future or 0),
        }

    # -- network ------------------------------------------------------------
    def _keras_build_fn(self, compile_kwargs):
        units = self._units()
        encoder = self._build_encoder(
            encoding_dim=self.encoding_dim,
            temporal_steps=self.n_timesteps_ if self.temporal_code else None,
            patch=self.downsample_,
            patch_means=self.downsampling_ == "patch_means",
            pooling=self._pooling(),
            linear_steps=self.n_timesteps_ if self._linear() else None,
        )
        steps = {"reconstruction": self.n_past_, "future": self.n_future_}
        shape = {"units": units[::-1], "cell": self.cell, "dropout": self.dropout}
        decoders = []
        for target, name in self._targets().items():
            if self.temporal_code:
                decoder = build_temporal_decoder(
                    self.n_timesteps_,
                    self.encoding_dim,
                    self.n_step_features_,
                    name=name,
                    **shape,
                )
            elif self.decoder == "conditional":
                decoder = build_conditional_decoder(
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
                    patch=self.downsample_,
                    patch_means=self.downsampling_ == "patch_means",
                    linear=self._linear(),
                    name=name,
                    **shape,
                )
            decoders.append(decoder)
        model = connect(encoder, decoders, name="autoencoder")
        if len(decoders) > 1:
            # One loss per output (Keras 3 does not broadcast one over two).
            weights = {"reconstruction": 1.0, "future": self.future_weight}
            compile_kwargs = {
                **compile_kwargs,
                "loss": [compile_kwargs["loss"]] * len(decoders),
                "loss_weights": [weights[target] for target in self._targets()],
            }
        model.compile(**compile_kwargs)
        return model

    def _initialize_network(
        self, model, inputs, targets, rows, *, weights=None
    ) -> list | None:
        """The linear path's two configurations: PCA's solution (the best
        linear encoding and decoding with ``encoding_dim`` values, Baldi and
        Hornik 1989, of the sequences the network trains on) with the
        recurrent share of code and output at zero, and the recurrent network
        alone (the linear path at zero, the rest as built). Where sequences are
        held out, training starts from the recurrent network and the PCA
        configuration (returned) competes with it on the held-out sequences;
        otherwise training starts from PCA's. PCA is unweighted (``weights``
        are not used here; training weighs the sequences)."""
        if not self._linear():
            return None
        linear, recurrent = _linear_path_layers(model)
        built = [layer.get_weights() for layer in recurrent]
        components, mean = principal_components(
            inputs[:rows].reshape(rows, -1), self.encoding_dim
        )
        linear[0].set_weights([components.T, -mean @ components.T])
        # The decoder rebuilds the target: the input, reversed with reverse_target.
        steps = (self.encoding_dim, self.n_timesteps_, self.n_step_features_)
        decoded, mean = components.reshape(steps), mean.reshape(steps[1:])
        if self.reverse_target:
            decoded, mean = decoded[:, ::-1], mean[::-1]
        kernel = np.zeros(linear[1].kernel.shape)
        kernel[: self.encoding_dim] = decoded.reshape(self.encoding_dim, -1)
        linear[1].set_weights([kernel, mean.reshape(-1)])
        for layer in recurrent:
            layer.set_weights([np.zeros_like(w) for w in layer.get_weights()])
        if rows == len(inputs):
            return None
        start = model.get_weights()
        for layer in linear:
            layer.set_weights([np.zeros_like(w) for w in layer.get_weights()])
        for layer, weights in zip(recurrent, built, strict=True):
            layer.set_weights(weights)
        return start

    def _after_training(
        self, batch, inputs, validation_split, *, new_network, **training
    ) -> None:
        """Where the held-out sequences kept PCA's configuration (PCA of the
        sequences trained on), refit it on all training sequences: the choice
        was made on held-out data, the final network uses all of it."""
        if new_network and validation_split and self.pca_kept_:
            self._initialize_network(self.model_, inputs, None, batch.n_samples)

    @property
    def pca_kept_(self) -> bool:
        """Whether the network is PCA's configuration (see the class's
        Attributes): it has the linear path and the recurrent share of code
        and output is zero."""
        check_is_fitted(self)
        if not self._linear():
            return False
        _, recurrent = _linear_path_layers(self.model_)
        return all(not np.any(w) for layer in recurrent for w in layer.weights)

    # -- data -----------------------------------------------------------------
    def _split(self, inputs, lengths):
        """``(encoder inputs, future)``: the past and future, or all and None."""
        if self.n_future_ is None:
            return inputs, None
        if lengths.min() <= self.n_future_:
            raise ValueError(
                f"Scoring with objective={self.objective!r} needs sequences longer "
                f"than n_future={self.n_future_}; sample {int(lengths.argmin())} "
                f"has {lengths.min()} steps."
            )
        return split_future(inputs, lengths, self.n_future_)

    def _target_values(self, past, future, lengths) -> dict:
        """Each target's values (scaled; NaN on padding): the past, reversed
        with ``reverse_target``, and the future."""
        values = {}
        if "reconstruction" in self._targets():
            past_lengths = lengths - (self.n_future_ or 0)
            values["reconstruction"] = (
                reverse_steps(past, past_lengths) if self.reverse_target else past
            )
        if future is not None:
            values["future"] = future
        return values

    def _training_data(self, batch, inputs, y, *, reset, covariates=None):
        # ``covariates`` (the predictor's X_future) are never given here.
        past, future = self._split(inputs, batch.lengths)
        targets, step_weights = [], []
        values_of = self._target_values(past, future, batch.lengths)
        for target, values in values_of.items():
            targets.append(np.nan_to_num(values, nan=0.0))
            # Only the reconstruction is padded (the future is cut from valid steps).
            padded = self.variable_length_ and target == "reconstruction"
            valid = np.isfinite(values).all(axis=2).astype(np.float32)
            step_weights.append(valid if padded else None)
        network_inputs = past
        if self.decoder == "conditional":
            network_inputs = [past, *(shift_right(target) for target in targets)]
        if len(targets) == 1:
            return network_inputs, targets[0], step_weights[0]
        return network_inputs, targets, step_weights

    def _decode(self, codes: np.ndarray, target: str) -> np.ndarray:
        """Run the decoder of ``target`` on codes; scaled, in decoder order."""
        name = self._targets()[target]
        if self.decoder == "conditional":
            model = inference_twin(
                self.model_,
                (name, "codes"),
                lambda: conditional_inference(
                    self.model_,
                    cell=self.cell,
                    n_layers=len(self._units()),
                    context=True,
                    decoder_name=name,
                    from_codes=True,
                ),
            )
        else:
            model = self.model_.get_layer(name)
        return predict_rows(model, codes)

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
    def _n_features_out(self) -> int:
        return int(self.encoder_.output_shape[-1])

    # -- errors -------------------------------------------------------------
    def score_samples(self, X):
        """Negative error of each sequence (higher is more normal).

        The error is a mean squared difference over valid steps and features,
        in standardized units (those the network is trained in when
        ``scale=True``), so features of different scales weigh alike:
        ``"reconstruct"``: sequence vs. its reconstruction; ``"predict"``: the
        last ``n_future_`` steps vs. their prediction from the steps before;
        ``"composite"``: both, weighted like the training loss,
        ``(reconstruction + future_weight * future) / (1 + future_weight)``.
        Use it as an anomaly score; ``reconstruction_errors`` says which steps
        and features it comes from.

        Parameters
        ----------
        X : array-like, DataFrame, list of array-like, or dask array
            Sequences in any form accepted by ``fit``. A dask array (3D, or 2D
            flat rows) is scored lazily, chunk of rows by chunk of rows.

        Returns
        -------
        scores : ndarray of shape (n_samples,), or dask array
            ``-error`` per sequence.
        """
        fitted = self._as_fitted()
        if is_dask_array(X):
            return map_rows(fitted, "score_samples", X)
        batch = fitted._check_sequences(X, reset=False)
        return -fitted._anomaly_values(batch)

    def _anomaly_values(self, batch) -> np.ndarray:
        """``-score_samples`` of ``batch``: each sequence's error."""
        return self._in_row_portions(batch, self._sequence_errors)

    def reconstruction_errors(self, X):
        """Squared error of every step and feature: where a sequence differs
        from what the network makes of it.

        ``errors[i, t, f]`` is the squared difference between feature ``f`` of
        step ``t`` of sequence ``i`` and the network's output for it, in the
        standardized units of ``score_samples``; for ``objective=
        "reconstruct"``, ``score_samples(X)`` is minus its mean over each
        sequence's valid steps and features. Steps with no output are NaN:
        padding, and the past steps of ``objective="predict"`` (which predicts
        only the last ``n_future_`` steps from the ones before).

        Parameters
        ----------
        X : array-like, DataFrame or list of array-like
            Sequences in any form accepted by ``fit``.

        Returns
        -------
        errors : ndarray or list of ndarray
            In ``X``'s layout, element by element: ``(n_samples, n_timesteps,
            n_features)`` for 3D input, ``(n_samples, n_columns)`` for 2D
            input, a list of ``(T_i, n_features)`` arrays for a list.
        """
        fitted = self._as_fitted()
        batch = fitted._check_sequences(X, reset=False)
        errors = fitted._in_row_portions(batch, fitted._step_errors)
        return from_sequences(errors, batch.layout, batch.lengths)

    @staticmethod
    def _in_row_portions(batch, errors_of) -> np.ndarray:
        """``errors_of`` on ``batch`` portion by portion, so that scaled copies
        never exist for the whole input."""
        return np.concatenate(
            [errors_of(batch.take(rows)) for rows in row_portions(batch.n_samples)]
        )

    def _squared_errors(self, batch) -> dict:
        """Squared errors of each target of the objective, float64, in
        standardized units (NaN on padding): ``"reconstruction"`` ``(n,
        n_past, F)`` in forward time order, ``"future"`` ``(n, n_future_, F)``."""
        past, future = self._split(self._model_inputs(batch), batch.lengths)
        codes = predict_rows(self.encoder_, past)
        squared = {}
        for target, values in self._target_values(past, future, batch.lengths).items():
            decoded = self._decode(codes, target).astype(np.float64)
            squared[target] = (decoded - values) ** 2
        if self.reverse_target and "reconstruction" in squared:
            lengths = batch.lengths - (self.n_future_ or 0)
            squared["reconstruction"] = reverse_steps(
                squared["reconstruction"], lengths
            )
        return squared

    def _sequence_errors(self, batch) -> np.ndarray:
        """Each sequence's error (``-score_samples``)."""
        errors = {
            target: np.nanmean(squared, axis=(1, 2))
            for target, squared in self._squared_errors(batch).items()
        }
        if len(errors) == 2:
            weight = self.future_weight
            return (errors["reconstruction"] + weight * errors["future"]) / (1 + weight)
        return next(iter(errors.values()))

    def _step_errors(self, batch) -> np.ndarray:
        """``(n, n_timesteps, F)`` squared errors at the steps of the input."""
        squared = self._squared_errors(batch)
        errors = np.full(batch.values.shape, np.nan)
        if "reconstruction" in squared:
            # Padded to the fitted length, the batch to its own longest
            # sequence: the steps past either are padding (NaN) in both.
            reconstruction = squared["reconstruction"]
            steps = min(reconstruction.shape[1], errors.shape[1])
            errors[:, :steps] = reconstruction[:, :steps]
        if "future" in squared:
            rows = np.arange(batch.n_samples)[:, None]
            steps = batch.lengths[:, None] - self.n_future_ + np.arange(self.n_future_)
            errors[rows, steps] = squared["future"]
        return errors


def _linear_path_layers(model):
    """``([linear_code, linear_output], [bottleneck, output])``: the linear
    path's layers and the recurrent network's share of code and output next
    to them, in an autoencoder built with the linear path."""
    encoder, decoder = model.get_layer("encoder"), model.get_layer("decoder")
    return (
        [encoder.get_layer("linear_code"), decoder.get_layer("linear_output")],
        [encoder.get_layer("bottleneck"), decoder.get_layer("output")],
    )


#: Above this many values (sequences times values per sequence) PCA's
#: components are found by randomized SVD (Halko et al. 2011) rather than
#: exactly, in float32: a start for the linear path, not the final answer.
_EXACT_PCA_VALUES = 2**24


def principal_components(rows: np.ndarray, n_components: int):
    """``(components, mean)`` of PCA with ``n_components`` on ``rows``
    ``(n, d)``: the leading right singular vectors of the centred rows, as
    rows of ``components`` (zero rows past ``min(n, d)``, which then carry no
    variance), and the column means."""
    mean = rows.mean(axis=0, dtype=np.float64)
    n_found = min(n_components, *rows.shape)
    if rows.size <= _EXACT_PCA_VALUES:
        _, _, vectors = np.linalg.svd(rows - mean, full_matrices=False)
    else:
        centred = (rows - mean).astype(np.float32)
        _, _, vectors = randomized_svd(centred, n_found, random_state=0)
    components = np.zeros((n_components, rows.shape[1]))
    components[:n_found] = vectors[:n_found]
    return components, mean
