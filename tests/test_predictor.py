"""LSTMSequencePredictor: layouts, decoders, level handling, contracts."""

import pickle

import joblib
import numpy as np
import pytest
from scipy import stats
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklearn_lstmae import LSTMSequencePredictor
from sklearn_lstmae._data import choose_level
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
    for window_scale in ("auto", True, False):
        with pytest.raises(ValueError, match="same 2 features"):
            tiny(level="last", window_scale=window_scale).fit(X, y[:, :, 0])


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
        # In this process: candidates in loky workers are test_quiet's (a
        # worker imports TensorFlow anew: seconds of CPU per worker).
        n_jobs=1,
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


# -- level="auto" -----------------------------------------------------------------
def _auto_level(series, input_length=12, output_length=6):
    X, y = make_windows(series, input_length, output_length)
    X, y = X[..., None], y[..., None]
    return choose_level(X, np.full(len(X), input_length), y)


def test_level_auto_rule():
    rng = np.random.RandomState(0)
    t = np.arange(200)
    growth = 100 * np.exp(0.01 * t) * (1 + 0.2 * np.sin(2 * np.pi * t / 12))
    assert _auto_level(growth * np.exp(rng.normal(0, 0.02, t.size))) == "log_last"
    # Positive, but changes of one size at every level (levels 10 to 210).
    assert _auto_level(10 + t + rng.normal(0, 1, t.size)) == "last"
    assert _auto_level(np.cumsum(rng.normal(size=300))) == "last"  # crosses 0
    # Returns to its mean within the horizon: the absolute level matters.
    assert _auto_level(5 + rng.normal(size=300)) is None
    # y another quantity (other features than X): never removed.
    X = rng.uniform(1, 2, size=(40, 6, 2))
    assert choose_level(X, np.full(40, 6), X[:, -3:, :1]) is None


def test_level_auto_is_recorded_and_used(windows):
    X, _ = windows
    X = np.abs(X) + 1.0
    y = X[:, -3:, :] * 1.1
    auto = tiny().fit(X, y)
    assert auto.level == "auto" and auto.level_ == "log_last"
    explicit = tiny(level="log_last").fit(X, y)
    np.testing.assert_array_equal(auto.predict(X), explicit.predict(X))
    assert tiny().fit(X, y[:, :, 0]).level_ is None  # y: another quantity
    with pytest.raises(ValueError, match=r"chosen by level='auto'.*needs X > 0"):
        auto.predict(X - 5.0)


# -- inputs known for the output steps (X_future) ------------------------------
@pytest.mark.slow
def test_covariates_carry_what_the_history_cannot():
    """Promotions drawn at random lift the series: no history predicts them,
    so only a forecaster that reads X_future gets them right."""
    rng = np.random.RandomState(0)
    promotions = (rng.uniform(size=400) < 0.2).astype(float)
    series = 10 + np.sin(2 * np.pi * np.arange(400) / 7) + 3 * promotions
    series += rng.normal(0, 0.1, series.size)
    X, y, future = make_windows(series[:300], 14, 7, covariates=promotions[:300])
    X_test, y_test, future_test = make_windows(
        series[286:], 14, 7, covariates=promotions[286:]
    )
    # One level (level="auto" would fit a network for each candidate).
    params = {"units": (16,), "epochs": 60, "level": "last", "random_state": 0}
    blind = LSTMSequencePredictor(**params).fit(X, y)
    informed = LSTMSequencePredictor(**params).fit(X, y, X_future=future)
    blind_mae = np.abs(blind.predict(X_test) - y_test).mean()
    informed_mae = np.abs(informed.predict(X_test, X_future=future_test) - y_test)
    assert informed.n_covariates_ == 1
    assert informed_mae.mean() < 0.5 * blind_mae, (informed_mae.mean(), blind_mae)


