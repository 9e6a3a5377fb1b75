"""LSTMAutoencoderTransformer: shapes, layouts, contracts, integration."""

import os
import pickle
import random
import subprocess
import sys
import time

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from tensorflow.python.framework.config import is_op_determinism_enabled

from sklearn_lstmae import LSTMAutoencoderTransformer
from sklearn_lstmae.datasets import make_sequence_classification

from .conftest import TINY, TINY_CODES, tiny


def test_fit_transform_shapes_and_fitted_attributes(sequences):
    X, _ = sequences
    ae = tiny().fit(X)
    codes = ae.transform(X)
    assert codes.shape == (30, TINY_CODES) and codes.dtype == np.float32
    assert np.isfinite(codes).all()
    assert ae.encoder_.output_shape == (None, TINY_CODES)
    assert ae.decoder_.output_shape == (None, 8, 2)
    assert len(ae.history_["loss"]) == 2
    assert (ae.n_features_in_, ae.n_timesteps_, ae.n_step_features_) == (2, 8, 2)
    assert ae.inverse_transform(codes).shape == (30, 8, 2)
    assert ae.score_samples(X).shape == (30,)
    assert ae.score(X) == pytest.approx(ae.score_samples(X).mean())
    assert ae.score(X) < 0


def test_encoder_and_decoder_share_weights_with_model(sequences):
    X, _ = sequences
    ae = tiny().fit(X)
    codes = ae.encoder_.predict(ae._model_inputs(ae._check_sequences(X, reset=False)))
    # Keras' predict traces another function: equal to float32's precision.
    np.testing.assert_allclose(codes, ae.transform(X), rtol=1e-5, atol=1e-6)
    assert ae.model_.get_layer("encoder") is ae.encoder_


@pytest.mark.parametrize(
    "params",
    [
        {"cell": "gru"},
        {"units": (6, 4)},
        {"bidirectional": True},
        {"dropout": 0.2},
        {"encoding_dim": None},
        {"scale": False},
        {"units": 5, "bidirectional": True, "encoding_dim": None},
    ],
)
def test_architecture_options(sequences, params):
    X, _ = sequences
    ae = tiny(**params).fit(X)
    codes = ae.transform(X)
    width = (params.get("units", (4,)) if params.get("units") != 5 else (5,))[-1]
    outputs = width * (1 + ae.bidirectional)  # final state and pooled outputs
    bottleneck = 3 if params.get("encoding_dim", 3) else outputs
    assert codes.shape == (30, bottleneck + 2 * outputs)
    assert ae.inverse_transform(codes).shape == X.shape


def test_2d_input_returns_flat_reconstructions():
    X = np.random.RandomState(0).normal(size=(20, 12))
    ae = tiny(n_features=3).fit(X)
    assert ae.n_features_in_ == 12 and ae.n_timesteps_ == 4
    assert ae.inverse_transform(ae.transform(X)).shape == (20, 12)


def test_inverse_transform_undoes_scaling():
    X = np.random.RandomState(0).normal(loc=100.0, scale=10.0, size=(20, 6, 1))
    ae = tiny(epochs=30).fit(X)
    reconstruction = ae.inverse_transform(ae.transform(X))
    assert abs(reconstruction.mean() - 100.0) < 5.0


def test_dataframe_feature_names_and_pandas_output():
    frame = pd.DataFrame(
        np.random.RandomState(0).normal(size=(20, 6)),
        columns=[f"lag{i}" for i in range(6)],
    )
    ae = tiny().set_output(transform="pandas").fit(frame)
    np.testing.assert_array_equal(ae.feature_names_in_, frame.columns)
    codes = ae.transform(frame)
    assert isinstance(codes, pd.DataFrame)
    prefix = "lstmautoencodertransformer"
    assert list(codes.columns) == [
        *(f"{prefix}{i}" for i in range(3)),
        *(f"{prefix}_mean{i}" for i in range(4)),
        *(f"{prefix}_max{i}" for i in range(4)),
    ]
    assert list(ae.get_feature_names_out()) == list(codes.columns)


