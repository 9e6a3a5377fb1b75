"""Keras graph builders: encoders, decoders and heads.

Plain functions of shapes and hyper-parameters that return Keras models. Nothing
here knows about scikit-learn, scaling or input checking: the estimators in
``_base.py`` call these with validated arguments.

Padding convention: variable-length sequences are NaN-padded at the end
(see ``_data.py``). :class:`PaddingMask` turns the NaN steps into a Keras mask,
so recurrent layers skip them and the final state is the state at each
sequence's own last step.
"""

import json
import math

import keras
from keras import layers, ops

__all__ = [
    "PaddingMask",
    "Patches",
    "SequencePooling",
    "StartToken",
    "Unpatch",
    "WindowMean",
    "WindowRepeat",
    "build_conditional_decoder",
    "build_encoder",
    "build_repeat_decoder",
    "build_temporal_decoder",
    "canonical_config",
    "conditional_inference",
    "connect",
    "connect_linear_path",
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


def _patch_view(values, size: int):
    """``(batch, T, F)`` -> ``(batch, ceil(T / size), size, F)``, zero-padded at
    the end to whole patches."""
    steps = values.shape[1] if values.shape[1] is not None else ops.shape(values)[1]
    values = ops.pad(values, [[0, 0], [0, -steps % size], [0, 0]])
    return ops.reshape(values, (ops.shape(values)[0], -1, size, values.shape[-1]))


def _valid_steps(inputs, mask):
    """1.0 on valid steps, 0.0 on masked ones: ``(batch, T, 1)``."""
    if mask is None:
        return ops.ones_like(inputs[..., :1])
    return ops.expand_dims(ops.cast(mask, inputs.dtype), -1)


def _valid_mean(values, valid, axis: int):
    """Mean of ``values`` over the steps of ``axis`` where ``valid`` is 1
    (0 where there is none)."""
    total = ops.sum(values * valid, axis=axis)
    return total / ops.maximum(ops.sum(valid, axis=axis), 1.0)


class _ToPatchSteps(layers.Layer):
    """Base of the layers that turn each patch of ``size`` steps into one step
    (padding at the end: a patch has a valid step iff its first is valid)."""

    def __init__(self, size: int, **kwargs):
        super().__init__(**kwargs)
        self.size = size
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return None if mask is None else mask[:, :: self.size]

    def get_config(self):
        return {**super().get_config(), "size": self.size}


class _FromPatchSteps(layers.Layer):
    """Base of the layers that turn each step back into a patch of ``size``
    steps, cut to ``n_timesteps``."""

    def __init__(self, size: int, n_timesteps: int, **kwargs):
        super().__init__(**kwargs)
        self.size = size
        self.n_timesteps = n_timesteps

    def get_config(self):
        return {
            **super().get_config(),
            "size": self.size,
            "n_timesteps": self.n_timesteps,
        }


@keras.saving.register_keras_serializable(package="sklearn_lstmae")
class WindowMean(_ToPatchSteps):
    """Average non-overlapping patches of ``size`` time steps.

    ``(batch, T, F)`` -> ``(batch, ceil(T / size), F)``: each output step is the
    mean of the valid (unmasked) steps of its patch; a patch without a valid
    step is masked in turn. The last patch may be shorter than ``size``.
    Shortened long sequences before recurrent layers in 0.2 (issue 8); only
    0.2 archives use it, and they store it by this name (0.2 called the
    patches windows).
    """

    def call(self, inputs, mask=None):
        valid = _valid_steps(inputs, mask)
        return _valid_mean(
            _patch_view(inputs, self.size), _patch_view(valid, self.size), axis=2
        )

    def compute_output_shape(self, input_shape):
        steps = input_shape[1] and -(-input_shape[1] // self.size)
        return (input_shape[0], steps, input_shape[2])


@keras.saving.register_keras_serializable(package="sklearn_lstmae")
class WindowRepeat(_FromPatchSteps):
    """Undo :class:`WindowMean`'s shortening: repeat each step ``size`` times
    and keep the first ``n_timesteps`` steps (0.2 archives; see
    :class:`WindowMean`)."""

    def call(self, inputs):
        return ops.repeat(inputs, self.size, axis=1)[:, : self.n_timesteps]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n_timesteps, input_shape[2])


@keras.saving.register_keras_serializable(package="sklearn_lstmae")
class Patches(_ToPatchSteps):
    """Cut sequences into non-overlapping patches of ``size`` steps.

    ``(batch, T, F)`` -> ``(batch, ceil(T / size), size * F)``: each output
    step holds the values of its patch, step after step (zeros past the end
    and on masked steps); a patch without a valid step is masked in turn. The
    recurrent layers then run ``size`` times fewer steps and still see every
    value (the encoder's ``downsample``; :class:`Unpatch` undoes it).
    """

    def call(self, inputs, mask=None):
        view = _patch_view(inputs * _valid_steps(inputs, mask), self.size)
        return ops.reshape(view, (ops.shape(view)[0], -1, self.size * inputs.shape[-1]))

    def compute_output_shape(self, input_shape):
        steps = input_shape[1] and -(-input_shape[1] // self.size)
        return (input_shape[0], steps, self.size * input_shape[2])


@keras.saving.register_keras_serializable(package="sklearn_lstmae")
class Unpatch(_FromPatchSteps):
    """Undo :class:`Patches`: ``(batch, n, size * F)`` -> ``(batch,
    n_timesteps, F)``, the patches laid end to end and cut to
    ``n_timesteps`` steps (the decoder's ``downsample``)."""

    def call(self, inputs):
        features = inputs.shape[-1] // self.size
        steps = ops.reshape(inputs, (ops.shape(inputs)[0], -1, features))
        return steps[:, : self.n_timesteps]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n_timesteps, input_shape[2] // self.size)


@keras.saving.register_keras_serializable(package="sklearn_lstmae")
class SequencePooling(layers.Layer):
    """Pool a sequence over time: ``(batch, T, F)`` -> ``(batch, len(modes) * F)``.

    ``modes`` are ``"mean"`` and/or ``"max"``, concatenated in the given order;
    masked (padding) steps are left out of both.
    """

    def __init__(self, modes: tuple[str, ...], **kwargs):
        super().__init__(**kwargs)
        self.modes = tuple(modes)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        valid = _valid_steps(inputs, mask)
        pooled = {
            "mean": _valid_mean(inputs, valid, axis=1),
            "max": ops.max(ops.where(valid > 0, inputs, -1e9), axis=1),
        }
        return ops.concatenate([pooled[mode] for mode in self.modes], axis=-1)

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], len(self.modes) * input_shape[2])

    def get_config(self):
        return {**super().get_config(), "modes": list(self.modes)}


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
    patch: int = 1,
    patch_means: bool = False,
    pooling: tuple[str, ...] = (),
    linear_steps: int | None = None,
    name: str = "encoder",
) -> keras.Model:
    """Recurrent encoder: ``(batch, timesteps, n_features)`` -> ``(batch, code)``.

    Stacked recurrent layers (``units[i]`` each, all but the last returning
    sequences), optionally bidirectional (forward and backward states
    concatenated), then a linear Dense bottleneck of ``encoding_dim`` units; with
    ``encoding_dim=None`` the code is the last layer's final state. With
    ``masked=True`` all-NaN steps are padding and are skipped.

    With ``patch > 1`` the input is first cut into patches of ``patch``
    steps, one recurrent step each (:class:`Patches`); with
    ``patch_means=True`` each patch is averaged instead (:class:`WindowMean`:
    the networks of 0.2 archives).
    With ``pooling`` (``"mean"``/``"max"``) the code is followed by the last
    layer's outputs pooled over the (valid) steps (:class:`SequencePooling`):
    ``[bottleneck, mean, max]``.

    With ``return_states=True`` the outputs are instead the final states of
    every layer, ``[h_0, (c_0,) h_1, ...]`` (forward and backward states
    concatenated when bidirectional), to seed a decoder with.

    With ``temporal_steps=T`` (fixed-length input of T steps) the last layer
    keeps every step and the bottleneck compresses each step to
    ``encoding_dim`` values: the code is a sequence, flattened time-major to
    ``(batch, T * encoding_dim)``.

    With ``linear_steps=T`` (fixed-length input of T steps, and a bottleneck)
    a linear path runs next to the recurrent one: the flattened sequence goes
    through a fixed (non-trainable) Dense layer (``linear_code``) whose output
    is added to the bottleneck's recurrent part (``bottleneck``). Give
    ``linear_code`` a linear autoencoder's encoding (PCA's) and zero the
    recurrent part and the code is that; zero ``linear_code`` instead and the
    network is the recurrent one alone.
    """
    steps = temporal_steps or linear_steps
    inputs = keras.Input(shape=(steps, n_features), name="sequences")
    hidden = PaddingMask(name="padding_mask")(inputs) if masked else inputs
    if patch > 1 and patch_means:
        hidden = WindowMean(patch, name="window_mean")(hidden)
    elif patch > 1:
        hidden = Patches(patch, name="patches")(hidden)
    pooled = bool(pooling) and not return_states and temporal_steps is None
    states = []
    for depth, width in enumerate(units):
        last = depth == len(units) - 1
        layer = _recurrent(
            cell,
            width,
            return_sequences=not last or temporal_steps is not None or pooled,
            return_state=return_states or (last and pooled),
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
        elif last and pooled:
            sequence, *final = hidden
            # Final output state of each direction: [h, (c,)] per direction.
            outputs = final[:: _state_count(cell)]
            hidden = outputs[0]
            if bidirectional:
                hidden = layers.Concatenate(name="final_state")(outputs)
    if return_states:
        return keras.Model(inputs, states, name=name)
    if encoding_dim is not None:
        hidden = layers.Dense(encoding_dim, name="bottleneck")(hidden)
    if encoding_dim is not None and linear_steps is not None:
        flat = layers.Flatten(name="flat_sequences")(inputs)
        linear = layers.Dense(encoding_dim, trainable=False, name="linear_code")(flat)
        hidden = layers.Add(name="code_sum")([linear, hidden])
    if temporal_steps is not None:
        hidden = layers.Flatten(name="flat_code")(hidden)
    if pooled:
        hidden = layers.Concatenate(name="code")(
            [hidden, SequencePooling(pooling, name="pooling")(sequence)]
        )
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
    patch: int = 1,
    patch_means: bool = False,
    linear: bool = False,
    n_covariates: int = 0,
    name: str = "decoder",
) -> keras.Model:
    """Unconditioned decoder: ``(batch, code)`` -> ``(batch, n_timesteps, n_outputs)``.

    The code is repeated at every output step (RepeatVector), run through
    stacked recurrent layers (``units`` in the given order, all returning
    sequences) and mapped to ``n_outputs`` values per step by a Dense head
    applied to every step (what TimeDistributed(Dense) computes, as one matmul).
    With ``patch > 1`` it decodes one patch of ``patch`` steps per recurrent
    step (:class:`Unpatch`); with ``patch_means=True`` one value per feature,
    repeated over the patch (:class:`WindowRepeat`: 0.2 archives).
    With ``linear=True`` a linear path runs next to the recurrent one: a fixed
    Dense layer (``linear_output``) maps the code to every output step at once,
    added to the recurrent part's output (``output``, the head). Give it PCA's
    decoding and zero the head and the decoder is that linear map; zero it
    instead and the decoder is the recurrent one alone.
    With ``n_covariates``, a second input ``covariates``
    ``(batch, n_timesteps, n_covariates)`` (values known for every output step)
    is concatenated with the repeated code at each step.
    """
    codes = keras.Input(shape=(code_dim,), name="codes")
    inputs = [codes]
    hidden = layers.RepeatVector(-(-n_timesteps // patch), name="repeat")(codes)
    if n_covariates:
        covariates = keras.Input(shape=(n_timesteps, n_covariates), name="covariates")
        inputs.append(covariates)
        hidden = layers.Concatenate(name="with_covariates")([hidden, covariates])
    per_step = n_outputs if patch_means else n_outputs * patch
    outputs = _decode_steps(hidden, per_step, units=units, cell=cell, dropout=dropout)
    if patch > 1 and patch_means:
        outputs = WindowRepeat(patch, n_timesteps, name="window_repeat")(outputs)
    elif patch > 1:
        outputs = Unpatch(patch, n_timesteps, name="unpatch")(outputs)
    if linear:
        flat = layers.Dense(
            n_timesteps * n_outputs, trainable=False, name="linear_output"
        )(codes)
        steps = layers.Reshape((n_timesteps, n_outputs), name="linear_steps")(flat)
        outputs = layers.Add(name="output_sum")([steps, outputs])
    return keras.Model(inputs if n_covariates else codes, outputs, name=name)


def _state_count(cell: str) -> int:
    return 2 if cell == "lstm" else 1


def _as_list(tensors) -> list:
    return list(tensors) if isinstance(tensors, list | tuple) else [tensors]


def build_conditional_decoder(
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
    :func:`conditional_inference` builds the twin that feeds back its own output.
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


def connect(encoder: keras.Model, decoders: list, name: str) -> keras.Model:
    """``sequences -> decoder(encoder(sequences))`` for one or more decoders.

    Conditional decoders (:func:`build_conditional_decoder`) take the encoder's
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


def connect_linear_path(
    encoder: keras.Model, decoder: keras.Model, n_timesteps: int, name: str
) -> keras.Model:
    """``sequences -> linear_forecast(sequences) + decoder(encoder(sequences))``.

    The encoder-decoder (a repeat decoder, whose outputs are ``(batch,
    n_output_steps, n_outputs)``) with a linear path beside it: the flattened
    input sequence (``n_timesteps`` steps) goes through a Dense layer
    (``linear_forecast``) to every output value at once, and is added to the
    decoder's output. Give ``linear_forecast`` a linear regression's solution
    and zero the decoder's head (``output``) and the network is that
    regression; training then moves both paths.
    """
    sequences = keras.Input(
        shape=(n_timesteps, *encoder.input_shape[2:]), name="sequences"
    )
    output_shape = tuple(decoder.output_shape[1:])
    flat = layers.Flatten(name="flat_sequences")(sequences)
    straight = layers.Dense(math.prod(output_shape), name="linear_forecast")(flat)
    straight = layers.Reshape(output_shape, name="linear_steps")(straight)
    outputs = layers.Add(name="forecast_sum")([straight, decoder(encoder(sequences))])
    return keras.Model(sequences, outputs, name=name)


def conditional_inference(
    model: keras.Model,
    *,
    cell: str,
    n_layers: int,
    context: bool,
    decoder_name: str = "decoder",
    from_codes: bool = False,
) -> keras.Model:
    """The inference twin of one conditional decoder of a :func:`connect`-ed model.

    Shares every layer (and so every weight) with ``model``: the encoder, then
    the decoder unrolled over its steps, each step's input being the previous
    step's prediction (zeros before the first). The decoder's structure is
    the one it was built with (:func:`build_conditional_decoder`): ``n_layers``
    recurrent layers of ``cell``, conditioned on a ``context`` code repeated at
    every step, or else seeded with the encoder's final states. Input
    ``(batch, timesteps, n_features)``, or the codes ``(batch, code)`` with
    ``from_codes`` (for a decoder with a context), output
    ``(batch, n_steps, n_outputs)``.
    """
    encoder = model.get_layer("encoder")
    decoder = model.get_layer(decoder_name)
    n_steps = decoder.inputs[-1].shape[1]
    recurrent = [decoder.get_layer(f"{cell}_{depth}") for depth in range(n_layers)]
    head = decoder.get_layer("output")
    per_layer = _state_count(cell)
    if from_codes:
        sequences = keras.Input(shape=encoder.output_shape[1:], name="codes")
        encoded = [sequences]
    else:
        sequences = keras.Input(shape=encoder.input_shape[1:], name="sequences")
        encoded = _as_list(encoder(sequences))
    if context:
        context_step = layers.RepeatVector(1, name="context_step")(encoded[0])
        states = [None] * n_layers
    else:
        states = [
            encoded[depth * per_layer : (depth + 1) * per_layer]
            for depth in range(n_layers)
        ]
    previous = StartToken(head.units, name="start")(encoded[0])
    predictions = []
    for step in range(n_steps):
        hidden = previous
        if context:
            hidden = layers.Concatenate(name=f"with_context_{step}")(
                [context_step, previous]
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


def canonical_config(
    model: keras.Model, *, compiled: bool = True, learning_rate: bool = True
) -> str:
    """``model``'s Keras config as JSON, with every layer, operation and
    optimizer name replaced by its order of first appearance.

    Keras numbers the names it generates per process (``isnan_3``, ``adam_7``:
    the operations of our padding mask, the optimizer), so two builds of one
    network differ only there; renaming consistently keeps the wiring (which
    refers to layers by name) and makes the two equal. Without ``compiled``
    the compile settings are left out: the network alone. Without
    ``learning_rate`` a constant learning rate is left out: it is an optimizer
    variable, part of a fit's state rather than of the architecture.
    """
    config = json.loads(model.to_json())
    if not compiled:
        config.pop("compile_config", None)
    elif not learning_rate:
        optimizer = (config.get("compile_config") or {}).get("optimizer")
        settings = optimizer.get("config", {}) if isinstance(optimizer, dict) else {}
        if isinstance(settings.get("learning_rate"), int | float):
            del settings["learning_rate"]
    names: dict[str, str] = {}

    def collect(value):
        if isinstance(value, dict):
            name = value.get("name")
            if isinstance(name, str):
                names.setdefault(name, f"#{len(names)}")
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    def rename(value):
        if isinstance(value, dict):
            return {key: rename(item) for key, item in value.items()}
        if isinstance(value, list):
            return [rename(item) for item in value]
        return names.get(value, value) if isinstance(value, str) else value

    collect(config)
    return json.dumps(rename(config), sort_keys=True)
