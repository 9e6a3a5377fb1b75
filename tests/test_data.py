"""The sequence input layer: every accepted form, every rejected one."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse

from sklearn_lstmae._data import SequenceScaler, from_sequences, to_sequences


def test_3d_input_is_kept_as_float32():
    X = np.arange(24, dtype=np.int64).reshape(2, 4, 3)
    batch = to_sequences(X)
    assert batch.values.dtype == np.float32
    assert batch.values.shape == (2, 4, 3)
    assert batch.layout == "3d"
    np.testing.assert_array_equal(batch.lengths, [4, 4])
    assert not batch.is_padded


def test_2d_input_is_univariate_by_default():
    batch = to_sequences(np.ones((5, 7)))
    assert batch.values.shape == (5, 7, 1)
    assert (batch.layout, batch.n_features_in) == ("2d", 7)


def test_2d_flat_input_is_time_major_with_n_features():
    X = np.array([[0, 10, 1, 11, 2, 12]])  # t0f0, t0f1, t1f0, ...
    batch = to_sequences(X, n_features=2)
    np.testing.assert_array_equal(batch.values[0], [[0, 10], [1, 11], [2, 12]])
    np.testing.assert_array_equal(from_sequences(batch.values, "2d"), X)


def test_dataframe_is_2d_input():
    frame = pd.DataFrame(np.ones((3, 4)), columns=list("abcd"))
    assert to_sequences(frame).values.shape == (3, 4, 1)


def test_ragged_list_is_nan_padded_with_lengths():
    X = [np.ones((2, 3)), np.ones((4, 3)), np.ones(3)[None]]
    batch = to_sequences(X)
    assert batch.values.shape == (3, 4, 3)
    np.testing.assert_array_equal(batch.lengths, [2, 4, 1])
    assert np.isnan(batch.values[0, 2:]).all()
    assert batch.layout == "ragged" and batch.is_padded
    restored = from_sequences(batch.values, "ragged", batch.lengths)
    assert [len(sequence) for sequence in restored] == [2, 4, 1]


def test_ragged_list_of_1d_arrays_is_univariate():
    batch = to_sequences([np.arange(3.0), np.arange(5.0)])
    assert batch.values.shape == (2, 5, 1)
    np.testing.assert_array_equal(batch.lengths, [3, 5])


def test_trailing_nan_steps_are_padding():
    X = np.ones((2, 5, 2))
    X[0, 3:] = np.nan
    batch = to_sequences(X)
    np.testing.assert_array_equal(batch.lengths, [3, 5])
    np.testing.assert_array_equal(batch.step_mask[0], [1, 1, 1, 0, 0])


def test_common_padding_is_trimmed():
    X = np.ones((2, 5))
    X[:, 3:] = np.nan
    assert to_sequences(X).values.shape == (2, 3, 1)


def _with(values, index, value):
    values = np.array(values, dtype=float)
    values[index] = value
    return values


BAD_INPUTS = [
    (
        "nan inside",
        _with(np.ones((3, 4, 2)), (1, 1, 0), np.nan),
        ValueError,
        "NaN inside sample 1",
    ),
    (
        "nan step then value",
        _with(np.ones((3, 4, 2)), (2, 1), np.nan),
        ValueError,
        "NaN inside sample 2",
    ),
    ("inf", _with(np.ones((3, 4)), (0, 2), np.inf), ValueError, "infinity"),
    (
        "float32 overflow",
        _with(np.ones((3, 4)), (1, 0), 1e300),
        ValueError,
        "too large for float32",
    ),
    ("1d", np.ones(5), ValueError, "Reshape your data"),
    ("4d", np.ones((2, 3, 4, 5)), ValueError, "got 4D"),
    ("no samples", np.ones((0, 4)), ValueError, "0 sample"),
    ("no columns", np.ones((3, 0)), ValueError, "0 feature"),
    ("empty list", [], ValueError, "empty input"),
    (
        "all-nan sample",
        _with(np.ones((3, 4)), 1, np.nan),
        ValueError,
        "Sample 1 of X is a zero-length sequence",
    ),
    (
        "zero-length in list",
        [np.ones((3, 2)), np.ones((0, 2))],
        ValueError,
        r"X\[1\] is a zero-length sequence",
    ),
    (
        "mixed widths in list",
        [np.ones((3, 2)), np.ones((4, 3))],
        ValueError,
        "different numbers of features",
    ),
    ("strings", np.array([["a", "b"], ["c", "d"]]), ValueError, "numbers only"),
    ("objects", np.array([[{}, 1.0]], dtype=object), TypeError, "numbers only"),
    ("complex", np.ones((2, 3)) * 1j, ValueError, "Complex data"),
    ("sparse", scipy.sparse.csr_matrix(np.ones((2, 3))), TypeError, "Sparse input"),
]


@pytest.mark.parametrize(
    ("X", "error", "match"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_input_raises_clear_error(X, error, match):
    with pytest.raises(error, match=match):
        to_sequences(X)


def test_columns_not_divisible_by_n_features():
    with pytest.raises(ValueError, match="not a multiple of n_features=3"):
        to_sequences(np.ones((2, 7)), n_features=3)


def test_n_features_conflicting_with_3d_input():
    with pytest.raises(ValueError, match="Leave n_features=None for 3D input"):
        to_sequences(np.ones((2, 3, 4)), n_features=2)


def test_scaler_ignores_padding_and_constant_features():
    values = np.array([[[1.0, 5.0], [3.0, 5.0], [np.nan, np.nan]]], np.float32)
    scaler = SequenceScaler().fit(values)
    np.testing.assert_allclose(scaler.mean_, [2.0, 5.0])
    np.testing.assert_allclose(scaler.scale_, [1.0, 1.0])
    scaled = scaler.transform(values)
    np.testing.assert_allclose(scaled[0, :2], [[-1.0, 0.0], [1.0, 0.0]])
    assert np.isnan(scaled[0, 2]).all()
    np.testing.assert_allclose(scaler.inverse_transform(scaled), values)


def test_masked_arrays_mask_means_missing():
    X = np.ma.masked_array(np.arange(24, dtype=float).reshape(2, 4, 3))
    X[0, 2:] = np.ma.masked  # trailing steps: padding
    batch = to_sequences(X)
    np.testing.assert_array_equal(batch.lengths, [2, 4])
    X[1, 1, 0] = np.ma.masked  # a value inside a sequence: missing, refused
    with pytest.raises(ValueError, match="NaN inside sample 1"):
        to_sequences(X)
