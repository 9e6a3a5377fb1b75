"""Shared estimator machinery on scikeras' ``BaseWrapper``.

Everything both estimators need lives here: parameter declarations, input
checking against the fitted state (through ``_data``), scaling, seeding, the fit
loop (scikeras' routing of ``optimizer__*``, ``callbacks``, ``fit__*``), early
stopping, chunked inference and tags. No Keras layers are built here; graphs come
from ``_networks``.

Every scikeras 0.13 workaround is in this module and says which behaviour it
corrects, so that it can be dropped when scikeras catches up.
"""

import inspect
import random
import sys
from collections import defaultdict
from contextlib import contextmanager
from numbers import Integral, Real

import keras
import numpy as np
from scikeras.wrappers import BaseWrapper
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    _check_feature_names,
    _check_sample_weight,
    check_is_fitted,
)

from ._compiled import feed_steps_from_python, has_accelerator, quiet_step_tracing
from ._data import SequenceBatch, SequenceScaler, pad_to, to_sequences
from ._trainers import training_model

# scikeras 0.13 defines only `_more_tags`, which sklearn >= 1.6 ignores and whose
# presence `check_estimator_tags_renamed` rejects; an explicit `__sklearn_tags__`
# equal to the inherited one satisfies sklearn without changing any behaviour.
if "__sklearn_tags__" not in vars(BaseWrapper):
    BaseWrapper.__sklearn_tags__ = BaseEstimator.__sklearn_tags__

#: Training work (sequences x epochs x time steps) from which training steps
#: traced for static batch shapes pay for their second tracing (for the last,
#: partial batch) on CPU. Measured on 2 cores: benchmarks/RESULTS.md.
_FAST_MIN_WORK = 2_000_000


@contextmanager
def seeded(random_state):
    """Seed Python, NumPy, TensorFlow and Keras for a block, then restore them.

    scikeras' own context also switches TensorFlow op determinism on and off
    (process-global state other code may rely on); this one does not need to:
    on CPU the recurrent kernels are deterministic once seeded.
    """
    if random_state is None:
        yield
        return
    seed = int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
    saved_tf = _tensorflow_global_seed()
    try:
        with random_state_kept():
            keras.utils.set_random_seed(seed)
            yield
    finally:
        if saved_tf is not _NO_TENSORFLOW:
            import tensorflow as tf

            tf.random.set_seed(saved_tf)


@contextmanager
def random_state_kept():
    """Run a block without it changing Python's, NumPy's or Keras' global random
    state (TensorFlow's global seed is ``seeded``'s business: restoring it also
    restarts TensorFlow's sequence of op seeds, which nothing here should do)."""
    from keras.src.backend.common import global_state
    from keras.src.random import seed_generator
    from keras.src.utils import rng_utils

    keras_keys = (rng_utils.GLOBAL_RANDOM_SEED, seed_generator.GLOBAL_SEED_GENERATOR)
    saved_keras = [global_state.get_global_attribute(key) for key in keras_keys]
    saved_python = random.getstate()
    saved_numpy = np.random.get_state()  # noqa: NPY002 (restoring it is the point)
    try:
        yield
    finally:
        random.setstate(saved_python)
        np.random.set_state(saved_numpy)  # noqa: NPY002
        for key, value in zip(keras_keys, saved_keras, strict=True):
            global_state.set_global_attribute(key, value)


_NO_TENSORFLOW = object()


def _tensorflow_global_seed():
    if "tensorflow" not in sys.modules:  # e.g. the JAX backend: nothing to save
        return _NO_TENSORFLOW
    from tensorflow.python.eager import context

    return context.global_seed()


def _loss_weights(targets, step_weights, sample_weight):
    """Keras sample weights: one per loss term, i.e. per (sequence, step).

    ``targets``/``step_weights`` are arrays or lists (one per model output);
    ``sample_weight`` is None or ``(n_samples,)``. None when every weight is 1.
    """
    if isinstance(targets, list):
        steps = step_weights or [None] * len(targets)
        weights = [
            _loss_weights(target, step, sample_weight)
            for target, step in zip(targets, steps, strict=True)
        ]
        if all(weight is None for weight in weights):
            return None
        return [
            np.ones(target.shape[:2], np.float32) if weight is None else weight
            for target, weight in zip(targets, weights, strict=True)
        ]
    if sample_weight is None and step_weights is None:
        return None
    per_step = np.ones(targets.shape[:2], np.float32)
    if step_weights is not None:
        per_step = step_weights
    return per_step * (1.0 if sample_weight is None else sample_weight[:, None])