def test_covariate_errors(windows):
    X, y = windows
    future = np.ones((len(X), 3, 2))
    model = tiny().fit(X, y, X_future=future)
    assert model.predict(X, X_future=future).shape == y.shape
    assert model.predict(X, X_future=future[:, :, :1].repeat(2, 2)).shape == y.shape
    with pytest.raises(ValueError, match="fitted with X_future"):
        model.predict(X)
    with pytest.raises(ValueError, match="X_future has 4 steps"):
        model.predict(X, X_future=np.ones((len(X), 4, 2)))
    with pytest.raises(ValueError, match="X_future has 1 features per step"):
        model.predict(X, X_future=np.ones((len(X), 3, 1)))
    with pytest.raises(ValueError, match="X has 24 sequences but X_future has 2"):
        model.predict(X, X_future=future[:2])
    with pytest.raises(ValueError, match="Input X_future contains NaN"):
        model.predict(X, X_future=np.full_like(future, np.nan))
    with pytest.raises(ValueError, match="fitted without X_future"):
        tiny().fit(X, y).predict(X, X_future=future)
    with pytest.raises(ValueError, match="X_future has 2 steps"):
        tiny().fit(X, y, X_future=future[:, :2])
    with pytest.raises(ValueError, match="decoder='repeat'"):
        tiny(decoder="conditional").fit(X, y, X_future=future)
    # A failed fit changes nothing.
    before = model.predict(X, X_future=future)
    with pytest.raises(ValueError):
        model.fit(X, y, X_future=future[:, :2])
    np.testing.assert_array_equal(model.predict(X, X_future=future), before)


# -- prediction intervals --------------------------------------------------------
def test_predict_interval_bounds_layout_and_errors(windows):
    X, y = windows
    model = tiny(validation_split=0.25).fit(X, y)
    prediction = model.predict(X)
    lower, upper = model.predict_interval(X, coverage=0.8)
    assert lower.shape == upper.shape == y.shape
    assert np.all(lower <= prediction) and np.all(prediction <= upper)
    wide_lower, wide_upper = model.predict_interval(X, coverage=0.95)
    assert np.all(wide_upper - wide_lower >= upper - lower)
    assert model.calibration_residuals_.shape == (6, 3, 2)  # 25% of 24 windows
    flat = tiny(validation_split=0.25).fit(X[:, :, 0], y[:, :, 0])
    assert flat.predict_interval(X[:, :, 0])[0].shape == (len(X), 3)
    for coverage in (0, 1, 1.5, -0.1, "0.9", True, None):
        with pytest.raises(ValueError, match="coverage must be a number in"):
            model.predict_interval(X, coverage=coverage)
    # 36 held-out residuals (6 windows x 3 steps x 2 features) are too few
    # for the conformal 99% quantile (99 needed): normal errors of their root
    # mean square, Student's t with 36 degrees of freedom.
    scores = np.abs(model.calibration_residuals_ / model.residual_scale_)
    expected = stats.t.ppf(0.995, df=36) * np.sqrt(np.mean(np.square(scores)))
    np.testing.assert_allclose(
        model._interval_half_width(0.99), expected * model.residual_scale_, rtol=1e-5
    )
    widest_lower, widest_upper = model.predict_interval(X, coverage=0.99)
    assert np.all(widest_upper - widest_lower >= wide_upper - wide_lower)
    with pytest.raises(ValueError, match=r"held out none \(validation_split=0.0\)"):
        tiny().fit(X, y).predict_interval(X)


def test_a_default_fit_gives_intervals_calibrated_as_an_explicit_split(windows):
    """``validation_split="auto"`` (the default) holds out 20% of the
    windows: intervals from a default fit, the same as with an explicit 0.2."""
    X, y = windows
    default = tiny(validation_split="auto").fit(X, y)
    assert default.calibration_residuals_.shape == (5, 3, 2)  # 24 - floor(19.2)
    lower, upper = default.predict_interval(X, coverage=0.8)
    prediction = default.predict(X)
    assert np.all(lower <= prediction) and np.all(prediction <= upper)
    explicit = tiny(validation_split=0.2, level=default.level_).fit(X, y)
    for bound, same in zip(
        (lower, upper), explicit.predict_interval(X, coverage=0.8), strict=True
    ):
        np.testing.assert_array_equal(bound, same)
    assert LSTMSequencePredictor().get_params()["validation_split"] == "auto"


