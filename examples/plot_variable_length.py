"""
Classifying sequences of different lengths
==========================================

Real recordings rarely have one length: sensor sessions stop early, patients
leave a study, sentences differ in words.
:class:`~sklearn_lstmae.LSTMAutoencoderTransformer` takes such data as it is,
as a plain Python list of ``(T_i, n_features)`` arrays, and turns every
sequence into a code of the same size, whatever its length, so any
scikit-learn model can use the codes. Internally the sequences are padded to
the longest one and the padding is masked: it changes neither the codes nor
the training loss.

We cut the sequences of
:func:`~sklearn_lstmae.datasets.make_sequence_classification` (three classes of
waveforms: sine, square and sawtooth) at random lengths between 10 and 30
steps, classify them with an autoencoder + logistic regression
:class:`~sklearn.pipeline.Pipeline`, and check that the same data given as a
NaN-padded 3D array yields the same codes.
"""

# %%
# Sequences of different lengths
# -------------------------------
#
# Each of the 300 sequences has 2 features per step and keeps a random number
# of its first steps, from 10 to 30. ``X`` is a list of arrays, which
# :func:`~sklearn.model_selection.train_test_split` splits like any sequence.

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lstmae import LSTMAutoencoderTransformer
from sklearn_lstmae.datasets import make_sequence_classification

MAX_LENGTH = 30
X_full, y = make_sequence_classification(
    n_samples=300, n_timesteps=MAX_LENGTH, random_state=0
)
rng = np.random.RandomState(0)
lengths = rng.randint(10, MAX_LENGTH + 1, size=len(X_full))
X = [sequence[:length] for sequence, length in zip(X_full, lengths, strict=True)]

X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.5, stratify=y, random_state=0
)
print(f"Number of sequences: {len(X)} (train {len(X_train)}, test {len(X_test)})")
print(f"Shortest sequence: {min(len(x) for x in X)} steps")
print(f"Longest sequence: {max(len(x) for x in X)} steps")

# %%
# A few of them, one panel per class. The classes differ in the shape and
# rhythm of the waveform, not in the length, which is random.

fig, axes = plt.subplots(1, 3, figsize=(10, 3), sharey=True)
for label, ax in enumerate(axes):
    for index in np.flatnonzero(y == label)[:3]:
        ax.plot(X[index][:, 0], marker=".", label=f"{len(X[index])} steps")
    ax.set_xlim(0, MAX_LENGTH - 1)
    ax.set_title(f"class {label}")
    ax.set_xlabel("time step")
    ax.legend(fontsize="small")
axes[0].set_ylabel("feature 0")
fig.suptitle("Sequences of different lengths (first feature)")
fig.tight_layout()

# %%
# Autoencoder codes + logistic regression
# ---------------------------------------
#
# The pipeline is the same as for fixed-length data; only ``X`` is a list. We
# let the decoder rebuild each sequence in reverse order
# (``reverse_target=True``): it then starts with the steps the encoder read
# last, whatever the length. For comparison we also fit the forward
# reconstruction (the default) with the same settings.


def make_model(reverse_target):
    return make_pipeline(
        LSTMAutoencoderTransformer(
            units=32,
            encoding_dim=8,
            epochs=40,
            reverse_target=reverse_target,
            random_state=0,
        ),
        StandardScaler(),
        LogisticRegression(max_iter=2000),
    )


model = make_model(reverse_target=True).fit(X_train, y_train)
forward = make_model(reverse_target=False).fit(X_train, y_train)
accuracy = model.score(X_test, y_test)
forward_accuracy = forward.score(X_test, y_test)
print(
    f"Chance level (largest class share): {np.bincount(y_test).max() / len(y_test):.3f}"
)
print(f"Test accuracy, reversed reconstruction: {accuracy:.3f}")
print(f"Test accuracy, forward reconstruction: {forward_accuracy:.3f}")

# %%
# Both pipelines beat chance by far, and the reversed reconstruction gives
# somewhat more useful codes here, with the same network and training budget.
# A plausible
# reason: the code is computed after the last step of each sequence, and the
# reversed decoder starts with the steps nearest to it, the same way for every
# length; the forward decoder must start with the first step, a different
# number of steps back in every sequence.

# %%
# The autoencoder records the padded length it was trained on (the longest
# training sequence); it accepts any sequence up to that length (and
# ``transform``, which runs only the encoder, longer ones too).

autoencoder = model[0]
print(f"Padded training length (n_timesteps_): {autoencoder.n_timesteps_}")
print(f"Trained on variable-length data: {autoencoder.variable_length_}")
print(f"Code size: {autoencoder.transform(X_test[:1]).shape[1]} values per sequence")

# %%
# The same data as a NaN-padded array
# -----------------------------------
#
# Variable-length data can also be a 3D array whose missing trailing steps are
# all NaN, as many data loaders produce. The padding is masked, so the codes
# are the same as for the list.

padded = np.full((len(X_test), autoencoder.n_timesteps_, 2), np.nan)
for row, sequence in enumerate(X_test):
    padded[row, : len(sequence)] = sequence

codes_from_list = autoencoder.transform(X_test)
codes_from_padded = autoencoder.transform(padded)
difference = np.abs(codes_from_list - codes_from_padded).max()
print(f"Codes from list: shape {codes_from_list.shape}")
print(f"Max abs difference, list vs NaN-padded codes: {difference:.3g}")
print(f"Test accuracy on NaN-padded input: {model.score(padded, y_test):.3f}")
