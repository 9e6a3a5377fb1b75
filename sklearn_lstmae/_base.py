"""The estimators' base: parameters, input checking, scaling and the fit.

:class:`SequenceEstimator` is a plain scikit-learn ``BaseEstimator``. It owns
what every estimator of the package shares, written once: the shared
parameters (declared, validated, assigned and documented here, composed into
each estimator's docstring), routed Keras settings (``optimizer__*``,
``fit__*``, ``callbacks__*``...), the check of every input against the fitted
state (through ``_data``), scaling, and the path of ``fit``:

``fit`` -> ``_fit`` (a staged copy, published when it succeeds) ->
``_fit_staged`` (check, resolve, scale, build) -> ``_training.train`` ->
``keras.Model.fit``.

An estimator subclasses it with its own parameters and hooks: ``_resolve``
(fit-time settings from the training data), ``_training_data`` (what the
network learns from), ``_keras_build_fn`` (the compiled network),
``_fitted_checks`` (its fitted attributes, for ``load``), and its public
inference methods, which run on ``_as_fitted()``.
No Keras layers are built here (they come from ``_networks``).
"""

import re
import textwrap
from numbers import Integral, Real

import keras
import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from . import _routing
from ._compat import (
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
    check_feature_names,
    check_sample_weight,
)
from ._data import SequenceBatch, SequenceScaler, pad_to, to_sequences
from ._inference import predict_in_portions, row_portions
from ._model_pool import copy_state
from ._networks import build_encoder
from ._seeding import random_state_kept, seeded
from ._training import FAST_MIN_WORK, choose_jit_compile, train, training_rows
from ._turns import estimator_turn, fit_turn

#: What ``validation_split="auto"`` and ``early_stopping="auto"`` become where
#: the network starts at a solution worth keeping (``_keep_start``).
_AUTO_SPLIT, _AUTO_PATIENCE = 0.2, 15

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
        "validation_batch_size",
        "early_stopping",
        "warm_start",
        "random_state",
        "optimizer__learning_rate",
        "shuffle",
    }
)


class _Widths(Options):
    """Constraint: a positive int or a non-empty sequence of positive ints."""

    def __init__(self):
        super().__init__(object, set())

    def is_satisfied_by(self, val):
        try:
            widths(val)
        except ValueError:
            return False
        return True

    def __str__(self):
        return (
            "a positive int or a non-empty sequence of positive ints (one per "
            "stacked recurrent layer)"
        )


def widths(units) -> tuple[int, ...]:
    """``units`` (an int, a sequence or an array of them) as a tuple of ints."""
    if isinstance(units, Integral) or isinstance(units, np.ndarray):
        units = np.atleast_1d(units).tolist()
    try:
        units = tuple(units)
    except TypeError:
        raise ValueError(f"units must be ints, got {units!r}.") from None
    if not units or not all(
        isinstance(width, Integral)
        and not isinstance(width, bool | np.bool_)
        and width >= 1
        for width in units
    ):
        raise ValueError(f"units must be positive ints, got {units!r}.")
    return tuple(int(width) for width in units)


