"""Training a Keras network for an estimator: :func:`train`, one entry point.

``train`` turns the estimator's parameters into Keras ``fit`` arguments and
callbacks (``_routing``), lends the fit a compiled model of the network's
architecture (``_model_pool``: the traced training steps are reused across
fits), feeds long fits' steps from Python (static batch shapes, faster on
CPU), stops a diverging fit and raises, and copies the trained state back into
the model.

Two things make Keras slower than it needs to be for our estimators on CPU:
``Model.fit`` (TensorFlow backend) runs each training step inside a
``tf.function`` that also pulls the batch from the ``tf.data`` iterator, so
the step is traced for a batch dimension of None; on CPU that graph runs
recurrent layers 2-3x slower than the step traced for the static batch
shape (measured in ``benchmarks/bench_fit.py``). :func:`feed_steps_from_python`
keeps ``fit`` (callbacks, history, validation, shuffling) and replaces only
how a step gets its batch.

The other cost is per epoch, and it dominates small fits: ``fit`` makes a new
``tf.data`` iterator for the training data and another for the validation data
in every epoch (about 10 ms each on 2 cores, as much as a training step of a
small network). :func:`fit_resident` hands ``fit`` the same pipelines
Keras would build (same batches, same shuffling), repeated, with the number of
steps per epoch: ``fit`` then keeps one iterator of each for the whole fit.
"""

import weakref
from collections.abc import Callable

import keras
import numpy as np

from . import _routing
from ._model_pool import training_model
from ._quiet import quiet_step_tracing
from ._turns import lending_turn

#: Training work (sequences x epochs x time steps) from which training steps
#: traced for static batch shapes pay for their second tracing (for the last,
#: partial batch) on CPU. Measured on 2 cores: benchmarks/RESULTS.md.
FAST_MIN_WORK = 2_000_000

#: A loss this many times above the fit's first batch loss (and above this
#: many times 1) means the fit diverged, even while it stays finite.
DIVERGENCE_FACTOR = 1000.0


def train(
    model: keras.Model,
    build: Callable[[], keras.Model],
    x,
    y,
    *,
    params: dict,
    sample_weight=None,
    epochs: int,
    initial_epoch: int,
    validation_split: float,
    fast_steps: bool,
    keep_start: bool = False,
    start_weights: list | None = None,
    **fit_arguments,
) -> dict:
    """Train ``model`` (compiled) on ``(x, y)``; return Keras' history.

    ``params`` are the estimator's parameters (routed settings included):
    ``fit`` arguments, callbacks, ``early_stopping`` and the learning rate
    come from them. ``build()`` makes a new compiled model of the same
    architecture without consuming random numbers (see
    :func:`_model_pool.training_model`). ``fast_steps``: feed steps from Python.
    ``keep_start`` (with a validation split): the weights the fit ends with are
    the best on the validation sequences, the starting weights included
    (:class:`_KeepBest`); with ``start_weights`` too, training starts from the
    weights ``model`` has and those weights are the start that competes (the
    weights kept where no epoch beats them on the validation sequences).
    ``fit_arguments`` go to ``keras.Model.fit`` on top.
    On any error, including :class:`FloatingPointError` for a diverged fit,
    ``model`` keeps the state it had before.
    """
    divergence = _StopOnDivergence()
    keep_best = None
    if keep_start and validation_split:
        keep_best = _KeepBest(params["early_stopping"])
        stopping = [keep_best]
    else:
        stopping = _early_stopping(params["early_stopping"], validation_split)
    user_callbacks = [lending_turn(item) for item in _routing.callbacks(params)]
    callbacks = [*user_callbacks, divergence, *stopping]
    _set_learning_rate(model, params)
    arguments = _routing.fit_kwargs(
        params,
        sample_weight=sample_weight,
        epochs=initial_epoch + epochs,
        initial_epoch=initial_epoch,
        validation_split=validation_split,
        **fit_arguments,
    )
    with quiet_step_tracing(), training_model(model, build) as trainer:
        _build_loss_trackers(trainer, x, y)
        if fast_steps:
            feed_steps_from_python(trainer)
        if keep_best is not None and start_weights is None:
            keep_best.start = _validation_loss(trainer, x, y, arguments)
        elif keep_best is not None:
            training_start = trainer.get_weights()
            trainer.set_weights(start_weights)
            keep_best.start = _validation_loss(trainer, x, y, arguments)
            keep_best.start_weights = start_weights
            trainer.set_weights(training_start)
        history = fit_resident(trainer, x, y, callbacks, arguments)
        # Before the trained state is copied back into `model`.
        _check_divergence(divergence)
    return history.history


