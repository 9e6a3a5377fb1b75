"""Failures never corrupt state: divergence, interruption, warm starts, threads."""

import threading

import keras
import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from sklearn_lstmae import LSTMSequencePredictor

from .conftest import RECURRENT_ONLY, TINY_PREDICTOR, tiny


def exploding(X):
    """Finite data whose squared error overflows float32 when not scaled."""
    return X * 1e30


def test_diverging_fit_raises_and_leaves_estimator_unfitted(sequences):
    X, _ = sequences
    estimator = tiny(scale=False, epochs=5)
    with pytest.raises(FloatingPointError, match="Training diverged.*learning rate"):
        estimator.fit(exploding(X))
    with pytest.raises(NotFittedError):
        estimator.transform(X)
    assert not hasattr(estimator, "n_features_in_")


def test_diverging_fit_stops_at_the_first_bad_batch(sequences, capsys):
    X, _ = sequences
    seen = []
    counter = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append(batch)
    )
    with pytest.raises(FloatingPointError):
        tiny(scale=False, epochs=50, callbacks=[counter]).fit(exploding(X))
    assert len(seen) == 1  # stopped at once, not after 50 epochs of NaN
    assert capsys.readouterr().out == ""  # and quietly (verbose=0)


def test_diverging_warm_fit_keeps_the_fitted_state(sequences):
    X, _ = sequences
    estimator = tiny(scale=False, warm_start=True).fit(X)
    codes, losses = estimator.transform(X), list(estimator.history_["loss"])
    with pytest.raises(FloatingPointError):
        estimator.fit(exploding(X))
    np.testing.assert_array_equal(estimator.transform(X), codes)
    assert estimator.history_["loss"] == losses
    assert np.all(np.isfinite(estimator.transform(X)))


class Interrupt(keras.callbacks.Callback):
    """Raise KeyboardInterrupt (as Ctrl-C would) once armed."""

    armed = False

    def on_train_batch_end(self, batch, logs=None):
        if self.armed:
            raise KeyboardInterrupt


def test_interrupted_first_fit_leaves_estimator_unfitted(sequences):
    X, _ = sequences
    interrupt = Interrupt()
    interrupt.armed = True
    estimator = tiny(callbacks=[interrupt])
    with pytest.raises(KeyboardInterrupt):
        estimator.fit(X)
    with pytest.raises(NotFittedError):
        estimator.transform(X)
    assert not [name for name in vars(estimator) if name.endswith("_")]


@pytest.mark.parametrize("warm_start", [False, True])
def test_interrupted_refit_keeps_the_previous_fit(sequences, warm_start):
    X, _ = sequences
    interrupt = Interrupt()
    estimator = tiny(callbacks=[interrupt], warm_start=warm_start).fit(X)
    model, codes = estimator.model_, estimator.transform(X)
    history = {key: list(values) for key, values in estimator.history_.items()}
    interrupt.armed = True
    with pytest.raises(KeyboardInterrupt):
        estimator.fit(X[::-1] * 2)
    assert estimator.model_ is model
    np.testing.assert_array_equal(estimator.transform(X), codes)
    assert {key: list(values) for key, values in estimator.history_.items()} == history
    interrupt.armed = False
    estimator.fit(X)  # and it still trains afterwards
    assert np.all(np.isfinite(estimator.transform(X)))


def test_bad_input_to_a_refit_keeps_the_previous_fit(sequences):
    X, _ = sequences
    estimator = tiny().fit(X)
    codes = estimator.transform(X)
    with pytest.raises(ValueError):
        estimator.fit(np.full_like(X, np.nan))
    np.testing.assert_array_equal(estimator.transform(X), codes)


def test_partial_fit_continues_from_learned_weights(sequences):
    X, _ = sequences
    estimator = tiny(epochs=30, batch_size=8, **RECURRENT_ONLY).fit(X)
    trained_loss = estimator.history_["loss"][-1]
    fresh_loss = (
        tiny(epochs=1, batch_size=8, **RECURRENT_ONLY).fit(X).history_["loss"][0]
    )
    estimator.partial_fit(X)
    continued = estimator.history_["loss"][-1]
    assert len(estimator.history_["loss"]) == 31
    # The continued epoch starts from the trained weights (and optimizer state),
    # far below where a fresh model starts.
    assert continued < 0.5 * (trained_loss + fresh_loss)
    assert continued < fresh_loss


def test_warm_start_fit_continues_from_learned_weights(sequences):
    X, _ = sequences
    estimator = tiny(warm_start=True, epochs=30, batch_size=8, **RECURRENT_ONLY).fit(X)
    fresh_loss = (
        tiny(epochs=1, batch_size=8, **RECURRENT_ONLY).fit(X).history_["loss"][0]
    )
    estimator.set_params(epochs=1).fit(X)
    assert len(estimator.history_["loss"]) == 31
    assert estimator.history_["loss"][-1] < fresh_loss


