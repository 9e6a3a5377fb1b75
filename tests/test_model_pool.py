"""Training models reused across fits (issue 5: no memory growth across fits).

An estimator's ``model_`` never trains; an idle compiled model of the same
architecture does, and hands its state back. These tests pin what users must not
notice: same results, nothing shared, nothing half-copied.
"""

import keras
import numpy as np
import pytest

from sklearn_lstmae import LSTMSequencePredictor, _model_pool

from .conftest import TINY_PREDICTOR, tiny


def test_fits_of_one_architecture_build_one_training_model(sequences, empty_pool):
    X, _ = sequences
    built = _model_pool.built_count
    first = tiny().fit(X)  # the training model is built for this fit
    codes = first.transform(X)
    for seed in (1, 2):
        tiny(random_state=seed).fit(X)
    again = tiny().fit(X)  # trains on the idle model left by earlier fits
    assert _model_pool.built_count == built + 1
    np.testing.assert_array_equal(again.transform(X), codes)
    np.testing.assert_array_equal(first.transform(X), codes)  # untouched since


@pytest.mark.parametrize("decoder", ["repeat", "conditional"])
def test_predictor_reuses_training_models_with_identical_results(
    sequences, empty_pool, decoder
):
    X, _ = sequences
    make = LSTMSequencePredictor(**TINY_PREDICTOR, decoder=decoder, random_state=3)
    built = _model_pool.built_count
    first = make.fit(X[:, :6], X[:, 6:]).predict(X[:, :6])
    second = LSTMSequencePredictor(**make.get_params()).fit(X[:, :6], X[:, 6:])
    assert _model_pool.built_count == built + 1
    np.testing.assert_array_equal(second.predict(X[:, :6]), first)


def test_fitted_models_are_never_the_training_models(sequences, empty_pool):
    X, _ = sequences
    estimators = [tiny(random_state=seed).fit(X) for seed in range(3)]
    idle = [model for models in _model_pool._idle.values() for model in models]
    models = [estimator.model_ for estimator in estimators]
    assert len({id(model) for model in models}) == 3
    assert not {id(model) for model in models} & {id(model) for model in idle}


def test_different_settings_train_different_models(sequences):
    X, _ = sequences
    keys = {
        _model_pool.architecture_key(tiny(**params).fit(X[:, :3]).model_)
        for params in ({}, {"optimizer__beta_1": 0.8}, {"loss": "mae"})
    }
    assert len(keys) == 3
    for params in ({"random_state": 5}, {"optimizer__learning_rate": 0.01}):
        # The seed is not architecture; a constant learning rate is optimizer
        # state (a variable copied with the weights), not architecture either.
        model = tiny(**params).fit(X[:, :3]).model_
        assert _model_pool.architecture_key(model) in keys


def test_a_reused_trainer_trains_with_the_estimators_learning_rate(
    sequences, empty_pool
):
    X, _ = sequences
    tiny().fit(X)  # leaves an idle trainer compiled with the default rate
    reused = tiny(optimizer__learning_rate=0.05).fit(X)
    _model_pool._idle.clear()
    built = tiny(optimizer__learning_rate=0.05).fit(X)
    assert float(reused.model_.optimizer.learning_rate) == pytest.approx(0.05)
    np.testing.assert_array_equal(reused.transform(X), built.transform(X))


def test_failed_fit_leaves_the_fitted_state(sequences):
    X, _ = sequences
    failing = []

    def fail(batch, logs):
        if failing:
            raise RuntimeError("stop here")

    callback = keras.callbacks.LambdaCallback(on_batch_end=fail)
    estimator = tiny(warm_start=True, callbacks=[callback]).fit(X)
    codes = estimator.transform(X)
    iterations = int(estimator.model_.optimizer.iterations)
    failing.append(True)  # the next fit fails after training on one batch
    with pytest.raises(RuntimeError, match="stop here"):
        estimator.fit(X)
    np.testing.assert_array_equal(estimator.transform(X), codes)
    assert int(estimator.model_.optimizer.iterations) == iterations


def test_continued_training_keeps_optimizer_state(sequences):
    X, _ = sequences
    estimator = tiny(epochs=1).fit(X)
    steps_per_epoch = int(estimator.model_.optimizer.iterations)
    assert steps_per_epoch > 0  # the trained optimizer state came back
    estimator.partial_fit(X)
    assert int(estimator.model_.optimizer.iterations) == 2 * steps_per_epoch


def test_idle_training_models_are_bounded(monkeypatch, empty_pool, sequences):
    X, _ = sequences
    monkeypatch.setattr(_model_pool, "_MAX_IDLE", 2)
    for units in (3, 4, 5):
        tiny(units=units, epochs=1).fit(X[:, :3])
    assert sum(len(models) for models in _model_pool._idle.values()) == 2


def test_variable_length_fits_reuse_one_training_model(ragged, empty_pool):
    # The padding mask's operations get process-wide numbered names from Keras;
    # the architecture key must not see them.
    built = _model_pool.built_count
    codes = tiny().fit(ragged).transform(ragged)
    again = tiny().fit(ragged)
    assert _model_pool.built_count == built + 1
    np.testing.assert_array_equal(again.transform(ragged), codes)


@pytest.mark.parametrize("objective", ["reconstruct", "composite"])
def test_a_new_network_traces_its_training_step_once(
    objective, sequences, empty_pool, monkeypatch
):
    # A composite network has two outputs, whose loss trackers Keras creates
    # in the first traced step unless they exist: TensorFlow then traces the
    # step a second time (_training._build_loss_trackers).
    traced = []
    train_step = keras.Model.train_step

    def counting(model, data):
        traced.append(model.name)
        return train_step(model, data)

    monkeypatch.setattr(keras.Model, "train_step", counting)
    X, _ = sequences
    tiny(objective=objective, n_future=2, epochs=2).fit(X)
    assert len(traced) == 1, traced
