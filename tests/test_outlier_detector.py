"""LSTMAutoencoderOutlierDetector: scikit-learn's outlier-detector conventions,
the threshold, errors per step, and scores of long series (also from dask)."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone

from sklearn_lstmae import LSTMAutoencoderOutlierDetector, load, save
from sklearn_lstmae._outlier_detector import _leave_one_out_distances, upper_fence
from sklearn_lstmae.datasets import make_sequence_classification
from sklearn_lstmae.windows import map_window_scores, sliding_windows

from .conftest import TINY

#: A tiny detector with its default threshold rule.
TINY_DETECTOR = {**TINY, "validation_split": "auto", "random_state": 0}
#: The same, scoring by reconstruction error (``score_samples`` is minus the
#: mean of ``reconstruction_errors``).
TINY_RECONSTRUCTION = {**TINY_DETECTOR, "anomaly_score": "reconstruction"}


@pytest.fixture(scope="module")
def normal_and_other():
    """Sine waves (class 0, normal) and square waves (class 1), (n, 12, 2)."""
    X, y = make_sequence_classification(
        n_samples=120, n_timesteps=12, n_classes=2, random_state=0
    )
    return X[y == 0], X[y == 1]


@pytest.fixture(scope="module")
def detector(normal_and_other):
    """Scores by reconstruction error, fitted on 50 sine waves."""
    normal, _ = normal_and_other
    return LSTMAutoencoderOutlierDetector(**TINY_RECONSTRUCTION).fit(normal[:50])


@pytest.fixture(scope="module")
def neighbors(normal_and_other):
    """Scores by code distances (the default), fitted on 50 sine waves."""
    normal, _ = normal_and_other
    return LSTMAutoencoderOutlierDetector(**TINY_DETECTOR).fit(normal[:50])


@pytest.mark.parametrize("fitted", ["detector", "neighbors"])
def test_signs_offset_and_labels_follow_scikit_learn(fitted, normal_and_other, request):
    detector = request.getfixturevalue(fitted)
    normal, other = normal_and_other
    X = np.concatenate([normal[50:], other])
    scores = detector.score_samples(X)
    assert scores.shape == (len(X),) and (scores <= 0).all()
    decision = detector.decision_function(X)
    np.testing.assert_allclose(decision, scores - detector.offset_)
    assert detector.threshold_ == -detector.offset_ > 0
    labels = detector.predict(X)
    assert set(labels) <= {-1, 1}
    np.testing.assert_array_equal(labels == -1, decision < 0)
    # Another waveform scores lower than new normal sequences.
    new = len(normal) - 50
    assert np.median(scores[new:]) < np.median(scores[:new])


def test_reconstruction_scores_are_the_mean_step_errors(detector, normal_and_other):
    normal, other = normal_and_other
    X = np.concatenate([normal[50:], other])
    errors = detector.reconstruction_errors(X)
    assert errors.shape == X.shape and (errors >= 0).all()
    np.testing.assert_allclose(detector.score_samples(X), -errors.mean(axis=(1, 2)))
    assert np.mean(detector.predict(other) == -1) >= 0.9


def _same_network(params, X):
    """The transformer with the detector's network parameters, fitted alike."""
    from sklearn_lstmae import LSTMAutoencoderTransformer

    return LSTMAutoencoderTransformer(**params).fit(X)


def _code_scale(transformer, codes):
    """Each pooled column's deviation; the bottleneck's variances shrunk
    towards their mean by Ledoit and Wolf's estimate."""
    from sklearn.covariance import ledoit_wolf_shrinkage

    names = transformer.get_feature_names_out().astype(str)
    pooled = np.char.find(names, "_") >= 0  # "..._mean0", not "...0"
    scale = codes.std(axis=0)
    variance = scale[~pooled] ** 2
    shrinkage = ledoit_wolf_shrinkage(codes[:, ~pooled])
    scale[~pooled] = np.sqrt((1 - shrinkage) * variance + shrinkage * variance.mean())
    return scale


