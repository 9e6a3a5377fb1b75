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
    "build_feedback_decoder",
    "build_repeat_decoder",
    "build_temporal_decoder",
    "feedback_inference",
    "feedback_model",
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
        return ops.zeros((ops.shape(inputs)[0], 1, self.n_outputs), "float32")

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
    temporal_steps: int | None = None,
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

    With ``temporal_steps=T`` (fixed-length input of T steps) the last layer
    keeps every step and the bottleneck compresses each step to
    ``encoding_dim`` values: the code is a sequence, flattened time-major to
    ``(batch, T * encoding_dim)``.
    """
    inputs = keras.Input(shape=(temporal_steps, n_features), name="sequences")
    hidden = PaddingMask(name="padding_mask")(inputs) if masked else inputs
    states = []
    for depth, width in enumerate(units):
        layer = _recurrent(
            cell,
            width,
            return_sequences=depth < len(units) - 1 or temporal_steps is not None,
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
    if temporal_steps is not None:
        hidden = layers.Flatten(name="flat_code")(hidden)
    return keras.Model(inputs, hidden, name=name)


def _decode_steps(hidden, n_outputs: int, *, units, cell, dropout):
    """Stacked recurrent layers over per-step inputs, then a per-step Dense head."""
    for depth, width in enumerate(units):
        hidden = _recurrent(
            cell, width, return_sequences=True, dropout=dropout, name=f"{cell}_{depth}"
        )(hidden)
    return layers.Dense(n_outputs, name="output")(hidden)


def build_temporal_decoder(
    n_timesteps: int,
    encoding_dim: int,
    n_outputs: int,
    *,
    units: tuple[int, ...],
    cell: str = "lstm",
    dropout: float = 0.0,
    name: str = "decoder",
) -> keras.Model:
    """Decoder of a temporal code: ``(batch, n_timesteps * encoding_dim)`` (flat,
    time-major) -> ``(batch, n_timesteps, n_outputs)``, one code step per step."""
    codes = keras.Input(shape=(n_timesteps * encoding_dim,), name="codes")
    hidden = layers.Reshape((n_timesteps, encoding_dim), name="code_steps")(codes)
    outputs = _decode_steps(hidden, n_outputs, units=units, cell=cell, dropout=dropout)
    return keras.Model(codes, outputs, name=name)


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
    outputs = _decode_steps(hidden, n_outputs, units=units, cell=cell, dropout=dropout)
    return keras.Model(codes, outputs, name=name)


def _state_count(cell: str) -> int:
    return 2 if cell == "lstm" else 1


def _as_list(tensors) -> list:
    return list(tensors) if isinstance(tensors, list | tuple) else [tensors]


def build_feedback_decoder(
    n_steps: int,
    n_outputs: int,
    *,
    units: tuple[int, ...],
    cell: str = "lstm",
    dropout: float = 0.0,
    context_dim: int | None = None,
    state_widths: tuple[int, ...] | None = None,
    name: str = "decoder",
) -> keras.Model:
    """Decoder fed its previous output step (teacher forcing in training).

    Inputs, in order: the context ``(batch, context_dim)`` when ``context_dim``
    is given (a code, repeated next to the previous output at every step); the
    initial states of every layer (``state_widths``, e.g. an encoder's final
    states: Sutskever et al. 2014) when given; last, ``previous_outputs``
    ``(batch, n_steps, n_outputs)``: the targets shifted one step right behind
    a zero step. Output ``(batch, n_steps, n_outputs)``.
    :func:`feedback_inference` builds the twin that feeds back its own output.
    """
    previous = keras.Input(shape=(n_steps, n_outputs), name="previous_outputs")
    inputs, hidden = [], previous
    if context_dim is not None:
        context = keras.Input(shape=(context_dim,), name="context")
        inputs.append(context)
        repeated = layers.RepeatVector(n_steps, name="repeat")(context)
        hidden = layers.Concatenate(name="with_context")([repeated, previous])
    states = [
        keras.Input(shape=(width,), name=f"state_{index}")
        for index, width in enumerate(state_widths or ())
    ]
    inputs.extend(states)
    per_layer = _state_count(cell)
    for depth, width in enumerate(units):
        # return_state: unused here, but the inference twin steps these same
        # layers one step at a time and carries their states forward.
        hidden, *_ = _recurrent(
            cell,
            width,
            return_sequences=True,
            return_state=True,
            dropout=dropout,
            name=f"{cell}_{depth}",
        )(
            hidden,
            initial_state=states[depth * per_layer : (depth + 1) * per_layer] or None,
        )
    outputs = layers.Dense(n_outputs, name="output")(hidden)
    return keras.Model([*inputs, previous], outputs, name=name)


def feedback_model(encoder: keras.Model, decoders: list, name: str) -> keras.Model:
    """``sequences -> decoder(encoder(sequences))`` for one or more decoders.

    Feedback decoders (:func:`build_feedback_decoder`) take the encoder's
    outputs plus their previous outputs, which become extra model inputs
    (``previous_<decoder name>``); repeat decoders take the code alone.
    """
    sequences = keras.Input(shape=encoder.input_shape[1:], name="sequences")
    encoded = _as_list(encoder(sequences))
    inputs, outputs = [sequences], []
    for decoder in decoders:
        if len(decoder.inputs) > 1:
            previous = keras.Input(
                shape=decoder.inputs[-1].shape[1:], name=f"previous_{decoder.name}"
            )
            inputs.append(previous)
            outputs.append(decoder([*encoded, previous]))
        else:
            outputs.append(decoder(encoded[0]))
    return keras.Model(inputs, outputs if len(outputs) > 1 else outputs[0], name=name)


def feedback_inference(
    model: keras.Model, decoder_name: str = "decoder", *, from_codes: bool = False
) -> keras.Model:
    """The inference twin of one feedback decoder of a :func:`feedback_model`.

    Shares every layer (and so every weight) with ``model``: the encoder, then
    the decoder unrolled over its steps, each step's input being the previous
    step's prediction (zeros before the first). Input ``(batch, timesteps,
    n_features)``, or the codes ``(batch, code)`` with ``from_codes`` (for a
    decoder conditioned on a code), output ``(batch, n_steps, n_outputs)``.
    """
    encoder = model.get_layer("encoder")
    decoder = model.get_layer(decoder_name)
    n_steps = decoder.inputs[-1].shape[1]
    recurrent = [
        layer for layer in decoder.layers if isinstance(layer, layers.LSTM | layers.GRU)
    ]
    head = decoder.get_layer("output")
    per_layer = 2 if isinstance(recurrent[0], layers.LSTM) else 1
    if from_codes:
        sequences = keras.Input(shape=encoder.output_shape[1:], name="codes")
        encoded = [sequences]
    else:
        sequences = keras.Input(shape=encoder.input_shape[1:], name="sequences")
        encoded = _as_list(encoder(sequences))
    with_context = any(layer.name == "with_context" for layer in decoder.layers)
    if with_context:
        context = layers.RepeatVector(1, name="context_step")(encoded[0])
        states = [None] * len(recurrent)
    else:
        states = [
            encoded[depth * per_layer : (depth + 1) * per_layer]
            for depth in range(len(recurrent))
        ]
    previous = StartToken(head.units, name="start")(encoded[0])
    predictions = []
    for step in range(n_steps):
        hidden = previous
        if with_context:
            hidden = layers.Concatenate(name=f"with_context_{step}")(
                [context, previous]
            )
        for depth, layer in enumerate(recurrent):
            hidden, *states[depth] = layer(hidden, initial_state=states[depth])
        previous = head(hidden)
        predictions.append(previous)
    outputs = (
        predictions[0]
        if n_steps == 1
        else layers.Concatenate(axis=1, name="predictions")(predictions)
    )
    return keras.Model(sequences, outputs, name=f"{decoder_name}_inference")
