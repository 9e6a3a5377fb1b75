"""``python -m sklearn_lstmae``: the end-to-end demo on generated data.

Sequences of three waveform classes -> LSTM autoencoder codes -> logistic
regression, tuned by GridSearchCV over encoder parameters, next to the same
classifier on the raw flattened sequences. Runs in about a minute on 2 cores.
"""

import time

from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_lstmae import LSTMAutoencoderTransformer
from sklearn_lstmae.datasets import make_sequence_classification


def main() -> None:
    X, y = make_sequence_classification(
        n_samples=240, n_timesteps=40, n_features=2, random_state=0
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=0
    )
    print(
        f"Data: {X.shape[0]} sequences of {X.shape[1]} steps x {X.shape[2]} "
        f"features, {len(set(y))} classes (train {len(y_train)}, test {len(y_test)})"
    )

    raw = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    raw.fit(X_train.reshape(len(X_train), -1), y_train)
    raw_accuracy = raw.score(X_test.reshape(len(X_test), -1), y_test)

    pipeline = make_pipeline(
        LSTMAutoencoderTransformer(random_state=0),
        StandardScaler(),
        LogisticRegression(max_iter=2000),
    )
    grid = {"lstmautoencodertransformer__units": [(16,), (32,)]}
    search = GridSearchCV(pipeline, grid, cv=2, n_jobs=2)
    start = time.perf_counter()
    search.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    best = search.best_estimator_
    autoencoder = best.named_steps["lstmautoencodertransformer"]

    print(f"GridSearchCV over {grid} ({seconds:.0f} s, 2 folds, 2 jobs)")
    for params, score in zip(
        search.cv_results_["params"], search.cv_results_["mean_test_score"], strict=True
    ):
        print(f"  {params}: cv accuracy {score:.3f}")
    print(f"Best: {search.best_params_}")
    print()
    print(
        f"Test accuracy, LSTM autoencoder codes + LR: {best.score(X_test, y_test):.3f}"
    )
    print(f"Test accuracy, raw flattened sequences + LR: {raw_accuracy:.3f}")
    error = -autoencoder.score(X_test)
    print(
        f"Reconstruction error on test sequences (MSE, standardized units): {error:.3f}"
    )
    print(
        f"Code size: {autoencoder.transform(X_test[:1]).shape[1]} values per sequence"
    )


if __name__ == "__main__":
    main()
