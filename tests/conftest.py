"""Shared fixtures: tiny models and small data keep the suite fast."""

import gc
import re

import numpy as np
import pytest

from sklearn_lstmae import LSTMAutoencoderTransformer, _model_pool
from sklearn_lstmae.datasets import make_sequence_classification

#: Settings of a tiny, quick-to-train transformer for tests (no validation
#: pass: it costs each fit a traced test step; tests of the defaults' held-out
#: sequences set ``validation_split`` themselves).
TINY = {
    "units": (4,),
    "encoding_dim": 3,
    "epochs": 2,
    "batch_size": 16,
    "validation_split": 0.0,
}
#: A tiny predictor, without held-out windows for the same reason (and so
#: one fit, not one per level of ``level="auto"``); tests of intervals and of
#: the level chosen by evidence set ``validation_split`` themselves.
TINY_PREDICTOR = {"units": (4,), "epochs": 2, "batch_size": 16, "validation_split": 0.0}
#: The transformer's recurrent network alone, trained for all its epochs on all
#: sequences (the defaults of version 0.2), for tests of how it learns.
RECURRENT_ONLY = {"linear_path": False, "validation_split": 0.0, "early_stopping": None}


def tiny(**params):
    """A TINY transformer, seeded, with ``params`` on top."""
    return LSTMAutoencoderTransformer(**{**TINY, "random_state": 0, **params})


#: Tests between full collections of everything, frozen objects included. Each
#: walks every live object (idle training models, module fixtures: seconds on
#: 2 cores), while what it frees is only what died after a test that made it
#: (an evicted training model, a finished module's fixtures): measured on a
#: third of the suite, every 25 tests took ~15% of its time for ~10% less peak
#: memory than never.
_FULL_COLLECTION_EVERY = 100
_tests_started = 0


def pytest_collection_modifyitems(items):
    """scikit-learn's expected failures that cannot pass (a test module's
    ``NOT_RUN`` names the checks) are marked as expected failures that are not
    run: scikit-learn marks them with the reason, but runs them."""
    for item in items:
        not_run = getattr(getattr(item, "module", None), "NOT_RUN", ())
        check = re.search(r"-(check_\w+)\]$", item.name)
        if check is not None and check.group(1) in not_run:
            reasons = [mark.kwargs.get("reason") for mark in item.iter_markers("xfail")]
            assert reasons, f"{item.name} is in NOT_RUN but not an expected failure"
            item.add_marker(
                pytest.mark.xfail(run=False, reason=reasons[0]), append=False
            )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Collect the garbage of the tests before, then freeze what survives.

    Every architecture a test trains leaves TensorFlow graphs behind (hundreds
    of thousands of objects over the suite), and each automatic full
    collection walked all of them again: about 15% of the suite's time went to
    the garbage collector. Objects alive when a test starts (fixtures, caches,
    idle training models) are taken out of the automatic collections
    (``gc.freeze``), so those walk little more than one test's objects; every
    ``_FULL_COLLECTION_EVERY`` tests the frozen objects are collected too, so
    what died since (an evicted training model, a finished module's fixtures)
    is freed. Done before a test, not after it: after a test its fixture
    values are still referenced.
    """
    global _tests_started
    _tests_started += 1
    if _tests_started % _FULL_COLLECTION_EVERY == 0:
        gc.unfreeze()
    gc.collect()
    gc.freeze()


@pytest.fixture
def sequences():
    """Fixed-length multivariate sequences (30, 8, 2) and labels."""
    X, y = make_sequence_classification(n_samples=30, n_timesteps=8, random_state=0)
    return X.astype(np.float32), y


@pytest.fixture
def ragged():
    """Variable-length sequences: a list of (T_i, 2) arrays."""
    rng = np.random.RandomState(0)
    return [rng.normal(size=(length, 2)) for length in (5, 8, 3, 7, 6, 8)]


@pytest.fixture
def empty_pool(monkeypatch):
    """No idle training models (``_model_pool``) for the duration of a test."""
    monkeypatch.setattr(_model_pool, "_idle", type(_model_pool._idle)())


#: Code width of TINY: the bottleneck, then the mean and max of the 4 outputs.
TINY_CODES = 3 + 2 * 4
