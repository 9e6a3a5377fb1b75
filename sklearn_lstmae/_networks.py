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

__all__ = [
    "PaddingMask",
    "StartToken",
    "build_encoder",
    "build_repeat_decoder",
    "build_teacher_forcing",
    "teacher_forcing_inference",
]

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


@keras.saving.register_keras_serializable(package="sklearn_lstmae")
class StartToken(layers.Layer):
    """Zeros of shape ``(batch, 1, n_outputs)``: the first input of a decoder
    that is fed its previous output (the step before the first has none)."""

    def __init__(self, n_outputs: int, **kwargs):
        super().__init__(**kwargs)
        self.n_outputs = n_outputs

    def call(self, inputs):
        return ops.zeros((ops.shape(inputs)[0], 1, self.n_outputs), inputs.dtype)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], 1, self.n_outputs)

    def get_config(self):
        return {**super().get_config(), "n_outputs": self.n_outputs}


def _recurrent(cell, units, *, return_sequences, dropout, name, return_state=False):
    return _CELLS[cell](
        units,
        return_sequences=return_sequences,
        return_state=return_state,
        dropout=dropout,
        name=name,
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
    return_states: bool = False,
    name: str = "encoder",
) -> keras.Model:
    """Recurrent encoder: ``(batch, timesteps, n_features)`` -> ``(batch, code)``.

    Stacked recurrent layers (``units[i]`` each, all but the last returning
    sequences), optionally bidirectional (forward and backward states
    concatenated), then a linear Dense bottleneck of ``encoding_dim`` units; with
    ``encoding_dim=None`` the code is the last layer's final state. With
    ``masked=True`` all-NaN steps are padding and are skipped.

    With ``return_states=True`` the outputs are instead the final states of
    every layer, ``[h_0, (c_0,) h_1, ...]`` (forward and backward states
    concatenated when bidirectional), to seed a decoder with.
    """
    inputs = keras.Input(shape=(None, n_features), name="sequences")
    hidden = PaddingMask(name="padding_mask")(inputs) if masked else inputs
    states = []
    for depth, width in enumerate(units):
        layer = _recurrent(
            cell,
            width,
            return_sequences=depth < len(units) - 1,
            return_state=return_states,
            dropout=dropout,
            name=f"{cell}_{depth}",
        )
        if bidirectional:
            layer = layers.Bidirectional(layer, name=f"bidirectional_{depth}")
        hidden = layer(hidden)
        if return_states:
            hidden, *layer_states = hidden
            if bidirectional:  # [forward states..., backward states...]
                half = len(layer_states) // 2
                layer_states = [
                    layers.Concatenate(name=f"states_{depth}_{index}")(pair)
                    for index, pair in enumerate(
                        zip(layer_states[:half], layer_states[half:], strict=True)
                    )
                ]
            states.extend(layer_states)
    if return_states:
        return keras.Model(inputs, states, name=name)
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


def _state_count(cell: str) -> int:
    return 2 if cell == "lstm" else 1


def build_teacher_forcing(
    n_features: int,
    n_steps: int,
    n_outputs: int,
    *,
    units: tuple[int, ...],
    cell: str = "lstm",
    bidirectional: bool = False,
    dropout: float = 0.0,
    masked: bool = False,
) -> keras.Model:
    """State-seeded encoder-decoder trained with teacher forcing (Sutskever 2014).

    Inputs: ``sequences`` ``(batch, timesteps, n_features)`` and
    ``previous_targets`` ``(batch, n_steps, n_outputs)``, the targets shifted one
    step right behind a zero start step. Output: ``(batch, n_steps, n_outputs)``.
    Decoder layer ``i`` starts from encoder layer ``i``'s final states (twice as
    wide when the encoder is bidirectional) and sees the true previous target at
    every step. :func:`teacher_forcing_inference` builds the matching model that
    feeds back its own predictions instead.
    """
    encoder = build_encoder(
        n_features,
        units=units,
        cell=cell,
        bidirectional=bidirectional,
        dropout=dropout,
        encoding_dim=None,
        masked=masked,
        return_states=True,
    )
    sequences = keras.Input(shape=(None, n_features), name="sequences")
    previous = keras.Input(shape=(n_steps, n_outputs), name="previous_targets")
    states = encoder(sequences)
    states = states if isinstance(states, list) else [states]
    per_layer = _state_count(cell)
    hidden = previous
    for depth, width in enumerate(units):
        # return_state: unused here, but the inference twin steps these same
        # layers one step at a time and carries their states forward.
        hidden, *_ = _recurrent(
            cell,
            width * (2 if bidirectional else 1),
            return_sequences=True,
            return_state=True,
            dropout=dropout,
            name=f"decoder_{cell}_{depth}",
        )(hidden, initial_state=states[depth * per_layer : (depth + 1) * per_layer])
    outputs = layers.Dense(n_outputs, name="decoder_output")(hidden)
    return keras.Model([sequences, previous], outputs, name="seq2seq")


def teacher_forcing_inference(model: keras.Model, n_steps: int) -> keras.Model:
    """The inference twin of a :func:`build_teacher_forcing` model.

    Shares every layer (and so every weight) with ``model``; the decoder is
    unrolled over ``n_steps`` and each step's input is the previous step's
    prediction (zeros before the first). Input ``(batch, timesteps,
    n_features)``, output ``(batch, n_steps, n_outputs)``.
    """
    encoder = model.get_layer("encoder")
    head = model.get_layer("decoder_output")
    decoder_layers = [
        layer
        for layer in model.layers
        if isinstance(layer, layers.LSTM | layers.GRU)
        and layer.name.startswith("decoder_")
    ]
    per_layer = 2 if isinstance(decoder_layers[0], layers.LSTM) else 1
    sequences = keras.Input(shape=encoder.input_shape[1:], name="sequences")
    states = encoder(sequences)
    states = states if isinstance(states, list) else [states]
    states = [
        states[depth * per_layer : (depth + 1) * per_layer]
        for depth in range(len(decoder_layers))
    ]
    previous = StartToken(head.units, name="start")(sequences)
    predictions = []
    for _ in range(n_steps):
        hidden = previous
        for depth, layer in enumerate(decoder_layers):
            hidden, *states[depth] = layer(hidden, initial_state=states[depth])
        previous = head(hidden)
        predictions.append(previous)
    outputs = (
        predictions[0]
        if n_steps == 1
        else layers.Concatenate(axis=1, name="predictions")(predictions)
    )
    return keras.Model(sequences, outputs, name="seq2seq_inference")
