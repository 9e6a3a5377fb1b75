"""LSTMSequencePredictor: layouts, decoders, level handling, contracts."""

import pickle

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklearn_lstmae import LSTMSequencePredictor
from sklearn_lstmae.windows import last_window, make_windows

from .conftest import TINY_PREDICTOR

DECODERS = ["repeat", "conditional"]


def tiny(**params):
    return LSTMSequencePredictor(**{**TINY_PREDICTOR, "random_state": 0, **params})


@pytest.fixture
def windows():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(24, 6, 2))
    y = np.cumsum(rng.normal(size=(24, 3, 2)), axis=1) + 5.0
    return X, y


@pytest.mark.parametrize("decoder", DECODERS)
@pytest.mark.parametrize(
    ("y_shape", "n_columns"), [((24, 3, 2), None), ((24, 3), 3), ((24,), 1)]
)
def test_predict_returns_y_layout(windows, decoder, y_shape, n_columns):
    X, y = windows
    y = y.reshape(-1)[: np.prod(y_shape)].reshape(y_shape)
    model = tiny(decoder=decoder).fit(X, y)
    prediction = model.predict(X)
    assert prediction.shape == y_shape and prediction.dtype == np.float64
    assert np.isfinite(prediction).all()
    assert -10 < model.score(X, y) <= 1


@pytest.mark.parametrize("decoder", DECODERS)
@pytest.mark.parametrize(
    "params",
    [{"cell": "gru"}, {"units": (5, 3)}, {"bidirectional": True}, {"dropout": 0.2}],
)
def test_architecture_options(windows, decoder, params):
    X, y = windows
    model = tiny(decoder=decoder, **params).fit(X, y)
    assert model.predict(X).shape == y.shape


@pytest.mark.parametrize("decoder", DECODERS)
def test_variable_length_inputs_and_flat_2d(decoder):
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(length, 2)) for length in (4, 6, 5, 6)]
    y = rng.normal(size=(4, 2))
    model = tiny(decoder=decoder).fit(X, y)
    together = model.predict(X)
    alone = np.vstack([model.predict([sequence]) for sequence in X])
    np.testing.assert_allclose(together, alone, atol=1e-5)
    flat = tiny(decoder=decoder, n_features=2).fit(
        rng.normal(size=(8, 10)), y[:2].repeat(4, 0)
    )
    assert flat.predict(rng.normal(size=(3, 10))).shape == (3, 2)


def test_targets_are_scaled_and_predictions_in_y_units(windows):
    X, y = windows
    model = tiny(epochs=40).fit(X, y * 1000.0)
    assert model.target_scaler_.scale_.min() > 100
    assert abs(model.predict(X).mean() - (y * 1000.0).mean()) < 1000.0


@pytest.mark.parametrize("decoder", DECODERS)
def test_toy_problem_is_learned(decoder):
    """The classic toy: windows of 0.1 .. 0.9, predict the next two steps."""
    series = np.round(np.arange(0.1, 1.0, 0.1), 1)
    X, y = make_windows(series, input_length=3, output_length=2)
    model = LSTMSequencePredictor(
        decoder=decoder, units=(32,), epochs=100, random_state=0
    ).fit(X, y)
    mae = np.abs(model.predict(X) - y).mean()
    assert mae < 0.05, mae


def _seasonal_series(n_steps, rng):
    t = np.arange(n_steps)
    return 10 + 0.05 * t + 2 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.3, n_steps)


@pytest.mark.slow
@pytest.mark.parametrize("decoder", DECODERS)
def test_forecast_beats_seasonal_naive_on_held_out_horizon(decoder):
    rng = np.random.RandomState(0)
    series = _seasonal_series(240, rng)
    train, test = series[:216], series[216:]
    X, y = make_windows(train, input_length=24, output_length=12)
    model = LSTMSequencePredictor(
        decoder=decoder, level="last", units=(32,), epochs=60, random_state=0
    ).fit(X, y)
    forecast = model.predict(last_window(train, 24))[0, :12]
    model_mae = np.abs(forecast - test[:12]).mean()
    naive_mae = np.abs(train[-12:] - test[:12]).mean()  # same month last season
    assert model_mae < naive_mae, (model_mae, naive_mae)


def test_level_removal_round_trip_and_errors(windows):
    X, _ = windows
    X = np.abs(X) + 1.0
    y = X[:, -3:, :] * 1.1
    for level in ("last", "log_last"):
        model = tiny(level=level).fit(X, y)
        assert model.predict(X).shape == y.shape
    with pytest.raises(ValueError, match="needs X > 0"):
        tiny(level="log_last").fit(X - 5.0, y)
    with pytest.raises(ValueError, match="same 2 features"):
        tiny(level="last").fit(X, y[:, :, 0])


def test_bad_inputs(windows):
    X, y = windows
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        tiny().fit(X, y[:-1])
    y_nan = y.copy()
    y_nan[3, 1, 0] = np.nan
    with pytest.raises(ValueError, match="Input y contains NaN"):
        tiny().fit(X, y_nan)
    with pytest.raises(ValueError, match="got 4 dimensions"):
        tiny().fit(X, y[..., None])
    with pytest.raises(ValueError, match="requires y"):
        tiny().fit(X, None)
    with pytest.raises(NotFittedError):
        tiny().predict(X)
    model = tiny().fit(X, y)
    with pytest.raises(ValueError, match="3 features per time step"):
        model.predict(np.ones((2, 6, 3)))
    with pytest.raises(ValueError, match="'decoder' parameter"):
        tiny(decoder="attention").fit(X, y)


@pytest.mark.parametrize("decoder", DECODERS)
def test_persistence_clone_and_reproducibility(windows, decoder, tmp_path):
    X, y = windows
    model = tiny(decoder=decoder).fit(X, y)
    expected = model.predict(X)
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(model)).predict(X), expected
    )
    joblib.dump(model, tmp_path / "model.joblib")
    np.testing.assert_array_equal(
        joblib.load(tmp_path / "model.joblib").predict(X), expected
    )
    np.testing.assert_array_equal(clone(model).fit(X, y).predict(X), expected)
    np.testing.assert_array_equal(tiny(decoder=decoder).fit(X, y).predict(X), expected)


def test_pipeline_search_and_time_series_cv():
    series = _seasonal_series(120, np.random.RandomState(0))
    X, y = make_windows(series, input_length=12, output_length=3)
    pipeline = make_pipeline(FunctionTransformer(), tiny())
    search = GridSearchCV(
        pipeline,
        {
            "lstmsequencepredictor__decoder": DECODERS,
            "lstmsequencepredictor__optimizer__learning_rate": [0.01],
        },
        cv=TimeSeriesSplit(n_splits=2),
        n_jobs=2,
    )
    search.fit(X, y)
    assert search.predict(X).shape == y.shape
    scores = cross_val_score(tiny(), X, y, cv=TimeSeriesSplit(n_splits=2))
    assert scores.shape == (2,) and np.isfinite(scores).all()


def test_teacher_forcing_is_the_deprecated_name_of_conditional(windows):
    X, y = windows
    with pytest.warns(FutureWarning, match="renamed decoder='conditional'"):
        old = LSTMSequencePredictor(decoder="teacher_forcing", **TINY_PREDICTOR)
        old.set_params(random_state=0).fit(X, y)
    new = LSTMSequencePredictor(
        decoder="conditional", **TINY_PREDICTOR, random_state=0
    ).fit(X, y)
    np.testing.assert_array_equal(old.predict(X), new.predict(X))
