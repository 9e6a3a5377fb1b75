"""
Tuning the autoencoder with a randomized search
===============================================

:class:`~sklearn_lstmae.LSTMAutoencoderTransformer` is an ordinary
scikit-learn estimator, so the size of the network, the size of the code and
the optimizer's learning rate can be tuned with
:class:`~sklearn.model_selection.RandomizedSearchCV`, like any other
hyperparameter of a :class:`~sklearn.pipeline.Pipeline`. The search scores
the whole pipeline (the accuracy of a logistic regression on the codes), so it
picks the autoencoder whose codes classify best, not the one that
reconstructs best.

Settings of the optimizer are routed with ``optimizer__`` (here
``optimizer__learning_rate``), and nested once more by the pipeline step name.
"""

# %%
# Data and pipeline
# -----------------
#
# Three classes of waveforms, 30 steps and 2 features per sequence. The
# transformer holds out the last 20% of its training sequences
# (``validation_split=0.2``) to report a validation loss per epoch. The search
# tunes the recurrent network alone (``linear_path=False``, trained for all
# its epochs: ``early_stopping=None``), where these settings matter most; the
# default linear path starts every candidate at PCA's codes.

import matplotlib.pyplot as plt
from scipy.stats import loguniform, randint
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import RandomizedSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lstmae import LSTMAutoencoderTransformer
from sklearn_lstmae.datasets import make_sequence_classification

X, y = make_sequence_classification(n_samples=400, n_timesteps=30, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.5, stratify=y, random_state=0
)
print(f"Training sequences: {len(X_train)}, test sequences: {len(X_test)}")

pipeline = make_pipeline(
    LSTMAutoencoderTransformer(
        epochs=20,
        reverse_target=True,
        linear_path=False,
        validation_split=0.2,
        early_stopping=None,
        random_state=0,
    ),
    StandardScaler(),
    LogisticRegression(max_iter=2000),
)

# %%
# The search space
# ----------------
#
# Lists are sampled uniformly; ``scipy.stats`` distributions are sampled with
# the search's ``random_state``: an integer code size from 4 to 16 and a
# learning rate spread evenly on a log scale between 0.001 and 0.02. Three
# candidates, two folds each: six fits, plus one refit of the best on all
# training sequences. Each fit builds and trains a new network, so a real
# search would sample more candidates (and train longer) than this quick demo.

param_distributions = {
    "lstmautoencodertransformer__units": [16, 32],
    "lstmautoencodertransformer__encoding_dim": randint(4, 17),
    "lstmautoencodertransformer__optimizer__learning_rate": loguniform(1e-3, 2e-2),
}
search = RandomizedSearchCV(
    pipeline, param_distributions, n_iter=3, cv=2, random_state=0
)
search.fit(X_train, y_train)

prefix = "lstmautoencodertransformer__"
results = search.cv_results_
for rank, params, score in zip(
    results["rank_test_score"],
    results["params"],
    results["mean_test_score"],
    strict=True,
):
    short = {name.removeprefix(prefix): value for name, value in params.items()}
    short = {
        name: round(float(value), 4) if isinstance(value, float) else value
        for name, value in short.items()
    }
    print(f"Candidate (rank {rank}): {short} cv accuracy {score:.3f}")

# %%
# The best candidate
# ------------------
#
# ``best_params_`` holds its parameters and ``best_score_`` its mean accuracy
# over the two folds; ``best_estimator_`` is the pipeline refit with them on
# all training sequences, which we score on the held-out test sequences.

best = search.best_params_
print(f"Best units: {best[prefix + 'units']}")
print(f"Best encoding_dim: {best[prefix + 'encoding_dim']}")
print(f"Best learning rate: {best[prefix + 'optimizer__learning_rate']:.4f}")
print(f"Best cv accuracy: {search.best_score_:.3f}")
print(f"Worst cv accuracy: {results['mean_test_score'].min():.3f}")
print(f"Test accuracy of the best pipeline: {search.score(X_test, y_test):.3f}")

# %%
# The candidates differ in cross-validated accuracy, so these settings
# matter. The cross-validated scores come from autoencoders trained on half of
# the training sequences (one fold, less the validation split); the refit
# pipeline trains on all of them and does better on the test sequences than
# its cross-validated score suggests.

# %%
# Training history of the best autoencoder
# ----------------------------------------
#
# The refit transformer is the first step of ``best_estimator_``. Its
# ``history_`` holds the Keras losses per epoch: ``loss`` on the 80% of the
# training sequences it trained on, ``val_loss`` on the 20% it held out (mean
# squared reconstruction error in standardized units).

history = search.best_estimator_[0].history_
epochs = range(1, len(history["loss"]) + 1)
print(f"Epochs trained: {len(history['loss'])}")
print(f"First-epoch loss: {history['loss'][0]:.3f}")
print(f"Last-epoch loss: {history['loss'][-1]:.3f}")
print(f"First-epoch val_loss: {history['val_loss'][0]:.3f}")
print(f"Last-epoch val_loss: {history['val_loss'][-1]:.3f}")

fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(epochs, history["loss"], label="loss (training)")
ax.plot(epochs, history["val_loss"], label="val_loss (held out)")
ax.set_xlabel("epoch")
ax.set_ylabel("reconstruction MSE (standardized)")
ax.set_title("Training history of the best autoencoder")
ax.legend()
fig.tight_layout()

# %%
# Both losses fall over training and end close to each other: the
# autoencoder learned waveform structure that carries over to sequences it
# did not train on, rather than memorizing its training sequences. A
# validation loss that rose while the training loss fell would call for fewer
# epochs or ``early_stopping``.
