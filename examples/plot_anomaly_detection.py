"""
Anomaly detection with the reconstruction error
===============================================

An autoencoder trained on normal sequences only learns to rebuild what normal
looks like; a sequence it rebuilds badly is suspect.
:meth:`~sklearn_lstmae.LSTMAutoencoderTransformer.score_samples` returns the
negative reconstruction error of each sequence (higher is more normal, the
convention of scikit-learn's outlier detectors), so ``-score_samples(X)`` is
an anomaly score.

Normal sequences here are the two-sensor sine waves of
:func:`~sklearn_lstmae.datasets.make_sequence_classification` (class 0: random
phase, amplitude, level and period within 10%, the second sensor a quarter
period behind the first). The test set mixes new normal sequences with
injected anomalies of three kinds:

- spikes: one step of one sensor jumps by 1 to 3;
- level shifts: both sensors jump by 0.25 to 1 halfway through;
- reversed in time: each sensor alone still looks like a normal sine wave,
  but the second sensor now leads the first instead of lagging it.

A sequence is flagged when its error exceeds the 95th percentile of the
errors of held-out normal sequences (a calibration set): no labelled anomaly is
needed to set that threshold. PCA with as many components as the code has
values is the yardstick: the autoencoder starts at PCA's solution (its linear
path) and keeps what its recurrent layers add only where that reconstructs the
held-out sequences better.
"""

# %%
# Normal training data and an autoencoder fitted on it
# ----------------------------------------------------

import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA
from sklearn.metrics import precision_score, recall_score, roc_auc_score

from sklearn_lstmae import LSTMAutoencoderTransformer
from sklearn_lstmae.datasets import make_sequence_classification

N_TIMESTEPS = 30


def normal_sequences(n_samples, random_state):
    """``n_samples`` sine-wave sequences (class 0 of the generator)."""
    X, y = make_sequence_classification(
        n_samples=3 * n_samples, n_timesteps=N_TIMESTEPS, random_state=random_state
    )
    return X[y == 0]


X_train = normal_sequences(300, random_state=0)
X_calibration = normal_sequences(100, random_state=3)
autoencoder = LSTMAutoencoderTransformer(encoding_dim=8, random_state=0)
autoencoder.fit(X_train)
print(f"Training sequences: {len(X_train)}")
print(f"Epochs trained: {len(autoencoder.history_['loss'])}")
print(f"Final training loss: {autoencoder.history_['loss'][-1]:.3f}")

# %%
# PCA with 8 components on the same standardized values (the autoencoder
# standardizes each sensor over all steps; ``score_samples`` is in those units).

mean, scale = X_train.mean(axis=(0, 1)), X_train.std(axis=(0, 1))


def standardized_rows(X):
    return ((X - mean) / scale).reshape(len(X), -1)


pca = PCA(n_components=8).fit(standardized_rows(X_train))


def pca_reconstruction(X):
    rows = pca.inverse_transform(pca.transform(standardized_rows(X)))
    return rows.reshape(X.shape) * scale + mean


def pca_error(X):
    return (((pca_reconstruction(X) - X) / scale) ** 2).mean(axis=(1, 2))


# %%
# Test set with injected anomalies
# --------------------------------
# 150 new normal sequences and 10 anomalies of each kind, each made from
# another normal sequence. The sizes are drawn at random, so some anomalies
# are subtle: a level shift of 0.25 is smaller than the normal spread of
# levels between sequences (standard deviation 0.3).

rng = np.random.RandomState(42)
X_normal = normal_sequences(150, random_state=1)
X_source = normal_sequences(30, random_state=2)

spikes = X_source[:10].copy()
spike_sizes = rng.uniform(1.0, 3.0, 10)
for sequence, size in zip(spikes, spike_sizes, strict=True):
    step, sensor = rng.randint(5, N_TIMESTEPS - 5), rng.randint(2)
    sequence[step, sensor] += rng.choice([-1, 1]) * size
