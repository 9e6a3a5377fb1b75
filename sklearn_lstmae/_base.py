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
import threading
from collections import defaultdict
from contextlib import contextmanager
from numbers import Integral, Real

import keras
import numpy as np
from scikeras.wrappers import BaseWrapper
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    StrOptions,
)
from sklearn.utils.validation import (
    _check_feature_names,
    _check_sample_weight,
    check_is_fitted,
)

from ._compiled import feed_steps_from_python, has_accelerator, quiet_step_tracing
from ._data import SequenceBatch, SequenceScaler, pad_to, to_sequences
from ._quiet import native_logs_filtered
from ._trainers import copy_state, training_model

# scikeras 0.13 defines only `_more_tags`, which sklearn >= 1.6 ignores and whose
# presence `check_estimator_tags_renamed` rejects; an explicit `__sklearn_tags__`
# equal to the inherited one satisfies sklearn without changing any behaviour.
if "__sklearn_tags__" not in vars(BaseWrapper):
    BaseWrapper.__sklearn_tags__ = BaseEstimator.__sklearn_tags__

#: Training work (sequences x epochs x time steps) from which training steps
#: traced for static batch shapes pay for their second tracing (for the last,
#: partial batch) on CPU. Measured on 2 cores: benchmarks/RESULTS.md.
_FAST_MIN_WORK = 2_000_000

#: Fits in one process run one at a time. Seeding is process-global in
#: TensorFlow and Keras (the global seed, the sequence of op seeds that
#: shuffling and initializers draw from), so two fits running at once in two
#: threads would draw each other's random numbers and neither would be
#: reproducible. TensorFlow already spreads one fit over every core; fit in
#: processes (joblib's default) to run several at once.
_FIT_LOCK = threading.RLock()

#: A loss this many times above the fit's first batch loss (and above this
#: many times 1) means the fit diverged, even while it stays finite.
DIVERGENCE_FACTOR = 1000.0

#: Parameters that only steer training: ``warm_start`` may change them between
#: fits (with the ``fit__`` and ``callbacks__`` routed settings). Any other
#: parameter changes the network or how data reach it.
_TRAINING_PARAMS = frozenset(
    {
        "epochs",
        "batch_size",
        "verbose",
        "callbacks",
        "validation_split",
        "early_stopping",
        "warm_start",
        "random_state",
        "optimizer__learning_rate",
        "shuffle",
    }
)


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
            _set_random_seed(seed)
            yield
    finally:
        if saved_tf is not _NO_TENSORFLOW:
            _set_tensorflow_seed(saved_tf)