def _take_rows(y, keep: np.ndarray):
    """Rows of a target given as an array, a DataFrame/Series or a list."""
    if hasattr(y, "iloc"):
        return y.iloc[keep]
    if isinstance(y, list | tuple):
        return [row for row, kept in zip(y, keep, strict=True) if kept]
    return np.asarray(y)[keep]


class _StopOnNonFiniteLoss(keras.callbacks.Callback):
    """Stop training at the first NaN or infinite batch loss (Keras'
    ``TerminateOnNaN`` does the same but prints, whatever ``verbose`` says)."""

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not np.isfinite(loss):
            self.model.stop_training = True


class SequenceEstimatorBase(BaseWrapper):
    """Base class of the recurrent sequence estimators (not public).

    Subclasses implement ``_training_data`` (what the network learns from)
    and ``_keras_build_fn`` (the compiled Keras model), and call
    ``_check_sequences`` at the top of every public method.
    """

    _parameter_constraints: dict = {
        "units": ["array-like", Interval(Integral, 1, None, closed="left")],
        "cell": [StrOptions({"lstm", "gru"})],
        "bidirectional": ["boolean"],
        "dropout": [Interval(Real, 0.0, 1.0, closed="left")],
        "n_features": [Interval(Integral, 1, None, closed="left"), None],
        "scale": ["boolean"],
        "epochs": [Interval(Integral, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "validation_split": [Interval(Real, 0.0, 1.0, closed="left")],
        "early_stopping": [Interval(Integral, 1, None, closed="left"), None],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "jit_compile": [StrOptions({"auto"}), "boolean"],
    }

    def __repr__(self) -> str:
        # scikeras prints every parameter one per line; like sklearn, show only
        # those that differ from their defaults (ours, then scikeras' own).
        defaults = {}
        for klass in (BaseWrapper, type(self)):
            for name, parameter in inspect.signature(klass.__init__).parameters.items():
                defaults[name] = parameter.default
        changed = [
            f"{name}={value!r}"
            for name, value in self.get_params(deep=False).items()
            if name not in defaults or repr(value) != repr(defaults[name])
        ]
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "model_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = True
        tags.input_tags.three_d_array = True
        tags.input_tags.sparse = False
        tags.non_deterministic = False
        return tags

    # -- parameters -------------------------------------------------------
    def _units(self) -> tuple[int, ...]:
        units = (self.units,) if isinstance(self.units, Integral) else self.units
        units = tuple(units)
        if not units or not all(
            isinstance(width, Integral) and width >= 1 for width in units
        ):
            raise ValueError(
                f"units must be a positive int or a non-empty sequence of positive "
                f"ints (one per stacked recurrent layer), got {self.units!r}."
            )
        return tuple(int(width) for width in units)

    # -- input ------------------------------------------------------------
    def _check_sequences(
        self, X, *, reset: bool, longer: bool = False
    ) -> SequenceBatch:
        """Validate ``X`` (and record its shape when ``reset``); NaN-padded values.

        Called at the top of every public method: the one place that decides
        whether an input is valid for this estimator. ``longer``: a model fitted
        on variable-length data also takes sequences longer than the longest
        it saw (for methods that only run the encoder, whose input length is
        free).
        """
        if not reset:
            check_is_fitted(self)
        batch = to_sequences(X, n_features=self.n_features)
        _check_feature_names(self, X, reset=reset)
        if reset:
            self.n_features_in_ = batch.n_columns
            self.n_timesteps_ = batch.n_timesteps
            self.n_step_features_ = batch.n_features
            self.variable_length_ = batch.is_padded
            self.input_layout_ = batch.layout
            return batch
        name = type(self).__name__
        if batch.layout == "2d" and self.input_layout_ == "2d":
            if batch.n_columns != self.n_features_in_:
                raise ValueError(
                    f"X has {batch.n_columns} features, but {name} is expecting "
                    f"{self.n_features_in_} features as input "
                    f"({self.n_timesteps_} time steps x {self.n_step_features_} "
                    "features per step, time-major)."
                )
        if batch.n_features != self.n_step_features_:
            raise ValueError(
                f"X has {batch.n_features} features per time step, but {name} was "
                f"fitted with {self.n_step_features_}."
            )
        if self.variable_length_:
            if batch.n_timesteps > self.n_timesteps_ and not longer:
                raise ValueError(
                    f"X has sequences of up to {batch.n_timesteps} time steps, but "
                    f"{name} was fitted on sequences of at most {self.n_timesteps_}"
                    " (its decoder outputs that many steps)."
                )
        elif np.any(batch.lengths != self.n_timesteps_):
            sample = int(np.argmax(batch.lengths != self.n_timesteps_))
            raise ValueError(
                f"X has sequences of {batch.lengths[sample]} time steps (sample "
                f"{sample}), but {name} was fitted on fixed-length sequences of "
                f"{self.n_timesteps_} steps. Fit on variable-length (NaN-padded or "
                "list) data to accept other lengths."
            )
        return batch

    def _unscaled_inputs(self, batch: SequenceBatch) -> np.ndarray:
        """What the network sees, before scaling: the values themselves."""
        return batch.values

    def _model_inputs(self, batch: SequenceBatch) -> np.ndarray:
        """Scaled values, NaN-padded to the fitted length (padding is masked)."""
        return self._scale(pad_to(self._unscaled_inputs(batch), self.n_timesteps_))

    def _scale(self, values: np.ndarray) -> np.ndarray:
        return self.scaler_.transform(values) if self.scale else values

    def _unscale(self, values: np.ndarray) -> np.ndarray:
        return self.scaler_.inverse_transform(values) if self.scale else values

    # -- fitting ------------------------------------------------------------
    def _fit(self, X, y, sample_weight, warm_start: bool, **kwargs) -> None:
        # Replaces scikeras' `_fit`, whose `_validate_data` rejects 3D targets
        # and whose random-state context toggles TensorFlow op determinism.
        # A fit that fails for any reason (bad input, divergence, an exception
        # or Ctrl-C during training) leaves the estimator as it was: fitted as
        # before (the model's weights are only written after a successful fit,
        # see `training_model`), or unfitted.
        before = dict(vars(self))
        if "history_" in before:  # the one attribute a fit changes in place
            before["history_"] = defaultdict(
                list, {key: list(values) for key, values in self.history_.items()}
            )
        try:
            self._fit_once(X, y, sample_weight, warm_start, **kwargs)
        except BaseException:
            vars(self).clear()
            vars(self).update(before)
            raise

    def _fit_once(
        self,
        X,
        y,
        sample_weight,
        warm_start: bool,
        epochs: int,
        initial_epoch: int,
        **kwargs,
    ) -> None:
        self._validate_params()
        continuing = (self.warm_start or warm_start) and self.__sklearn_is_fitted__()
        if continuing and initial_epoch == 0:
            # scikeras restarts the epoch count (and history_) on a warm fit;
            # continue both, so no history is lost.
            initial_epoch = self.current_epoch
        batch = self._check_sequences(X, reset=not continuing)
        weights = None
        if sample_weight is not None:
            weights = _check_sample_weight(
                sample_weight, batch.values, dtype=np.float32, ensure_non_negative=True
            )
            if not np.any(weights > 0):
                raise ValueError(
                    "All sample weights are zero: there is nothing to train on."
                )
            keep = weights > 0  # as sklearn does: zero weight means not seen
            batch, weights = batch.take(keep), weights[keep]
            y = None if y is None else _take_rows(y, keep)
        if not continuing:
            unscaled = self._unscaled_inputs(batch)
            self.scaler_ = SequenceScaler().fit(unscaled) if self.scale else None
        inputs = self._model_inputs(batch)
        network_inputs, targets, step_weights = self._training_data(
            batch, inputs, y, reset=not continuing
        )
        weights = _loss_weights(targets, step_weights, weights)
        with seeded(self.random_state), quiet_step_tracing():
            if not continuing:
                # scikeras seeds build and fit with its own context when
                # `_random_state` is set (toggling op determinism); `seeded` does it.
                self._random_state = None
                self.model_ = self._build_keras_model()
                self.jit_compile_ = bool(self.model_.jit_compile)  # as resolved
                self._initialize_callbacks()
            self._ensure_compiled_model()
            validation_split = self._validation_split(batch.n_samples)
            fit_callbacks = self._fit_callbacks
            self._fit_callbacks = [
                *fit_callbacks,
                _StopOnNonFiniteLoss(),
                *self._early_stopping(validation_split),
            ]
            model = self.model_
            try:
                with training_model(model, self._build_twin) as trainer:
                    if self._large_training(batch.n_samples, epochs):
                        feed_steps_from_python(trainer)
                    # scikeras' fit trains `self.model_`: point it at the trainer.
                    self.model_ = trainer
                    self._fit_keras_model(
                        network_inputs,
                        targets,
                        sample_weight=weights,
                        warm_start=warm_start,
                        epochs=epochs,
                        initial_epoch=initial_epoch,
                        validation_split=validation_split,
                        **kwargs,
                    )
                    # Before the trained state is copied back into `model_`.
                    self._check_finite_loss()
            finally:
                self.model_ = model
                self._fit_callbacks = fit_callbacks

    def _build_twin(self) -> keras.Model:
        """A new compiled model like ``model_`` (for ``training_model``), built
        without consuming random numbers the fit would otherwise draw."""
        with random_state_kept():
            return self._build_keras_model()

    def _large_training(self, n_samples: int, epochs: int) -> bool:
        """Whether a fit is long enough to repay the fast paths' start-up."""
        return n_samples * epochs * self.n_timesteps_ >= _FAST_MIN_WORK

    def _choose_jit_compile(self):
        """What to pass to Keras' ``compile(jit_compile=...)``."""
        if self.jit_compile != "auto":
            return bool(self.jit_compile)
        if keras.backend.backend() == "tensorflow" and not has_accelerator():
            # Measured on CPU: with steps traced for static shapes, XLA trains
            # more slowly (0.6-0.9x) and compiles for seconds to a minute.
            return False
        # Keras' own choice: XLA on GPU/TPU and with JAX, none with torch.
        return "auto"

    def _get_compile_kwargs(self):
        kwargs = super()._get_compile_kwargs()
        kwargs["jit_compile"] = self._choose_jit_compile()
        return kwargs

    def _validation_split(self, n_samples: int) -> float:
        """The requested split, or 0 when it would leave no validation sample."""
        if int(n_samples * self.validation_split) < 1:
            return 0.0
        return float(self.validation_split)

    def _early_stopping(self, validation_split: float) -> list:
        if self.early_stopping is None:
            return []
        return [
            keras.callbacks.EarlyStopping(
                monitor="val_loss" if validation_split else "loss",
                patience=self.early_stopping,
                restore_best_weights=True,
            )
        ]

    def _check_finite_loss(self) -> None:
        losses = self.history_.get("loss", [])
        if losses and not np.all(np.isfinite(losses)):
            raise FloatingPointError(
                f"Training diverged: the loss became {losses[-1]} at epoch "
                f"{len(losses)}. Lower the learning rate (optimizer__learning_rate), "
                "keep scale=True, or check the data for extreme values. The "
                "estimator is left as it was before this fit (unfitted if it was)."
            )

    def partial_fit(self, X, y=None, sample_weight=None, **kwargs):
        """Train for one more epoch, keeping the learned weights.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences, in any form accepted by ``fit``.
        y : array-like or None
            Targets when the estimator takes them; ignored otherwise.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sequence weights.
        **kwargs : dict
            Extra arguments for ``keras.Model.fit``.

        Returns
        -------
        self : object
            The estimator.
        """
        return super().partial_fit(X, y, sample_weight=sample_weight, **kwargs)

    def _training_data(self, batch, inputs, y, *, reset):
        """Return ``(network_inputs, targets, step_weights)`` for Keras' fit.

        ``inputs`` are the scaled, padded sequences. ``targets`` is an array,
        or a list with one per model output; ``step_weights`` is None or
        matches it with float32 arrays ``(n_samples, n_steps)`` (or None
        entries) that are 0 on steps the loss must ignore (padding).
        """
        raise NotImplementedError

    def _validate_data(self, X=None, y=None, reset=False, y_numeric=False):
        # scikeras' checker (2D only, allow_nd=False for y) is replaced by
        # `_check_sequences`; this guards against a scikeras path calling it.
        raise NotImplementedError("Inputs are checked by _check_sequences.")
