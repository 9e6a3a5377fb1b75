"""The autoencoder family: objectives, reversed targets, conditional decoder,
temporal codes (Srivastava et al. 2015; Sutskever et al. 2014)."""

import itertools
import warnings

import keras
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from sklearn_lstmae import LSTMAutoencoderTransformer
from sklearn_lstmae.datasets import make_sequence_classification

from .conftest import TINY_CODES, tiny

VARIANTS = list(
    itertools.product(
        ["reconstruct", "predict", "composite"],
        ["repeat", "conditional"],
        [False, True],
    )
)


@pytest.mark.parametrize(("objective", "decoder", "reverse_target"), VARIANTS)
def test_shapes_for_every_variant(
    sequences, ragged, objective, decoder, reverse_target
):
    X, _ = sequences
    params = {"objective": objective, "decoder": decoder, "n_future": 2}
    ae = tiny(reverse_target=reverse_target, epochs=1, **params).fit(X)
    codes = ae.transform(X)  # whole sequences, as given
    assert codes.shape == (30, TINY_CODES)
    decoded_steps = {"reconstruct": 8, "predict": 2, "composite": 6}[objective]
    assert ae.inverse_transform(codes).shape == (30, decoded_steps, 2)
    assert np.isfinite(ae.score_samples(X)).all()
    if reverse_target == (decoder == "conditional"):  # half of them, for time
        variable = tiny(reverse_target=reverse_target, epochs=1, **params).fit(ragged)
        assert variable.transform(ragged).shape == (6, TINY_CODES)
        assert np.isfinite(variable.score_samples(ragged)).all()


def _targets(ae, X):
    batch = ae._check_sequences(X, reset=False)
    return ae._training_data(batch, ae._model_inputs(batch), None, reset=False)


def test_reversed_and_composite_targets_on_a_known_sequence():
    X = np.arange(6.0).reshape(1, 6, 1)
    ae = tiny(scale=False, reverse_target=True, epochs=1).fit(X)
    inputs, target, _ = _targets(ae, X)
    np.testing.assert_array_equal(inputs[0, :, 0], [0, 1, 2, 3, 4, 5])
    np.testing.assert_array_equal(target[0, :, 0], [5, 4, 3, 2, 1, 0])

    composite = tiny(scale=False, objective="composite", n_future=2, epochs=1).fit(X)
    inputs, (past, future), _ = _targets(composite, X)
    np.testing.assert_array_equal(inputs[0, :, 0], [0, 1, 2, 3])  # encoder sees past
    np.testing.assert_array_equal(past[0, :, 0], [0, 1, 2, 3])  # reconstruct it
    np.testing.assert_array_equal(future[0, :, 0], [4, 5])  # predict what follows

    reverse = tiny(scale=False, objective="composite", n_future=2, reverse_target=True)
    _, (past, future), _ = _targets(reverse.set_params(epochs=1).fit(X), X)
    np.testing.assert_array_equal(past[0, :, 0], [3, 2, 1, 0])  # Srivastava: reversed
    np.testing.assert_array_equal(future[0, :, 0], [4, 5])  # future: forward order


def test_reversal_keeps_padding_at_the_end():
    X = [np.array([[1.0], [2.0], [3.0]]), np.array([[4.0], [5.0]])]
    ae = tiny(scale=False, reverse_target=True, epochs=1).fit(X)
    _, target, weights = _targets(ae, X)
    np.testing.assert_array_equal(target[:, :, 0], [[3, 2, 1], [5, 4, 0]])
    np.testing.assert_array_equal(weights, [[1, 1, 1], [1, 1, 0]])


def test_conditional_decoder_is_teacher_forced():
    X = np.arange(4.0).reshape(1, 4, 1)
    ae = tiny(scale=False, decoder="conditional", epochs=1).fit(X)
    (_, previous), target, _ = _targets(ae, X)
    np.testing.assert_array_equal(target[0, :, 0], [0, 1, 2, 3])
    np.testing.assert_array_equal(previous[0, :, 0], [0, 0, 1, 2])  # shifted targets


def test_temporal_code():
    X = np.random.RandomState(0).normal(size=(12, 5, 2))
    ae = tiny(temporal_code=True, encoding_dim=2).fit(X)
    codes = ae.transform(X)
    assert codes.shape == (12, 10)
    assert ae.inverse_transform(codes).shape == (12, 5, 2)
    names = ae.get_feature_names_out()
    assert names[0] == "lstmautoencodertransformer_t0_0"
    assert names[3] == "lstmautoencodertransformer_t1_1"