def _set_random_seed(seed: int) -> None:
    """``keras.utils.set_random_seed(seed)``, with TensorFlow's global seed set
    by :func:`_set_tensorflow_seed`."""
    from keras.src.backend.common import global_state
    from keras.src.random import seed_generator
    from keras.src.utils import rng_utils

    global_state.set_global_attribute(rng_utils.GLOBAL_RANDOM_SEED, seed)
    global_state.set_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR, None)
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 (Keras' seeding does it; restored after)
    if "tensorflow" in sys.modules:
        _set_tensorflow_seed(seed)


def _set_tensorflow_seed(seed) -> None:
    """``tf.random.set_seed(seed)`` (eager mode) without clearing TensorFlow's
    eager kernel caches.

    The clearing resets the state of stateful random kernels run eagerly; our
    fits run none (Keras 3 draws initializers and dropout from stateless ops
    seeded by its SeedGenerator variables, and shuffles inside tf.data
    functions whose seeds are fixed when the dataset is made, from this
    global seed). But it also drops every instantiated function, so each
    seeded fit paid for instantiating its training step again, most of a
    small fit's time.
    This is the body of TensorFlow's ``Context._set_global_seed`` (2.16 to
    2.21) less the clearing; it can go when ``tf.random.set_seed`` stops
    clearing caches. Reproducibility is pinned by the tests (same seed, same
    codes; reused trainers equal new ones; fits in threads equal serial ones).
    """
    from tensorflow.python.eager import context

    eager = context.context()
    eager._seed = seed
    eager._rng = random.Random(seed if seed is None else int(seed))


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


def plain_value(value):
    """``value`` with NumPy scalars and arrays turned into Python ones, in
    tuples and lists too, so that Keras (which refuses ``np.int64`` units)
    only ever sees plain numbers."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return plain_value(value.tolist())
    if isinstance(value, list | tuple):
        return type(value)(plain_value(item) for item in value)
    return value


class _StopOnDivergence(keras.callbacks.Callback):
    """Stop training quietly when the loss diverges: at the first NaN or
    infinite loss, or once the running loss is more than
    ``DIVERGENCE_FACTOR`` times above the loss of the fit's first batch (the
    network before this fit changed it), and above ``DIVERGENCE_FACTOR``.
    Keras' ``TerminateOnNaN`` prints whatever ``verbose`` says and lets a
    finite explosion (say 1.0 -> 1e13) train on."""

    def __init__(self):
        super().__init__()
        self.first_loss = None
        self.diverged = None  # (epoch, loss) once it did

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        loss = float(loss)
        if self.first_loss is None:
            self.first_loss = loss
        limit = DIVERGENCE_FACTOR * max(self.first_loss, 1.0)
        if not np.isfinite(loss) or loss > limit:
            self.diverged = (self.epoch + 1, loss)
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

    def _as_fitted(self, *, check: bool = True):
        """This estimator with the parameter values its fit used.

        Inference depends on what was fitted (sklearn's convention): a
        ``set_params`` after ``fit`` (``scale``, ``units``, ``objective``...)
        changes nothing until the next fit. Every public method that uses the
        fitted model runs on this view (a shallow copy: same model, scaler and
        fitted attributes, parameters from ``fitted_params_``). ``check``:
        refuse an unfitted estimator (``load`` builds the view before the model).
        """
        if check:
            check_is_fitted(self)
        fitted = self._shallow_copy()
        vars(fitted).update(getattr(self, "fitted_params_", {}))
        return fitted

    def _shallow_copy(self):
        """A new estimator sharing every attribute value with this one (no
        ``__init__``, no copies of models or arrays)."""
        copy = object.__new__(type(self))
        vars(copy).update(vars(self))
        return copy

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = True
        tags.input_tags.three_d_array = True
        tags.input_tags.sparse = False
        tags.non_deterministic = False
        return tags

    # -- parameters -------------------------------------------------------
    def _validate_params(self):
        super()._validate_params()
        # sklearn's Interval(Integral) takes True for 1: refuse bools where a
        # number is meant (units=True is no network size).
        for name, constraints in self._parameter_constraints.items():
            value = getattr(self, name, None)
            if isinstance(value, bool | np.bool_) and "boolean" not in constraints:
                raise InvalidParameterError(
                    f"The {name!r} parameter of {type(self).__name__} must be a "
                    f"number, got the bool {value!r}."
                )
        value = self._constant_learning_rate()
        if value is not None:
            if isinstance(value, bool) or not (
                isinstance(value, Real) and value >= 0 and np.isfinite(value)
            ):
                raise InvalidParameterError(
                    "The 'optimizer__learning_rate' parameter of "
                    f"{type(self).__name__} must be a "
                    f"non-negative finite float (or a keras LearningRateSchedule), "
                    f"got {value!r}."
                )
        self._units()

    def _constant_learning_rate(self):
        """``optimizer__learning_rate`` unless it is unset or a schedule."""
        value = self.get_params(deep=False).get("optimizer__learning_rate")
        if isinstance(value, keras.optimizers.schedules.LearningRateSchedule):
            return None
        return value

    def _units(self) -> tuple[int, ...]:
        units = self.units
        if isinstance(units, Integral) or isinstance(units, np.ndarray):
            units = np.atleast_1d(units).tolist()
        units = tuple(units)
        if not units or not all(
            isinstance(width, Integral)
            and not isinstance(width, bool | np.bool_)
            and width >= 1
            for width in units
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
        # The fit runs on a staged copy of the estimator, published in one step
        # when it succeeds: a fit that fails for any reason (bad input,
        # divergence, an exception or Ctrl-C during training) leaves the
        # estimator exactly as it was, and other threads using it meanwhile
        # (transform, predict) see the old model until the new one is done.
        staged = self._shallow_copy()
        if "history_" in vars(self):  # the one attribute a fit changes in place
            staged.history_ = defaultdict(
                list, {key: list(values) for key, values in self.history_.items()}
            )
        params = self.get_params(deep=False)
        with _FIT_LOCK, native_logs_filtered():
            staged._validate_params()
            # Keras sees plain Python numbers; the user's values come back below.
            vars(staged).update(
                (name, plain_value(value)) for name, value in params.items()
            )
            staged._fit_once(X, y, sample_weight, warm_start, **kwargs)
        vars(staged).update((name, vars(self)[name]) for name in params)
        self.__dict__ = vars(staged)

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
        epochs, initial_epoch = int(epochs), int(initial_epoch)
        continuing = (self.warm_start or warm_start) and self.__sklearn_is_fitted__()
        if continuing:
            self._check_warm_start()
            if initial_epoch == 0:
                # scikeras restarts the epoch count (and history_) on a warm fit;
                # continue both, so no history is lost.
                initial_epoch = self.current_epoch
        self.fitted_params_ = self.get_params(deep=False)
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
            if continuing:
                # A new model object holding the fitted state (and the current
                # learning rate), trained and then published.
                self.model_ = copy_state(self.model_, self._build_twin())
            else:
                # scikeras seeds build and fit with its own context when
                # `_random_state` is set (toggling op determinism); `seeded` does it.
                self._random_state = None
                self.model_ = self._build_keras_model()
                self.jit_compile_ = bool(self.model_.jit_compile)  # as resolved
                self._initialize_callbacks()
            self._set_learning_rate(self.model_)
            self._ensure_compiled_model()
            validation_split = self._validation_split(batch.n_samples)
            divergence = _StopOnDivergence()
            fit_callbacks = self._fit_callbacks
            self._fit_callbacks = [
                *fit_callbacks,
                divergence,
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
                    # Before the trained state is copied back into `model`.
                    self._check_divergence(divergence)
            finally:
                self.model_ = model
                self._fit_callbacks = fit_callbacks

    def _check_warm_start(self) -> None:
        """A warm start continues the fitted network: only parameters that
        steer training may have changed since it was fitted."""
        changed = [
            name
            for name, value in self.get_params(deep=False).items()
            if name not in _TRAINING_PARAMS
            and not name.startswith(("fit__", "callbacks__"))
            and repr(value) != repr(self.fitted_params_.get(name))
        ]
        if changed:
            raise ValueError(
                f"warm_start=True continues training the fitted network, but "
                f"{', '.join(sorted(changed))} changed since it was fitted, which "
                "would need another network. Set warm_start=False to fit a new "
                "network with the new values (or set them back)."
            )

    def _set_learning_rate(self, model: keras.Model) -> None:
        """Give the optimizer the current ``optimizer__learning_rate`` (a warm
        start otherwise keeps the rate of the first fit with its state)."""
        value = self._constant_learning_rate()
        if value is not None and not isinstance(
            model.optimizer.learning_rate,
            keras.optimizers.schedules.LearningRateSchedule,
        ):
            model.optimizer.learning_rate = float(value)

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

    @staticmethod
    def _check_divergence(divergence: _StopOnDivergence) -> None:
        if divergence.diverged is None:
            return
        epoch, loss = divergence.diverged
        raise FloatingPointError(
            f"Training diverged: the loss became {loss:.4g} at epoch {epoch} "
            f"(from {divergence.first_loss:.4g} at the first batch; a fit stops "
            f"when the loss is not finite or rises above {DIVERGENCE_FACTOR:g} "
            f"times that, and above {DIVERGENCE_FACTOR:g}). Lower the learning rate "
            "(optimizer__learning_rate), keep scale=True, or check the data for "
            "extreme values. The estimator is left as it was before this fit "
            "(unfitted if it was)."
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