def test_variable_length_padding_does_not_change_codes(ragged):
    ae = tiny().fit(ragged)
    assert ae.variable_length_ and ae.n_timesteps_ == 8
    together = ae.transform(ragged)
    alone = np.vstack([ae.transform([sequence]) for sequence in ragged])
    # Batches of 1 against one of 6: float32 kernels round differently.
    np.testing.assert_allclose(together, alone, rtol=1e-5, atol=1e-6)
    # NaN-padded 3D input is the same data as the list
    padded = np.full((len(ragged), 8, 2), np.nan)
    for row, sequence in enumerate(ragged):
        padded[row, : len(sequence)] = sequence
    np.testing.assert_allclose(ae.transform(padded), together, atol=1e-6)
    # values placed in padding positions would change codes if padding leaked
    scores = ae.score_samples(ragged)
    assert scores.shape == (6,) and np.isfinite(scores).all()


def test_padding_is_ignored_by_the_loss(ragged):
    """Steps after a sequence's end get zero weight: garbage there is not learned."""
    ae = tiny(epochs=1).fit(ragged)
    inputs = ae._model_inputs(ae._check_sequences(ragged, reset=False))
    batch = ae._check_sequences(ragged, reset=False)
    _, _, weights = ae._training_data(batch, inputs, None, reset=False)
    lengths = [len(sequence) for sequence in ragged]
    np.testing.assert_array_equal(weights.sum(axis=1), lengths)


def test_transform_errors_name_the_problem(sequences, ragged):
    X, _ = sequences
    ae = tiny().fit(X)
    with pytest.raises(ValueError, match="3 features per time step.*fitted with 2"):
        ae.transform(np.ones((2, 8, 3)))
    with pytest.raises(ValueError, match="fixed-length sequences of 8 steps"):
        ae.transform(np.ones((2, 9, 2)))
    with pytest.raises(ValueError, match="fixed-length sequences of 8 steps"):
        ae.transform(_pad_first(X[:2]))
    with pytest.raises(ValueError, match=f"codes have {TINY_CODES}"):
        ae.inverse_transform(np.ones((2, 5)))
    ragged_ae = tiny().fit(ragged)
    with pytest.raises(ValueError, match="at most 8"):
        ragged_ae.score_samples([np.ones((9, 2))])
    flat = tiny().fit(np.ones((10, 6)) + np.arange(6))
    with pytest.raises(ValueError, match="X has 5 features, but .* expecting 6"):
        flat.transform(np.ones((10, 5)))


def _pad_first(X):
    X = X.copy()
    X[0, -1] = np.nan
    return X


@pytest.mark.parametrize(
    "method", ["transform", "score_samples", "score", "inverse_transform"]
)
def test_methods_before_fit_raise_not_fitted(method):
    with pytest.raises(NotFittedError):
        getattr(LSTMAutoencoderTransformer(), method)(np.ones((2, 3)))


def test_transformer_has_no_predict():
    assert not hasattr(LSTMAutoencoderTransformer(), "predict")


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"cell": "rnn"}, "'cell' parameter"),
        ({"units": (4, 0)}, "'units' parameter .* positive int"),
        ({"encoding_dim": 0}, "'encoding_dim' parameter"),
        ({"dropout": 1.5}, "'dropout' parameter"),
        # bools are no sizes; learning rates are positive (issue 14)
        ({"units": True}, "'units' parameter .* positive int"),
        ({"units": (4, False)}, "'units' parameter .* positive int"),
        ({"encoding_dim": True}, "must be a number"),
        ({"optimizer__learning_rate": -0.01}, "'optimizer__learning_rate' param"),
        ({"optimizer__learning_rate": float("nan")}, "'optimizer__learning_rate' p"),
        ({"optimizer__learning_rate": float("inf")}, "'optimizer__learning_rate' p"),
    ],
)
def test_invalid_parameters(sequences, params, match):
    X, _ = sequences
    with pytest.raises(ValueError, match=match):
        tiny(**params).fit(X)


def test_sample_weight_zero_drops_samples(sequences):
    X, _ = sequences
    weights = np.r_[np.ones(20), np.zeros(10)]
    weighted = tiny().fit(X, sample_weight=weights).transform(X)
    subset = tiny().fit(X[:20]).transform(X)
    # Weighted and unweighted losses reduce differently in float32.
    np.testing.assert_allclose(weighted, subset, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="zero"):
        tiny().fit(X, sample_weight=np.zeros(30))


