"""
Sequence codes next to tabular columns with a ColumnTransformer
===============================================================

Real tables often mix ordinary columns with a block of lagged values: the last
24 readings of two sensors, stored as 48 columns. Tree models see each lag
column on its own and cannot tell the *shape* of the recent history from it.

:class:`~sklearn_lstmae.LSTMAutoencoderTransformer` reads such a block as
sequences: with ``n_features=2`` the 48 columns are read as 24 time steps of 2
values, in time-major order (``t00_vib_x, t00_vib_y, t01_vib_x, ...``). Inside a
:class:`~sklearn.compose.ColumnTransformer` it turns the block into a few code
columns, while the other columns pass through untouched, and a
:class:`~sklearn.ensemble.HistGradientBoostingClassifier` learns from both.
With ``set_output(transform="pandas")`` the transformed table keeps readable
column names.
"""

# %%
# A table of machines
# -------------------
# Each row is a machine: its temperature, age and load, and the last 24
# readings of two vibration axes. The vibration follows one of three waveforms
# (sine, square, sawtooth) at a random phase, amplitude and offset, from
# :func:`~sklearn_lstmae.datasets.make_sequence_classification`. A machine is
# labelled *faulty* when its vibration is a square wave (a clipping bearing)
# or when it runs hotter than 70 degrees; age and load are irrelevant.

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import make_pipeline

from sklearn_lstmae import LSTMAutoencoderTransformer
from sklearn_lstmae.datasets import make_sequence_classification

N_LAGS = 24
SIGNALS = ("vib_x", "vib_y")
LAG_COLUMNS = [f"t{step:02d}_{signal}" for step in range(N_LAGS) for signal in SIGNALS]
TABULAR_COLUMNS = ["temperature", "age_years", "load"]


def make_machines(n_samples, random_state):
    """A DataFrame of tabular and lag columns, and the fault label."""
    rng = np.random.RandomState(random_state)
    sequences, waveform = make_sequence_classification(
        n_samples=n_samples, n_timesteps=N_LAGS, random_state=random_state
    )
    # Time-major flattening: step 0 of both signals, then step 1, ...
    lags = pd.DataFrame(sequences.reshape(n_samples, -1), columns=LAG_COLUMNS)
    tabular = pd.DataFrame(
        {
            "temperature": rng.normal(60, 8, n_samples),
            "age_years": rng.uniform(0, 15, n_samples),
            "load": rng.uniform(0.2, 1.0, n_samples),
        }
    )
    frame = pd.concat([tabular, lags], axis=1)
    faulty = (waveform == 1) | (frame["temperature"] > 70)
    return frame, faulty.astype(int).to_numpy()


X_train, y_train = make_machines(300, random_state=0)
X_test, y_test = make_machines(300, random_state=1)
print(f"Table: {X_train.shape[1]} columns ({len(LAG_COLUMNS)} lag columns)")
print(f"Faulty fraction (train): {y_train.mean():.3f}")
X_train.iloc[:3, :7]

# %%
# Baseline: gradient boosting on the raw columns
# ----------------------------------------------
# The trees find the temperature rule easily, but a square wave at a random
# phase, amplitude and level is not a threshold on any single lag column.

raw_model = HistGradientBoostingClassifier(random_state=0)
raw_model.fit(X_train, y_train)
raw_accuracy = raw_model.score(X_test, y_test)
raw_errors = int((raw_model.predict(X_test) != y_test).sum())

# %%
# Codes for the lag block, the other columns passed through
# ---------------------------------------------------------
# The autoencoder gets only the lag columns, read as 24 steps of 2 features
# (``n_features=2``), and turns each row into a code: an ``encoding_dim=8``
# bottleneck followed by the mean and the maximum over time of the 32 encoder
# outputs (``pooling``, by default), 72 values; ``remainder="passthrough"``
# keeps the tabular columns as they are.

encoder = ColumnTransformer(
    [
        (
            "lags",
            LSTMAutoencoderTransformer(
                n_features=len(SIGNALS),
                encoding_dim=8,
                units=32,
                epochs=30,
                batch_size=16,
                reverse_target=True,
                random_state=0,
            ),
            LAG_COLUMNS,
        )
    ],
    remainder="passthrough",
)
model = make_pipeline(encoder, HistGradientBoostingClassifier(random_state=0))
model.set_output(transform="pandas")
model.fit(X_train, y_train)
code_accuracy = model.score(X_test, y_test)
model_errors = int((model.predict(X_test) != y_test).sum())

# %%
# The transformed table
# ---------------------
# The ColumnTransformer's output is a DataFrame: the code columns are named
# after the step (``lags__``), the estimator and the part of the code
# (``_mean``, ``_max`` for the pooled outputs), the passed-through columns
# keep their names behind ``remainder__``.

features = model[0].transform(X_test)
print(f"Features out: {features.shape[1]} columns")
print("Feature names:", ", ".join(features.columns))
autoencoder = model[0].named_transformers_["lags"]
print(f"Code size: {autoencoder.transform(X_test[LAG_COLUMNS]).shape[1]}")
print(f"Sequence length read from the lag block: {autoencoder.n_timesteps_}")
features.head(3)

# %%
# Test accuracy
# -------------
# The same gradient boosting, on the 72 code values + 3 tabular columns versus on the
# raw 51 columns. Trees on the raw columns already recognise most square waves
# by combining thresholds on many single lag columns; the codes, which describe
# each window's shape at any phase and level, leave fewer errors.

n_test = len(y_test)
print(f"Test accuracy, LSTM codes + tabular columns: {code_accuracy:.3f}")
print(f"Test accuracy, raw columns: {raw_accuracy:.3f}")
print(f"Test errors, LSTM codes + tabular columns: {model_errors} of {n_test}")
print(f"Test errors, raw columns: {raw_errors} of {n_test}")

# %%
# Left: ``vib_x`` of a healthy machine and of one that is faulty because of
# its square-wave vibration (normal temperature). Right: the test accuracies.

fig, (ax_data, ax_scores) = plt.subplots(1, 2, figsize=(10, 3.5))
normal_temperature = X_test["temperature"].to_numpy() <= 70
for label, color in ((0, "C0"), (1, "C3")):
    row = np.flatnonzero(normal_temperature & (y_test == label))[0]
    values = X_test.loc[row, LAG_COLUMNS].to_numpy().reshape(N_LAGS, len(SIGNALS))
    ax_data.plot(values[:, 0], color=color, label="faulty" if label else "healthy")
ax_data.set_xlabel("time step")
ax_data.set_title("vib_x of two machines at normal temperature")
ax_data.legend()

ax_scores.bar(
    ["LSTM codes + tabular", "raw columns"],
    [code_accuracy, raw_accuracy],
    color=["C2", "C3"],
)
ax_scores.set_ylim(0.5, 1)
ax_scores.set_ylabel("test accuracy")
ax_scores.set_title("HistGradientBoostingClassifier")
fig.tight_layout()