shifts = X_source[10:20].copy()
shift_sizes = rng.uniform(0.25, 1.0, 10)
for sequence, size in zip(shifts, shift_sizes, strict=True):
    sequence[N_TIMESTEPS // 2 :] += rng.choice([-1, 1]) * size
reversed_in_time = X_source[20:30, ::-1].copy()

X_test = np.concatenate([X_normal, spikes, shifts, reversed_in_time])
kind = np.repeat(["normal", "spike", "level shift", "reversed"], [150, 10, 10, 10])
is_anomaly = (kind != "normal").astype(int)
print(f"Test sequences: {len(X_test)}, of which anomalies: {is_anomaly.sum()}")

# %%
# Scores, threshold and detection quality
# ---------------------------------------
# The threshold flags 5% of the calibration sequences by construction (errors
# on the training sequences themselves would be optimistic, the more so the
# better a model fits them). ROC AUC measures how well the error ranks
# anomalies above normal sequences, whatever the threshold.

calibration_error = -autoencoder.score_samples(X_calibration)
test_error = -autoencoder.score_samples(X_test)
threshold = np.percentile(calibration_error, 95)
flagged = (test_error > threshold).astype(int)
print(f"Threshold (95th percentile of calibration errors): {threshold:.4f}")
normal_error = test_error[kind == "normal"].mean()
print(f"Mean error on normal test sequences: {normal_error:.4f}")
pca_test_error = pca_error(X_test)
print(f"PCA(8) mean error on them: {pca_test_error[kind == 'normal'].mean():.4f}")
print(f"PCA(8) ROC AUC: {roc_auc_score(is_anomaly, pca_test_error):.3f}")

precision = precision_score(is_anomaly, flagged)
recall = recall_score(is_anomaly, flagged)
auc = roc_auc_score(is_anomaly, test_error)
false_positive_rate = flagged[kind == "normal"].mean()
print(f"Precision: {precision:.3f}")
print(f"Recall: {recall:.3f}")
print(f"ROC AUC: {auc:.3f}")
print(f"False positive rate on normal test sequences: {false_positive_rate:.3f}")
for name in ("spike", "level shift", "reversed"):
    print(f"Detected {name}: {flagged[kind == name].sum()} of 10")
for name, sizes in (("spike", spike_sizes), ("level shift", shift_sizes)):
    missed = sizes[flagged[kind == name] == 0]
    detected = sizes[flagged[kind == name] == 1]
    if len(missed):
        print(
            f"{name}: missed sizes {np.round(np.sort(missed), 2).tolist()}, "
            f"smallest detected size {detected.min():.2f}"
        )

# %%
# The reversed sequences are caught although each sensor on its own looks
# normal: the autoencoder has learnt the relation between the two sensors.
# The anomalies it misses are small ones, whose errors stay among those of
# normal sequences (their sizes are printed above). False positives on new
# normal sequences come out near the 5% that the training percentile sets.
#
# Score distribution and two sequences
# ------------------------------------
# Left: the test errors of normal and anomalous sequences, and the threshold.
# Middle and right: a normal sequence and the reversed sequence with the
# largest error, with the autoencoder's reconstructions
# (``inverse_transform(transform(X))``, dotted) and PCA's (dashed).

normal_row = 0
reversed_rows = np.flatnonzero(kind == "reversed")
reversed_row = reversed_rows[np.argmax(test_error[reversed_rows])]
rows = [normal_row, reversed_row]
reconstructions = autoencoder.inverse_transform(autoencoder.transform(X_test[rows]))
pca_reconstructions = pca_reconstruction(X_test[rows])

fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
bins = np.geomspace(test_error.min(), test_error.max(), 30)
axes[0].hist(test_error[is_anomaly == 0], bins=bins, alpha=0.7, label="normal")
axes[0].hist(test_error[is_anomaly == 1], bins=bins, alpha=0.7, label="anomaly")
axes[0].axvline(threshold, color="black", linestyle="--", label="threshold")
axes[0].set_xscale("log")
axes[0].set_xlabel("reconstruction error (-score_samples)")
axes[0].set_ylabel("test sequences")
axes[0].set_title("Test errors")
axes[0].legend()

for ax, row, rebuilt, by_pca in zip(
    axes[1:], rows, reconstructions, pca_reconstructions, strict=True
):
    for sensor, color in ((0, "C0"), (1, "C1")):
        ax.plot(X_test[row, :, sensor], color=color, label=f"sensor {sensor}")
        ax.plot(rebuilt[:, sensor], color=color, linestyle=":")
        ax.plot(by_pca[:, sensor], color=color, linestyle="--", alpha=0.5)
    ax.set_xlabel("time step")
    ax.set_title(f"{kind[row]}, error {test_error[row]:.3f}")
axes[1].legend(fontsize="small")
fig.tight_layout()
