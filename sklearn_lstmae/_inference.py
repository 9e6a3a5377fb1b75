"""Running fitted Keras models: compiled forward passes over bounded chunks,
and the cached inference twins of conditional decoders.

``Model.predict`` pays a large fixed cost per call, and ``predict_on_batch``
retraces for every new batch size. :func:`predict_in_chunks` runs a
``tf.function`` with a batch dimension of None, traced once per model, over
chunks of at most :data:`CHUNK_ROWS` rows, so memory stays bounded.

Everything cached here is keyed weakly by the model it belongs to: it goes away
with the model and is never pickled. TensorFlow counts retracing per Python code
object, so each model gets its own forward-pass object (functions sharing code
across the models of a grid search would be reported as "retracing").
"""

import weakref
from collections.abc import Callable, Iterable

import keras
import numpy as np

from ._quiet import native_logs_filtered

#: Rows per call of a Keras model at inference, so memory stays bounded.
CHUNK_ROWS = 4096


def row_chunks(n_rows: int):
    """Slices of at most :data:`CHUNK_ROWS` rows covering ``range(n_rows)``."""
    for start in range(0, n_rows, CHUNK_ROWS):
        yield slice(start, start + CHUNK_ROWS)


def predict_in_chunks(
    model: keras.Model, chunks: Iterable, n_rows: int | None = None
) -> np.ndarray:
    """``model``'s outputs (float32) for an iterable of input chunks, stacked.

    Pass an iterable (e.g. a generator preparing each chunk of at most
    :data:`CHUNK_ROWS` rows) so that prepared inputs never exist for the
    whole data at once; :func:`in_chunks` cuts an array that is already
    prepared. With ``n_rows`` (the chunks' rows in all), each chunk's output
    is written into the result as it comes: the outputs never exist twice
    (chunks and their concatenation), which for wide outputs of many rows is
    most of the call's memory.
    """
    with native_logs_filtered():  # tracing and running may log (oneDNN)
        function = _forward_function(model)
        if n_rows is None:
            outputs = [np.asarray(function(chunk)) for chunk in chunks]
            return np.concatenate(outputs, axis=0).astype(np.float32, copy=False)
        result, start = None, 0
        for chunk in chunks:
            output = np.asarray(function(chunk))
            if result is None:
                result = np.empty((n_rows, *output.shape[1:]), np.float32)
            result[start : start + len(output)] = output
            start += len(output)
    if result is None or start != n_rows:
        raise ValueError(f"predict_in_chunks: {start} rows for n_rows={n_rows}.")
    return result


def in_chunks(arrays):
    """An array, or a list of arrays of the same rows (the inputs of a
    multi-input model), cut into chunks of :data:`CHUNK_ROWS` rows."""
    if isinstance(arrays, list):
        return ([array[rows] for array in arrays] for rows in row_chunks(_rows(arrays)))
    return (arrays[rows] for rows in row_chunks(_rows(arrays)))


def _rows(arrays) -> int:
    """Rows of an array, or of a list of arrays of the same rows."""
    return len(arrays[0]) if isinstance(arrays, list) else len(arrays)


def predict_rows(model: keras.Model, arrays) -> np.ndarray:
    """:func:`predict_in_chunks` of prepared inputs: an array, or a list of
    arrays of the same rows (the inputs of a multi-input model)."""
    return predict_in_chunks(model, in_chunks(arrays), _rows(arrays))


class _Forward:
    """``model(inputs, training=False)`` as an object: TensorFlow counts retracing
    per code object, so one shared function would warn after five models."""

    def __init__(self, model):
        # Weak, so that the cache entry (keyed weakly by the model) can go away.
        self.model = weakref.ref(model)

    def __call__(self, inputs):
        return self.model()(inputs, training=False)


_forward_functions: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _forward_function(model: keras.Model):
    """A compiled forward pass of ``model`` with one stable input signature:
    the concrete function of a ``tf.function`` with a batch dimension of None,
    traced once per model
    (eager with ``run_eagerly=True``; ``predict_on_batch`` on other backends)."""
    function = _forward_functions.get(model)
    if function is None:
        if model.run_eagerly:  # asked for no compilation (debugging, tiny data)
            function = _Forward(model)
        elif keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            specs = [
                tf.TensorSpec((None, *tensor.shape[1:]), tf.float32)
                for tensor in model.inputs
            ]
            # One input, or a list of them (e.g. sequences and future inputs).
            signature = specs if len(specs) == 1 else [specs]
            # The concrete function, traced now: calling it skips the
            # polymorphic function's argument binding and cache lookup.
            function = tf.function(
                _Forward(model), input_signature=signature
            ).get_concrete_function()
        else:
            function = model.predict_on_batch
        _forward_functions[model] = function
    return function


_twins: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def inference_twin(model: keras.Model, key, build: Callable[[], keras.Model]):
    """The model ``build()`` makes for ``model`` and ``key`` (e.g. the inference
    twin of one of its conditional decoders, sharing its layers), built on
    first use and cached with ``model``."""
    twins = _twins.setdefault(model, {})
    if key not in twins:
        twins[key] = build()
    return twins[key]
