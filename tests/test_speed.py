"""The fast paths of issue 5: compiled inference by portions of rows, XLA
choice, no retracing alarms, no needless copies. Behaviours only; timings live in
benchmarks/."""

import logging
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from sklearn_lstmae import (
    LSTMAutoencoderTransformer,
    LSTMSequencePredictor,
    _base,
    _data,
    _inference,
    _model_pool,
    _quiet,
)
from sklearn_lstmae._training import choose_jit_compile
from sklearn_lstmae.datasets import make_sequence_classification

from .conftest import TINY_PREDICTOR, tiny


def test_compiled_inference_equals_model_predict(sequences):
    X, _ = sequences
    ae = tiny().fit(X)
    scaled = ae.scaler_.transform(X)
    codes = ae.transform(X)
    # Keras' predict traces another function: equal to float32's precision.
    np.testing.assert_allclose(
        codes, ae.encoder_.predict(scaled, verbose=0), rtol=1e-5, atol=1e-5
    )
    np.testing.assert_allclose(
        ae.inverse_transform(codes),
        ae.scaler_.inverse_transform(ae.decoder_.predict(codes, verbose=0)),
        rtol=1e-5,
        atol=1e-5,
    )
    # No level removal: the network's outputs are the scaled targets.
    predictor = LSTMSequencePredictor(**TINY_PREDICTOR, level=None, random_state=0)
    predictor.fit(X[:, :6], X[:, 6:])
    keras_outputs = predictor.model_.predict(
        predictor.scaler_.transform(X[:, :6]), verbose=0
    )
    np.testing.assert_allclose(
        predictor.predict(X[:, :6]),
        predictor.target_scaler_.inverse_transform(keras_outputs),
        rtol=1e-5,  # float32 outputs of another traced function
        atol=1e-5,
    )


def test_first_uses_share_the_architectures_forward_pass(sequences, monkeypatch):
    # Two fitted models of one architecture: their first uses run one shared
    # function (weights passed in, so each model's own weights), traced once;
    # the third use traces the model's own. The outputs never change.
    X, _ = sequences
    monkeypatch.setattr(_inference, "_shared", type(_inference._shared)())
    first, second = tiny(random_state=0).fit(X), tiny(random_state=1).fit(X)
    codes = [first.transform(X), second.transform(X), first.transform(X)]
    assert len(_inference._shared) == 1
    for model in (first.encoder_, second.encoder_):
        assert _inference._uses[model].own is None
    third = first.transform(X)
    assert _inference._uses[first.encoder_].own is not None
    np.testing.assert_array_equal(third, codes[0])
    np.testing.assert_array_equal(codes[2], codes[0])
    assert not np.allclose(codes[0], codes[1])  # each model's own weights
    # Trained further, the model's shared uses and its own function agree
    # with each other, not with the codes before.
    second.partial_fit(X)
    later = [second.transform(X) for _ in range(3)]
    assert _inference._uses[second.encoder_].own is not None
    np.testing.assert_array_equal(later[0], later[2])
    assert not np.allclose(later[0], codes[1])


@pytest.mark.parametrize(
    "make",
    [
        lambda: tiny(),
        lambda: tiny(objective="composite", decoder="conditional"),
        lambda: LSTMSequencePredictor(
            **TINY_PREDICTOR, decoder="conditional", random_state=0
        ),
    ],
    ids=["transformer", "composite-conditional", "conditional"],
)
def test_inference_by_portions_equals_one_portion(monkeypatch, ragged, make):
    rng = np.random.RandomState(1)
    X = [rng.normal(size=(length, 2)) for length in rng.randint(5, 9, size=23)]
    estimator = make()
    if isinstance(estimator, LSTMSequencePredictor):
        estimator.fit(X, rng.normal(size=(23, 2)))
        methods = [estimator.predict]
    else:
        estimator.fit(X)
        methods = [estimator.transform, estimator.score_samples]
    whole = [method(X) for method in methods]
    monkeypatch.setattr(_inference, "PORTION_ROWS", 5)  # 23 rows: 5 portions
    for method, expected in zip(methods, whole, strict=True):
        # Other batches: float32 kernels round differently (CPU, threads).
        np.testing.assert_allclose(method(X), expected, rtol=1e-5, atol=1e-6)


