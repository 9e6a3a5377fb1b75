"""A prototype for issue 16: version 0.2's network plus a PCA side-car.

Kept as the record of the experiment behind ``linear_path`` (version 0.3's
default, which builds this idea into the package). Version 0.2's defaults'
network (the recurrent network alone, as ``linear_path=False``: bottleneck of
``k`` values and the mean and max of the 64 encoder outputs) and training stay
as they were (its reconstruction becomes an auxiliary output, so the encoder
learns its features as in 0.2); a fixed PCA path from the flattened input gives
``k`` more code values, and the main reconstruction is PCA's decoding plus a
zero-initialised residual head on the recurrent decoder. Prints codes +
LogisticRegression accuracy (all of the code, and the recurrent part alone) and
the test reconstruction error of the main and auxiliary outputs next to
PCA(k)'s. Not the package's code: a Keras sketch to decide the next design
(results in the issue 16 closing note). Writes nothing to RESULTS.md.

    python benchmarks/investigate_pca_sidecar.py GunPoint --seed 0
    python benchmarks/investigate_pca_sidecar.py --smoke   # GunPoint, 2 epochs
"""

import argparse
import time

from _common import SMOKE_HELP, set_smoke

import keras
import numpy as np
from keras import layers
from quality import load
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lstmae._data import SequenceScaler
from sklearn_lstmae._networks import WindowRepeat, build_encoder


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", nargs="?", default="GunPoint")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--k", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    args = parser.parse_args()
    if set_smoke(args.smoke):
        args.epochs = 2
    X_train, y_train, X_test, y_test = load(args.dataset)
    scaler = SequenceScaler().fit(X_train)
    train, test = scaler.transform(X_train), scaler.transform(X_test)
    n, steps, features = train.shape
    k, window = args.k, -(-steps // 64)
    keras.utils.set_random_seed(args.seed)
    recurrent = build_encoder(
        n_features=features,
        units=(64,),
        encoding_dim=k,
        patch=window,
        pooling=("mean", "max"),
    )
    sequences = keras.Input(shape=(steps, features))
    flat = layers.Flatten()(sequences)
    pca_code = layers.Dense(k, trainable=False, name="linear_code")(flat)
    old_code = recurrent(sequences)
    hidden = layers.RepeatVector(-(-steps // window))(old_code)
    hidden = layers.LSTM(64, return_sequences=True)(hidden)
    full = WindowRepeat(window, steps)(layers.Dense(features)(hidden))
    residual = layers.Dense(features, kernel_initializer="zeros")(hidden)
    residual = WindowRepeat(window, steps)(residual)
    linear = layers.Dense(steps * features, trainable=False, name="linear_output")
    decoded = layers.Reshape((steps, features))(linear(pca_code))
    main_output = layers.Add()([decoded, residual])
    model = keras.Model(sequences, [main_output, full])
    encoder = keras.Model(sequences, layers.Concatenate()([pca_code, old_code]))
    rows = train.reshape(n, -1).astype(np.float64)
    mean = rows.mean(axis=0)
    _, _, vectors = np.linalg.svd(rows - mean, full_matrices=False)
    components = np.zeros((k, rows.shape[1]))
    components[: min(k, len(vectors))] = vectors[:k]
    model.get_layer("linear_code").set_weights([components.T, -mean @ components.T])
    model.get_layer("linear_output").set_weights([components, mean])
    model.compile(optimizer=keras.optimizers.Adam(0.005), loss=["mse", "mse"])
    start = time.perf_counter()
    model.fit(train, [train, train], epochs=args.epochs, batch_size=32, verbose=0)
    predicted, auxiliary = model.predict(test, verbose=0)
    codes_train, codes_test = (encoder.predict(x, verbose=0) for x in (train, test))

    def accuracy(columns):
        classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        classifier.fit(codes_train[:, columns], y_train)
        return classifier.score(codes_test[:, columns], y_test)

    flat_test = test.reshape(len(test), -1)
    pca = flat_test - ((flat_test - mean) @ components.T @ components + mean)
    print(
        f"{args.dataset} seed {args.seed}: codes + LR {accuracy(slice(None)):.3f} "
        f"(recurrent part alone {accuracy(slice(k, None)):.3f}); test MSE main "
        f"{((predicted - test) ** 2).mean():.5f}, auxiliary "
        f"{((auxiliary - test) ** 2).mean():.5f}, PCA({k}) {(pca**2).mean():.5f} "
        f"({time.perf_counter() - start:.0f} s)"
    )


if __name__ == "__main__":
    main()
