"""The private APIs of other libraries that ``_compat`` wraps still exist and
do what the package relies on (the versions installed; CI also runs this on
the minimum versions pyproject.toml declares)."""

import keras
import numpy as np
import tensorflow as tf

from sklearn_lstmae import _compat
from sklearn_lstmae._seeding import random_state_kept


def test_array_data_adapter_batches_arrays():
    adapter = _compat.ArrayDataAdapter(
        np.zeros((5, 2)), np.zeros(5), batch_size=2, shuffle=False
    )
    assert adapter.num_batches == 3


def test_flatten_layers_reaches_nested_layers():
    inputs = keras.Input((3, 2))
    bidirectional = keras.layers.Bidirectional(keras.layers.LSTM(4))
    inner = keras.Model(inputs, bidirectional(inputs))
    model = keras.Sequential([keras.Input((3, 2)), inner, keras.layers.Dense(1)])
    layers = _compat.flatten_layers(model)
    assert model not in layers
    assert inner in layers and bidirectional in layers
    assert bidirectional.forward_layer in layers
    assert bidirectional.backward_layer in layers


def test_is_default_hook_tells_keras_no_ops_from_overrides():
    class Counting(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            pass

    callback = Counting()
    # Keras marks its no-op hooks since 3.6 (and dispatches batch hooks
    # asynchronously where all are no-ops); 3.3 to 3.5 mark none and call
    # every hook, so a wrapper has nothing to keep there.
    marked = tuple(map(int, keras.__version__.split(".")[:2])) >= (3, 6)
    assert _compat.is_default_hook(callback.on_test_batch_end) == marked
    assert not _compat.is_default_hook(callback.on_train_batch_end)


def test_keras_seed_state_holds_the_global_seed_generator():
    from keras.src.random import seed_generator

    with random_state_kept():
        _compat.set_keras_seed_state((7, None))
        generator = seed_generator.global_seed_generator()
        assert _compat.keras_seed_state()[1] is generator
        _compat.set_keras_seed_state((None, None))
        assert seed_generator.global_seed_generator() is not generator


def test_keras_global_seed_is_read_where_keras_keeps_it():
    from keras.src.utils import rng_utils

    saved = _compat.tensorflow_seed_state()
    try:
        with random_state_kept():
            keras.utils.set_random_seed(11)
            seed = _compat.keras_seed_state()[0]
    finally:
        _compat.set_tensorflow_seed_state(saved)
    # Keras keeps a global seed since 3.10; before, it seeded Python's only.
    assert seed == (11 if hasattr(rng_utils, "GLOBAL_RANDOM_SEED") else None)


def test_tensorflow_seed_is_set_as_tf_random_set_seed_sets_it():
    saved = _compat.tensorflow_seed_state()
    try:
        tf.random.set_seed(5)
        theirs = [tf.compat.v1.get_seed(None) for _ in range(3)]
        _compat.set_tensorflow_seed(5)
        ours = [tf.compat.v1.get_seed(None) for _ in range(3)]
    finally:
        _compat.set_tensorflow_seed_state(saved)
    assert ours == theirs
    assert _compat.tensorflow_seed_state() == saved


def test_sklearn_checks_take_sample_weights_and_feature_names():
    assert np.array_equal(
        _compat.check_sample_weight(None, np.zeros((3, 2))), np.ones(3)
    )
    import pandas as pd

    class Estimator:
        pass

    estimator = Estimator()
    _compat.check_feature_names(estimator, pd.DataFrame({"a": [1.0]}), reset=True)
    assert list(estimator.feature_names_in_) == ["a"]
