"""Seeding for reproducible fits, without leaving global random state changed.

A fit with an integer ``random_state`` seeds Python, NumPy, Keras and TensorFlow
(:func:`seeded`) and restores them afterwards; building a model that must not
consume random numbers runs in :func:`random_state_kept`.
"""

import random
import sys
from contextlib import contextmanager

import numpy as np
from sklearn.utils import check_random_state

from ._compat import (
    keras_seed_state,
    set_keras_seed_state,
    set_tensorflow_seed,
    set_tensorflow_seed_state,
    tensorflow_seed_state,
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
    saved_tf = _tensorflow_seed_state()
    try:
        with random_state_kept():
            _set_random_seed(seed)
            yield
    finally:
        if saved_tf is not _NO_TENSORFLOW:
            set_tensorflow_seed_state(saved_tf)


def _set_random_seed(seed: int) -> None:
    """``keras.utils.set_random_seed(seed)``, with TensorFlow's global seed set
    without clearing TensorFlow's eager kernel caches
    (:func:`._compat.set_tensorflow_seed`).

    The clearing resets the state of stateful random kernels run eagerly; our
    fits run none (Keras 3 draws initializers and dropout from stateless ops
    seeded by its SeedGenerator variables, and shuffles inside tf.data
    functions whose seeds are fixed when the dataset is made, from this
    global seed). But it also drops every instantiated function, so each
    seeded fit paid for instantiating its training step again, most of a
    small fit's time. Reproducibility is pinned by the tests (same seed, same
    codes; reused training models equal new ones; fits in threads equal serial ones).
    """
    set_keras_seed_state((seed, None))
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 (Keras' seeding does it; restored after)
    if "tensorflow" in sys.modules:
        set_tensorflow_seed(seed)


@contextmanager
def random_state_kept():
    """Run a block without it changing Python's, NumPy's or Keras' global random
    state (TensorFlow's global seed is ``seeded``'s business: restoring it also
    restarts TensorFlow's sequence of op seeds, which nothing here should do)."""
    saved_keras = keras_seed_state()
    saved_python = random.getstate()
    saved_numpy = np.random.get_state()  # noqa: NPY002 (restoring it is the point)
    try:
        yield
    finally:
        random.setstate(saved_python)
        np.random.set_state(saved_numpy)  # noqa: NPY002
        set_keras_seed_state(saved_keras)


_NO_TENSORFLOW = object()


def _tensorflow_seed_state():
    """TensorFlow's global seed and the generator of its op seeds, as they
    are (the generator itself: a seeded block replaces it, never changes it),
    so a block that seeded TensorFlow can leave the sequence of op seeds where
    it was, not restarted (a fit whose callback ran another fit meanwhile
    continues as it would have)."""
    if "tensorflow" not in sys.modules:  # e.g. the JAX backend: nothing to save
        return _NO_TENSORFLOW
    # No generator before a seed was ever set (nothing draws op seeds then).
    return tensorflow_seed_state()
