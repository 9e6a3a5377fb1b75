"""What the codes hold: the bottleneck and the pooled encoder outputs, and the
shortening of long sequences before the recurrent layers (issue 8)."""

import keras
import numpy as np
import pytest

from sklearn_lstmae import load, save
from sklearn_lstmae._networks import PaddingMask, Patches, Unpatch, WindowMean

from .conftest import TINY_CODES, tiny


def encoder_outputs(ae, X):
    """The last encoder layer's outputs at every (shortened) step."""
    encoder = ae.encoder_
    outputs = keras.Model(encoder.inputs[0], encoder.get_layer("pooling").input)
    batch = ae._check_sequences(X, reset=False)
    return np.asarray(outputs(ae._model_inputs(batch)))


@pytest.mark.parametrize(
    ("pooling", "parts"),
    [
        (("mean", "max"), ["mean", "max"]),
        (["max", "mean"], ["max", "mean"]),
        ("max", ["max"]),
        (None, []),
    ],
)
def test_codes_are_the_bottleneck_then_each_pooled_output(sequences, pooling, parts):
    X, _ = sequences
    ae = tiny(pooling=pooling).fit(X)
    codes = ae.transform(X)
    assert codes.shape == (30, 3 + 4 * len(parts))
    assert len(ae.get_feature_names_out()) == codes.shape[1]
    assert ae.inverse_transform(codes).shape == X.shape
    if parts:
        outputs = encoder_outputs(ae, X)
        pooled = {"mean": outputs.mean(axis=1), "max": outputs.max(axis=1)}
        expected = np.concatenate([pooled[part] for part in parts], axis=1)
        np.testing.assert_allclose(codes[:, 3:], expected, rtol=1e-5, atol=1e-6)


def test_pooled_codes_ignore_padding(ragged):
    # A sequence's code is the same whatever length it was padded to: padding
    # steps are out of the mean and the max (and of the windows' means).
    for downsample in (1, 3):
        ae = tiny(downsample=downsample).fit(ragged)
        assert ae.downsample_ == downsample
        codes = ae.transform(ragged)
        for sequence, code in zip(ragged, codes, strict=True):
            alone = ae.encoder_(ae._scale(sequence[None].astype(np.float32)))
            np.testing.assert_allclose(code, np.asarray(alone)[0], atol=1e-5)


def test_window_mean_averages_valid_steps_of_each_patch():
    values = np.arange(14.0, dtype=np.float32).reshape(1, 7, 2)
    padded = np.concatenate([values, np.full((1, 3, 2), np.nan, np.float32)], 1)
    shortened = WindowMean(3)(values)
    expected = [values[0, 0:3].mean(0), values[0, 3:6].mean(0), values[0, 6]]
    np.testing.assert_allclose(np.asarray(shortened)[0], expected)
    layer = WindowMean(3)
    masked = layer(PaddingMask()(padded))
    np.testing.assert_allclose(np.asarray(masked)[0, :3], expected)
    mask = layer.compute_mask(padded, PaddingMask().compute_mask(padded))
    np.testing.assert_array_equal(np.asarray(mask)[0], [True, True, True, False])