@pytest.mark.parametrize("score", ["reconstruction", "neighbors"])
def test_auto_threshold_is_the_fence_of_normal_scores(normal_and_other, score):
    normal, _ = normal_and_other
    # No linear path: nothing is refitted after the held-out sequences judged
    # it, so the threshold's network is the final one, the transformer's.
    params = {**TINY_DETECTOR, "linear_path": False, "validation_split": 0.2}
    detector = LSTMAutoencoderOutlierDetector(**params, anomaly_score=score).fit(
        normal[:50]
    )
    if score == "reconstruction":
        # The root-mean-squared errors of the last 20%, held out.
        assert detector.n_calibration_ == 10
        values = np.sqrt(-detector.score_samples(normal[40:50]))
    else:
        # The distances of each training code to the 5 nearest others.
        assert detector.n_calibration_ == 50
        same = _same_network(params, normal[:50])
        codes = same.transform(normal[:50]).astype(np.float64)
        codes = (codes - codes.mean(axis=0)) / _code_scale(same, codes)
        distances = np.linalg.norm(codes[:, None] - codes[None], axis=2)
        values = np.sort(distances, axis=1)[:, 1:6].mean(axis=1)
    q1, q3 = np.percentile(values, [25, 75])
    fence = q3 + 1.5 * (q3 - q1)
    expected = fence**2 if score == "reconstruction" else fence
    assert detector.threshold_ == pytest.approx(expected, rel=1e-4)


def test_neighbor_scores_are_distances_to_the_training_codes(
    neighbors, normal_and_other
):
    normal, other = normal_and_other
    params = {**TINY_DETECTOR, "validation_split": 0.2}
    transformer = _same_network(params, normal[:50])
    codes = transformer.transform(normal[:50]).astype(np.float64)
    np.testing.assert_allclose(neighbors.code_mean_, codes.mean(axis=0), rtol=1e-5)
    scale = _code_scale(transformer, codes)
    reference = (codes - codes.mean(axis=0)) / scale
    np.testing.assert_allclose(neighbors.reference_codes_, reference, atol=1e-4)
    new = (transformer.transform(other[:4]) - codes.mean(axis=0)) / scale
    distances = np.linalg.norm(new[:, None] - reference[None], axis=2)
    expected = -np.sort(distances, axis=1)[:, :5].mean(axis=1)
    np.testing.assert_allclose(neighbors.score_samples(other[:4]), expected, rtol=1e-4)


def test_upper_fence_is_robust_to_a_few_outliers():
    errors = np.linspace(1, 2, 20) ** 2
    with_outliers = np.concatenate([errors, [1e6, 1e9]])
    assert upper_fence(with_outliers) < 1.5 * upper_fence(errors)
    assert upper_fence(np.zeros(5)) == 0


def test_at_most_max_reference_codes_are_kept(normal_and_other, monkeypatch):
    from sklearn_lstmae import _outlier_detector

    normal, other = normal_and_other
    monkeypatch.setattr(_outlier_detector, "_MAX_REFERENCE", 20)
    detector = LSTMAutoencoderOutlierDetector(**TINY_DETECTOR).fit(normal)
    assert detector.reference_codes_.shape[0] == 20
    assert detector.n_calibration_ == 20
    assert np.isfinite(detector.score_samples(other)).all()


@pytest.mark.parametrize("contamination", [0.1, 0.25])
@pytest.mark.parametrize("score", ["reconstruction", "neighbors"])
def test_float_contamination_flags_that_share_of_training(
    normal_and_other, contamination, score
):
    # Of the training sequences' scores as new sequences would get them: the
    # reconstruction errors, or each code's distances to the others (leave
    # one out; predict on the training sequences themselves counts their own
    # code as a neighbour, as LocalOutlierFactor(novelty=True) would).
    normal, _ = normal_and_other
    detector = LSTMAutoencoderOutlierDetector(
        **{**TINY_DETECTOR, "contamination": contamination, "anomaly_score": score}
    ).fit(normal)
    assert detector.n_calibration_ == len(normal)
    if score == "neighbors":
        scores = -_leave_one_out_distances(
            detector.reference_codes_, detector.n_neighbors
        )
        flagged = np.mean(scores < detector.offset_)
    else:
        flagged = np.mean(detector.predict(normal) == -1)
    assert flagged == pytest.approx(contamination, abs=1.5 / len(normal))
    np.testing.assert_array_equal(
        detector.fit_predict(normal), detector.predict(normal)
    )


def test_auto_threshold_without_held_out_sequences_warns(normal_and_other):
    normal, _ = normal_and_other
    params = {**TINY_DETECTOR, **TINY, "anomaly_score": "reconstruction"}
    detector = LSTMAutoencoderOutlierDetector(**params)
    with pytest.warns(UserWarning, match="none were"):
        detector.fit(normal[:20])
    assert detector.n_calibration_ == 0
    rmse = np.sqrt(-detector.score_samples(normal[:20]))
    assert detector.threshold_ == pytest.approx(upper_fence(rmse) ** 2)
    # Code distances need no held-out sequences (each code against the others).
    params["anomaly_score"] = "neighbors"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LSTMAutoencoderOutlierDetector(**params).fit(normal[:20])