def test_routed_parameters_reach_keras(sequences):
    X, _ = sequences
    ae = tiny(optimizer="sgd", optimizer__learning_rate=0.0123, optimizer__momentum=0.5)
    ae.fit(X)
    # (by type: Keras 3.5 names it "SGD", Keras 3.15 "sgd")
    assert type(ae.model_.optimizer).__name__ == "SGD"
    assert float(ae.model_.optimizer.learning_rate) == pytest.approx(0.0123)
    assert float(ae.model_.optimizer.momentum) == pytest.approx(0.5)
    ae.set_params(optimizer__learning_rate=0.5)
    assert ae.get_params()["optimizer__learning_rate"] == 0.5


def test_early_stopping_uses_validation_split(sequences):
    X, _ = sequences
    # Steps of 1e-12 round away in float32: the validation loss stays flat.
    ae = tiny(
        epochs=50,
        validation_split=0.2,
        early_stopping=1,
        optimizer__learning_rate=1e-12,
    )
    ae.fit(X)
    assert "val_loss" in ae.history_
    assert len(ae.history_["loss"]) < 50


def test_warm_start_continues_training(sequences):
    X, _ = sequences
    ae = tiny(warm_start=True).fit(X)
    first = ae.model_
    steps = int(first.optimizer.iterations)
    ae.fit(X)
    # The same network trained on (optimizer state included), published as a
    # new model object when the fit is done; the first one is left untouched.
    assert ae.model_ is not first
    assert int(ae.model_.optimizer.iterations) == 2 * steps
    assert int(first.optimizer.iterations) == steps
    assert len(ae.history_["loss"]) == 4
    ae.partial_fit(X)
    assert len(ae.history_["loss"]) == 5


def test_same_random_state_gives_identical_codes(sequences):
    X, _ = sequences
    first = tiny(dropout=0.1).fit(X).transform(X)
    second = tiny(dropout=0.1).fit(X).transform(X)
    np.testing.assert_array_equal(first, second)
    other = tiny(dropout=0.1, random_state=1).fit(X).transform(X)
    assert not np.allclose(first, other)


def test_fit_leaves_global_random_state_alone(sequences):
    X, _ = sequences
    np.random.seed(123)
    random.seed(123)
    numpy_before = np.random.get_state()[1].copy()
    python_before = random.getstate()
    determinism_before = is_op_determinism_enabled()
    tiny().fit(X)
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_before)
    assert random.getstate() == python_before
    assert is_op_determinism_enabled() == determinism_before


def test_pickle_joblib_and_clone_round_trips(sequences, tmp_path):
    X, _ = sequences
    unfitted = tiny()
    assert clone(unfitted).get_params() == unfitted.get_params()
    assert pickle.loads(pickle.dumps(unfitted)).get_params() == unfitted.get_params()
    ae = tiny().fit(X)
    expected = ae.transform(X)
    restored = pickle.loads(pickle.dumps(ae))
    np.testing.assert_array_equal(restored.transform(X), expected)
    np.testing.assert_array_equal(restored.score_samples(X), ae.score_samples(X))
    joblib.dump(ae, tmp_path / "ae.joblib")
    np.testing.assert_array_equal(
        joblib.load(tmp_path / "ae.joblib").transform(X), expected
    )
    cloned = clone(ae)
    assert not hasattr(cloned, "model_")
    assert cloned.get_params() == ae.get_params()


def test_import_and_silent_fit_print_nothing():
    script = (
        "import numpy as np; from sklearn_lstmae import LSTMAutoencoderTransformer; "
        "X = np.random.RandomState(0).normal(size=(8, 5, 2)); "
        "ae = LSTMAutoencoderTransformer(units=3, encoding_dim=2, epochs=1).fit(X); "
        "ae.transform(X); ae.score(X)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "SKLEARN_"))}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")