def _held_out_errors(model, X, y, split_at):
    """What ``level="auto"`` compares: the mean absolute error of each
    held-out window over the mean absolute change between its input steps."""
    errors = np.abs(model.predict(X[split_at:]) - y[split_at:]).mean(axis=(1, 2))
    scale = np.abs(np.diff(X[split_at:], axis=1)).mean(axis=(1, 2))
    return errors / scale


def test_level_auto_keeps_the_rules_level_unless_another_is_clearly_better():
    rng = np.random.RandomState(0)
    t = np.arange(160)
    series = 20 + 0.2 * t + 2 * np.sin(t / 2) + rng.normal(0, 0.3, t.size)
    X, y = make_windows(series, 8, 2)
    X, y = X[..., None], y[..., None]
    auto = tiny(validation_split=0.25).fit(X, y)
    split_at = int(np.floor(len(X) * 0.75))
    explicit = {
        level: tiny(validation_split=0.25, level=level).fit(X, y)
        for level in (None, "last", "log_last")
    }
    errors = {
        level: _held_out_errors(model, X, y, split_at)
        for level, model in explicit.items()
    }
    ruled = choose_level(X, np.full(len(X), 8), y)
    lowest = min(errors, key=lambda level: errors[level].mean())
    # Block means of 2 windows (the horizon), the latest 19 blocks of 38.
    blocks = (errors[ruled] - errors[lowest])[-38:].reshape(19, 2).mean(axis=1)
    clear = stats.ttest_1samp(blocks, 0.0, alternative="greater").pvalue < 0.05
    assert auto.level_ == (lowest if clear else ruled), (ruled, errors)
    np.testing.assert_array_equal(auto.predict(X), explicit[auto.level_].predict(X))
    assert auto.get_params()["level"] == "auto"
    assert auto.fitted_params_["level"] == "auto"
    assert not [name for name in vars(auto) if name.startswith("_level")]
    # y of other features than X (another quantity): only None applies.
    assert tiny(validation_split=0.25).fit(X, np.dstack([y, y])).level_ is None


def test_clearly_lower_needs_two_horizons_of_held_out_windows():
    """Windows one step apart share targets: the held-out errors are
    compared in blocks as long as the horizon, and fewer than 2 blocks
    (one stretch of one series) never overrule the rule's level."""
    from sklearn_lstmae._predictor import _clearly_lower

    rng = np.random.RandomState(0)
    ruled = rng.uniform(1, 2, size=40)
    assert _clearly_lower(ruled / 10, ruled, n_output_steps=4)
    assert not _clearly_lower(ruled / 10, ruled, n_output_steps=21)  # 1 block
    assert not _clearly_lower(ruled[::-1], ruled, n_output_steps=4)  # chance
    assert not _clearly_lower(ruled, ruled, n_output_steps=4)  # equal


def test_validation_split_holds_out_as_keras_does_on_few_windows(windows):
    """0.2 of 4 windows holds out 1 (Keras trains on floor(0.8 * 4) = 3), so
    a short series still gets intervals; 0.2 of 1 window holds out none."""
    X, y = windows
    model = tiny(validation_split=0.2).fit(X[:4], y[:4])
    assert model.calibration_residuals_.shape == (1, 3, 2)
    lower, upper = model.predict_interval(X[:4], coverage=0.95)
    assert np.all(lower < upper)
    assert tiny(validation_split=0.2).fit(X[:1], y[:1]).calibration_residuals_ is None


def test_log_intervals_stay_positive_and_widen_with_the_level():
    rng = np.random.RandomState(0)
    t = np.arange(240)
    series = 100 * np.exp(0.01 * t) * np.exp(rng.normal(0, 0.05, t.size))
    X, y = make_windows(series, 12, 3)
    # The log scale itself (level="auto" scales these windows by their
    # changes instead: noise that grows with the level; covered below).
    model = tiny(validation_split=0.3, level="log_last", window_scale=False)
    model.fit(X, y)
    lower, upper = model.predict_interval(X, coverage=0.9)
    assert np.all(lower > 0)
    # A fixed width on the log scale: upper / lower is the same ratio for
    # every window (per step), so the width grows with the level.
    ratio = upper / lower
    np.testing.assert_allclose(ratio, np.broadcast_to(ratio[0], ratio.shape), rtol=1e-4)
    assert np.corrcoef((upper - lower)[:, 0], X[:, -1])[0, 1] > 0.9