_SHARED_PARAMETERS = """\
units : int or tuple of int, default=(64,)
    Sizes of the stacked recurrent encoder layers, first to last; the decoder's
    recurrent layers mirror them.
cell : {"lstm", "gru"}, default="lstm"
    Recurrent cell type.
bidirectional : bool, default=False
    Run each encoder layer forwards and backwards and concatenate the two.
dropout : float, default=0.0
    Dropout on the inputs of every recurrent layer, during training.
n_features : int or None, default=None
    Features per time step of 2D input (flat rows, time-major). None means 1
    (univariate) for 2D input; ignored for 3D and list input.
scale : bool, default=True
    Standardize each feature (mean 0, variance 1 over all valid steps, learned
    in ``fit``) before the network, and undo it on every output in the data's
    units.
epochs : int, default=100
    Maximum number of passes over the training data.
batch_size : int, default=32
    Sequences per gradient step.
optimizer : str or keras.optimizers.Optimizer, default="adam"
    Keras optimizer. Its settings are routed with ``optimizer__`` (e.g.
    ``optimizer__beta_1=0.8``).
optimizer__learning_rate : float or keras LearningRateSchedule, default=0.005
    Learning rate of the optimizer; higher than Adam's usual 0.001, which
    left small training sets on their initial plateau (see the User Guide).
loss : str or keras.losses.Loss, default="mse"
    Training loss (Keras), on scaled data; padded steps get zero weight.
metrics : list or None, default=None
    Extra Keras metrics, reported per epoch in ``history_``.
validation_split : float or "auto", default=0.0
    Fraction of the training sequences (the last ones) held out and reported
    as ``val_loss``; it is what ``early_stopping`` monitors. As in Keras, the
    last ``n - floor(n * (1 - validation_split))`` are held out (1 of 4 at
    0.2); ignored when that would leave no sequence to hold out or to train
    on. ``"auto"`` (from 5 sequences on): 0.2 where the network starts at a
    solution worth keeping unless held-out sequences show training improved
    on it (the autoencoders' ``linear_path``), where the outlier detector
    sets its threshold from their errors (``contamination="auto"`` with
    ``anomaly_score="reconstruction"``), 0.0 otherwise; for the predictor 0.2
    on any number of windows, as an explicit 0.2 (they calibrate
    ``predict_interval`` and choose ``level="auto"``: 1 of 4 windows).
validation_batch_size : int or None, default=None
    Batch size of the validation pass; None uses ``batch_size``.
early_stopping : int, None or "auto", default=None
    Patience in epochs: stop when the validation loss (the training loss
    without a validation split) has not improved for this many epochs, and
    restore the best weights. None trains for all ``epochs``. ``"auto"``: 15
    where ``validation_split="auto"`` holds sequences out and a solution
    worth keeping competes with training (``linear_path``), None otherwise.
shuffle : bool, default=True
    Shuffle the training sequences before every epoch.
callbacks : list of keras.callbacks.Callback or None, default=None
    Extra Keras callbacks for ``fit`` (classes are instantiated with their
    ``callbacks__`` settings).
random_state : int, RandomState instance or None, default=None
    Seeds weight initialization, dropout and shuffling. The same integer gives
    identical outputs on CPU, also when fits run in several threads (fits in
    one process take turns; use processes to run several at once). Global
    random state is restored after ``fit``.
verbose : int, default=0
    0 is silent; 1 shows Keras' progress bar.
warm_start : bool, default=False
    When True, ``fit`` continues training the fitted network instead of
    building a new one. Only training settings (``epochs``, ``batch_size``,
    ``optimizer__learning_rate``, which is applied, ...) may change in
    between; other changed parameters are refused.
run_eagerly : bool, default=False
    Run Keras eagerly, without compiling (for debugging; much slower).
jit_compile : "auto" or bool, default="auto"
    Train with XLA compilation (Keras' ``compile(jit_compile=...)``).
    ``"auto"``: no XLA with TensorFlow on CPU, where it measured slower than
    the default training path; otherwise Keras' own choice (XLA on GPU and
    with the JAX backend). The choice made is ``jit_compile_``. Independently
    of it, large fits (sequences x epochs x time steps of at least 2 million)
    trace their training steps for static batch shapes, faster on CPU.
**kwargs : dict
    Routed Keras settings: ``optimizer__*``, ``loss__*``, ``metrics__*``,
    ``compile__*``, ``fit__*`` (e.g. ``fit__class_weight``) and
    ``callbacks__*``.
"""

_SHARED_ATTRIBUTES = """\
model_ : keras.Model
    The trained network, on scaled data.
history_ : dict of list
    Per-epoch ``loss`` (and ``val_loss``, metrics) of the Keras training.
jit_compile_ : bool
    Whether the network was compiled with XLA (the resolved ``jit_compile``).
fitted_params_ : dict
    The parameters the model was fitted with (``get_params(deep=False)`` at
    ``fit``). Inference uses these: parameters changed with ``set_params``
    after ``fit`` take effect at the next fit.
scaler_ : SequenceScaler or None
    Per-feature ``mean_`` and ``scale_`` of the inputs, learned in ``fit``.
n_features_in_ : int
    Columns of 2D training input; features per step for 3D and list input.
feature_names_in_ : ndarray of str
    Column names of a DataFrame input with string column names.
n_timesteps_ : int
    Length of the training sequences (the longest, when variable).
n_step_features_ : int
    Features per time step.
variable_length_ : bool
    Whether the training sequences were padded (variable length).
input_layout_ : {"2d", "3d", "ragged"}
    Layout of the training input.
"""


