"""scikit-learn's common estimator checks, run on every estimator we ship."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import (
    check_param_validation,
    estimator_checks_generator,
    parametrize_with_checks,
)

from sklearn_lstmae import (
    LSTMAutoencoderOutlierDetector,
    LSTMAutoencoderTransformer,
    LSTMSequencePredictor,
)

from .conftest import TINY, TINY_PREDICTOR

#: Checks that cannot pass by construction (the reason says why): marked as
#: expected failures and not run (tests/conftest.py), for time; the other
#: expected failures below are run, as they pass on some machines.
NOT_RUN = {"check_sample_weight_equivalence_on_dense_data"}
# Expected failures: (check name -> reason). Each reason is true of the estimator.
STOCHASTIC_TRAINING = (
    "Training is stochastic gradient descent over shuffled mini-batches: "
    "weighting a sample by 2 is not the same optimisation path as repeating it, "
    "so the fitted networks differ."
)
FLOAT32_BATCHING = (
    "The network computes in float32 and TensorFlow's CPU kernels block and "
    "thread the batch differently for different batch compositions, so an "
    "output can differ in the last bit (measured ~1e-9 to 1e-8 absolute) "
    "depending on which other sequences share its batch; the check demands "
    "rtol=1e-7, atol=1e-9, so it passes or fails depending on the values (not "
    "strict: both outcomes were observed for the transformer; the predictor has "
    "passed so far but runs on the same float32 kernels)."
)
DISTANCES_OF_FLOAT32_CODES = (
    "The detector's default score is a distance between standardized codes, "
    "which the network computes in float32: as above, a code can differ in its "
    "last bit with the batch it was computed in, and the distance (a sum over "
    "the code's columns, each divided by its spread) carries that to about 3e-7 "
    "absolute (measured), above the check's atol=1e-7 (not strict: it depends on "
    "the values)."
)
FLOAT32_SUBSETS = (
    "The check scores each row alone (a batch of 1) against all rows in one "
    "batch and demands atol=1e-7 (rtol=1e-7): the network computes in float32, "
    "and TensorFlow's CPU kernels (oneDNN, Eigen) round differently for other "
    "batch sizes, CPUs and thread counts; codes of about 2 differed by 2.4e-7 "
    "(1 ulp) measured with TF_ENABLE_ONEDNN_OPTS=0 on one core, at the check's "
    "limit (not strict: it passes on most machines). "
    "test_methods_are_subset_invariant_to_float32_precision checks the same "
    "property at float32's precision."
)
NOVELTY_THRESHOLD = (
    "With anomaly_score='neighbors' a float contamination sets the threshold "
    "from each training code's distance to the others (leave one out): what "
    "new normal sequences score, so about that share of them is flagged. "
    "predict on the training sequences themselves counts each one's own code "
    "among its neighbours (distance 0), so fewer than that share of them is "
    "flagged. scikit-learn skips this part of the check for novelty "
    "detectors (LocalOutlierFactor(novelty=True)); the detector with "
    "anomaly_score='reconstruction' runs it below (VARIANTS)."
)
NEIGHBORS_EXPECTED_FAILURES = {
    "check_outliers_train": NOVELTY_THRESHOLD,
    "check_outliers_fit_predict": NOVELTY_THRESHOLD,
}
EXPECTED_FAILURES = {
    LSTMAutoencoderTransformer: {
        "check_sample_weight_equivalence_on_dense_data": STOCHASTIC_TRAINING,
        "check_methods_sample_order_invariance": FLOAT32_BATCHING,
        "check_methods_subset_invariance": FLOAT32_SUBSETS,
    },
    LSTMAutoencoderOutlierDetector: {
        "check_sample_weight_equivalence_on_dense_data": STOCHASTIC_TRAINING,
        "check_methods_sample_order_invariance": FLOAT32_BATCHING,
        "check_methods_subset_invariance": DISTANCES_OF_FLOAT32_CODES,
    },
    LSTMSequencePredictor: {
        "check_sample_weight_equivalence_on_dense_data": STOCHASTIC_TRAINING,
        "check_methods_sample_order_invariance": FLOAT32_BATCHING,
        "check_methods_subset_invariance": FLOAT32_SUBSETS,
    },
}
#: The detector with its default threshold rule (20% of the sequences held out).
DETECTOR = LSTMAutoencoderOutlierDetector(**{**TINY, "validation_split": "auto"})
ESTIMATORS = [
    LSTMAutoencoderTransformer(**TINY),
    DETECTOR,
    LSTMSequencePredictor(**TINY_PREDICTOR),
]


def _expected_failed_checks(estimator):
    failures = EXPECTED_FAILURES.get(type(estimator), {})
    if getattr(estimator, "anomaly_score", None) == "neighbors":
        failures = {**failures, **NEIGHBORS_EXPECTED_FAILURES}
    return failures


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


#: Other networks of each estimator. Input checking, parameter handling, tags
#: and errors run the same code whatever the network, so the checks above
#: cover them once per class; these networks run the checks whose outcome
#: depends on the network: what fit stores, inference, pickling, sample
#: weights over several outputs.
VARIANTS = [
    LSTMAutoencoderTransformer(
        objective="composite", decoder="conditional", reverse_target=True, **TINY
    ),
    LSTMSequencePredictor(decoder="conditional", **TINY_PREDICTOR),
    # A float contamination flags that share of the training sequences
    # (scikit-learn's convention, which check_outliers_train holds it to).
    LSTMAutoencoderOutlierDetector(
        anomaly_score="reconstruction", contamination=0.1, **TINY
    ),
]
NETWORK_CHECKS = {
    "check_dict_unchanged",
    "check_dont_overwrite_parameters",
    "check_estimators_fit_returns_self",
    "check_estimators_overwrite_params",
    "check_estimators_pickle",
    "check_fit_check_is_fitted",
    "check_fit_idempotent",
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
    "check_n_features_in_after_fitting",
    "check_outliers_fit_predict",
    "check_outliers_train",
    "check_pipeline_consistency",
    "check_readonly_memmap_input",
    "check_regressor_multioutput",
    "check_regressors_train",
    "check_sample_weights_list",
    "check_transformer_general",
    "check_transformer_preserve_dtypes",
}


def _check_name(check) -> str:
    return getattr(check, "func", check).__name__


def _variant_checks():
    for variant in VARIANTS:
        for item in estimator_checks_generator(
            variant,
            expected_failed_checks=_expected_failed_checks(variant),
            mark="xfail",
        ):
            # Expected failures come as pytest.param(..., marks=xfail).
            (estimator, check), marks = (
                getattr(item, "values", item),
                getattr(item, "marks", ()),
            )
            if _check_name(check) in NETWORK_CHECKS:
                name = f"{estimator!r}-{_check_name(check)}"
                yield pytest.param(estimator, check, marks=marks, id=name)


def test_network_checks_are_sklearn_checks():
    names = {
        _check_name(check)
        for variant in VARIANTS
        for _, check in estimator_checks_generator(variant)
    }
    assert names >= NETWORK_CHECKS  # no name mistyped or renamed away


@pytest.mark.parametrize("estimator, check", list(_variant_checks()))
def test_sklearn_compatible_network_variant(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS + VARIANTS, ids=repr)
def test_methods_are_subset_invariant_to_float32_precision(estimator):
    # check_methods_subset_invariance's data and comparison (each row alone
    # against all rows in one batch), at float32's precision instead of
    # atol=1e-7 (FLOAT32_SUBSETS): the network's float32 outputs change in
    # their last bits with the batch size, the CPU and the thread count.
    X = 3 * np.random.RandomState(0).uniform(size=(20, 3))
    estimator = clone(estimator).set_params(random_state=1).fit(X, X[:, 0])
    methods = ["predict", "transform", "decision_function", "score_samples"]
    for method in [name for name in methods if hasattr(estimator, name)]:
        full = np.asarray(getattr(estimator, method)(X), dtype=np.float64)
        alone = np.concatenate(
            [np.ravel(getattr(estimator, method)(row[None])) for row in X]
        )
        full = full.ravel()
        if method == "predict" and hasattr(estimator, "decision_function"):
            # Labels: wherever the decision is clear of 0 by more than the
            # float32 error of the scores.
            decision = estimator.decision_function(X)
            clear = np.abs(decision) > 1e-4 * max(1.0, abs(estimator.offset_))
            np.testing.assert_array_equal(alone[clear], full[clear], err_msg=method)
            continue
        # Outputs of about 1 carry float32 errors of about 1e-7; a squared
        # error (score_samples of a reconstruction) carries them times the
        # square root of its size.
        largest = np.abs(full).max()
        atol = 1e-6 * max(largest, np.sqrt(largest))
        np.testing.assert_allclose(alone, full, rtol=1e-5, atol=atol, err_msg=method)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=repr)
def test_every_parameter_has_a_constraint(estimator):
    # scikit-learn runs this check on its own estimators only: every
    # parameter has a constraint, and a value of a wrong type is refused by
    # fit with InvalidParameterError (not a Keras error).
    check_param_validation(type(estimator).__name__, estimator)
