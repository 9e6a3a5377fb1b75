"""
Tuning an LSTM autoencoder inside a classification pipeline
===========================================================

:class:`~sklearn_lstmae.LSTMAutoencoderTransformer` is an ordinary
scikit-learn transformer, so it can be the first step of a
:class:`~sklearn.pipeline.Pipeline` and its parameters can be tuned by
:class:`~sklearn.model_selection.GridSearchCV` together with those of the
downstream model. Here the pipeline is

LSTM autoencoder (sequences -> codes) -> :class:`~sklearn.preprocessing.StandardScaler`
-> :class:`~sklearn.linear_model.LogisticRegression`

on :func:`~sklearn_lstmae.datasets.make_sequence_classification`, whose three
classes differ in waveform shape and rhythm (sine, square, sawtooth), not in
level or phase. The search picks the size of the code (``encoding_dim``) by
3-fold cross-validation; the tuned pipeline is then scored on a test set drawn
with another seed, next to the same logistic regression fitted on the raw
flattened series.
"""

# %%
# Data
# ----
# Two independent draws of the generator: one to train (and cross-validate)
# on, one to test on. Each sequence has 30 time steps of 2 features.

import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lstmae import LSTMAutoencoderTransformer
from sklearn_lstmae.datasets import make_sequence_classification

X_train, y_train = make_sequence_classification(
    n_samples=96, n_timesteps=30, random_state=0
)
X_test, y_test = make_sequence_classification(
    n_samples=200, n_timesteps=30, random_state=1
)
print(f"Train: {X_train.shape}, test: {X_test.shape}")

# %%
# Baseline: logistic regression on the raw series
# -----------------------------------------------
# Flattening each sequence into 60 columns throws away nothing, but a linear
# model on those columns weighs the values at fixed time steps. Every sequence
# starts at a random phase, so the value at step ``t`` says little about the
# waveform: this baseline stays closer to chance (1/3) than to a perfect score;
# its accuracy is printed with the pipeline's below.

raw_model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
raw_model.fit(X_train.reshape(len(X_train), -1), y_train)
raw_accuracy = raw_model.score(X_test.reshape(len(X_test), -1), y_test)

# %%
# The autoencoder pipeline and its grid search
# --------------------------------------------
# The autoencoder is trained without the labels (``fit`` ignores ``y``) to
# rebuild its input from a code of ``encoding_dim`` values; the code is what
# the logistic regression sees. ``reverse_target=True`` makes the decoder
# rebuild the sequence in reverse order, which reaches a lower loss in the same
# number of epochs (see ``plot_autoencoder_variants.py``). The settings are
# small so that the search, 2 candidates x 3 folds plus the final refit, runs
# in under a minute on two CPU cores; a fixed ``random_state`` makes it
# reproducible.

pipeline = Pipeline(
    [
        (
            "autoencoder",
            LSTMAutoencoderTransformer(
                units=32,
                epochs=30,
                batch_size=16,
                reverse_target=True,
                random_state=0,
            ),
        ),
        ("scaler", StandardScaler()),
        ("classifier", LogisticRegression(max_iter=2000)),
    ]
)
param_grid = {"autoencoder__encoding_dim": [4, 8]}
search = GridSearchCV(pipeline, param_grid, cv=3)
start = time.perf_counter()
search.fit(X_train, y_train)
print(f"Grid search time: {time.perf_counter() - start:.1f} s")

for params, score in zip(
    search.cv_results_["params"], search.cv_results_["mean_test_score"], strict=True
):
    print(
        f"encoding_dim={params['autoencoder__encoding_dim']}: CV accuracy {score:.3f}"
    )
print(f"Best params: {search.best_params_}")

# %%
# Test accuracy
# -------------
# ``search`` was refitted on the whole training set with the best parameters,
# so it predicts directly. The codes separate the waveforms far better than
# the raw values do. The cross-validated accuracy of the chosen code size
# estimated this test accuracy to within a few points (each fold trained on
# two thirds of the 96 training sequences only).

pipeline_accuracy = search.score(X_test, y_test)
print(f"LSTM autoencoder pipeline, test accuracy: {pipeline_accuracy:.3f}")
print(f"Raw flattened series + LR, test accuracy: {raw_accuracy:.3f}")

# %%
# What the classes look like, and the scores
# ------------------------------------------
# Left: the first feature of one training sequence per class. Right: the
# cross-validated accuracy of each candidate and the two test accuracies.

fig, (ax_data, ax_scores) = plt.subplots(1, 2, figsize=(10, 3.5))
for label, name in enumerate(("sine", "square", "sawtooth")):
    sequence = X_train[np.flatnonzero(y_train == label)[0]]
    ax_data.plot(sequence[:, 0], label=f"class {label} ({name})")
ax_data.set_xlabel("time step")
ax_data.set_title("One training sequence per class (feature 0)")
ax_data.legend(fontsize="small")

names = [
    f"CV, dim={params['autoencoder__encoding_dim']}"
    for params in search.cv_results_["params"]
] + ["test, best AE", "test, raw LR"]
values = [*search.cv_results_["mean_test_score"], pipeline_accuracy, raw_accuracy]
ax_scores.bar(names, values, color=["C0", "C0", "C2", "C3"])
ax_scores.axhline(1 / 3, color="grey", linestyle="--", label="chance")
ax_scores.set_ylim(0, 1)
ax_scores.set_ylabel("accuracy")
ax_scores.set_title("Grid search and test accuracy")
ax_scores.legend()
fig.tight_layout()