def _compose(docstring: str, defaults: dict, entries: dict) -> str:
    """``docstring`` with each ``%(name)s`` line of ``entries`` (name -> text)
    replaced by its text, indented like the line; ``defaults`` (name -> value)
    are a class's own defaults of documented parameters, written into their
    entries."""
    entries = dict(entries)
    for name, value in defaults.items():
        found = 0
        for marker, text in entries.items():
            entries[marker], count = re.subn(
                rf"^({name} : .*default=).+$", rf"\g<1>{value!r}", text, flags=re.M
            )
            found += count
        if not found:
            raise ValueError(f"{name!r} is not a documented parameter.")
    lines = docstring.split("\n")
    for index, line in enumerate(lines):
        marker = line.strip().removeprefix("%(").removesuffix(")s")
        if line.strip() == f"%({marker})s" and marker in entries:
            indent = line[: len(line) - len(line.lstrip())]
            lines[index] = textwrap.indent(entries[marker], indent).rstrip("\n")
    return "\n".join(lines)


#: The package's estimators by class name, the classes ``save`` stores and
#: ``load`` rebuilds: every ``SequenceEstimator`` subclass defined in the
#: package, less the bases declared with ``public=False`` (filled by
#: ``SequenceEstimator.__init_subclass__``; a user's subclass is not one).
ESTIMATORS: dict = {}


