"""A grid search runs on a dask.distributed cluster of worker processes.

The estimators travel to the workers pickled (joblib's dask backend), are
fitted there with TensorFlow imported in each worker, and come back.
"""

import math
import multiprocessing

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from sklearn_lstmae import LSTMAutoencoderTransformer

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


@pytest.mark.slow
def test_grid_search_runs_on_two_dask_worker_processes(sequences):
    X, y = sequences
    pipeline = make_pipeline(
        LSTMAutoencoderTransformer(**{**TINY, "random_state": 0}),
        LogisticRegression(),
    )
    grid = {"lstmautoencodertransformer__encoding_dim": [2, 3]}
    search = GridSearchCV(pipeline, grid, cv=2)

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
        workers = client.scheduler_info()["workers"]
        worker_pids = client.run(lambda: __import__("os").getpid())
        with (
            distributed.get_task_stream(client) as tasks,
            joblib.parallel_backend("dask"),
        ):
            search.fit(X, y)
        task_workers = {task["worker"] for task in tasks.data}

    assert len(workers) == 2
    assert len(set(worker_pids.values())) == 2
    assert multiprocessing.current_process().pid not in worker_pids.values()
    # Both worker processes ran tasks of the search (fits and scores).
    assert task_workers == set(workers), (task_workers, set(workers))

    scores = search.cv_results_["mean_test_score"]
    assert len(scores) == 2
    assert not any(math.isnan(score) for score in scores), scores
    assert search.best_params_ in search.cv_results_["params"]
    predictions = search.best_estimator_.predict(X)
    assert predictions.shape == (len(X),)
    assert set(np.unique(predictions)) <= set(np.unique(y))