@pytest.mark.slow
def test_predict_interval_coverage_holds_on_later_windows():
    """Calibrated on held-out windows, the intervals hold about their
    coverage on windows from later in the series (a wide band: the check is
    for gross miscalibration, which training residuals would give)."""
    rng = np.random.RandomState(0)
    series = _seasonal_series(700, rng)
    X, y = make_windows(series[:500], 24, 6)
    X_later, y_later = make_windows(series[500:], 24, 6)
    # One level (level="auto" fits a network per candidate; it keeps "last").
    model = LSTMSequencePredictor(
        units=(16,), epochs=30, level="last", validation_split=0.3, random_state=0
    ).fit(X, y)
    for coverage in (0.8, 0.95):
        lower, upper = model.predict_interval(X_later, coverage=coverage)
        covered = np.mean((lower <= y_later) & (y_later <= upper))
        assert abs(covered - coverage) < 0.1, (coverage, covered)


def test_a_masked_target_is_refused_not_read_through_its_mask():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 6, 2))
    y = np.ma.masked_array(rng.normal(size=(20, 3)), mask=False)
    y.data[0, 1] = 1e6
    y[0, 1] = np.ma.masked
    with pytest.raises(ValueError, match="masked array with masked values"):
        LSTMSequencePredictor(units=(3,), epochs=1).fit(X, y)
    # A mask that hides nothing is the array itself.
    y = np.ma.masked_array(rng.normal(size=(20, 3)), mask=False)
    LSTMSequencePredictor(units=(3,), epochs=1).fit(X, y)


def test_level_auto_on_variable_length_windows_warns_of_nothing():
    """Windows of one step have no change between steps to scale their
    held-out error by: they count unscaled, without a warning."""
    import warnings

    rng = np.random.RandomState(0)
    X = [rng.uniform(1, 2, size=(n, 1)) for n in (1, 3, 5, 1, 4, 6, 2, 5, 1, 3)]
    y = rng.uniform(1, 2, size=(10, 2, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = tiny(validation_split=0.2).fit(X, y)
    assert model.level_ in (None, "last", "log_last")
    assert model.calibration_residuals_.shape == (2, 2, 1)


@pytest.mark.parametrize("n_windows", [30, 8])  # more and fewer than d = 10
@pytest.mark.parametrize("chunk", [None, 25])  # all at once, 2-3 windows a chunk
def test_the_linear_paths_ridge_is_sklearns_with_exact_leave_one_out(
    n_windows, chunk, monkeypatch
):
    """``_ridge`` chooses its penalty as ``RidgeCV`` does and gives the exact
    leave-one-out predictions, with and without window weights, from either
    side's decomposition, reading the windows at once or in chunks."""
    from sklearn.linear_model import Ridge, RidgeCV
    from sklearn.model_selection import LeaveOneOut

    from sklearn_lstmae import _predictor
    from sklearn_lstmae._predictor import _RIDGE_ALPHAS, _ridge

    if chunk is not None:
        monkeypatch.setattr(_predictor, "_CHUNK_VALUES", chunk)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n_windows, 5, 2)).astype(np.float32)
    y = 2 * X[:, -2:, :1] + rng.normal(0, 0.5, size=(n_windows, 2, 1))
    flat, wanted = X.reshape(n_windows, -1).astype(np.float64), y.reshape(n_windows, -1)
    close = {"rtol": 1e-6, "atol": 1e-9}
    coef, intercept, loo, alpha = _ridge(X, y)
    reference = RidgeCV(alphas=_RIDGE_ALPHAS).fit(flat, wanted)
    assert alpha == reference.alpha_
    np.testing.assert_allclose(coef, reference.coef_.T, **close)
    np.testing.assert_allclose(intercept, reference.intercept_, **close)
    weights = rng.uniform(0.5, 2.0, size=n_windows)
    for w in (None, weights):
        coef, intercept, loo, alpha = _ridge(X, y, w)
        fitted = Ridge(alpha=alpha).fit(flat, wanted, sample_weight=w)
        np.testing.assert_allclose(coef, fitted.coef_.T, **close)
        np.testing.assert_allclose(intercept, fitted.intercept_, **close)
        for kept, left in LeaveOneOut().split(flat):
            one = Ridge(alpha=alpha).fit(
                flat[kept], wanted[kept], None if w is None else w[kept]
            )
            np.testing.assert_allclose(
                loo.reshape(n_windows, -1)[left], one.predict(flat[left]), **close
            )
    assert _ridge(X[:1], y[:1])[2] is None  # no leave-one-out of one window