@pytest.mark.parametrize(
    ("params", "data", "match"),
    [
        (
            {"temporal_code": True, "objective": "predict"},
            "fixed",
            "objective='predict'",
        ),
        ({"temporal_code": True, "decoder": "conditional"}, "fixed", "conditional"),
        ({"temporal_code": True, "encoding_dim": None}, "fixed", "encoding_dim=None"),
        ({"temporal_code": True}, "ragged", "variable-length"),
        ({"objective": "predict", "n_future": 8}, "fixed", "has only 8 steps"),
        ({"objective": "composite", "n_future": 3}, "ragged", "has only 3 steps"),
    ],
)
def test_combinations_that_make_no_sense(sequences, ragged, params, data, match):
    X = sequences[0] if data == "fixed" else ragged
    with pytest.raises(ValueError, match=match):
        tiny(**params).fit(X)


def test_score_samples_needs_a_future_to_score(ragged):
    ae = tiny(objective="predict", n_future=2).fit(ragged)
    with pytest.raises(ValueError, match="longer than n_future=2"):
        ae.score_samples([np.ones((2, 2))])


@pytest.mark.slow
@pytest.mark.parametrize(
    "params",
    [
        {"objective": "predict", "n_future": 5},
        {"objective": "composite", "n_future": 5, "reverse_target": True},
        {"decoder": "conditional"},
        {"reverse_target": True},
        {"encoding_dim": None},
        {"temporal_code": True, "encoding_dim": 2},
    ],
    ids=[
        "predict",
        "composite-reversed",
        "conditional",
        "reversed",
        "state",
        "temporal",
    ],
)
def test_each_variant_learns(params):
    """The loss falls well below that of predicting each feature's mean (which
    is 1 in standardized units, per loss term; composite sums two). Batches of
    32 at rate 0.005 (the predictor's defaults): the autoencoders' batches of 64
    would give one step per epoch on these 64 sequences. Full resolution
    (``downsample=1``): in patches of 2 steps the final-state code
    (``encoding_dim=None``) reached a loss of 0.59 in these 60 epochs. The
    recurrent network alone (``linear_path=False``): next to PCA's
    configuration a network still behind it may stop early, PCA kept."""
    X, _ = make_sequence_classification(n_samples=64, n_timesteps=20, random_state=0)
    ae = LSTMAutoencoderTransformer(
        units=(32,),
        epochs=60,
        batch_size=32,
        optimizer__learning_rate=0.005,
        downsample=1,
        linear_path=False,
        random_state=0,
        **params,
    )
    ae.fit(X)
    baseline = 2.0 if params.get("objective") == "composite" else 1.0
    assert ae.history_["loss"][-1] < 0.5 * baseline, ae.history_["loss"][-1]


def test_grid_search_over_variants(sequences):
    X, y = sequences
    # Four candidates in which each value of each parameter appears twice
    # (every candidate is a new architecture to build and trace).
    variants = [
        ("reconstruct", "repeat", False),
        ("reconstruct", "conditional", True),
        ("composite", "repeat", True),
        ("composite", "conditional", False),
    ]
    names = ("objective", "decoder", "reverse_target")
    step = "lstmautoencodertransformer__"
    grid = [
        {step + name: [value] for name, value in zip(names, v, strict=True)}
        for v in variants
    ]
    search = GridSearchCV(
        make_pipeline(tiny(epochs=1, n_future=2), LogisticRegression()),
        grid,
        cv=2,
    )
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


@pytest.mark.parametrize(
    "params",
    [
        {"objective": "composite", "decoder": "conditional", "reverse_target": True},
        {"objective": "predict", "encoding_dim": None},
        {"temporal_code": True, "encoding_dim": 2},
    ],
    ids=["composite-conditional-reversed", "predict-state", "temporal"],
)
def test_variants_combine_with_stacked_gru_bidirectional(sequences, ragged, params):
    X, _ = sequences
    data = X if params.get("temporal_code") else ragged
    ae = tiny(units=(4, 3), cell="gru", bidirectional=True, n_future=2, **params)
    codes = ae.fit(data).transform(data)
    assert np.isfinite(codes).all()
    assert np.isfinite(ae.score_samples(data)).all()
    assert ae.inverse_transform(codes).shape[0] == len(data)


def _pca_error(X, rows, k, fitted_on=slice(None)):
    """PCA(k)'s reconstruction error of ``X[rows]``, fitted on ``X[fitted_on]``,
    in the standardized units of ``score_samples`` (scaled as on all of ``X``)."""
    from sklearn.decomposition import PCA

    from sklearn_lstmae._data import SequenceScaler

    flat = SequenceScaler().fit(X).transform(X).reshape(len(X), -1)
    pca = PCA(k, svd_solver="full").fit(flat[fitted_on])
    rebuilt = pca.inverse_transform(pca.transform(flat[rows]))
    return ((flat[rows] - rebuilt) ** 2).mean(axis=1)


@pytest.mark.parametrize("reverse_target", [False, True])
def test_linear_path_starts_at_pca(sequences, reverse_target):
    X, _ = sequences
    ae = tiny(linear_path=True, reverse_target=reverse_target, epochs=0).fit(X)
    np.testing.assert_allclose(
        -ae.score_samples(X), _pca_error(X, slice(None), 3), rtol=1e-3, atol=1e-6
    )
    assert ae.encoder_.get_layer("linear_code").trainable is False


