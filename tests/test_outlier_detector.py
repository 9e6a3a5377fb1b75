"""LSTMAutoencoderOutlierDetector: scikit-learn's outlier-detector conventions,
the threshold, errors per step, and scores of long series (also from dask)."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone

from sklearn_lstmae import LSTMAutoencoderOutlierDetector, load, save
from sklearn_lstmae._outlier_detector import upper_fence
from sklearn_lstmae.datasets import make_sequence_classification
from sklearn_lstmae.windows import map_window_scores, sliding_windows

from .conftest import TINY

#: A tiny detector with its default threshold rule: 20% held out.
TINY_DETECTOR = {**TINY, "validation_split": "auto", "random_state": 0}


@pytest.fixture(scope="module")
def normal_and_other():
    """Sine waves (class 0, normal) and square waves (class 1), (n, 12, 2)."""
    X, y = make_sequence_classification(
        n_samples=120, n_timesteps=12, n_classes=2, random_state=0
    )
    return X[y == 0], X[y == 1]


@pytest.fixture(scope="module")
def detector(normal_and_other):
    normal, _ = normal_and_other
    return LSTMAutoencoderOutlierDetector(**TINY_DETECTOR).fit(normal[:50])


def test_signs_offset_and_labels_follow_scikit_learn(detector, normal_and_other):
    normal, other = normal_and_other
    X = np.concatenate([normal[50:], other])
    scores = detector.score_samples(X)
    errors = detector.reconstruction_errors(X)
    assert errors.shape == X.shape and (errors >= 0).all()
    np.testing.assert_allclose(scores, -errors.mean(axis=(1, 2)))
    decision = detector.decision_function(X)
    np.testing.assert_allclose(decision, scores - detector.offset_)
    assert detector.threshold_ == -detector.offset_ > 0
    labels = detector.predict(X)
    assert set(labels) <= {-1, 1}
    np.testing.assert_array_equal(labels == -1, decision < 0)
    # Another waveform is rebuilt worse than new normal sequences.
    assert scores[len(normal) - 50 :].max() < np.median(scores[: len(normal) - 50])
    assert np.mean(labels[len(normal) - 50 :] == -1) >= 0.9


def test_auto_threshold_is_the_fence_of_held_out_errors(detector, normal_and_other):
    normal, _ = normal_and_other
    held_out = normal[40:50]  # the last 20% of the 50 training sequences
    assert detector.n_calibration_ == 10
    expected = upper_fence(-detector.score_samples(held_out))
    assert detector.threshold_ == pytest.approx(expected)
    rmse = np.sqrt(-detector.score_samples(held_out))
    q1, q3 = np.percentile(rmse, [25, 75])
    assert np.sqrt(detector.threshold_) == pytest.approx(q3 + 1.5 * (q3 - q1))


def test_upper_fence_is_robust_to_a_few_outliers():
    errors = np.linspace(1, 2, 20) ** 2
    with_outliers = np.concatenate([errors, [1e6, 1e9]])
    assert upper_fence(with_outliers) < 1.5 * upper_fence(errors)
    assert upper_fence(np.zeros(5)) == 0


@pytest.mark.parametrize("contamination", [0.1, 0.25])
def test_float_contamination_flags_that_share_of_training(
    normal_and_other, contamination
):
    normal, _ = normal_and_other
    detector = LSTMAutoencoderOutlierDetector(
        **{**TINY_DETECTOR, "contamination": contamination}
    ).fit(normal)
    assert detector.n_calibration_ == len(normal)
    flagged = np.mean(detector.predict(normal) == -1)
    assert flagged == pytest.approx(contamination, abs=1.5 / len(normal))
    np.testing.assert_array_equal(
        detector.fit_predict(normal), detector.predict(normal)
    )


def test_auto_threshold_without_held_out_sequences_warns(normal_and_other):
    normal, _ = normal_and_other
    detector = LSTMAutoencoderOutlierDetector(**{**TINY_DETECTOR, **TINY})
    with pytest.warns(UserWarning, match="none were"):
        detector.fit(normal[:20])
    assert detector.n_calibration_ == 0
    errors = -detector.score_samples(normal[:20])
    assert detector.threshold_ == pytest.approx(upper_fence(errors))


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
    detector = LSTMAutoencoderOutlierDetector(**TINY_DETECTOR).fit(flat)
    errors = detector.reconstruction_errors(flat[:4])
    assert errors.shape == (4, 12)
    np.testing.assert_allclose(-errors.mean(axis=1), detector.score_samples(flat[:4]))
    variable = LSTMAutoencoderOutlierDetector(**TINY_DETECTOR).fit(ragged * 4)
    errors = variable.reconstruction_errors(ragged)
    assert [len(e) for e in errors] == [len(x) for x in ragged]
    assert all(np.isfinite(e).all() for e in errors)  # padding cut off
    np.testing.assert_allclose(
        [-e.mean() for e in errors], variable.score_samples(ragged)
    )


def test_predicted_steps_only_have_errors_with_objective_predict(normal_and_other):
    normal, _ = normal_and_other
    detector = LSTMAutoencoderOutlierDetector(
        **TINY_DETECTOR, objective="predict", n_future=3, reverse_target=True
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
    return LSTMAutoencoderOutlierDetector(**TINY_DETECTOR).fit(windows), series


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
    variable = LSTMAutoencoderOutlierDetector(**TINY_DETECTOR).fit(ragged * 4)
    with pytest.raises(ValueError, match="variable length"):
        variable.score_series(series)


def test_multivariate_series_in_either_training_layout(normal_and_other):
    normal, _ = normal_and_other
    series = normal.reshape(-1, 2)
    windows = sliding_windows(series[:240], length=12, stride=3)
    three_d = LSTMAutoencoderOutlierDetector(**TINY_DETECTOR).fit(windows)
    flat = LSTMAutoencoderOutlierDetector(**TINY_DETECTOR, n_features=2).fit(
        windows.reshape(len(windows), -1)
    )
    for detector in (three_d, flat):
        scores = detector.score_series(series, stride=5)
        assert scores.shape == (len(series),) and np.isfinite(scores).all()


def test_dask_chunks_are_widened_just_enough(series_detector):
    dask_array = pytest.importorskip("dask.array")
    import dask

    from sklearn_lstmae import _chunks

    _, series = series_detector

    class Recording:
        """Returns the chunk itself, or the length of the widened chunk."""

        def values(self, stretch, first, core):
            return np.asarray(stretch)[core]

        def widths(self, stretch, first, core):
            return np.full(core.stop - core.start, float(len(stretch)))

    chunks = dask_array.from_array(series, chunks=37)
    with dask.config.set(scheduler="synchronous"):
        values = _chunks.map_overlapping(Recording(), "values", chunks, 9).compute()
        widths = _chunks.map_overlapping(Recording(), "widths", chunks, 9).compute()
    np.testing.assert_array_equal(values, series)
    assert widths.max() == 37 + 2 * 9 and widths[:37].min() == 37 + 9  # first


# -- persistence --------------------------------------------------------------
def test_save_load_and_clone_keep_the_threshold(detector, normal_and_other, tmp_path):
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
