"""Fits take turns: one at a time per process, in call order per estimator,
and the user's callbacks run outside the turn.

Seeding is process-global in TensorFlow and Keras (the global seed, the
sequence of op seeds that shuffling and initializers draw from), so two fits
running at once in two threads would draw each other's random numbers and
neither would be reproducible: a fit runs in :func:`fit_turn`. TensorFlow
already spreads one fit over every core; fit in processes (joblib's default)
to run several at once.

A user's callback may itself wait for a fit in another thread (a thread pool
or a threaded ``joblib.Parallel`` inside ``on_epoch_end``): holding the turn
through it would deadlock. So the user's callbacks run with the turn lent
(:func:`lending_turn`): another thread's fit may run meanwhile, and the fit
that lent its turn takes it back before its next training step. A fit draws
no global random numbers between its steps (the shuffling is fixed when its
data pipeline is made, dropout draws from the model's own seed variables) and
a seeded fit restores what it changed (:mod:`._seeding`), so the lending fit
continues as it would have. Two fits of one estimator also take turns
(:func:`estimator_turn`), so neither starts from the state before the other
(two ``partial_fit`` calls add two epochs).
"""

import threading
import weakref
from contextlib import contextmanager

import keras

from ._compat import is_default_hook


class _Turn:
    """A lock a thread holds through nested blocks and can lend meanwhile."""

    def __init__(self):
        self._lock = threading.Lock()
        self._local = threading.local()

    @contextmanager
    def held(self):
        local = self._local
        if getattr(local, "depth", 0):  # a fit within this thread's fit
            local.depth += 1
            try:
                yield
            finally:
                local.depth -= 1
            return
        self._lock.acquire()
        local.depth, local.holding = 1, True
        try:
            yield
        finally:
            local.depth = 0
            # Not holding where a Ctrl-C stopped `lent` taking it back.
            if local.holding:
                local.holding = False
                self._lock.release()

    @contextmanager
    def lent(self):
        local = self._local
        if not getattr(local, "holding", False):
            yield
            return
        depth, local.depth, local.holding = local.depth, 0, False
        self._lock.release()
        try:
            yield
        finally:
            self._lock.acquire()
            local.depth, local.holding = depth, True


_FIT = _Turn()
_ESTIMATORS: "weakref.WeakKeyDictionary[object, threading.RLock]" = (
    weakref.WeakKeyDictionary()
)
_ESTIMATORS_LOCK = threading.Lock()


def fit_turn():
    """A block that runs while no other thread's fit does (see the module)."""
    return _FIT.held()


@contextmanager
def estimator_turn(estimator):
    """A block that runs while no other thread fits ``estimator``."""
    with _ESTIMATORS_LOCK:
        lock = _ESTIMATORS.setdefault(estimator, threading.RLock())
    with lock:
        yield


def lending_turn(callback: keras.callbacks.Callback) -> keras.callbacks.Callback:
    """``callback`` with each of its hooks run outside this thread's fit turn.

    Keras' own bookkeeping callbacks (``History``, ``ProgbarLogger``) are
    returned as they are: Keras looks for them by type, and they run no user
    code. Hooks the callback does not implement stay Keras' defaults, so
    Keras' choice of dispatching batch hooks asynchronously is unchanged.
    """
    if isinstance(callback, keras.callbacks.History | keras.callbacks.ProgbarLogger):
        return callback
    hooks = {
        name: _lending_hook(name)
        for name in _HOOKS
        if not is_default_hook(getattr(callback, name))
    }
    lending = type(f"Lending{type(callback).__name__}", (_Lending,), hooks)
    return lending(callback)


_HOOKS = tuple(
    f"on_{stage}_{edge}"
    for stage in (
        "batch",
        "epoch",
        "train",
        "train_batch",
        "test",
        "test_batch",
        "predict",
        "predict_batch",
    )
    for edge in ("begin", "end")
)


class _Lending(keras.callbacks.Callback):
    """Runs a user's callback (``callback``) with the fit turn lent."""

    def __init__(self, callback):
        super().__init__()
        self.callback = callback
        self.async_safe = getattr(callback, "async_safe", False)

    def set_model(self, model):
        super().set_model(model)
        self.callback.set_model(model)

    def set_params(self, params):
        super().set_params(params)
        self.callback.set_params(params)


def _lending_hook(name: str):
    def hook(self, *args, **kwargs):
        with _FIT.lent():
            return getattr(self.callback, name)(*args, **kwargs)

    hook.__name__ = name
    return hook