def test_linear_path_never_ends_worse_than_its_start_on_validation(sequences):
    X, _ = sequences
    # Keras' validation_split=0.2 holds out the last 6 of 30; the start is PCA
    # of the other 24 (PCA of all would have memorized the held-out ones).
    trained_on, held_out = slice(None, 24), slice(24, None)
    start = _pca_error(X, held_out, 3, fitted_on=trained_on).mean()
    for epochs, lr in [(3, 0.005), (3, 0.5)]:  # a good fit and a wild one
        ae = tiny(
            linear_path=True,
            validation_split=0.2,
            epochs=epochs,
            optimizer__learning_rate=lr,
        ).fit(X)
        errors = -ae.score_samples(X[held_out])
        recurrent = ae.decoder_.get_layer("output").get_weights()
        if not any(np.any(weights) for weights in recurrent):
            # The start was kept, then refitted on all 30 sequences.
            np.testing.assert_allclose(
                errors, _pca_error(X, held_out, 3), rtol=1e-3, atol=1e-6
            )
        else:
            assert errors.mean() <= start * (1 + 1e-4)


def test_linear_path_is_ignored_where_it_does_not_apply(ragged, sequences):
    X, _ = sequences
    for params, data in [
        ({}, ragged),  # variable length
        ({"objective": "predict"}, X),
        ({"encoding_dim": None}, X),
        ({"decoder": "conditional"}, X),
    ]:
        ae = tiny(linear_path=True, **params).fit(data)
        names = [layer.name for layer in ae.encoder_.layers]
        assert "linear_code" not in names


def test_linear_path_with_fewer_sequences_than_code_values(sequences):
    X, _ = sequences
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no division by zero in the PCA
        ae = tiny(linear_path=True, encoding_dim=5, epochs=0).fit(X[:2])
    np.testing.assert_allclose(ae.score_samples(X[:2]), 0.0, atol=1e-6)


def test_linear_path_trains_the_recurrent_network_from_its_own_start(sequences):
    """With held-out sequences the recurrent network trains from its random
    start (linear path at zero), not next to PCA (which trapped it), and PCA's
    configuration competes at the end; without, training starts at PCA's."""
    X, _ = sequences
    pca_error = _pca_error(X, slice(None, 24), 3, fitted_on=slice(None, 24)).mean()
    untrained = tiny(validation_split=0.2, epochs=0).fit(X)
    assert untrained.pca_kept_
    free = tiny(validation_split=0.2, epochs=2).fit(X)
    # Its first epoch is far from PCA's error: a random network, rebuilding
    # standardized sequences at about their variance.
    assert free.history_["loss"][0] > 2 * pca_error
    linear = [
        free.encoder_.get_layer("linear_code"),
        free.decoder_.get_layer("linear_output"),
    ]
    if free.pca_kept_:  # PCA won on the held-out sequences (refitted on all)
        assert all(np.any(layer.get_weights()[0]) for layer in linear)
    else:  # the recurrent network won: the linear path is zero
        assert not any(np.any(w) for layer in linear for w in layer.get_weights())
    residual = tiny(validation_split=0.0, epochs=2).fit(X)
    assert residual.history_["loss"][0] < 1.5 * pca_error
    assert not residual.pca_kept_  # the recurrent share learned something
    assert not tiny(linear_path=False, epochs=0).fit(X).pca_kept_


def _keep_best_run(val_losses, *, start, epochs, patience=3, steps_per_epoch=1):
    """Feed ``_KeepBest`` (competing with a start of loss ``start``) the
    validation losses ``val_losses``; the epochs it ran."""
    from sklearn_lstmae._training import _KeepBest

    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    keep = _KeepBest(patience)
    keep.start, keep.start_weights = start, model.get_weights()
    model.stop_training = False
    keep.set_model(model)
    keep.set_params({"epochs": epochs})
    keep.on_train_begin()
    for epoch, loss in enumerate(val_losses):
        for _ in range(steps_per_epoch):
            keep.on_train_batch_end(0)
        keep.on_epoch_end(epoch, {"val_loss": loss})
        if model.stop_training:
            return epoch + 1
    return len(val_losses)


def test_a_network_that_cannot_reach_the_start_by_the_last_epoch_stops():
    # Falling 0.01 per epoch from 2.0 towards a start of 0.5 with 20 epochs
    # left cannot get there: stop once the patience's epochs show the rate.
    slow = [2.0 - 0.01 * epoch for epoch in range(100)]
    assert _keep_best_run(slow, start=0.5, epochs=100) == 4
    # Falling 0.05 per epoch reaches it within 100 epochs: train on.
    fast = [2.0 - 0.05 * epoch for epoch in range(20)]
    assert _keep_best_run(fast, start=0.5, epochs=100) == 20
    # Beaten start: the ordinary patience rules.
    assert _keep_best_run([0.4, 0.3, 0.3, 0.3, 0.3, 0.3], start=0.5, epochs=100) == 5
