"""
LSTM autoencoder variants side by side
======================================

The designs of the literature are parameters of
:class:`~sklearn_lstmae.LSTMAutoencoderTransformer`, all on one encoder:

- ``objective="reconstruct"``: the classic autoencoder, the decoder rebuilds
  the input from the code (RepeatVector decoder), by default next to a linear
  path started at PCA's solution (``linear_path=True``).
- ``linear_path=False``: the recurrent network alone (the default of version
  0.2, trained for all its epochs here).
- ``reverse_target=True``: rebuild it in reverse order, so the first steps
  the decoder emits are the last ones the encoder read (Srivastava et al. 2015).
- ``objective="predict"``: the decoder predicts the ``n_future`` steps that
  follow; the encoder reads the steps before.
- ``objective="composite"``: both decoders on one code (Srivastava et al. 2015).
- ``decoder="conditional"``: the decoder also sees its previous output
  (teacher forcing in training, its own output at inference).
- ``encoding_dim=None``: the code starts with the encoder's last state (no
  bottleneck).
- ``pooling=None``: the code is the bottleneck alone, without the encoder's
  outputs averaged and maximized over time that follow it by default.
- ``temporal_code=True``: one small code per time step (a short sequence).

For each: the reconstruction error and the future-prediction error where the
objective has them (``score_samples``, standardized units, held-out data), and
the accuracy of a logistic regression on the codes.
"""

import time

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lstmae import LSTMAutoencoderTransformer
from sklearn_lstmae.datasets import make_sequence_classification

X_train, y_train = make_sequence_classification(
    n_samples=150, n_timesteps=30, random_state=0
)
X_test, y_test = make_sequence_classification(
    n_samples=150, n_timesteps=30, random_state=1
)

VARIANTS = {
    "reconstruct": {},
    "recurrent only (0.2)": {
        "linear_path": False,
        "validation_split": 0.0,
        "early_stopping": None,
    },
    "reconstruct, reversed": {"reverse_target": True},
    "predict (n_future=6)": {"objective": "predict", "n_future": 6},
    "composite, reversed": {
        "objective": "composite",
        "n_future": 6,
        "reverse_target": True,
    },
    "conditional decoder": {"decoder": "conditional"},
    "last state (no bottleneck)": {"encoding_dim": None},
    "bottleneck alone (no pooling)": {"pooling": None},
    "temporal code (4 per step)": {"temporal_code": True, "encoding_dim": 4},
}

print(f"{'variant':28} {'error':>7} {'code':>5} {'accuracy':>8} {'fit s':>6}")
for name, params in VARIANTS.items():
    autoencoder = LSTMAutoencoderTransformer(
        units=(32,), epochs=60, random_state=0, **params
    )
    start = time.perf_counter()
    autoencoder.fit(X_train)
    seconds = time.perf_counter() - start
    error = -autoencoder.score(X_test)
    classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    classifier.fit(autoencoder.transform(X_train), y_train)
    accuracy = classifier.score(autoencoder.transform(X_test), y_test)
    code_size = autoencoder.transform(X_test[:1]).shape[1]
    print(f"{name:28} {error:7.3f} {code_size:5d} {accuracy:8.3f} {seconds:6.1f}")

print(
    "error: held-out mean squared error of what the objective trains for "
    "(reconstruction, future, or their average), standardized units."
)
