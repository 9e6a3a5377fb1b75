"""Fits take turns without deadlocks, lost epochs or lost changes."""

import threading

import keras
import numpy as np
import pytest

from sklearn_lstmae import LSTMAutoencoderTransformer

X = np.random.RandomState(0).normal(size=(20, 6, 2)).astype(np.float32)
TINY = {"units": (3,), "encoding_dim": 2, "epochs": 1, "random_state": 0}


def on_epoch_end(function):
    return keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: function())


def test_a_callback_may_wait_for_a_fit_in_another_thread():
    # A thread pool (or threaded joblib) inside a callback: the fit lends its
    # turn while the user's callback runs, so the inner fit is not blocked
    # by the fit waiting for it.
    inner = LSTMAutoencoderTransformer(**TINY)
    finished = []

    def fit_in_a_thread():
        worker = threading.Thread(target=inner.fit, args=(X,), daemon=True)
        worker.start()
        worker.join(timeout=120)
        finished.append(not worker.is_alive())

    LSTMAutoencoderTransformer(**TINY, callbacks=[on_epoch_end(fit_in_a_thread)]).fit(X)
    assert finished == [True]
    assert hasattr(inner, "model_")


def test_a_fit_run_from_a_callback_leaves_the_outer_fit_as_it_would_be():
    # What the lending fit draws from global random state is put back by the
    # inner seeded fit (the op-seed sequence included): same codes.
    alone = LSTMAutoencoderTransformer(**{**TINY, "epochs": 2}).fit(X).transform(X)
    inner = LSTMAutoencoderTransformer(**{**TINY, "random_state": 7})
    outer = LSTMAutoencoderTransformer(
        **{**TINY, "epochs": 2}, callbacks=[on_epoch_end(lambda: inner.fit(X))]
    ).fit(X)
    # The same computation in the same process: equal to the bit.
    np.testing.assert_array_equal(outer.transform(X), alone)


def test_concurrent_partial_fits_of_one_estimator_both_count():
    estimator = LSTMAutoencoderTransformer(**TINY).fit(X)
    threads = [threading.Thread(target=estimator.partial_fit, args=(X,)) for _ in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(estimator.history_["loss"]) == 3


def test_changes_made_during_a_fit_are_kept():
    estimator = LSTMAutoencoderTransformer(**TINY)

    def change():
        estimator.set_output(transform="pandas")
        estimator.set_params(optimizer__beta_1=0.5, batch_size=7)
        estimator.note = "set by a callback"

    estimator.set_params(callbacks=[on_epoch_end(change)])
    estimator.fit(X)
    assert type(estimator.transform(X)).__name__ == "DataFrame"
    assert estimator.get_params()["optimizer__beta_1"] == 0.5
    assert estimator.batch_size == 7
    assert estimator.note == "set by a callback"
    # What the fit used is what it recorded.
    assert estimator.fitted_params_["batch_size"] == TINY.get(
        "batch_size", LSTMAutoencoderTransformer().batch_size
    )


def test_a_failed_fit_changes_nothing_and_gives_its_turn_back():
    estimator = LSTMAutoencoderTransformer(**TINY).fit(X)
    before = dict(vars(estimator))

    def fail():
        raise RuntimeError("stop")

    estimator.set_params(callbacks=[on_epoch_end(fail)])
    with pytest.raises(RuntimeError, match="stop"):
        estimator.fit(X)
    assert all(
        vars(estimator)[name] is value
        for name, value in before.items()
        if name != "callbacks"
    )
    estimator.set_params(callbacks=None).fit(X)  # not deadlocked