#: Models whose compiled loss has its trackers (:func:`_build_loss_trackers`).
_LOSS_TRACKED: "weakref.WeakSet[keras.Model]" = weakref.WeakSet()


def _build_loss_trackers(model: keras.Model, x, y) -> None:
    """Create the per-output loss trackers of a model with several outputs
    before its first training step is traced.

    Keras (TensorFlow backend, no distribution strategy) creates them, one
    ``Mean`` per output, inside the first traced step, and a variable created
    in a ``tf.function``'s first trace makes TensorFlow trace the function
    again: a composite network's first fit traced its training step twice
    (about half of a tiny network's first fit). Computing the loss once,
    eagerly, on the first sequence creates them outside; ``fit`` and
    ``evaluate`` reset their values before use. No random numbers are drawn
    (inference mode) and no weight changes.
    """
    if model in _LOSS_TRACKED or len(keras.tree.flatten(y)) < 2:
        return
    # Tensors, as fit hands the model (an array in a one-input model's place
    # draws Keras' input-structure warning).
    first_x, first_y = (
        keras.tree.map_structure(
            lambda value: keras.ops.convert_to_tensor(value[:1]), data
        )
        for data in (x, y)
    )
    model.compute_loss(x=first_x, y=first_y, y_pred=model(first_x, training=False))
    _LOSS_TRACKED.add(model)


#: ``fit`` arguments :func:`fit_resident` knows how to carry over; any other
#: (``class_weight``, ``validation_data``, ``steps_per_epoch``, ...) leaves the
#: data to ``fit`` as given.
_RESIDENT_ARGUMENTS = {
    "batch_size",
    "epochs",
    "initial_epoch",
    "validation_split",
    "validation_batch_size",
    "shuffle",
    "sample_weight",
    "verbose",
}


def fit_resident(model: keras.Model, x, y, callbacks: list, arguments: dict):
    """``model.fit(x, y, callbacks=callbacks, **arguments)`` with the data in
    pipelines made once per fit; return ``fit``'s History.

    The pipelines are the ones Keras itself builds from arrays (its array
    adapter: same batches, same shuffling, the same last rows held out for
    validation), repeated, so ``fit`` (given ``steps_per_epoch``) keeps one
    iterator for the whole fit, and the validation loss is computed by
    :class:`_Validation` from one iterator too, in the first callback, before
    any other callback sees the epoch's logs. Only for the TensorFlow backend,
    arrays and the arguments in :data:`_RESIDENT_ARGUMENTS`; otherwise plain
    ``fit``.

    One difference from plain ``fit``, on purpose: after a seeded fit (a global
    TensorFlow seed), Keras' new iterator per epoch restarts the shuffling's
    random sequence, so every epoch sees the batches of the first; one
    iterator per fit shuffles each epoch anew, as ``shuffle=True`` says.
    """
    if (
        keras.backend.backend() != "tensorflow"
        or model.run_eagerly
        or not set(arguments) <= _RESIDENT_ARGUMENTS
        or arguments.get("shuffle", True) not in (True, False)
    ):
        return model.fit(x=x, y=y, callbacks=callbacks, **arguments)
    from ._compat import ArrayDataAdapter

    weights = arguments.get("sample_weight")
    n_samples = len(keras.tree.flatten(x)[0])
    split = arguments.get("validation_split") or 0.0
    rows = training_rows(n_samples, split) if split else n_samples

    def pipeline(rows_of, batch_size, shuffle):
        def take(value):
            return None if value is None else keras.tree.map_structure(rows_of, value)

        adapter = ArrayDataAdapter(
            take(x),
            take(y),
            sample_weight=take(weights),
            batch_size=batch_size,
            shuffle=shuffle,
        )
        return adapter.get_tf_dataset().repeat(), adapter.num_batches

    batch_size = arguments.get("batch_size") or 32
    data, steps = pipeline(
        lambda value: value[:rows], batch_size, arguments.get("shuffle", True)
    )
    validation = None
    if rows < n_samples:
        validation = _Validation(
            *pipeline(
                lambda value: value[rows:],
                arguments.get("validation_batch_size") or batch_size,
                False,
            )
        )
        callbacks = [validation, *callbacks]
    epochs = arguments.get("epochs", 1)
    verbose = arguments.get("verbose", "auto")
    hooks = keras.callbacks.CallbackList(
        callbacks,
        add_history=True,
        add_progbar=verbose != 0,
        verbose=verbose,
        epochs=epochs,
        steps=steps,
        model=model,
    )
    if validation is not None:
        validation.hooks = hooks
    return model.fit(
        data,
        steps_per_epoch=steps,
        shuffle=False,  # the pipeline shuffles
        epochs=epochs,
        initial_epoch=arguments.get("initial_epoch", 0),
        verbose=verbose,
        callbacks=hooks,
    )