def test_pipeline_and_grid_search_with_nested_params(sequences):
    X, y = sequences
    pipeline = make_pipeline(tiny(), LogisticRegression())
    grid = GridSearchCV(
        pipeline,
        {
            "lstmautoencodertransformer__units": [(3,), (4,)],
            "lstmautoencodertransformer__optimizer__learning_rate": [0.01],
        },
        cv=2,
        # In this process: the nested parameters are what is tested here.
        # Candidates in loky workers: test_quiet (a search, its workers' output).
        n_jobs=1,
    )
    grid.fit(X, y)
    assert grid.best_estimator_.named_steps["lstmautoencodertransformer"].units in [
        (3,),
        (4,),
    ]
    assert grid.predict(X).shape == (30,)


def test_column_transformer_on_lag_columns():
    rng = np.random.RandomState(0)
    lags = [f"x_t{t}_f{f}" for t in range(4) for f in range(2)]
    frame = pd.DataFrame(rng.normal(size=(24, 8)), columns=lags)
    frame["static"] = rng.normal(size=24)
    columns = ColumnTransformer(
        [
            ("codes", tiny(n_features=2), lags),
            ("static", StandardScaler(), ["static"]),
        ]
    )
    features = columns.fit_transform(frame)
    assert features.shape == (24, TINY_CODES + 1)
    names = columns.get_feature_names_out()
    assert names[0] == "codes__lstmautoencodertransformer0"
    assert names[-2] == "codes__lstmautoencodertransformer_max3"
    assert names[-1] == "static__static"


@pytest.mark.slow
@pytest.mark.timed
def test_codes_carry_class_information():
    X, y = make_sequence_classification(n_samples=240, n_timesteps=40, random_state=0)
    X_test, y_test = make_sequence_classification(
        n_samples=300, n_timesteps=40, random_state=1
    )
    start = time.perf_counter()
    ae = LSTMAutoencoderTransformer(units=(32,), random_state=0).fit(X)
    seconds = time.perf_counter() - start
    classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    classifier.fit(ae.transform(X), y)
    accuracy = classifier.score(ae.transform(X_test), y_test)
    assert accuracy >= 0.9, accuracy
    assert seconds < 60, seconds


def test_auto_validation_and_patience_only_where_the_start_is_kept(sequences):
    # "auto": 20% held out and patience 15 with the linear path (PCA's start is
    # kept unless held-out sequences say otherwise); the recurrent network
    # alone trains on everything for all epochs, as in 0.2.
    X, _ = sequences
    params = {**TINY, "validation_split": "auto", "early_stopping": "auto"}
    linear = LSTMAutoencoderTransformer(**{**params, "epochs": 40}).fit(X)
    assert "val_loss" in linear.history_
    assert linear._validation_split(len(X)) == 0.2 and linear._patience(0.2) == 15
    # Too few sequences to hold any out: no validation loss, no patience.
    few = LSTMAutoencoderTransformer(**{**params, "epochs": 12}).fit(X[:4])
    assert "val_loss" not in few.history_ and len(few.history_["loss"]) == 12
    alone = LSTMAutoencoderTransformer(
        **{**params, "epochs": 3}, linear_path=False, random_state=0
    ).fit(X)
    assert "val_loss" not in alone.history_ and len(alone.history_["loss"]) == 3
    assert alone._patience(alone._validation_split(len(X))) is None


@pytest.mark.parametrize("rate", [0.0, -1e-3, float("inf"), float("nan")])
def test_learning_rate_must_be_positive_and_finite(sequences, rate):
    X, _ = sequences
    with pytest.raises(InvalidParameterError, match="optimizer__learning_rate"):
        tiny(optimizer__learning_rate=rate).fit(X)


def test_reconstruction_errors_of_short_sequences_of_a_variable_length_model():
    # The batch is padded to its own longest sequence, the network's output
    # to the fitted length: errors come back in the input's layout anyway.
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(n, 2)) for n in (10, 6, 8, 10, 7)]
    ae = tiny().fit(X)
    errors = ae.reconstruction_errors(X[1:3])
    assert [e.shape for e in errors] == [(6, 2), (8, 2)]
    assert all(np.isfinite(e).all() for e in errors)
    # The same errors as in a batch holding a longest sequence (another
    # batch: equal to float32's precision, not to the bit).
    together = ae.reconstruction_errors(X[:3])
    for short, full in zip(errors, together[1:3], strict=True):
        np.testing.assert_allclose(short, full, rtol=1e-4, atol=1e-6)