def test_portion_outputs_are_written_into_one_result(monkeypatch, sequences):
    # With the number of rows known, each portion's output goes into the result
    # as it comes (no list of portions concatenated at the end): the same values.
    X, _ = sequences
    ae = tiny().fit(X)
    inputs = ae.scaler_.transform(X)
    monkeypatch.setattr(_inference, "PORTION_ROWS", 7)
    stacked = _inference.predict_in_portions(
        ae.encoder_, _inference.in_portions(inputs)
    )
    written = _inference.predict_rows(ae.encoder_, inputs)
    assert written.dtype == np.float32 and written.flags.c_contiguous
    np.testing.assert_array_equal(written, stacked)
    with pytest.raises(ValueError, match="rows for n_rows"):
        _inference.predict_in_portions(
            ae.encoder_, _inference.in_portions(inputs), len(inputs) + 1
        )


class _Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_no_retracing_warning_across_a_grid_search():
    # One batch per epoch and one epoch per fit: the case in which TensorFlow's
    # detector fires on Keras' step functions. With these 8 fits and the refit,
    # TensorFlow 2.21 logs its retracing warning twice when the filter is taken
    # out (with cv=5, 20 fits, it logged none: the search must be this one).
    X, y = make_sequence_classification(n_samples=40, n_timesteps=6, random_state=0)
    pipeline = make_pipeline(
        LSTMAutoencoderTransformer(
            encoding_dim=2, units=3, epochs=1, batch_size=64, random_state=0
        ),
        LogisticRegression(),
    )
    grid = {
        "lstmautoencodertransformer__units": [3, 4],
        "lstmautoencodertransformer__encoding_dim": [2, 3],
    }
    records = _Records()
    logger = logging.getLogger("tensorflow")
    logger.addHandler(records)
    try:
        search = GridSearchCV(pipeline, grid, cv=2).fit(X, y)  # 8 fits + refit
    finally:
        logger.removeHandler(records)
    assert len(search.cv_results_["params"]) * 2 == 8
    assert not [m for m in records.messages if "retracing" in m], records.messages
    # The filter is only in place during fits.
    assert _quiet._tracing_filter not in logger.filters


def test_retracing_filter_keeps_other_warnings():
    record = logging.LogRecord(
        "tensorflow",
        logging.WARNING,
        "",
        0,
        "5 out of the last 5 calls to "
        "<function my_step at 0x1> triggered tf.function retracing.",
        None,
        None,
    )
    assert _quiet._tracing_filter.filter(record)
    record.msg = record.msg.replace(
        "my_step", "TensorFlowTrainer._make_function.<locals>.multi_step_on_iterator"
    )
    assert not _quiet._tracing_filter.filter(record)


def test_jit_compile_auto_is_no_xla_on_cpu_and_fast_steps_only_for_large_fits(
    sequences,
):
    X, _ = sequences
    ae = tiny().fit(X)
    assert ae.jit_compile_ is False
    assert not ae._large_training(30, 2)  # 30 x 2 x 8 sequence-steps
    assert ae._large_training(10_000, 100)
    assert choose_jit_compile(tiny(jit_compile=True).jit_compile) is True


def test_jit_compile_true_trains_every_network_kind(ragged):
    # XLA with masking (variable length) and a fed-back decoder.
    ae = tiny(objective="composite", decoder="conditional", jit_compile=True)
    ae.set_params(epochs=1).fit(ragged)
    assert ae.jit_compile_ is True and ae.model_.jit_compile is True
    assert np.isfinite(ae.transform(ragged)).all()


def test_bad_jit_compile_is_a_clear_error(sequences):
    X, _ = sequences
    with pytest.raises(ValueError, match="jit_compile"):
        tiny(jit_compile="always").fit(X)