class _Validation(keras.callbacks.Callback):
    """The ``val_*`` logs of ``fit``'s validation, from one iterator over the
    repeated held-out ``dataset`` (``steps`` batches an epoch); calls the test
    hooks of ``hooks`` (the fit's CallbackList) as ``evaluate`` does."""

    def __init__(self, dataset, steps):
        super().__init__()
        self.iterator = iter(dataset)
        self.steps = steps
        self.hooks = None

    def on_epoch_end(self, epoch, logs=None):
        model = self.model
        model.make_test_function()
        model.reset_metrics()
        self.hooks.on_test_begin()
        outputs = {}
        for step in range(self.steps):
            self.hooks.on_test_batch_begin(step)
            outputs = model.test_function(self.iterator)
            self.hooks.on_test_batch_end(step, outputs)
        results = model.get_metrics_result() or outputs
        self.hooks.on_test_end(results)
        logs.update(
            (f"val_{name}", float(keras.ops.convert_to_numpy(value)))
            for name, value in results.items()
        )


def _set_learning_rate(model: keras.Model, params: dict) -> None:
    """Give the optimizer the current ``optimizer__learning_rate`` (a warm
    start otherwise keeps the rate of the first fit with its state)."""
    value = params.get("optimizer__learning_rate")
    schedule = keras.optimizers.schedules.LearningRateSchedule
    if value is not None and not isinstance(value, schedule):
        if not isinstance(model.optimizer.learning_rate, schedule):
            model.optimizer.learning_rate = float(value)


def _early_stopping(patience, validation_split: float) -> list:
    if patience is None:
        return []
    return [
        keras.callbacks.EarlyStopping(
            monitor="val_loss" if validation_split else "loss",
            patience=patience,
            restore_best_weights=True,
        )
    ]


def training_rows(n_samples: int, validation_split: float) -> int:
    """How many of ``n_samples`` sequences Keras trains on with
    ``validation_split``: the first ones; the rest are held out."""
    return int(np.floor(n_samples * (1.0 - validation_split)))


def _validation_loss(model: keras.Model, x, y, arguments: dict) -> float:
    """``model``'s loss on the sequences ``fit`` holds out with its
    ``validation_split`` (the last ones, as Keras splits)."""
    split_at = training_rows(len(y), arguments["validation_split"])
    weights = arguments.get("sample_weight")
    return float(
        model.evaluate(
            x[split_at:],
            y[split_at:],
            sample_weight=None if weights is None else weights[split_at:],
            batch_size=arguments.get("validation_batch_size")
            or arguments.get("batch_size"),
            verbose=0,
            return_dict=True,
        )["loss"]
    )


