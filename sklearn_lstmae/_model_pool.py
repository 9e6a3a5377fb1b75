"""Keras models that do the training, reused across fits of one architecture.

Every new Keras model traces its own training step the first time it trains,
and TensorFlow keeps each traced step graph (tens of MB for our networks) in
native memory after the model is deleted: a process that fits many models
grows by that much per fit, whoever wrote the model (measured in
``benchmarks/bench_memory.py``; neither ``gc``, ``clear_session`` nor
``malloc_trim`` gives it back). So an estimator never trains its own
``model_``: :func:`training_model` lends it an idle, already compiled model of
the same architecture (built once per architecture and process), copies the
estimator's weights and optimizer state in, and after a successful fit copies
the trained state back. Memory then grows with the number of distinct
architectures, not with the number of fits, and the fitted ``model_`` is never
shared: it only holds state.
"""

import threading
import types
from collections import OrderedDict
from contextlib import contextmanager

import keras

from ._networks import canonical_config

#: Idle training models kept per process (least recently used go first).
_MAX_IDLE = 8

_idle: "OrderedDict[tuple, list[keras.Model]]" = OrderedDict()
_lock = threading.Lock()
#: How many training models were built (tests read it).
built_count = 0


def architecture_key(model: keras.Model) -> tuple:
    """What two models must share for one to train in place of the other:
    layers, shapes, dtypes, loss, optimizer settings and compile options.

    Keras' own config describes all of it, up to names Keras generates (see
    :func:`canonical_config`), except plain Python loss functions, which it
    records by name only (kept by identity instead).
    """
    functions = tuple(
        value
        for value in _leaves(getattr(model, "loss", None))
        if isinstance(value, types.FunctionType)
    )
    return (canonical_config(model, learning_rate=False), functions)


def _leaves(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _state(model: keras.Model) -> list:
    """Every variable a fit reads or changes: weights, random-seed states,
    optimizer slots, step count and learning rate."""
    optimizer = model.optimizer
    if not optimizer.built:
        optimizer.build(model.trainable_variables)
    return [*model.variables, *optimizer.variables]


def copy_state(source: keras.Model, target: keras.Model) -> keras.Model:
    """Give ``target`` (same architecture) ``source``'s weights, random-seed
    states and optimizer state; return ``target``."""
    for to, value in zip(_state(target), _state(source), strict=True):
        to.assign(value)
    return target


def _checkout(key):
    with _lock:
        models = _idle.get(key)
        if not models:
            return None
        model = models.pop()
        if not models:
            del _idle[key]
        return model


def _checkin(key, model) -> None:
    with _lock:
        _idle.setdefault(key, []).append(model)
        _idle.move_to_end(key)
        while sum(len(models) for models in _idle.values()) > _MAX_IDLE:
            oldest = next(iter(_idle))
            _idle[oldest].pop(0)
            if not _idle[oldest]:
                del _idle[oldest]


@contextmanager
def training_model(model: keras.Model, build):
    """Lend a compiled model of ``model``'s architecture, holding its state.

    ``build()`` makes a new compiled model of the same architecture when no
    idle one exists; it must leave every random state as it found it, so that
    a fit gives the same result whether a model was idle or not. On a normal
    exit the trained state is copied back into ``model``; if the block raises,
    ``model`` keeps the state it had before. Either way the lent model goes
    back to the idle pool.
    """
    global built_count
    key = architecture_key(model)
    trainer = _checkout(key)
    if trainer is None:
        trainer = build()
        with _lock:
            built_count += 1
        if architecture_key(trainer) != key:
            # Not repeatable (e.g. a user-given model factory): train in place.
            yield model
            return
    try:
        copy_state(model, trainer)
        yield trainer
        copy_state(trainer, model)
    finally:
        _checkin(key, trainer)
