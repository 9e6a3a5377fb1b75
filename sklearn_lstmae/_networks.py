"""Keras graph builders: encoders, decoders and heads.

Plain functions of shapes and hyper-parameters that return Keras models. Nothing
here knows about scikit-learn, scaling or input checking: the estimators in
``_base.py`` call these with validated arguments.

Padding convention: variable-length sequences are NaN-padded at the end
(see ``_data.py``). :class:`PaddingMask` turns the NaN steps into a Keras mask,
so recurrent layers skip them and the final state is the state at each
sequence's own last step.
"""

import keras
from keras import layers, ops

__all__ = ["PaddingMask", "build_encoder", "build_repeat_decoder"]

_CELLS = {"lstm": layers.LSTM, "gru": layers.GRU}


@keras.saving.register_keras_serializable(package="sklearn_lstmae")
class PaddingMask(layers.Layer):
    """Mask all-NaN time steps and replace them by zeros.

    Input: a 3D tensor ``(batch, timesteps, features)`` whose padding steps are
    NaN in every feature. Output: the same tensor with NaN replaced by 0, and a
    mask ``(batch, timesteps)`` that is False on padding steps, which downstream
    recurrent layers honour (Keras' ``Masking`` layer, with NaN as the marker,
    so that no real value can be mistaken for padding).
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return ops.logical_not(ops.all(ops.isnan(inputs), axis=-1))

    def call(self, inputs):
        return ops.where(ops.isnan(inputs), ops.zeros_like(inputs), inputs)

    def compute_output_shape(self, input_shape):
        return input_shape


def _recurrent(cell, units, *, return_sequences, dropout, name):
    return _CELLS[cell](
        units, return_sequences=return_sequences, dropout=dropout, name=name
    )


def build_encoder(
    n_features: int,
    *,
    units: tuple[int, ...],
    cell: str = "lstm",
    bidirectional: bool = False,
    dropout: float = 0.0,
    encoding_dim: int | None = 16,
    masked: bool = False,
    name: str = "encoder",
) -> keras.Model:
    """Recurrent encoder: ``(batch, timesteps, n_features)`` -> ``(batch, code)``.

    Stacked recurrent layers (``units[i]`` each, all but the last returning
    sequences), optionally bidirectional (forward and backward states
    concatenated), then a linear Dense bottleneck of ``encoding_dim`` units; with
    ``encoding_dim=None`` the code is the last layer's final state. With
    ``masked=True`` all-NaN steps are padding and are skipped.
    """
    inputs = keras.Input(shape=(None, n_features), name="sequences")
    hidden = PaddingMask(name="padding_mask")(inputs) if masked else inputs
    for depth, width in enumerate(units):
        layer = _recurrent(
            cell,
            width,
            return_sequences=depth < len(units) - 1,
            dropout=dropout,
            name=f"{cell}_{depth}",
        )
        if bidirectional:
            layer = layers.Bidirectional(layer, name=f"bidirectional_{depth}")
        hidden = layer(hidden)
    if encoding_dim is not None:
        hidden = layers.Dense(encoding_dim, name="bottleneck")(hidden)
    return keras.Model(inputs, hidden, name=name)


def build_repeat_decoder(
    code_dim: int,
    n_timesteps: int,
    n_outputs: int,
    *,
    units: tuple[int, ...],
    cell: str = "lstm",
    dropout: float = 0.0,
    name: str = "decoder",
) -> keras.Model:
    """Unconditioned decoder: ``(batch, code)`` -> ``(batch, n_timesteps, n_outputs)``.

    The code is repeated at every output step (RepeatVector), run through
    stacked recurrent layers (``units`` in the given order, all returning
    sequences) and mapped to ``n_outputs`` values per step by a Dense head
    applied to every step (what TimeDistributed(Dense) computes, as one matmul).
    """
    codes = keras.Input(shape=(code_dim,), name="codes")
    hidden = layers.RepeatVector(n_timesteps, name="repeat")(codes)
    for depth, width in enumerate(units):
        hidden = _recurrent(
            cell,
            width,
            return_sequences=True,
            dropout=dropout,
            name=f"{cell}_{depth}",
        )(hidden)
    outputs = layers.Dense(n_outputs, name="output")(hidden)
    return keras.Model(codes, outputs, name=name)