def run_in_threads(function, n_threads=4, calls=50):
    results, errors = [[None] * calls for _ in range(n_threads)], []
    barrier = threading.Barrier(n_threads)

    def work(thread):
        try:
            barrier.wait()
            for call in range(calls):
                results[thread][call] = function(call)
        except BaseException as error:  # reported below, with the thread's name
            errors.append(error)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(n_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not errors, errors
    return results


def test_concurrent_calls_equal_serial_calls(sequences, ragged):
    X, _ = sequences
    batches = [X[i % 5 : i % 5 + 1 + i % 7] for i in range(50)]  # 1 to 7 rows
    ae = tiny(decoder="conditional").fit(X)
    predictor = LSTMSequencePredictor(
        **TINY_PREDICTOR, decoder="conditional", random_state=0
    ).fit(X[:, :6], X[:, 6:])
    variable = tiny().fit(ragged)

    def outputs(call):
        batch = batches[call]
        codes = ae.transform(batch)
        return (
            codes,
            ae.inverse_transform(codes),
            ae.score_samples(batch),
            predictor.predict(batch[:, :6]),
            variable.transform(ragged[call % 3 :]),
        )

    serial = [outputs(call) for call in range(50)]
    for thread_results in run_in_threads(outputs):
        for got, expected in zip(thread_results, serial, strict=True):
            for got_array, expected_array in zip(got, expected, strict=True):
                np.testing.assert_array_equal(got_array, expected_array)


# -- issue 14: findings of the adversarial review --------------------------------
def test_finite_divergence_raises_and_keeps_the_previous_fit(sequences):
    X, _ = sequences
    estimator = tiny(epochs=3).fit(X)
    codes = estimator.transform(X)
    estimator.set_params(optimizer__learning_rate=1e6)
    with pytest.raises(FloatingPointError, match="rises above 1000 times"):
        estimator.fit(X)
    np.testing.assert_array_equal(estimator.transform(X), codes)
    assert estimator.get_params()["optimizer__learning_rate"] == 1e6


def test_numpy_integer_parameters_reach_keras_as_ints(sequences):
    X, _ = sequences
    params = {
        "units": np.array([4, 3]),
        "encoding_dim": np.int64(2),
        "epochs": np.int32(1),
        "batch_size": np.int64(16),
        "downsample": np.int64(2),
        "n_future": np.int64(2),
        "objective": "composite",
        "early_stopping": np.int64(3),
    }
    estimator = tiny(**params).fit(X)
    assert estimator.transform(X).shape == (len(X), 2 + 2 * 3)
    assert estimator.get_params()["encoding_dim"] is params["encoding_dim"]
    predictor = LSTMSequencePredictor(
        **{**TINY_PREDICTOR, "units": np.int64(3), "epochs": np.int64(1)}
    ).fit(X[:, :6], X[:, 6:])
    assert predictor.predict(X[:2, :6]).shape == (2, 2, 2)


def test_grid_search_over_numpy_ranges(sequences):
    from sklearn.model_selection import GridSearchCV

    X, _ = sequences
    search = GridSearchCV(tiny(epochs=1), {"encoding_dim": np.arange(2, 4)}, cv=2)
    search.fit(X)
    assert search.best_params_["encoding_dim"] in (2, 3)


def test_fits_in_parallel_threads_equal_serial_fits(sequences):
    X, _ = sequences
    serial = tiny(dropout=0.2).fit(X).transform(X)
    estimators = [tiny(dropout=0.2) for _ in range(2)]
    threads = [threading.Thread(target=e.fit, args=(X,)) for e in estimators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    for estimator in estimators:  # (a failed fit leaves it unfitted: this raises)
        np.testing.assert_array_equal(estimator.transform(X), serial)


def test_parameters_set_after_fit_do_not_change_inference(sequences):
    X, _ = sequences
    ae = tiny().fit(X)
    before = (ae.transform(X), ae.score_samples(X), ae.get_feature_names_out())
    ae.set_params(
        scale=False, units=(7,), reverse_target=True, objective="predict", pooling=None
    )
    after = (ae.transform(X), ae.score_samples(X), ae.get_feature_names_out())
    for got, expected in zip(after, before, strict=True):
        np.testing.assert_array_equal(got, expected)
    predictor = LSTMSequencePredictor(**TINY_PREDICTOR, random_state=0)
    predictor.fit(X[:, :6] + 5, X[:, 6:] + 5)
    predictions = predictor.predict(X[:, :6] + 5)
    predictor.set_params(level="last", scale=False)
    np.testing.assert_array_equal(predictor.predict(X[:, :6] + 5), predictions)
    # The next fit uses them: no pooled outputs, a 3-value code.
    assert ae.set_params(objective="reconstruct").fit(X).transform(X).shape == (
        len(X),
        3,
    )


def test_warm_start_refuses_a_changed_network_and_applies_a_new_learning_rate(
    sequences,
):
    X, _ = sequences
    estimator = tiny(warm_start=True).fit(X)
    estimator.set_params(units=(5,))
    with pytest.raises(ValueError, match="units changed since it was fitted"):
        estimator.fit(X)
    estimator.set_params(units=(4,), optimizer__learning_rate=0.0123)
    estimator.fit(X)
    assert float(estimator.model_.optimizer.learning_rate) == pytest.approx(0.0123)


def test_refit_publishes_the_new_model_only_when_it_is_done(sequences):
    X, _ = sequences
    estimator = tiny(epochs=1)
    first = estimator.fit(X).transform(X)
    old_model = estimator.model_
    seen = []

    class Watch(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            # Another thread would see exactly this during the refit.
            seen.append((estimator.model_ is old_model, estimator.transform(X)))

    estimator.set_params(callbacks=[Watch()], epochs=2).fit(X[::-1] * 3)
    assert seen and all(same for same, _ in seen)
    for _, codes in seen:
        np.testing.assert_array_equal(codes, first)
    assert estimator.model_ is not old_model


def test_score_with_wrongly_sized_sample_weight_says_so(sequences):
    X, _ = sequences
    ae = tiny().fit(X)
    with pytest.raises(ValueError, match="sample_weight.shape"):
        ae.score(X, sample_weight=[1.0, 2.0])