def test_float32_input_is_neither_copied_nor_changed(sequences):
    X, _ = sequences
    X = np.ascontiguousarray(X, dtype=np.float32)
    before = X.copy()
    batch = _data.to_sequences(X)
    assert np.shares_memory(batch.values, X)  # no copy of a large input
    assert not batch.values.flags.writeable and X.flags.writeable
    tiny().fit(X).transform(X)
    np.testing.assert_array_equal(X, before)


def test_padding_checks_by_block_report_the_right_sample(monkeypatch):
    monkeypatch.setattr(_data, "_CHECK_ROWS", 4)
    X = np.ones((10, 5, 2))
    X[9, 1, 0] = np.nan
    with pytest.raises(ValueError, match="inside sample 9 "):
        _data.to_sequences(X)
    X = np.ones((10, 5, 2))
    X[6, 3:] = np.nan
    assert _data.to_sequences(X).lengths.tolist() == [5] * 6 + [3] + [5] * 3


def test_works_under_the_jax_backend(tmp_path):
    pytest.importorskip("jax")
    script = textwrap.dedent(
        """
        import pickle
        import keras
        import numpy as np
        from sklearn_lstmae import LSTMAutoencoderTransformer, LSTMSequencePredictor
        from sklearn_lstmae.datasets import make_sequence_classification

        assert keras.backend.backend() == "jax"
        X, _ = make_sequence_classification(n_samples=30, n_timesteps=8,
                                            random_state=0)
        ae = LSTMAutoencoderTransformer(encoding_dim=3, units=4, epochs=2,
                                        downsample=3, random_state=0).fit(X)
        codes = ae.transform(X)
        assert codes.shape == (30, 3 + 2 * 4) and np.isfinite(codes).all()
        assert ae.jit_compile_
        assert ae.inverse_transform(codes).shape == X.shape
        assert ae.score_samples(X).shape == (30,)
        again = pickle.loads(pickle.dumps(ae))
        np.testing.assert_allclose(again.transform(X), codes, atol=1e-6)
        for decoder in ("repeat", "conditional"):
            # One level: level="auto" would fit a network per candidate level.
            predictor = LSTMSequencePredictor(decoder=decoder, units=4, epochs=2,
                                              level="last", random_state=0)
            y_pred = predictor.fit(X[:, :6], X[:, 6:]).predict(X[:, :6])
            assert y_pred.shape == (30, 2, 2)
            again = pickle.loads(pickle.dumps(predictor))
            np.testing.assert_allclose(again.predict(X[:, :6]), y_pred, atol=1e-6)
        print("jax ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "KERAS_BACKEND": "jax"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "jax ok" in result.stdout


@pytest.mark.parametrize(
    "params",
    [
        {"validation_split": 0.2},
        {"objective": "composite", "decoder": "conditional"},
    ],
    ids=["validation", "composite-conditional"],
)
def test_python_fed_steps_train_like_keras_fit(monkeypatch, ragged, params, empty_pool):
    # The fast path (large fits) runs the same Keras steps on the same batches.
    X = ragged * 4  # 24 sequences: one full batch of 16 and a partial one
    weights = np.linspace(0.5, 2.0, len(X))

    def fed_from_python(estimator):  # of the model that trained it
        trainer = _model_pool._idle[_model_pool.architecture_key(estimator.model_)][-1]
        return getattr(trainer.train_function, "fed_from_python", False)

    default = tiny(**params).fit(X, sample_weight=weights)
    assert not fed_from_python(default)
    monkeypatch.setattr(_base, "FAST_MIN_WORK", 0)
    fast = tiny(**params).fit(X, sample_weight=weights)
    assert fed_from_python(fast)
    # The training loss (and validation loss) are the same. (Keras' per-output
    # breakdown of a composite loss is averaged over batches differently by
    # its two step paths, so it is not compared.)
    for key in ("loss", "val_loss"):
        if key in default.history_:
            np.testing.assert_allclose(
                fast.history_[key], default.history_[key], rtol=1e-4
            )
    # Trained by other traced steps: equal to float32's precision.
    np.testing.assert_allclose(
        fast.transform(X), default.transform(X), rtol=1e-5, atol=1e-5
    )


def _order_recorder(n_samples):
    """A Keras model whose training step reports the order of the rows it got
    (``order``: sum of row id x position) and a loss, and trains nothing."""
    import keras
    from keras import ops

    class Recorder(keras.Model):
        def train_step(self, data):
            x = data[0]
            ids = x[:, 0]
            positions = ops.cast(ops.arange(ops.shape(ids)[0]), ids.dtype)
            return {"loss": ops.mean(x), "order": ops.sum(ids * (positions + 1))}

    inputs = keras.Input((1,))
    model = Recorder(inputs, keras.layers.Dense(1)(inputs))
    model.compile("sgd", "mse")
    return model


class _Orders:
    def __init__(self):
        import keras

        class Callback(keras.callbacks.Callback):
            def on_train_batch_end(inner, batch, logs=None):
                self.values.append(float(logs["order"]))

        self.values = []
        self.callback = Callback()


def test_seeded_fits_shuffle_every_epoch_anew():
    # One pipeline per fit: each epoch draws its own order (Keras' new iterator
    # per epoch restarted the seeded shuffle: every epoch saw the first
    # epoch's order), and the same seed gives the same orders.
    from sklearn_lstmae._seeding import seeded
    from sklearn_lstmae._training import fit_resident

    x = np.arange(20, dtype=np.float32)[:, None]

    def orders(seed):
        recorded = _Orders()
        with seeded(seed):
            fit_resident(
                _order_recorder(20),
                x,
                x,
                [recorded.callback],
                {"batch_size": 20, "epochs": 6, "verbose": 0, "shuffle": True},
            )
        return recorded.values

    first = orders(0)
    assert len(set(first)) == 6
    assert orders(0) == first
    assert orders(1) != first


@pytest.mark.parametrize("validation_split", [0.0, 0.25])
def test_resident_pipelines_train_like_keras_fit(validation_split):
    # Without shuffling, fit_resident runs Keras' steps on Keras' batches (the
    # last partial one included) and holds out the same rows: the same
    # weights and the same losses as plain fit, validation loss included.
    import keras

    from sklearn_lstmae._training import fit_resident

    rng = np.random.default_rng(0)
    x = rng.normal(size=(45, 6, 2)).astype(np.float32)
    weights = rng.uniform(0.5, 2.0, 45).astype(np.float32)

    def model():
        keras.utils.set_random_seed(0)
        net = keras.Sequential(
            [keras.Input((6, 2)), keras.layers.LSTM(4), keras.layers.Dense(12)]
        )
        net.compile("adam", "mse")
        return net

    y = x.reshape(45, 12)
    arguments = {
        "batch_size": 8,
        "epochs": 3,
        "verbose": 0,
        "shuffle": False,
        "validation_split": validation_split,
        "sample_weight": weights,
    }
    plain, resident = model(), model()
    expected = plain.fit(x, y, **arguments).history
    history = fit_resident(resident, x, y, [], arguments).history
    assert history.keys() == expected.keys()
    for key in expected:
        np.testing.assert_allclose(history[key], expected[key], rtol=1e-6)
    for got, want in zip(resident.get_weights(), plain.get_weights(), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


def test_resident_pipelines_leave_other_arguments_to_keras():
    # An argument the pipelines do not carry (class_weight, validation_data,
    # ...) goes to plain fit unchanged.
    from sklearn_lstmae._training import fit_resident

    x = np.arange(8, dtype=np.float32)[:, None]
    model = _order_recorder(8)
    recorded = _Orders()
    history = fit_resident(
        model,
        x,
        x,
        [recorded.callback],
        {"batch_size": 4, "epochs": 1, "verbose": 0, "validation_data": (x, x)},
    )
    assert "val_loss" in history.history
    assert len(recorded.values) == 2