def test_contamination_is_validated(normal_and_other):
    normal, _ = normal_and_other
    for bad in (0.0, 0.6, "half"):
        detector = LSTMAutoencoderOutlierDetector(**TINY_DETECTOR, contamination=bad)
        with pytest.raises(ValueError, match="contamination"):
            detector.fit(normal)
        assert not hasattr(detector, "offset_")


def test_errors_locate_an_injected_spike(detector, normal_and_other):
    normal, _ = normal_and_other
    spiked = normal[50:55].copy()
    spiked[:, 7, 1] += 4.0
    errors = detector.reconstruction_errors(spiked)
    for sequence in errors:
        step, feature = np.unravel_index(sequence.argmax(), sequence.shape)
        assert (step, feature) == (7, 1)


def test_errors_keep_the_callers_layout(normal_and_other, ragged):
    normal, _ = normal_and_other
    flat = normal[:, :, 0]
    detector = LSTMAutoencoderOutlierDetector(**TINY_RECONSTRUCTION).fit(flat)
    errors = detector.reconstruction_errors(flat[:4])
    assert errors.shape == (4, 12)
    np.testing.assert_allclose(-errors.mean(axis=1), detector.score_samples(flat[:4]))
    variable = LSTMAutoencoderOutlierDetector(**TINY_RECONSTRUCTION).fit(ragged * 4)
    errors = variable.reconstruction_errors(ragged)
    assert [len(e) for e in errors] == [len(x) for x in ragged]
    assert all(np.isfinite(e).all() for e in errors)  # padding cut off
    np.testing.assert_allclose(
        [-e.mean() for e in errors], variable.score_samples(ragged)
    )


def test_predicted_steps_only_have_errors_with_objective_predict(normal_and_other):
    normal, _ = normal_and_other
    detector = LSTMAutoencoderOutlierDetector(
        **TINY_RECONSTRUCTION, objective="predict", n_future=3, reverse_target=True
    ).fit(normal)
    errors = detector.reconstruction_errors(normal[:4])
    assert np.isnan(errors[:, :9]).all() and np.isfinite(errors[:, 9:]).all()
    np.testing.assert_allclose(
        -np.nanmean(errors, axis=(1, 2)), detector.score_samples(normal[:4])
    )


def test_reversed_targets_give_errors_in_forward_order(normal_and_other):
    normal, _ = normal_and_other
    params = {**TINY_DETECTOR, "linear_path": False}
    forward = LSTMAutoencoderOutlierDetector(**params).fit(normal)
    spiked = normal[:3].copy()
    spiked[:, 2, 0] += 6.0
    reverse = LSTMAutoencoderOutlierDetector(**params, reverse_target=True).fit(normal)
    for model in (forward, reverse):
        errors = model.reconstruction_errors(spiked)
        assert (errors[:, 2, 0] == errors.max(axis=(1, 2))).all()


# -- long series --------------------------------------------------------------
@pytest.fixture(scope="module")
def series_detector():
    """A univariate detector of windows of 10 steps of a noisy sine wave
    (period 12), fitted on its first 300 steps, and the whole series."""
    rng = np.random.RandomState(0)
    steps = np.arange(720)
    series = np.sin(2 * np.pi * steps / 12) + rng.normal(0, 0.1, len(steps))
    windows = sliding_windows(series[:300], length=10, stride=2)
    return LSTMAutoencoderOutlierDetector(**TINY_RECONSTRUCTION).fit(windows), series


@pytest.mark.parametrize("stride", [1, 3, 7])
@pytest.mark.parametrize("aggregate", ["mean", "max"])
def test_series_scores_come_from_the_windows_covering_each_step(
    series_detector, stride, aggregate
):
    detector, series = series_detector
    scores = detector.score_series(series, stride=stride, aggregate=aggregate)
    assert scores.shape == series.shape and np.isfinite(scores).all()
    windows = sliding_windows(series, 10, stride)
    expected = map_window_scores(
        detector.score_samples(windows), len(series), 10, stride, aggregate
    )
    np.testing.assert_allclose(scores, expected)
    labels = detector.predict_series(series, stride=stride, aggregate=aggregate)
    np.testing.assert_array_equal(labels == -1, scores < detector.offset_)


