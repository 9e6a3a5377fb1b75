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
            _restore_tensorflow_seed_state(saved_tf)


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


def _tensorflow_seed_state():
    """TensorFlow's global seed and the generator of its op seeds, as they
    are (the generator itself: a seeded block replaces it, never changes it),
    so a block that seeded TensorFlow can leave the sequence of op seeds where
    it was, not restarted (a fit whose callback ran another fit meanwhile
    continues as it would have)."""
    if "tensorflow" not in sys.modules:  # e.g. the JAX backend: nothing to save
        return _NO_TENSORFLOW
    from tensorflow.python.eager import context

    eager = context.context()
    # No generator before a seed was ever set (nothing draws op seeds then).
    return eager._seed, getattr(eager, "_rng", None)


def _restore_tensorflow_seed_state(state) -> None:
    from tensorflow.python.eager import context

    eager = context.context()
    eager._seed, eager._rng = state