def test_auto_downsample_keeps_at_most_16_recurrent_steps():
    rng = np.random.RandomState(0)
    for steps, patch in [(8, 1), (16, 1), (17, 2), (64, 4), (150, 10), (1460, 92)]:
        ae = tiny(epochs=0).fit(rng.normal(size=(3, steps)))
        assert ae.downsample_ == patch
        recurrent_steps = ae.encoder_.get_layer("lstm_0").output[0].shape[1]
        assert recurrent_steps in (None, -(-steps // patch))
    temporal = tiny(epochs=0, temporal_code=True, encoding_dim=1).fit(
        rng.normal(size=(3, 150))
    )
    assert temporal.downsample_ == 1


def test_patches_feed_every_value_and_rebuild_every_step(sequences):
    X, _ = sequences  # 8 steps, 2 features: patches of 3, 3 and 2 steps
    ae = tiny(downsample=3, linear_path=False).fit(X)  # the recurrent decoder
    lstm = ae.encoder_.get_layer("lstm_0")
    # 3 recurrent steps (None: built for any length), 6 values each.
    assert lstm.input.shape[1:] in ((3, 3 * 2), (None, 3 * 2))
    reconstruction = ae.inverse_transform(ae.transform(X))
    assert reconstruction.shape == X.shape
    # Each step of a patch has its own value (0.2's windows repeated one).
    for patch in (slice(0, 3), slice(3, 6), slice(6, 8)):
        part = reconstruction[:, patch]
        assert np.abs(part - part[:, :1]).max() > 1e-3
    # Errors are measured on every step.
    error = ((ae._scale(X) - ae._scale(reconstruction)) ** 2).mean(axis=(1, 2))
    np.testing.assert_allclose(-ae.score_samples(X), error, rtol=1e-4)


def test_patches_layers_round_trip_and_mask():
    values = np.arange(2 * 5 * 2, dtype="float32").reshape(2, 5, 2)
    patches = Patches(2)(values)
    assert tuple(patches.shape) == (2, 3, 4)
    np.testing.assert_array_equal(np.asarray(patches)[0, 0], [0, 1, 2, 3])
    np.testing.assert_array_equal(np.asarray(patches)[0, 2], [8, 9, 0, 0])
    back = Unpatch(2, 5)(patches)
    np.testing.assert_array_equal(np.asarray(back), values)
    mask = np.array([[True] * 5, [True, True, True, False, False]])
    np.testing.assert_array_equal(
        np.asarray(Patches(2).compute_mask(values, mask)),
        [[True] * 3, [True, True, False]],
    )


@pytest.mark.parametrize(
    "params",
    [
        {"decoder": "conditional"},
        {"objective": "composite", "n_future": 2},
        {"objective": "predict", "n_future": 3, "bidirectional": True},
        {"cell": "gru", "units": (4, 3), "encoding_dim": None},
    ],
)
def test_downsampling_with_other_variants(sequences, params):
    X, _ = sequences
    ae = tiny(downsample=2, **params).fit(X)
    codes = ae.transform(X)
    assert np.isfinite(codes).all()
    steps = {"reconstruct": 8, "predict": 3, "composite": 6}[
        params.get("objective", "reconstruct")
    ]
    assert ae.inverse_transform(codes).shape == (30, steps, 2)
    assert np.isfinite(ae.score_samples(X)).all()


def test_save_and_load_keep_windows_and_pooling(sequences, tmp_path):
    X, _ = sequences
    ae = tiny(downsample=3, pooling="max").fit(X)
    save(ae, tmp_path / "model.zip")
    loaded = load(tmp_path / "model.zip")
    np.testing.assert_array_equal(loaded.transform(X), ae.transform(X))
    assert loaded.downsample_ == 3


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"pooling": "sum"}, "pooling"),
        ({"pooling": ("mean", "sum")}, "'pooling' parameter .* 'mean', 'max'"),
        ({"pooling": ("max", "max")}, "tuple of distinct"),
        ({"downsample": 0}, "'downsample' parameter"),
        ({"downsample": "half"}, "'downsample' parameter"),
        ({"temporal_code": True, "encoding_dim": 2, "downsample": 2}, "downsample=2"),
    ],
)
def test_bad_pooling_or_downsample_says_why(sequences, params, message):
    X, _ = sequences
    with pytest.raises(ValueError, match=message):
        tiny(**params).fit(X)


def test_variable_length_model_encodes_longer_sequences(ragged):
    # Test sets often hold longer sequences than the training set (aeon's
    # JapaneseVowels: at most 26 steps in train, 29 in test).
    ae = tiny(downsample=2).fit(ragged)
    longer = [np.random.RandomState(1).normal(size=(11, 2)), ragged[0]]
    codes = ae.transform(longer)
    assert codes.shape == (2, TINY_CODES) and np.isfinite(codes).all()
    np.testing.assert_allclose(codes[1], ae.transform(ragged[:1])[0], atol=1e-5)
    with pytest.raises(ValueError, match="decoder outputs that many steps"):
        ae.score_samples(longer)