def _ridge_of(model, X, y, weights=None):
    """The linear path's ridge regression of all windows, in the network's
    units (inputs and targets scaled, level removed)."""
    from sklearn_lstmae._predictor import _ridge

    batch = model._check_sequences(X, reset=False)
    inputs = model._model_inputs(batch)
    _, targets, _ = model._training_data(batch, inputs, y, reset=False)
    return _ridge(inputs, targets, weights)


@pytest.mark.parametrize("weighted", [False, True])
def test_a_short_series_gets_the_ridge_regression_untrained(weighted, tmp_path):
    """Held-out windows of fewer than 2 horizons cannot show that training
    beat the ridge start: the network is the ridge regression of all windows,
    not trained (an affine map of the window, with level=None)."""
    import warnings

    from sklearn_lstmae import load, save

    rng = np.random.RandomState(0)
    series = 10 + np.sin(np.arange(40) / 3) + rng.normal(0, 0.1, 40)
    X, y = make_windows(series, input_length=8, output_length=4)  # 29 windows
    weights = rng.uniform(0.5, 2.0, len(X)) if weighted else None
    model = LSTMSequencePredictor(units=(4,), level=None, random_state=0)
    model.fit(X, y, sample_weight=weights)
    assert model.linear_kept_ and not model.history_
    assert model.calibration_residuals_.shape == (6, 4, 1)  # 1 block of 4
    coef, intercept, _, _ = _ridge_of(model, X, y, weights)
    kernel, bias = model.model_.get_layer("linear_forecast").get_weights()
    np.testing.assert_allclose(kernel, coef, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bias, intercept, rtol=1e-5, atol=1e-6)
    mixed = 0.3 * X[:5] + 0.7 * X[5:10]
    expected = 0.3 * model.predict(X[:5]) + 0.7 * model.predict(X[5:10])
    np.testing.assert_allclose(model.predict(mixed), expected, rtol=1e-4, atol=1e-4)
    with warnings.catch_warnings():
        # Its optimizer is saved as a trained one's: no "Skipping variable loading".
        warnings.simplefilter("error", UserWarning)
        save(model, tmp_path / "ridge.lstmae")
        loaded = load(tmp_path / "ridge.lstmae")
    assert loaded.linear_kept_ and not loaded.history_
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_on_a_short_series_level_auto_takes_the_lowest_leave_one_out_error():
    """Too few held-out windows to compare levels, but the ridge regression's
    leave-one-out errors on the windows trained on (2 horizons or more)
    estimate each level's error: the lowest mean is chosen."""
    from sklearn_lstmae._predictor import _scaled_errors

    rng = np.random.RandomState(1)
    t = np.arange(60)
    series = 50 * np.exp(0.02 * t) * (1 + 0.2 * np.sin(t)) + rng.normal(0, 0.5, 60)
    X, y = make_windows(series, input_length=10, output_length=6)  # 45 windows
    auto = LSTMSequencePredictor(units=(4,), random_state=0).fit(X, y)
    rows = int(np.floor(len(X) * 0.8))
    means = {}
    for level in (None, "last", "log_last"):
        model = LSTMSequencePredictor(units=(4,), level=level, random_state=0)
        model.fit(X, y)
        assert model.linear_kept_ and not model.history_
        batch = model._check_sequences(X[:rows], reset=False)
        inputs = model._model_inputs(batch)
        _, targets, _ = model._training_data(batch, inputs, y[:rows], reset=False)
        from sklearn_lstmae._predictor import _ridge

        loo = _ridge(inputs, targets)[2]
        means[level] = _scaled_errors(
            batch, model._target_units(targets, batch), model._target_units(loo, batch)
        ).mean()
        if level == auto.level_:
            np.testing.assert_array_equal(auto.predict(X), model.predict(X))
    assert auto.level_ == min(means, key=means.get), means


