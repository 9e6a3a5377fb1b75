"""scikit-learn's common estimator checks, run on every estimator we ship."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_lstmae import LSTMAutoencoderTransformer, LSTMSequencePredictor

from .conftest import TINY, TINY_PREDICTOR

# Expected failures: (check name -> reason). Each reason is true of the estimator.
STOCHASTIC_TRAINING = (
    "Training is stochastic gradient descent over shuffled mini-batches: "
    "weighting a sample by 2 is not the same optimisation path as repeating it, "
    "so the fitted networks differ."
)
FLOAT32_BATCHING = (
    "Outputs are float32 and TensorFlow's CPU matrix kernels block the batch "
    "differently for different batch compositions, so a sequence's code can "
    "differ in the last bit (measured ~1e-8 absolute) depending on which other "
    "sequences share its batch; the check demands atol=1e-9."
)
EXPECTED_FAILURES = {
    LSTMAutoencoderTransformer: {
        "check_sample_weight_equivalence_on_dense_data": STOCHASTIC_TRAINING,
        "check_methods_sample_order_invariance": FLOAT32_BATCHING,
    },
    # Predictions leave float32 through the float64 target scaling, and the
    # last-bit batching noise stays within the check's relative tolerance.
    LSTMSequencePredictor: {
        "check_sample_weight_equivalence_on_dense_data": STOCHASTIC_TRAINING,
    },
}


def _expected_failed_checks(estimator):
    expected = dict(EXPECTED_FAILURES.get(type(estimator), {}))
    if getattr(estimator, "objective", "reconstruct") != "reconstruct":
        # Measured: the composite variant's codes pass this check (the noise
        # stays within tolerance there), so it is not declared for it.
        expected.pop("check_methods_sample_order_invariance", None)
    return expected


@parametrize_with_checks(
    [
        LSTMAutoencoderTransformer(**TINY),
        LSTMAutoencoderTransformer(
            objective="composite", decoder="conditional", reverse_target=True, **TINY
        ),
        LSTMSequencePredictor(**TINY_PREDICTOR),
        LSTMSequencePredictor(decoder="teacher_forcing", **TINY_PREDICTOR),
    ],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
