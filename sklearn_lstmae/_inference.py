"""Running fitted Keras models: compiled forward passes over bounded portions of rows,
and the cached inference twins of conditional decoders.

``Model.predict`` pays a large fixed cost per call, and ``predict_on_batch``
retraces for every new batch size. :func:`predict_in_portions` runs a
``tf.function`` with a batch dimension of None over portions of at most
:data:`PORTION_ROWS` rows, so memory stays bounded: for a model's first uses the
one its architecture shares (weights passed in: the models of a grid search
trace nothing), then one traced for the model itself (faster per call).

What is cached for a model is keyed weakly by it: it goes away with the model
and is never pickled; the shared forward passes are kept per architecture (a
few, least recently used dropped), each with the model it was traced from.
TensorFlow counts retracing per Python code object, so each model and each
architecture gets its own forward-pass object (functions sharing code across
the models of a grid search would be reported as "retracing").
"""

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable

import keras
import numpy as np

from ._networks import canonical_config

#: Rows per call of a Keras model at inference, so memory stays bounded.
PORTION_ROWS = 4096


def row_portions(n_rows: int):
    """Slices of at most :data:`PORTION_ROWS` rows covering ``range(n_rows)``."""
    for start in range(0, n_rows, PORTION_ROWS):
        yield slice(start, start + PORTION_ROWS)


def predict_in_portions(
    model: keras.Model, portions: Iterable, n_rows: int | None = None
) -> np.ndarray:
    """``model``'s outputs (float32) for an iterable of input portions, stacked.

    Pass an iterable (e.g. a generator preparing each portion of at most
    :data:`PORTION_ROWS` rows) so that prepared inputs never exist for the
    whole data at once; :func:`in_portions` cuts an array that is already
    prepared. With ``n_rows`` (the portions' rows in all), each portion's output
    is written into the result as it comes: the outputs never exist twice
    (portions and their concatenation), which for wide outputs of many rows is
    most of the call's memory.
    """
    function = _forward_function(model)
    if n_rows is None:
        outputs = [np.asarray(function(portion)) for portion in portions]
        return np.concatenate(outputs, axis=0).astype(np.float32, copy=False)
    result, start = None, 0
    for portion in portions:
        output = np.asarray(function(portion))
        if result is None:
            result = np.empty((n_rows, *output.shape[1:]), np.float32)
        result[start : start + len(output)] = output
        start += len(output)
    if result is None or start != n_rows:
        raise ValueError(f"predict_in_portions: {start} rows for n_rows={n_rows}.")
    return result


def in_portions(arrays):
    """An array, or a list of arrays of the same rows (the inputs of a
    multi-input model), cut into portions of :data:`PORTION_ROWS` rows."""
    if isinstance(arrays, list):
        return (
            [array[rows] for array in arrays] for rows in row_portions(_rows(arrays))
        )
    return (arrays[rows] for rows in row_portions(_rows(arrays)))


def _rows(arrays) -> int:
    """Rows of an array, or of a list of arrays of the same rows."""
    return len(arrays[0]) if isinstance(arrays, list) else len(arrays)


def predict_rows(model: keras.Model, arrays) -> np.ndarray:
    """:func:`predict_in_portions` of prepared inputs: an array, or a list of
    arrays of the same rows (the inputs of a multi-input model)."""
    return predict_in_portions(model, in_portions(arrays), _rows(arrays))


class _Forward:
    """``model(inputs, training=False)`` as an object: TensorFlow counts retracing
    per code object, so one shared function would warn after five models."""

    def __init__(self, model):
        # Weak, so that the cache entry (keyed weakly by the model) can go away.
        self.model = weakref.ref(model)

    def __call__(self, inputs):
        return self.model()(inputs, training=False)


class _StatelessForward:
    """The forward pass of an architecture with the weights as arguments
    (``stateless_call`` of a template model of that architecture: its
    structure is used, never its weights)."""

    def __init__(self, template):
        self.template = template

    def __call__(self, trainable, non_trainable, inputs):
        outputs, _ = self.template.stateless_call(
            trainable, non_trainable, inputs, training=False
        )
        return outputs


class _Uses:
    """A model's forward pass: how often it was asked for, and its own traced
    function once it has one."""

    def __init__(self):
        self.count = 0
        self.own = None
        self.architecture = None  # the key of the shared function, once known


#: A model's first uses (calls of :func:`predict_in_portions`) run the forward
#: pass shared by its architecture, which passes the weights in (about 0.4 ms
#: more per call); from the next use on, the model traces its own function
#: (about 0.1 s once). A grid search's candidates use each model twice
#: (``fit_transform``, then ``score``), so they trace nothing of their own.
_SHARED_USES = 2
#: Architectures whose shared forward pass is kept (least recently used go).
_MAX_SHARED = 8

_uses: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_shared: "OrderedDict[tuple, Callable]" = OrderedDict()
_shared_lock = threading.Lock()


def _forward_function(model: keras.Model):
    """A compiled forward pass of ``model`` with one stable input signature:
    a concrete function with a batch dimension of None. Each call counts as a
    use of ``model``: its first :data:`_SHARED_USES` uses get the function
    its architecture shares (traced once per process), later ones its own,
    traced once. Eager with ``run_eagerly=True``; ``predict_on_batch`` on
    other backends."""
    uses = _uses.get(model)
    if uses is None:
        uses = _uses[model] = _Uses()
    uses.count += 1
    if uses.own is not None:
        return uses.own
    if model.run_eagerly:  # asked for no compilation (debugging, tiny data)
        uses.own = _Forward(model)
    elif keras.backend.backend() != "tensorflow":
        uses.own = model.predict_on_batch
    elif uses.count <= _SHARED_USES:
        variables = (model.trainable_variables, model.non_trainable_variables)
        shared = _shared_forward(model, uses, variables)
        return lambda inputs: shared(*variables, inputs)
    else:
        uses.own = _trace(_Forward(model), _input_specs(model))
    return uses.own


def _input_specs(model: keras.Model) -> list:
    """The input signature of ``model``'s forward pass: its inputs with a
    batch dimension of None, one input or a list of them."""
    import tensorflow as tf

    specs = [
        tf.TensorSpec((None, *tensor.shape[1:]), tf.float32) for tensor in model.inputs
    ]
    return specs if len(specs) == 1 else [specs]


def _trace(function, signature: list):
    """The concrete function of ``tf.function(function)``, traced now: calling
    it skips the polymorphic function's argument binding and cache lookup."""
    import tensorflow as tf

    return tf.function(function, input_signature=signature).get_concrete_function()


def _shared_forward(model: keras.Model, uses: _Uses, variables: tuple):
    """The forward pass shared by ``model``'s architecture, taking
    ``variables`` (its trainable and non-trainable ones), traced on first use.
    Architectures are told apart as the trainer pool does, by the network's
    config (which fixes the variables' shapes), compile settings left out."""
    if uses.architecture is None:
        uses.architecture = canonical_config(model, compiled=False)
    key = uses.architecture
    with _shared_lock:
        function = _shared.get(key)
        if function is None:
            import tensorflow as tf

            specs = [[tf.TensorSpec(v.shape, v.dtype) for v in g] for g in variables]
            function = _trace(_StatelessForward(model), [*specs, *_input_specs(model)])
            _shared[key] = function
            while len(_shared) > _MAX_SHARED:
                _shared.popitem(last=False)
        _shared.move_to_end(key)
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