class SequenceEstimator(BaseEstimator):
    """Base class of the recurrent sequence estimators (not public).

    A subclass declares its own parameters (``_parameter_constraints`` and an
    explicit ``__init__`` whose body is ``self._set_init_params(locals())``),
    writes ``%(shared_parameters)s`` and ``%(shared_attributes)s`` lines in its
    docstring where the shared entries go, and implements the hooks named in
    the module docstring. A base class that is no estimator of its own says
    so with ``public=False`` in its class statement.
    """

    #: A subclass's own defaults of shared parameters (name -> value): its
    #: signature has them, and its documentation says so.
    _shared_defaults: dict = {}
    #: The documentation entries a subclass's docstring may place with a
    #: ``%(name)s`` line (name -> numpydoc entries).
    _doc_entries: dict = {
        "shared_parameters": _SHARED_PARAMETERS,
        "shared_attributes": _SHARED_ATTRIBUTES,
    }

    _parameter_constraints: dict = {
        "units": [_Widths()],
        "cell": [StrOptions({"lstm", "gru"})],
        "bidirectional": ["boolean"],
        "dropout": [Interval(Real, 0.0, 1.0, closed="left")],
        "n_features": [Interval(Integral, 1, None, closed="left"), None],
        "scale": ["boolean"],
        "epochs": [Interval(Integral, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "optimizer": "no_validation",  # Keras checks it (names, classes, objects)
        "optimizer__learning_rate": [
            # Positive (0 trains nothing) and finite (checked below).
            Interval(Real, 0.0, None, closed="neither"),
            keras.optimizers.schedules.LearningRateSchedule,
        ],
        "loss": "no_validation",  # Keras checks it
        "metrics": "no_validation",  # Keras checks it
        "validation_split": [
            Interval(Real, 0.0, 1.0, closed="left"),
            StrOptions({"auto"}),
        ],
        "validation_batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "early_stopping": [
            Interval(Integral, 1, None, closed="left"),
            None,
            StrOptions({"auto"}),
        ],
        "shuffle": ["boolean"],
        "callbacks": "no_validation",  # checked where they are made (_routing)
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "run_eagerly": ["boolean"],
        "jit_compile": [StrOptions({"auto"}), "boolean"],
    }

    def __init_subclass__(cls, public=True, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__doc__:
            cls.__doc__ = _compose(cls.__doc__, cls._shared_defaults, cls._doc_entries)
        if public and cls.__module__.startswith(f"{__package__}."):
            ESTIMATORS[cls.__name__] = cls

    def _set_init_params(self, arguments: dict) -> None:
        """Store ``__init__``'s arguments (``locals()``) as parameters, and
        its ``**kwargs`` (routed settings; anything else is refused by ``fit``,
        as scikit-learn validates in ``fit``, not in ``__init__``)."""
        settings = arguments.pop("kwargs", {})
        for name, value in arguments.items():
            if name not in ("self", "__class__"):
                setattr(self, name, value)
        vars(self).update(settings)

    def get_params(self, deep=True):
        """Get the parameters of this estimator, routed settings included.

        Parameters
        ----------
        deep : bool, default=True
            Also return the parameters of contained estimators.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        params = super().get_params(deep=deep)
        declared = self._get_param_names()
        params.update(
            (name, value)
            for name, value in vars(self).items()
            if name not in declared and not name.startswith("_") and name[-1] != "_"
        )
        return params

    def set_params(self, **params):
        """Set the parameters of this estimator, routed settings included.

        Parameters
        ----------
        **params : dict
            Estimator parameters, and routed Keras settings such as
            ``optimizer__beta_1`` or ``callbacks__0__patience``.

        Returns
        -------
        self : estimator instance
            The estimator.
        """
        # sklearn would read `optimizer__beta_1` as the `beta_1` of an estimator
        # held in `optimizer`: routed settings are plain attributes instead.
        for name in [name for name in params if _routing.is_routed(name)]:
            setattr(self, name, params.pop(name))
        return super().set_params(**params)

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "model_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = True
        tags.input_tags.three_d_array = True
        tags.input_tags.sparse = False
        tags.non_deterministic = False
        return tags

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

    # -- parameters -------------------------------------------------------
    def _validate_params(self):
        declared = self._get_param_names()
        unknown = sorted(
            name
            for name in self.get_params(deep=False)
            if name not in declared and not _routing.is_routed(name)
        )
        if unknown:
            raise InvalidParameterError(
                f"{type(self).__name__} got unexpected parameters {unknown}. Routed "
                "Keras settings start with one of "
                f"{', '.join(prefix + '__' for prefix in _routing.PREFIXES)}."
            )
        # scikit-learn's private BaseEstimator._validate_params: checks
        # _parameter_constraints (see _compat).
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
        rate = getattr(self, "optimizer__learning_rate", None)
        if isinstance(rate, Real) and not np.isfinite(rate):
            raise InvalidParameterError(
                f"The 'optimizer__learning_rate' parameter of {type(self).__name__} "
                f"must be a finite positive number, got {rate!r}."
            )

    def _units(self) -> tuple[int, ...]:
        return widths(self.units)

    def _build_encoder(self, **options) -> keras.Model:
        """The encoder the shared parameters describe (``_networks.build_encoder``),
        with an estimator's own ``options`` (bottleneck, pooling...)."""
        return build_encoder(
            n_features=self.n_step_features_,
            units=self._units(),
            cell=self.cell,
            bidirectional=self.bidirectional,
            dropout=self.dropout,
            masked=self.variable_length_,
            **options,
        )

    def _compile_kwargs(self) -> dict:
        """Arguments of ``keras.Model.compile`` for ``_keras_build_fn``."""
        kwargs = _routing.compile_kwargs(self.get_params())
        kwargs["jit_compile"] = choose_jit_compile(self.jit_compile)
        return kwargs

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
        # An array has no feature names: sklearn's check only has something
        # to say (a warning) when the fit saw names (it costs a third of a
        # one-sequence transform's checks).
        if reset or not isinstance(X, np.ndarray) or hasattr(self, "feature_names_in_"):
            check_feature_names(self, X, reset=reset)
        if reset:
            self.n_features_in_ = batch.n_features_in
            self.n_timesteps_ = batch.n_timesteps
            self.n_step_features_ = batch.n_step_features
            self.variable_length_ = batch.is_padded
            self.input_layout_ = batch.layout
            return batch
        name = type(self).__name__
        if batch.layout == "2d" and self.input_layout_ == "2d":
            if batch.n_features_in != self.n_features_in_:
                raise ValueError(
                    f"X has {batch.n_features_in} features, but {name} is expecting "
                    f"{self.n_features_in_} features as input "
                    f"({self.n_timesteps_} time steps x {self.n_step_features_} "
                    "features per step, time-major)."
                )
        if batch.n_step_features != self.n_step_features_:
            raise ValueError(
                f"X has {batch.n_step_features} features per time step, but {name} "
                f"was fitted with {self.n_step_features_}."
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

    def _run(
        self, model: keras.Model, batch: SequenceBatch, covariates=None
    ) -> np.ndarray:
        """``model`` on the model inputs of ``batch``, prepared portion by portion
        (scaled copies never exist for the whole input), next to the rows of
        ``covariates`` (prepared inputs of the output steps) for a model that
        takes them."""

        def portion(rows):
            inputs = self._model_inputs(batch.take(rows))
            return inputs if covariates is None else [inputs, covariates[rows]]

        return predict_in_portions(
            model,
            (portion(rows) for rows in row_portions(batch.n_samples)),
            batch.n_samples,
        )

    # -- fitting ------------------------------------------------------------
    def fit(self, X, y=None, sample_weight=None, **kwargs):
        """Train a new network on ``X`` (and ``y``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
(n_samples, n_columns), DataFrame, or list of array-like
            Training sequences (see the class docstring for the forms).
        y : array-like or None, default=None
            Target sequences, for estimators that predict them
            (:class:`LSTMSequencePredictor`); ignored by the autoencoder.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sequence weights in the loss. Zero-weight sequences are dropped.
        **kwargs : dict
            Extra arguments for ``keras.Model.fit`` (prefer ``fit__`` parameters).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit_call(X, y, sample_weight, kwargs)

    def _fit_call(self, X, y, sample_weight, kwargs, covariates=None):
        """``fit`` (and ``covariates``: ``X_future`` where the estimator takes it)."""
        epochs = kwargs.pop("epochs", getattr(self, "fit__epochs", self.epochs))
        initial_epoch = kwargs.pop("initial_epoch", 0)
        self._fit(
            X,
            y,
            sample_weight,
            self.warm_start,
            epochs,
            initial_epoch,
            kwargs,
            covariates,
        )
        return self

    def partial_fit(self, X, y=None, sample_weight=None, **kwargs):
        """Train for one more epoch, keeping the learned weights.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences, in any form accepted by ``fit``.
        y : array-like or None, default=None
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
        return self._partial_fit_call(X, y, sample_weight, kwargs)

    def _partial_fit_call(self, X, y, sample_weight, kwargs, covariates=None):
        """``partial_fit`` (and ``covariates``, as in ``_fit_call``)."""
        for name in ("epochs", "initial_epoch"):
            if name in kwargs:
                raise TypeError(
                    f"partial_fit trains one epoch from the current one; it takes "
                    f"no {name!r}. Use fit with warm_start=True for more."
                )
        self._fit(
            X, y, sample_weight, True, 1, self._current_epoch(), kwargs, covariates
        )
        return self

    def _current_epoch(self) -> int:
        return len(self.history_["loss"]) if hasattr(self, "history_") else 0

    def _fit(
        self, X, y, sample_weight, warm_start, epochs, initial_epoch, kwargs, covariates
    ):
        # The fit runs on a staged copy of the estimator, published in one step
        # when it succeeds: a fit that fails for any reason (bad input,
        # divergence, an exception or Ctrl-C during training) leaves the
        # estimator exactly as it was, and other threads using it meanwhile
        # (transform, predict) see the old model until the new one is done.
        # Fits of this estimator take turns (the copy is taken in its turn, so
        # a second partial_fit continues the first one's result), and fits of
        # the process too (seeding is global: see ``_turns``).
        with estimator_turn(self), fit_turn():
            staged = self._shallow_copy()
            before = dict(vars(staged))
            params = self.get_params(deep=False)
            # Ours, extending scikit-learn's private hook (see _compat).
            staged._validate_params()  # noqa: SLF001
            # Keras sees plain Python numbers; the user's values stay on self.
            vars(staged).update(
                (name, plain_value(value)) for name, value in params.items()
            )
            staged._fit_staged(
                X,
                y,
                sample_weight,
                warm_start,
                int(epochs),
                int(initial_epoch),
                kwargs,
                covariates,
            )
            self._publish(staged, before=before, params=params)

    def _publish(self, staged, *, before: dict, params) -> None:
        """Give this estimator what the fit of ``staged`` set, in one step.

        Only the attributes the fit added, replaced or removed: parameters,
        ``set_output`` and any attribute set on the estimator while it
        trained (by a callback, another thread) are kept as they are now.
        """
        fitted = vars(staged)
        changes = {
            name: value
            for name, value in fitted.items()
            if name not in params and (name not in before or before[name] is not value)
        }
        removed = [name for name in before if name not in fitted and name not in params]
        # Replaced values stay referenced until the update is done: no
        # finalizer runs (and lets another thread in) halfway through it.
        replaced = [vars(self).get(name) for name in changes]
        vars(self).update(changes)
        for name in removed:
            vars(self).pop(name, None)
        del replaced

    def _fit_staged(
        self, X, y, sample_weight, warm_start, epochs, initial_epoch, kwargs, covariates
    ) -> None:
        continuing = (self.warm_start or warm_start) and self.__sklearn_is_fitted__()
        if continuing:
            self._check_warm_start()
            if initial_epoch == 0:  # continue the epoch count and the history
                initial_epoch = self._current_epoch()
        self.fitted_params_ = self.get_params(deep=False)
        batch = self._check_sequences(X, reset=not continuing)
        batch, y, covariates, weights = _without_zero_weights(
            batch, y, covariates, sample_weight
        )
        if not continuing:
            self._resolve(batch, y)
            unscaled = self._unscaled_inputs(batch)
            self.scaler_ = SequenceScaler().fit(unscaled) if self.scale else None
        inputs = self._model_inputs(batch)
        network_inputs, targets, step_weights = self._training_data(
            batch, inputs, y, reset=not continuing, covariates=covariates
        )
        validation_split = self._validation_split(batch.n_samples)
        with seeded(self.random_state):
            if continuing:
                # A new model object holding the fitted state, trained and then
                # published.
                self.model_ = copy_state(self.model_, self._build_twin())
                start = None
            else:
                self.model_ = self._keras_build_fn(self._compile_kwargs())
                self.jit_compile_ = bool(self.model_.jit_compile)  # as resolved
                # From the sequences it trains on: the held-out ones judge it.
                rows = training_rows(batch.n_samples, validation_split)
                start = self._initialize_network(
                    self.model_, network_inputs, targets, rows, weights=weights
                )
            if not continuing and self._kept_untrained(batch.n_samples, rows):
                # No epoch: the network stays as initialized. Its optimizer is
                # built as training builds it (an archive holds its state).
                self.model_.optimizer.build(self.model_.trainable_variables)
                history = {}
            else:
                history = train(
                    self.model_,
                    self._build_twin,
                    network_inputs,
                    targets,
                    params={
                        **self.get_params(),
                        "early_stopping": self._patience(validation_split),
                    },
                    sample_weight=_loss_weights(targets, step_weights, weights),
                    epochs=epochs,
                    initial_epoch=initial_epoch,
                    validation_split=validation_split,
                    fast_steps=self._large_training(batch.n_samples, epochs),
                    keep_start=self._keep_start(),
                    start_weights=start,
                    **kwargs,
                )
        previous = self.history_ if continuing and initial_epoch > 0 else None
        self.history_ = _routing.history(history, previous)
        self._after_training(
            batch,
            inputs,
            validation_split,
            new_network=not continuing,
            network_inputs=network_inputs,
            targets=targets,
            weights=weights,
        )

    #: An estimator's parameters that are used only after training (a
    #: threshold): a warm start may change them too.
    _AFTER_TRAINING_PARAMS: frozenset = frozenset()

    def _check_warm_start(self) -> None:
        """A warm start continues the fitted network: only parameters that
        steer training may have changed since it was fitted."""
        changed = [
            name
            for name, value in self.get_params(deep=False).items()
            if name not in _TRAINING_PARAMS | self._AFTER_TRAINING_PARAMS
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

    def _build_twin(self) -> keras.Model:
        """A new compiled model like ``model_`` (for the training pool), built
        without consuming random numbers the fit would otherwise draw."""
        with random_state_kept():
            return self._keras_build_fn(self._compile_kwargs())

    def _large_training(self, n_samples: int, epochs: int) -> bool:
        """Whether a fit is long enough to repay the fast steps' start-up."""
        return n_samples * epochs * self.n_timesteps_ >= FAST_MIN_WORK

    def _validation_split(self, n_samples: int) -> float:
        """The requested split (``"auto"`` resolved), or 0 when it would leave
        no validation sample or no training sample. Keras holds out the last
        ``n_samples - training_rows(n_samples, split)`` (the split rounded
        up, as ``train_test_split``'s ``test_size``): 1 of 4 at 0.2.
        ``"auto"`` holds out only where its 20% is a whole sequence or more."""
        split = self.validation_split
        if split == "auto":
            split = self._auto_split(n_samples)
        if not split or not 0 < training_rows(n_samples, split) < n_samples:
            return 0.0
        return float(split)

    def _auto_split(self, n_samples: int) -> float:
        """What ``validation_split="auto"`` asks for: 0.2 where ``_hold_out``
        and its 20% is a whole sequence or more, else 0."""
        auto = self._hold_out() and n_samples * _AUTO_SPLIT >= 1
        return _AUTO_SPLIT if auto else 0.0

    def _patience(self, validation_split: float) -> int | None:
        """``early_stopping`` with ``"auto"`` resolved, given the resolved
        ``validation_split``: a patience only where ``"auto"`` held sequences
        out and the start is kept (a recurrent network alone stops on its
        initial plateau with it)."""
        if self.early_stopping == "auto":
            held_out = self.validation_split == "auto" and validation_split > 0
            return _AUTO_PATIENCE if held_out and self._keep_start() else None
        return self.early_stopping

    # -- hooks ----------------------------------------------------------------
    @staticmethod
    def _fitted_checks(fitted: dict, params: dict) -> dict:
        """For ``load``: a test (name -> predicate) of each fitted attribute an
        estimator sets beyond the shared ones, given the stored ``fitted``
        attributes and fitted ``params``."""
        return {}

    def _initialize_network(
        self, model: keras.Model, inputs, targets, rows: int, *, weights=None
    ) -> list | None:
        """Set weights of a newly built network from its training data (before
        training; not on a warm start): the first ``rows`` sequences, those it
        trains on (the others are held out), with the sequences' ``weights``
        (None: all 1). Return the weights of a start
        that competes with training on the held-out sequences without being
        where training starts (see ``_training.train``), or None."""
        return None

    def _keep_start(self) -> bool:
        """Whether the network as initialized competes with the trained one
        on the validation sequences (see ``_training.train``)."""
        return False

    def _kept_untrained(self, n_samples: int, rows: int) -> bool:
        """Whether a new network, initialized (``_initialize_network``) on
        its first ``rows`` of ``n_samples`` sequences, is kept as it is,
        without training: where the held-out sequences could not show that
        training improved it."""
        return False

    def _hold_out(self) -> bool:
        """Whether ``validation_split="auto"`` holds sequences out: where the
        start is kept (they choose between it and training)."""
        return self._keep_start()

    def _after_training(
        self,
        batch: SequenceBatch,
        inputs: np.ndarray,
        validation_split: float,
        *,
        new_network: bool,
        network_inputs,
        targets,
        weights=None,
    ) -> None:
        """Finish the network and set fitted attributes that need it, given
        the training sequences (zero-weight ones dropped) and their scaled
        model inputs, the resolved split (Keras trains on the first
        ``training_rows`` of them), whether the network was new (not a warm
        start), what Keras was given (``_training_data``'s inputs and
        targets) and the sequences' weights (None: all 1)."""

    def _resolve(self, batch: SequenceBatch, y) -> None:
        """Resolve fit-time settings from the checked training data (fitted
        attributes such as ``downsample_``), refusing what cannot work."""

    def _training_data(self, batch, inputs, y, *, reset, covariates=None):
        """Return ``(network_inputs, targets, step_weights)`` for Keras' fit.

        ``inputs`` are the scaled, padded sequences; ``covariates`` the per-step
        inputs of the output steps (``X_future``) where the estimator takes
        them. ``targets`` is an array,
        or a list with one per model output; ``step_weights`` is None or
        matches it with float32 arrays ``(n_samples, n_steps)`` (or None
        entries) that are 0 on steps the loss must ignore (padding).
        """
        return inputs, inputs, None


def _without_zero_weights(batch: SequenceBatch, y, covariates, sample_weight):
    """Checked float32 weights; sequences of zero weight dropped (as sklearn
    does: zero weight means not seen), from ``y`` and ``covariates`` too."""
    if sample_weight is None:
        return batch, y, covariates, None
    weights = check_sample_weight(
        sample_weight, batch.values, dtype=np.float32, ensure_non_negative=True
    )
    if not np.any(weights > 0):
        raise ValueError("All sample weights are zero: there is nothing to train on.")
    keep = weights > 0
    y, covariates = (
        None if value is None else _take_rows(value, keep) for value in (y, covariates)
    )
    return batch.take(keep), y, covariates, weights[keep]


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