def test_the_trained_network_is_kept_only_where_clearly_better(monkeypatch):
    """With 2 held-out horizons or more the network trains from the ridge
    start; unless its held-out errors are clearly lower, the ridge is
    restored and refitted on all windows."""
    from sklearn_lstmae import _predictor

    rng = np.random.RandomState(0)
    series = np.sin(np.arange(120) / 4) + rng.normal(0, 0.1, 120)
    X, y = make_windows(series, input_length=8, output_length=2)
    monkeypatch.setattr(_predictor, "_clearly_lower", lambda *args: False)
    model = tiny(level=None, validation_split=0.25, epochs=3).fit(X, y)
    assert len(model.history_["loss"]) == 3 and model.linear_kept_
    coef, _, _, _ = _ridge_of(model, X, y)
    kernel, _ = model.model_.get_layer("linear_forecast").get_weights()
    np.testing.assert_allclose(kernel, coef, rtol=1e-5, atol=1e-6)
    assert not tiny(level=None, linear_path=False).fit(X, y).linear_kept_


def test_a_clearly_better_network_is_combined_with_the_ridge(monkeypatch):
    """Where training clearly beat the ridge start on the held-out windows,
    the network kept averages both forecasts: its linear path is the mean of
    the trained one and the ridge's, its recurrent head (zero in the ridge)
    half the trained one; the residuals are the combination's."""
    from sklearn_lstmae import _predictor

    rng = np.random.RandomState(0)
    # A square wave: the recurrent network improves on the ridge at once.
    series = np.sign(np.sin(np.arange(120) / 3)) + rng.normal(0, 0.1, 120)
    X, y = make_windows(series, input_length=8, output_length=2)
    monkeypatch.setattr(_predictor, "_clearly_lower", lambda *args: True)
    params = dict(level=None, validation_split=0.25, epochs=3)
    combined = tiny(**params).fit(X, y)
    assert not combined.linear_kept_
    monkeypatch.setattr(
        _predictor.LSTMSequencePredictor, "_combine_with", lambda self, ridge: None
    )
    trained = tiny(**params).fit(X, y)
    rows = int(np.floor(len(X) * 0.75))
    coef, intercept, _, _ = _ridge_of(trained, X[:rows], y[:rows])

    def weights(model, *names):
        layer = model.model_
        for name in names:
            layer = layer.get_layer(name)
        return layer.get_weights()

    for got, alone, ridge in zip(
        weights(combined, "linear_forecast"),
        weights(trained, "linear_forecast"),
        (coef, intercept),
        strict=True,
    ):
        np.testing.assert_allclose(got, (alone + ridge) / 2, rtol=1e-5, atol=1e-6)
    for got, alone in zip(
        weights(combined, "decoder", "output"),
        weights(trained, "decoder", "output"),
        strict=True,
    ):
        np.testing.assert_allclose(got, alone / 2, rtol=1e-6)
    held_out = combined.predict(X[rows:])
    residuals = combined.target_scaler_.transform(y[rows:, :, None]) - (
        combined.target_scaler_.transform(held_out[:, :, None])
    )
    np.testing.assert_allclose(
        combined.calibration_residuals_, residuals, rtol=1e-4, atol=1e-4
    )


