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
    "The network computes in float32 and TensorFlow's CPU kernels block and "
    "thread the batch differently for different batch compositions, so an "
    "output can differ in the last bit (measured ~1e-9 to 1e-8 absolute) "
    "depending on which other sequences share its batch; the check demands "
    "rtol=1e-7, atol=1e-9, so it passes or fails depending on the values (not "
    "strict: both outcomes were observed for the transformer; the predictor has "
    "passed so far but runs on the same float32 kernels)."
)
EXPECTED_FAILURES = {
    LSTMAutoencoderTransformer: {
        "check_sample_weight_equivalence_on_dense_data": STOCHASTIC_TRAINING,
        "check_methods_sample_order_invariance": FLOAT32_BATCHING,
    },
    LSTMSequencePredictor: {
        "check_sample_weight_equivalence_on_dense_data": STOCHASTIC_TRAINING,
        "check_methods_sample_order_invariance": FLOAT32_BATCHING,
    },
}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILURES.get(type(estimator), {})


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