class _KeepBest(keras.callbacks.Callback):
    """End a fit with the weights that had the lowest validation loss, the
    starting weights (validation loss ``start``, set before ``fit``) included;
    stop after ``patience`` epochs without improvement (None: train on).

    With ``start_weights`` (set before ``fit``), the start that competes is
    those weights, not the ones training starts from: the patience then
    counts epochs without improving on the fit's own best (a network trained
    from scratch starts far above a good start and needs epochs to reach
    it), and the start wins at the end unless an epoch beat it. A network
    that has not beaten the start after ``GRACE_STEPS`` gradient steps (and
    ``patience`` epochs) stops there: the start is kept. So does one that,
    after ``patience`` epochs, would not reach the start by the last epoch
    even at the rate its best loss fell over the last ``patience`` epochs
    (learning curves flatten, so that straight line is optimistic).
    """

    #: Gradient steps a network trained from scratch gets to beat the start:
    #: about 2.5 times the ~400 it took on 800 and on 2400 training
    #: sequences of benchmarks/learning.py's synthetic family.
    GRACE_STEPS = 1000

    def __init__(self, patience):
        super().__init__()
        self.patience = patience
        self.start = np.inf
        self.start_weights = None

    def on_train_begin(self, logs=None):
        self.wait, self.steps, self.bests = 0, 0, []
        if self.start_weights is None:
            self.best, self.best_weights = self.start, self.model.get_weights()
        else:
            self.best, self.best_weights = np.inf, None

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1

    def on_epoch_end(self, epoch, logs=None):
        loss = (logs or {}).get("val_loss")
        if loss is not None and loss < self.best:
            self.best, self.best_weights, self.wait = loss, self.model.get_weights(), 0
        else:
            self.wait += 1
        self.bests.append(self.best)
        if self.patience is None:
            return
        behind = self.start_weights is not None and not self.best < self.start
        if self.wait >= self.patience or (
            behind
            and epoch + 1 >= self.patience
            and (self.steps >= self.GRACE_STEPS or self._out_of_reach(epoch))
        ):
            self.model.stop_training = True

    def _out_of_reach(self, epoch) -> bool:
        """Whether the best loss, falling on as fast as over the last
        ``patience`` epochs, stays above the start's by the last epoch."""
        if len(self.bests) <= self.patience or not np.isfinite(
            self.bests[-1 - self.patience]
        ):
            return False
        rate = (self.bests[-1 - self.patience] - self.best) / self.patience
        remaining = self.params.get("epochs", epoch + 1) - (epoch + 1)
        return self.best - rate * remaining > self.start

    def on_train_end(self, logs=None):
        if self.start_weights is not None and not self.best < self.start:
            self.best_weights = self.start_weights
        self.model.set_weights(self.best_weights)


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


def choose_jit_compile(setting):
    """What to pass to Keras' ``compile(jit_compile=...)`` for the estimators'
    ``jit_compile`` parameter (``"auto"`` or a bool)."""
    if setting != "auto":
        return bool(setting)
    if keras.backend.backend() == "tensorflow" and not _has_accelerator():
        # Measured on CPU: with steps traced for static shapes, XLA trains
        # more slowly (0.6-0.9x) and compiles for seconds to a minute.
        return False
    # Keras' own choice: XLA on GPU/TPU and with JAX, none with torch.
    return "auto"


def _has_accelerator() -> bool:
    """Whether TensorFlow sees a GPU or TPU."""
    import tensorflow as tf

    return any(
        device.device_type != "CPU" for device in tf.config.list_physical_devices()
    )


# -- steps fed from Python ---------------------------------------------------
def _python_fed(keras_function):
    """Keras' train/test ``function(iterator)``, given one batch taken from the
    iterator in Python: Keras then runs its compiled step on that batch, traced
    for its static shape (once for full batches, once for a last partial one)."""
    import tensorflow as tf

    def function(iterator):
        if isinstance(iterator, tf.data.Iterator):
            iterator = iter([next(iterator)])
        return keras_function(iterator)

    function.fed_from_python = True
    return function


def feed_steps_from_python(model: keras.Model) -> None:
    """Make ``model.fit`` hand each training (and validation) step its batch
    from Python instead of from inside the step's graph.

    The step is then traced with static batch shapes, which TensorFlow runs
    2-3x faster for long sequences on CPU; the price is a second tracing for
    the last, partial batch. Only for the TensorFlow backend with one step per
    execution and no distribution strategy; otherwise nothing changes.
    """
    if keras.backend.backend() != "tensorflow" or model.run_eagerly:
        return
    import tensorflow as tf

    if model.steps_per_execution != 1 or tf.distribute.has_strategy():
        return
    if getattr(model.train_function, "fed_from_python", False):
        return
    model.make_train_function()
    model.make_test_function()
    model.train_function = _python_fed(model.train_function)
    model.test_function = _python_fed(model.test_function)
