"""
Outlier detector: a threshold, an error map, and anomalies in a long series
===========================================================================

:class:`~sklearn_lstmae.LSTMAutoencoderOutlierDetector` follows scikit-learn's
outlier-detector conventions (like :class:`~sklearn.ensemble.IsolationForest`):
``fit`` on mostly normal sequences, then ``predict`` returns +1 (inlier) or -1
(outlier), ``decision_function`` is negative for outliers, and the threshold
is set without knowing how many anomalies there are (``contamination="auto"``).

Two parts:

1. Sequences: fit on normal two-sensor sequences, flag injected anomalies, and
   show which steps and which sensor an anomaly comes from
   (``reconstruction_errors``).
2. A long real series, the heart rate of a patient (KDD-TSAD_135, shipped with
   the package): fit on windows of its normal start, score every time stamp
   with ``score_series`` (each from the windows that cover it) and flag them
   with ``predict_series``.
"""

# %%
# Normal sequences and the detector
# ---------------------------------
# Normal sequences are the sine waves of
# :func:`~sklearn_lstmae.datasets.make_sequence_classification` (class 0: random
# phase, amplitude and level; the second sensor a quarter period behind the
# first).

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

from sklearn_lstmae import LSTMAutoencoderOutlierDetector
from sklearn_lstmae.datasets import (
    KDD_TSAD_135_TRAIN,
    load_kdd_tsad_135,
    make_sequence_classification,
)
from sklearn_lstmae.windows import sliding_windows

N_TIMESTEPS = 30


def normal_sequences(n_samples, random_state):
    X, y = make_sequence_classification(
        n_samples=3 * n_samples, n_timesteps=N_TIMESTEPS, random_state=random_state
    )
    return X[y == 0]


X_train = normal_sequences(300, random_state=0)
detector = LSTMAutoencoderOutlierDetector(random_state=0).fit(X_train)
print(f"Training sequences: {len(X_train)}")
print(f"Anomaly score: {detector.anomaly_score}")
print(
    f"Threshold: {detector.threshold_:.3f} (from {detector.n_calibration_} sequences)"
)

# %%
# New normal sequences and anomalies
# ----------------------------------
# 100 new normal sequences, and 10 anomalies of each kind, made from other
# normal sequences: a spike of 2 to 4 on one step of one sensor, a level shift
# of 0.5 to 1.5 halfway through, and sequences reversed in time (each sensor
# still a sine wave, but the second now leads the first).

rng = np.random.RandomState(42)
X_normal = normal_sequences(100, random_state=1)
X_source = normal_sequences(30, random_state=2)
spikes = X_source[:10].copy()
spike_at = []
for sequence in spikes:
    step, sensor = rng.randint(5, N_TIMESTEPS - 5), rng.randint(2)
    sequence[step, sensor] += rng.choice([-1, 1]) * rng.uniform(2.0, 4.0)
    spike_at.append((step, sensor))
shifts = X_source[10:20].copy()
shifts[:, N_TIMESTEPS // 2 :] += rng.choice([-1, 1], (10, 1, 1)) * rng.uniform(
    0.5, 1.5, (10, 1, 1)
)
reversed_in_time = X_source[20:30, ::-1].copy()

X_test = np.concatenate([X_normal, spikes, shifts, reversed_in_time])
kind = np.repeat(["normal", "spike", "level shift", "reversed"], [100, 10, 10, 10])
is_anomaly = kind != "normal"

flagged = detector.predict(X_test) == -1
print(f"ROC AUC: {roc_auc_score(is_anomaly, -detector.score_samples(X_test)):.3f}")
print(f"Flagged normal sequences: {flagged[~is_anomaly].sum()} of 100")
for name in ("spike", "level shift", "reversed"):
    print(f"Flagged {name}: {flagged[kind == name].sum()} of 10")

# %%
# Where is the anomaly?
# ---------------------
# ``reconstruction_errors`` gives the squared error of every step and sensor
# (in standardized units): the map of a spiked sequence lights up at the
# spike, whichever score flagged it.

errors = detector.reconstruction_errors(spikes)
step, sensor = np.unravel_index(errors[0].argmax(), errors[0].shape)
print(f"Spike injected at step {spike_at[0][0]}, sensor {spike_at[0][1]}")
print(f"Largest error at step {step}, sensor {sensor}")

fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
scores = -detector.score_samples(X_test)
bins = np.linspace(0, scores.max(), 30)
axes[0].hist(scores[~is_anomaly], bins=bins, alpha=0.7, label="normal")
axes[0].hist(scores[is_anomaly], bins=bins, alpha=0.7, label="anomaly")
axes[0].axvline(detector.threshold_, color="black", linestyle="--", label="threshold_")
axes[0].set_xlabel("-score_samples")
axes[0].set_ylabel("test sequences")
axes[0].legend()
for sensor_index, color in ((0, "C0"), (1, "C1")):
    axes[1].plot(
        spikes[0, :, sensor_index], color=color, label=f"sensor {sensor_index}"
    )
axes[1].set_title("a spiked sequence")
axes[1].set_xlabel("time step")
axes[1].legend(fontsize="small")
image = axes[2].imshow(errors[0].T, aspect="auto", cmap="magma")
axes[2].set_yticks([0, 1], ["sensor 0", "sensor 1"])
axes[2].set_xlabel("time step")
axes[2].set_title("reconstruction_errors")
fig.colorbar(image, ax=axes[2])
fig.tight_layout()

# %%
# How the network trained
# -----------------------
# ``history_`` holds the loss of every epoch: on the training sequences, and
# on the 20% of them ``validation_split="auto"`` held out (the last ones),
# which early stopping watches (``early_stopping="auto"`` restores the weights
# of the epoch with the lowest validation loss). ``pca_kept_`` says whether the
# network that came out of it lost to the linear path's PCA configuration on
# the held-out sequences (then the curves show training that was discarded).

history = detector.history_
best = int(np.argmin(history["val_loss"]))
print(f"Epochs trained: {len(history['loss'])}")
print(f"Lowest validation loss: {history['val_loss'][best]:.4f} (epoch {best + 1})")
print(f"PCA configuration kept: {detector.pca_kept_}")

fig, ax = plt.subplots(figsize=(6.5, 3.4))
epochs = np.arange(1, len(history["loss"]) + 1)
ax.plot(epochs, history["loss"], label="training loss")
ax.plot(epochs, history["val_loss"], label="validation loss")
ax.axvline(best + 1, color="black", linestyle=":", label="lowest validation loss")
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("mean squared error (standardized)")
ax.legend()
fig.tight_layout()

# %%
# Anomalies in a long series
# --------------------------
# The heart rate of a patient (KDD-TSAD_135: 7501 points; one labelled anomaly
# at points 4187 to 4198). The detector is fitted on windows of 64 steps of the
# anomaly-free first 1200 points, every third one (neighbouring windows share 63
# of their 64 steps: a third of them teach the network nearly as much, in a
# third of the time); ``score_series`` cuts the whole series into windows of
# that length (stride 1), scores each, and gives every time stamp the mean score
# of the windows that cover it.

series, is_anomalous_point = load_kdd_tsad_135()
windows = sliding_windows(series[:KDD_TSAD_135_TRAIN], length=64, stride=3)
long_detector = LSTMAutoencoderOutlierDetector(random_state=0).fit(windows)
point_scores = long_detector.score_series(series)
point_flags = long_detector.predict_series(series) == -1
truth = is_anomalous_point.astype(bool)
print(f"Training windows: {len(windows)}")
print(f"Point-level ROC AUC: {roc_auc_score(truth, -point_scores):.3f}")
print(f"Point-level PR AUC: {average_precision_score(truth, -point_scores):.3f}")
print(f"Lowest score at point: {point_scores.argmin()}")
flagged_points, flagged_anomalous = point_flags.sum(), point_flags[truth].sum()
print(f"Flagged points: {flagged_points}, of them anomalous: {flagged_anomalous}")

fig, axes = plt.subplots(2, 1, figsize=(13, 5), sharex=True)
axes[0].plot(series, linewidth=0.6)
axes[0].axvspan(0, KDD_TSAD_135_TRAIN, color="C2", alpha=0.1, label="fitted on")
axes[0].axvspan(4187, 4198, color="C3", alpha=0.4, label="labelled anomaly")
axes[0].set_ylabel("heart rate")
axes[0].legend(loc="upper right")
axes[1].plot(-point_scores, linewidth=0.6)
axes[1].axhline(long_detector.threshold_, color="black", linestyle="--")
axes[1].fill_between(
    np.arange(len(series)), 0, -point_scores, where=point_flags, color="C3", alpha=0.5
)
axes[1].set_ylabel("-score_series")
axes[1].set_xlabel("time stamp")
fig.tight_layout()
plt.show()
