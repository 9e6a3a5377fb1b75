"""
Grid search on a dask.distributed cluster
=========================================

A hyperparameter search fits one network per candidate and fold, and these
fits are independent: they can run on several machines at once. scikit-learn
searches run their fits through :mod:`joblib`, and joblib can hand them to a
`dask.distributed <https://distributed.dask.org>`_ cluster: inside
``with joblib.parallel_backend("dask"):`` every fit of
:class:`~sklearn.model_selection.GridSearchCV` becomes a task that the
scheduler sends to a worker.

This works because the estimators of ``sklearn_lstmae`` are picklable, fitted
or not: each task carries a pickled copy of the pipeline and the data it
needs to a worker process, which fits and scores it there (with its own
TensorFlow) and sends the scores back.

Here the "cluster" is a :class:`~distributed.LocalCluster` of two worker
processes on this machine. The same code runs against a real cluster: start
a scheduler and workers there (``dask scheduler``, ``dask worker ADDRESS``,
or a Kubernetes, HPC or cloud deployment) with ``sklearn_lstmae`` installed
in the workers' environment, and pass the scheduler's address to
:class:`~distributed.Client`, e.g. ``Client("tcp://scheduler-host:8786")``,
instead of a local cluster.
"""

# %%
# Data, pipeline and grid
# -----------------------
#
# Three classes of waveforms; the pipeline encodes each sequence with an LSTM
# autoencoder and classifies the codes. Two candidates (the size of the code)
# and two folds: four fits to spread over the workers.

import multiprocessing
import pickle

import dask
import joblib
import numpy as np
from dask.distributed import Client, LocalCluster, get_task_stream
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lstmae import LSTMAutoencoderTransformer
from sklearn_lstmae.datasets import make_sequence_classification

X, y = make_sequence_classification(n_samples=240, n_timesteps=30, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.5, stratify=y, random_state=0
)

pipeline = make_pipeline(
    LSTMAutoencoderTransformer(
        units=32, epochs=30, batch_size=16, reverse_target=True, random_state=0
    ),
    StandardScaler(),
    LogisticRegression(max_iter=2000),
)
param_grid = {"lstmautoencodertransformer__encoding_dim": [8, 16]}
search = GridSearchCV(pipeline, param_grid, cv=2)

# %%
# A local cluster of two worker processes
# ---------------------------------------
#
# One thread per worker: a worker fits one network at a time. Worker
# processes start by importing this script again (Python's ``spawn`` and
# ``forkserver`` start methods do), so the code that starts the cluster must
# sit under ``if __name__ == "__main__":``, as in any script that starts
# processes.
#
# Each worker imports TensorFlow as it starts, which takes a few seconds.
# Where the platform has it (Linux, macOS), we start the workers with the
# ``forkserver`` method rather than distributed's default ``spawn``: a
# ``spawn`` worker process tears TensorFlow down when it exits, which can take
# longer than the 4 seconds a closing cluster waits for it, and the worker is
# then killed with a warning (harmless, but noisy). ``forkserver`` workers
# exit at once.

if __name__ == "__main__":
    if "forkserver" in multiprocessing.get_all_start_methods():
        dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"})
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    client = Client(cluster)  # for a real cluster: Client("tcp://host:8786")
    print(f"Number of workers: {len(client.scheduler_info()['workers'])}")

# %%
# The search, on the cluster
# --------------------------
#
# Nothing changes in the search itself: only the joblib backend. We record
# which worker ran each task (:func:`~distributed.get_task_stream`). The refit
# of the best candidate on all training sequences (``refit=True``) runs in
# this process, after the search.

if __name__ == "__main__":
    with get_task_stream(client) as tasks, joblib.parallel_backend("dask"):
        search.fit(X_train, y_train)

    tasks_per_worker = {}
    for task in tasks.data:
        tasks_per_worker[task["worker"]] = tasks_per_worker.get(task["worker"], 0) + 1
    print(f"Fit-and-score tasks run: {sum(tasks_per_worker.values())}")
    print(f"Workers that ran tasks: {len(tasks_per_worker)}")
    for params, score in zip(
        search.cv_results_["params"],
        search.cv_results_["mean_test_score"],
        strict=True,
    ):
        print(f"Candidate {params}: cv accuracy {score:.3f}")
    print(f"Best params: {search.best_params_}")
    print(f"Best cv accuracy: {search.best_score_:.3f}")
    print(f"Test accuracy: {search.score(X_test, y_test):.3f}")

# %%
# Both worker processes ran fits. The refit pipeline classifies the held-out
# test sequences far above chance (1/3 for three balanced classes).

# %%
# Fitted estimators travel too
# ----------------------------
#
# The fitted pipeline pickles with its trained network and predicts the same
# after a round trip, so it can be saved, or sent back to workers to predict
# on data that lives there.

if __name__ == "__main__":
    payload = pickle.dumps(search.best_estimator_)
    restored = pickle.loads(payload)
    same = np.array_equal(restored.predict(X_test), search.predict(X_test))
    print(f"Pickled best pipeline: {len(payload) / 1024:.0f} kB")
    print(f"Same predictions after unpickling: {same}")

# %%
# Shutting down
# -------------
#
# Close the client, then the cluster (its worker processes).

if __name__ == "__main__":
    client.close()
    cluster.close()
