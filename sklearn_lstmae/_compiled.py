"""Compiled functions that drive the Keras models: training steps and inference.

Two things make Keras slower than it needs to be for our estimators on CPU:

- ``Model.fit`` (TensorFlow backend) runs each training step inside a
  ``tf.function`` that also pulls the batch from the ``tf.data`` iterator, so
  the step is traced for a batch dimension of None; on CPU that graph runs
  recurrent layers 2-3x slower than the step traced for the static batch
  shape (measured in ``benchmarks/bench_fit.py``). :func:`feed_steps_from_python`
  keeps ``fit`` (callbacks, history, validation, shuffling) and replaces only
  how a step gets its batch.
- ``Model.predict`` pays a large fixed cost per call, and ``predict_on_batch``
  retraces for every new batch size. :func:`predict_in_chunks` runs a
  ``tf.function`` with a batch dimension of None, traced once per model, over
  bounded chunks.

Every compiled function here is keyed to one model: TensorFlow counts retracing
per Python code object, so functions sharing code across the models of a grid
search would be reported as "retracing" after five fits.
"""

import logging
import threading
import weakref
from contextlib import contextmanager

import keras
import numpy as np

from ._quiet import native_logs_filtered

#: Rows per call of the Keras model at inference, so memory stays bounded.
_INFERENCE_CHUNK = 4096


# -- training --------------------------------------------------------------
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


class _KerasStepTracingFilter(logging.Filter):
    """Drop TensorFlow's "triggered tf.function retracing" warning about Keras'
    own step functions while one of our estimators trains.

    TensorFlow counts tracing per Python code object, and every Keras model
    builds its train/test step functions from the same code, so a grid search
    that fits many small models (each traced once, as a new model must be)
    looks like one function being retraced again and again. Only that false
    alarm is dropped, and only during our fits; inference functions are our
    own and keyed per model, so they never trigger it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (
            "triggered tf.function retracing" in message
            and "TensorFlowTrainer._make_function" in message
        )


_tracing_filter = _KerasStepTracingFilter()
_tracing_filter_users = 0
_tracing_filter_lock = threading.Lock()


@contextmanager
def quiet_step_tracing():
    """Install :class:`_KerasStepTracingFilter` on TensorFlow's logger for a
    block (reference-counted, so concurrent fits in threads share it)."""
    global _tracing_filter_users
    logger = logging.getLogger("tensorflow")
    with _tracing_filter_lock:
        if _tracing_filter_users == 0:
            logger.addFilter(_tracing_filter)
        _tracing_filter_users += 1
    try:
        yield
    finally:
        with _tracing_filter_lock:
            _tracing_filter_users -= 1
            if _tracing_filter_users == 0:
                logger.removeFilter(_tracing_filter)


def has_accelerator() -> bool:
    """Whether TensorFlow sees a GPU or TPU."""
    import tensorflow as tf

    return any(
        device.device_type != "CPU" for device in tf.config.list_physical_devices()
    )


# -- inference --------------------------------------------------------------
class _Forward:
    """``model(inputs, training=False)`` as an object: TensorFlow counts retracing
    per code object, so one shared function would warn after five models."""

    def __init__(self, model):
        # Weak, so that the cache entry (keyed weakly by the model) can go away.
        self.model = weakref.ref(model)

    def __call__(self, inputs):
        return self.model()(inputs, training=False)


_inference_functions: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _inference_function(model: keras.Model):
    """A compiled forward pass of ``model`` with one stable input signature.

    ``Model.predict`` pays a large fixed cost per call and ``predict_on_batch``
    retraces for every new batch size; a ``tf.function`` with a batch dimension
    of None is traced once per model and reused for every call (a model compiled
    with ``run_eagerly=True`` runs eagerly here too). Cached per model object
    (weakly, so it goes away with the model and is never pickled).
    """
    function = _inference_functions.get(model)
    if function is None:
        if model.run_eagerly:  # asked for no compilation (debugging, tiny data)
            function = _Forward(model)
        elif keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            signature = [tf.TensorSpec((None, *model.input_shape[1:]), tf.float32)]
            function = tf.function(_Forward(model), input_signature=signature)
        else:
            function = model.predict_on_batch
        _inference_functions[model] = function
    return function


def predict_in_chunks(model: keras.Model, inputs, prepare=None) -> np.ndarray:
    """Run ``model`` on ``inputs`` in bounded chunks, without ``Model.predict``.

    ``inputs`` is an array of model inputs, or, with ``prepare``, a
    :class:`SequenceBatch` that ``prepare`` turns into model inputs one chunk
    at a time (so scaled copies never exist for the whole input at once).
    """
    function = _inference_function(model)
    n_rows = len(inputs) if prepare is None else inputs.n_samples
    outputs = []
    with native_logs_filtered():
        for rows in row_chunks(n_rows):
            chunk = inputs[rows] if prepare is None else prepare(inputs.take(rows))
            outputs.append(np.asarray(function(chunk)))
    return np.concatenate(outputs, axis=0).astype(np.float32, copy=False)


def row_chunks(n_rows: int):
    """Slices of at most ``_INFERENCE_CHUNK`` rows covering ``range(n_rows)``."""
    for start in range(0, n_rows, _INFERENCE_CHUNK):
        yield slice(start, start + _INFERENCE_CHUNK)
