"""Work on a dask.distributed cluster of worker processes.

Scoring: a fitted detector scores a series and a set of windows held as dask
arrays, chunk by chunk on the workers. A grid search on such a cluster (the
estimators travel to the workers pickled through joblib's dask backend, are
fitted there with TensorFlow imported in each worker, and come back) is the
gallery's ``plot_dask_search.py``, whose test checks that both workers ran
fits (tests/test_examples.py::test_dask_search_example).
"""

import multiprocessing

import numpy as np
import pytest

from sklearn_lstmae import LSTMAutoencoderOutlierDetector
from sklearn_lstmae.windows import sliding_windows

from .conftest import TINY

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")
joblib = pytest.importorskip("joblib")

# TensorFlow takes seconds to tear down at interpreter exit: "spawn" workers
# (distributed's default) go through it when the cluster closes, past the
# nanny's 4 s grace, and get killed with a warning. "forkserver" workers skip it.
START_METHOD = (
    "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else None
)


@pytest.fixture(scope="module")
def client():
    """A client of a local cluster of two single-threaded worker processes."""
    config = {"distributed.worker.multiprocessing-method": START_METHOD}
    with (
        dask.config.set(config if START_METHOD else {}),
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.mark.slow
def test_series_and_windows_in_dask_arrays_are_scored_on_the_workers(client):
    dask_array = pytest.importorskip("dask.array")
    rng = np.random.RandomState(0)
    steps = np.arange(3000)
    series = np.sin(2 * np.pi * steps / 12) + rng.normal(0, 0.1, len(steps))
    series[2000:2004] += 3.0
    windows = sliding_windows(series[:600], length=10, stride=2)
    detector = LSTMAutoencoderOutlierDetector(
        **{**TINY, "validation_split": "auto", "random_state": 0}
    ).fit(windows)
    lazy_series = dask_array.from_array(series, chunks=500)  # 6 chunks
    lazy_windows = dask_array.from_array(windows, chunks=(60, 10))
    with distributed.get_task_stream(client) as tasks:
        scores = detector.score_series(lazy_series, stride=2)
        labels = detector.predict_series(lazy_series, stride=2)
        window_scores = detector.score_samples(lazy_windows)
        scores, labels, window_scores = dask.compute(scores, labels, window_scores)
    assert {task["worker"] for task in tasks.data} == set(
        client.scheduler_info()["workers"]
    )
    # The same as in memory: windows across chunk edges were scored. Not to
    # the bit: the network runs in float32 and its outputs change with the
    # batch a window is scored in (dask chunks against one in-memory batch:
    # up to 3e-7 relative measured on an AMD EPYC), so scores agree to a
    # float32 tolerance, and labels wherever the score is clear of the
    # threshold by more than that.
    in_memory = detector.score_series(series, stride=2)
    np.testing.assert_allclose(scores, in_memory, rtol=1e-4, atol=1e-6)
    clear = np.abs(in_memory - detector.offset_) > 1e-4 * np.abs(detector.offset_)
    np.testing.assert_array_equal(
        labels[clear], detector.predict_series(series, stride=2)[clear]
    )
    np.testing.assert_allclose(
        window_scores, detector.score_samples(windows), rtol=1e-4, atol=1e-6
    )
    assert (labels[2000:2004] == -1).all()