def test_long_series_are_scored_a_portion_of_windows_at_a_time(
    series_detector, monkeypatch
):
    from sklearn_lstmae import _inference

    detector, series = series_detector
    expected = detector.score_series(series)
    monkeypatch.setattr(_inference, "PORTION_ROWS", 100)  # 711 windows: 8 portions
    # Float32 kernels may round the last bit differently in other batches.
    np.testing.assert_allclose(detector.score_series(series), expected, rtol=1e-5)


def test_an_anomaly_in_a_series_is_found_where_it_is(series_detector):
    detector, series = series_detector
    series = series.copy()
    series[400:404] += 3.0
    scores = detector.score_series(series)
    assert 390 <= scores.argmin() <= 413  # among the windows that cover it
    labels = detector.predict_series(series)
    assert (labels[400:404] == -1).all()
    assert np.mean(labels[:350] == 1) > 0.8


def test_series_input_is_checked(series_detector, ragged):
    detector, series = series_detector
    with pytest.raises(ValueError, match="fewer than one window of length=10"):
        detector.score_series(series[:9])
    with pytest.raises(ValueError, match="stride"):
        detector.score_series(series, stride=0)
    with pytest.raises(ValueError, match="aggregate"):
        detector.score_series(series, aggregate="median")
    with pytest.raises(ValueError, match="NaN"):
        detector.score_series(np.r_[series, np.nan])
    variable = LSTMAutoencoderOutlierDetector(**TINY_RECONSTRUCTION).fit(ragged * 4)
    with pytest.raises(ValueError, match="variable length"):
        variable.score_series(series)


def test_multivariate_series_in_either_training_layout(normal_and_other):
    normal, _ = normal_and_other
    series = normal.reshape(-1, 2)
    windows = sliding_windows(series[:240], length=12, stride=3)
    three_d = LSTMAutoencoderOutlierDetector(**TINY_RECONSTRUCTION).fit(windows)
    flat = LSTMAutoencoderOutlierDetector(**TINY_DETECTOR, n_features=2).fit(
        windows.reshape(len(windows), -1)
    )
    for detector in (three_d, flat):
        scores = detector.score_series(series, stride=5)
        assert scores.shape == (len(series),) and np.isfinite(scores).all()


def test_dask_chunks_are_widened_just_enough(series_detector):
    dask_array = pytest.importorskip("dask.array")
    import dask

    from sklearn_lstmae import _dask

    _, series = series_detector

    class Recording:
        """Returns the chunk itself, or the length of the widened chunk."""

        def values(self, stretch, first, core):
            return np.asarray(stretch)[core]

        def widths(self, stretch, first, core):
            return np.full(core.stop - core.start, float(len(stretch)))

    chunks = dask_array.from_array(series, chunks=37)
    with dask.config.set(scheduler="synchronous"):
        values = _dask.map_overlapping(Recording(), "values", chunks, 9).compute()
        widths = _dask.map_overlapping(Recording(), "widths", chunks, 9).compute()
    np.testing.assert_array_equal(values, series)
    assert widths.max() == 37 + 2 * 9 and widths[:37].min() == 37 + 9  # first


# -- persistence --------------------------------------------------------------
@pytest.mark.parametrize("fitted", ["detector", "neighbors"])
def test_save_load_and_clone_keep_the_threshold(
    fitted, normal_and_other, tmp_path, request
):
    detector = request.getfixturevalue(fitted)
    _, other = normal_and_other
    save(detector, tmp_path / "detector.lstmae")
    loaded = load(tmp_path / "detector.lstmae")
    assert loaded.offset_ == detector.offset_
    assert loaded.n_calibration_ == detector.n_calibration_
    np.testing.assert_array_equal(
        loaded.decision_function(other), detector.decision_function(other)
    )
    assert clone(detector).get_params() == detector.get_params()


