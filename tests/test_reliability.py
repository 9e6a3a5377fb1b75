"""Failures never corrupt state: divergence, interruption, warm starts, threads."""

import threading

import keras
import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from sklearn_lstmae import LSTMSequencePredictor

from .conftest import TINY_PREDICTOR, tiny


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
    estimator = tiny(epochs=30, batch_size=8).fit(X)
    trained_loss = estimator.history_["loss"][-1]
    fresh_loss = tiny(epochs=1, batch_size=8).fit(X).history_["loss"][0]
    estimator.partial_fit(X)
    continued = estimator.history_["loss"][-1]
    assert len(estimator.history_["loss"]) == 31
    # The continued epoch starts from the trained weights (and optimizer state),
    # far below where a fresh model starts.
    assert continued < 0.5 * (trained_loss + fresh_loss)
    assert continued < fresh_loss


def test_warm_start_fit_continues_from_learned_weights(sequences):
    X, _ = sequences
    estimator = tiny(warm_start=True, epochs=30, batch_size=8).fit(X)
    fresh_loss = tiny(epochs=1, batch_size=8).fit(X).history_["loss"][0]
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
        **TINY_PREDICTOR, decoder="teacher_forcing", random_state=0
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