def _series_of_many_scales(n_steps=50):
    """12 trending series of scales 0.01 to 1000, alternately smooth and
    jagged: one model for all of them is the case for window scaling."""
    rng = np.random.RandomState(0)
    t = np.arange(n_steps)
    return [
        scale * (1 + 0.02 * t + rng.normal(0, noise, n_steps).cumsum())
        for scale, noise in zip(
            np.logspace(-2, 3, 12), np.tile([0.001, 0.05], 6), strict=True
        )
    ]


def test_window_scaling_makes_forecasts_follow_each_windows_scale_and_shift(
    tmp_path,
):
    """With window scaling each window's inputs, level removed, are divided by
    their mean absolute change: a window multiplied by c > 0 and shifted by b
    is forecast as the window's forecast times c plus b (the network sees the
    same values). Without it a change of scale changes the forecast's shape."""
    from sklearn_lstmae import load, save

    X, y = make_windows(_series_of_many_scales(), 8, 4, order="time")
    rng = np.random.RandomState(1)
    c = rng.uniform(0.01, 100, size=(len(X), 1))  # X: (n, 8), y: (n, 4)
    b = rng.normal(0, 1000, size=(len(X), 1))
    scaled = tiny(level="last", window_scale=True).fit(X, y)
    assert scaled.window_scale_.shape == (1,) and scaled.window_scale_[0] > 0
    forecasts = scaled.predict(X)
    moved = (scaled.predict(c * X + b) - b) / c
    tolerance = 1e-4 * np.abs(forecasts).max()
    np.testing.assert_allclose(moved, forecasts, rtol=1e-4, atol=tolerance)
    plain = tiny(level="last", window_scale=False).fit(X, y)
    assert plain.window_scale_ is None
    plain_moved = (plain.predict(c * X + b) - b) / c
    assert not np.allclose(plain_moved, plain.predict(X), rtol=1e-2)
    # A window without change takes the fitted scale: a finite forecast.
    flat = np.full((1, 8), 3.0)
    assert np.isfinite(scaled.predict(flat)).all()
    save(scaled, tmp_path / "scaled.lstmae")
    loaded = load(tmp_path / "scaled.lstmae")
    np.testing.assert_array_equal(loaded.window_scale_, scaled.window_scale_)
    np.testing.assert_array_equal(loaded.predict(X), forecasts)
    # An archive whose scale is not positive, or that scales windows its
    # parameters say are not scaled, is refused.
    from .test_persistence import edit

    save(plain, tmp_path / "plain.lstmae")
    stored = {"array": "AAAAAAAACMA=", "dtype": "<f8", "shape": [1]}  # [-3.0]
    for path, change in (
        ("scaled", lambda s: s["fitted"].update(window_scale_=stored)),
        (
            "plain",
            lambda s: s["fitted"].update(
                window_scale_=stored | {"array": "AAAAAAAACEA="}
            ),
        ),
    ):
        edit(tmp_path / f"{path}.lstmae", change)
        with pytest.raises(ValueError, match="window_scale_"):
            load(tmp_path / f"{path}.lstmae")


def test_window_scale_auto_scales_many_series_of_different_scales_not_one():
    """``window_scale="auto"`` scales where the ridge regression's
    leave-one-out errors are clearly lower with it: 12 series of scales 0.01
    to 1000 in one model, not one noisy seasonal series; never without a
    level."""
    X, y = make_windows(_series_of_many_scales(), 8, 4, order="time")
    many = tiny(level="last").fit(X, y)
    explicit = tiny(level="last", window_scale=True).fit(X, y)
    np.testing.assert_array_equal(many.window_scale_, explicit.window_scale_)
    np.testing.assert_array_equal(many.predict(X), explicit.predict(X))
    rng = np.random.RandomState(0)
    t = np.arange(200)
    one = 10 + np.sin(t / 3) + rng.normal(0, 0.3, 200)
    X1, y1 = make_windows(one, 8, 4)
    assert tiny(level="last").fit(X1, y1).window_scale_ is None
    assert tiny(level=None, window_scale=True).fit(X, y).window_scale_ is None