def test_fitting_again_without_held_out_data_does_not_warn_with_a_float(
    normal_and_other,
):
    normal, _ = normal_and_other
    detector = LSTMAutoencoderOutlierDetector(**TINY, contamination=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        detector.fit(normal[:10])


def test_a_float_contamination_flags_that_share_of_new_normal_sequences():
    # The neighbors threshold comes from leave-one-out distances (what new
    # normal sequences score), not from training codes that are their own
    # nearest neighbour: with n_neighbors=1 that threshold was exactly 0.
    X, y = make_sequence_classification(n_samples=400, n_timesteps=12, random_state=0)
    normal = X[y == 0]
    for n_neighbors in (1, 5):
        detector = LSTMAutoencoderOutlierDetector(
            **TINY, contamination=0.1, n_neighbors=n_neighbors, random_state=0
        ).fit(normal[:80])
        assert detector.threshold_ > 0
        # ~10% expected; 0.44 (n_neighbors=5) and 1.0 (n_neighbors=1) before.
        assert np.mean(detector.predict(normal[80:]) == -1) <= 0.25


def test_warm_start_may_change_the_threshold_parameters(normal_and_other):
    normal, _ = normal_and_other
    detector = LSTMAutoencoderOutlierDetector(**TINY_DETECTOR, warm_start=True)
    detector.fit(normal[:40])
    model, auto = detector.model_, detector.offset_
    detector.set_params(contamination=0.2, n_neighbors=3).fit(normal[:40])
    assert detector.model_ is not model  # trained on, not rebuilt
    assert len(detector.history_["loss"]) == 2 * TINY["epochs"]
    assert detector.offset_ != auto
    detector.set_params(anomaly_score="reconstruction").fit(normal[:40])
    assert not hasattr(detector, "reference_codes_")
    with pytest.raises(ValueError, match="encoding_dim changed"):
        detector.set_params(encoding_dim=5).fit(normal[:40])


def test_one_sequence_cannot_set_a_neighbors_threshold(normal_and_other):
    normal, _ = normal_and_other
    with pytest.raises(ValueError, match="at least 2 training sequences"):
        LSTMAutoencoderOutlierDetector(**TINY_DETECTOR).fit(normal[:1])


# -- long series: review findings ---------------------------------------------
def test_a_glitch_changes_only_the_scores_of_the_stamps_its_windows_cover(
    series_detector,
):
    detector, series = series_detector
    clean = detector.score_series(series)
    for glitch in (1e10, 1e37):  # a huge error; one that overflows float32
        spiked = series.copy()
        spiked[100] = glitch  # in the windows starting at 91 to 100
        scores = detector.score_series(spiked)
        assert (scores[91:110] < clean[91:110]).all()
        # Float32 scores of the same windows may round differently in batches
        # holding other windows; a running sum moved them by ~1e4 and more.
        np.testing.assert_allclose(scores[110:], clean[110:], rtol=1e-5)
        np.testing.assert_allclose(scores[:91], clean[:91], rtol=1e-5)
        labels = detector.predict_series(spiked)
        assert (labels[100] == -1).all() and np.isfinite(scores[110:]).all()


def test_non_finite_complex_or_several_series_are_refused(series_detector):
    detector, series = series_detector
    with pytest.raises(
        ValueError, match=r"NaN or infinity \(the first at time step 50"
    ):
        detector.score_series(np.r_[series[:50], np.nan, series[50:]])
    with pytest.raises(ValueError, match="Complex data not supported in series"):
        detector.predict_series(series + 1j)
    with pytest.raises(ValueError, match=r"score_series takes one series.*one by one"):
        detector.score_series([series, series[:300]])
    # A univariate series as a list of its rows is still one series.
    rows = [[value] for value in series[:40]]
    np.testing.assert_array_equal(
        detector.score_series(rows), detector.score_series(series[:40])
    )


def test_stamps_in_no_window_are_never_called_normal(series_detector, monkeypatch):
    detector, series = series_detector
    for method in (detector.score_series, detector.predict_series):
        with pytest.raises(
            ValueError,
            match=r"stride=11 is larger than the window length, "
            r"n_timesteps_=10.*every time stamp must be covered.*stride <= 10",
        ):
            method(series, stride=11)
    assert detector.predict_series(series, stride=10).shape == series.shape
    # A NaN score (an error beyond float64) is labelled an outlier.
    scores = np.array([np.nan, detector.offset_, detector.offset_ - 1])
    monkeypatch.setattr(
        LSTMAutoencoderOutlierDetector, "score_series", lambda self, s, **kw: scores
    )
    np.testing.assert_array_equal(detector.predict_series(series), [-1, 1, -1])


def test_dask_series_are_checked_too(series_detector):
    dask_array = pytest.importorskip("dask.array")
    import dask

    detector, series = series_detector
    broken = series.copy()
    broken[500] = np.inf
    with dask.config.set(scheduler="synchronous"):
        lazy = detector.score_series(dask_array.from_array(broken, chunks=100))
        with pytest.raises(ValueError, match="the first at time step 500"):
            lazy.compute()
        with pytest.raises(ValueError, match="Complex data not supported"):
            detector.score_series(dask_array.from_array(series + 1j, chunks=100))
        with pytest.raises(ValueError, match="stride=11 is larger"):
            detector.score_series(dask_array.from_array(series, chunks=100), stride=11)
