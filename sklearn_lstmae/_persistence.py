"""Saving and loading fitted estimators without pickle.

An archive is a zip file holding ``estimator.json`` (the class, its parameters,
its fitted attributes and the versions that wrote it; plain JSON, no code) and
``model.keras`` (the Keras model in Keras' native format). Loading rebuilds the
estimator from the JSON, loads the model with Keras' ``safe_mode`` (which
refuses Python code such as Lambda layers) and checks that the model is the
network the parameters describe. Nothing in an archive is executed.
"""

import base64
import json
import os
import tempfile
import zipfile
from collections import defaultdict

import keras
import numpy as np

from ._archive_checks import MAX_STEPS, MAX_WIDTH, is_int, scaler_ok
from ._base import ESTIMATORS
from ._compat import flatten_layers
from ._data import SequenceScaler
from ._networks import canonical_config
from ._routing import is_routed
from ._version import __version__

#: Version of the archive layout; bumped when it changes incompatibly.
FORMAT = 1
_METADATA = "estimator.json"
_MODEL = "model.keras"
#: Attributes not stored: the model (stored in its own file).
_NOT_STORED = {"model_"}
#: What archives written before 0.3 (estimators on scikeras' BaseWrapper) hold
#: and 0.3 has no use for: scikeras' ``model``/``build_fn`` parameters (always
#: None for our estimators), ``predict__*`` settings (never used), and its
#: private ``_random_state``/``_user_params`` attributes.
_LEGACY_PARAMS = {"model", "build_fn"}
_LEGACY_FITTED = {"_random_state", "_user_params"}
#: Parameter values renamed since, per class: old -> new.
_RENAMED = {"LSTMSequencePredictor": {"decoder": {"teacher_forcing": "conditional"}}}
#: Fitted attributes renamed since, per class: old name -> new name (0.3
#: development versions called the predictor's covariates "future" inputs).
_RENAMED_FITTED = {
    "LSTMSequencePredictor": {
        "n_future_features_": "n_covariates_",
        "future_scaler_": "covariate_scaler_",
    }
}
#: Parameters and fitted attributes added after the first release, with the
#: values that give the behaviour of archives written before them (0.1: codes
#: without pooled outputs, no downsampling; before 0.3: no linear path, no
#: window scaling, the level as given, no inputs of the output steps, no
#: intervals). A callable gets the stored parameters.
_ADDED = {
    "LSTMAutoencoderTransformer": {
        "pooling": None,
        "downsample": 1,
        "downsample_": 1,
        # 0.2 shortened sequences by patch means; 0.1 not at all.
        "downsampling_": "patch_means",
        "linear_path": False,
        "optimizer__clipnorm": None,
    },
    "LSTMSequencePredictor": {
        "level": None,
        "linear_path": False,
        "window_scale": False,
        "level_": lambda params: params.get("level"),
        "window_scale_": None,
        "n_covariates_": 0,
        "covariate_scaler_": None,
        "calibration_residuals_": None,
        "residual_scale_": None,
    },
    # Detector archives saved by 0.3.0 before ``downsampling_`` was stored.
    "LSTMAutoencoderOutlierDetector": {"downsampling_": "patches"},
}


def save(estimator, path) -> None:
    """Save a fitted estimator to ``path`` without pickle.

    The file is a zip archive with the Keras model in Keras' native ``.keras``
    format and the estimator's parameters and fitted attributes as JSON. Load it
    with :func:`load`: no code stored in the file is ever run, so archives from
    others are safe to load, unlike pickle or joblib files.

    Parameters
    ----------
    estimator : LSTMAutoencoderTransformer or LSTMSequencePredictor
        A fitted estimator. Parameters must be plain values (numbers, strings,
        lists, None): an object such as a callback instance cannot be stored
        without code, so it is refused (use pickle/joblib for those).
    path : str or os.PathLike
        Where to write the archive (conventionally ending in ``.lstmae``).

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from sklearn_lstmae import LSTMAutoencoderTransformer, load, save
    >>> X = np.random.RandomState(0).normal(size=(20, 8, 2))
    >>> ae = LSTMAutoencoderTransformer(units=4, encoding_dim=2, epochs=1).fit(X)
    >>> path = os.path.join(tempfile.mkdtemp(), "ae.lstmae")
    >>> save(ae, path)
    >>> np.array_equal(load(path).transform(X), ae.transform(X))
    True
    """
    name = type(estimator).__name__
    if ESTIMATORS.get(name) is not type(estimator):
        raise TypeError(
            "save() stores the estimators of sklearn_lstmae "
            f"({', '.join(ESTIMATORS)}), got {name}. Use pickle or joblib for "
            "other objects."
        )
    # One snapshot of the estimator (a single copy of its attributes): a fit
    # publishing in another thread meanwhile cannot mix two fits in the file.
    snapshot = estimator._shallow_copy()
    if not snapshot.__sklearn_is_fitted__():
        raise ValueError(f"This {name} is not fitted yet: fit it before saving it.")
    params = snapshot.get_params(deep=False)
    fitted = {
        key: value
        for key, value in vars(snapshot).items()
        if key not in params and key not in _NOT_STORED
    }
    metadata = {
        "format": FORMAT,
        "package": "sklearn-lstmae",
        "package_version": __version__,
        "keras_version": keras.__version__,
        "class": name,
        "params": {
            key: _encode(value, f"parameter {key!r}") for key, value in params.items()
        },
        "fitted": {
            key: _encode(value, f"attribute {key!r}") for key, value in fitted.items()
        },
    }
    with tempfile.TemporaryDirectory() as folder:
        model_path = os.path.join(folder, _MODEL)
        snapshot.model_.save(model_path)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(_METADATA, json.dumps(metadata, indent=1))
            archive.write(model_path, _MODEL)


def load(path):
    """Load an estimator saved by :func:`save`, running no code from the file.

    Parameters
    ----------
    path : str or os.PathLike
        An archive written by :func:`save`.

    Returns
    -------
    estimator : LSTMAutoencoderTransformer or LSTMSequencePredictor
        The fitted estimator, giving the same outputs as the one saved.

    Raises
    ------
    ValueError
        If the file is not such an archive, was written by an incompatible
        version (the message names both versions), or holds a model with Python
        code (e.g. a Lambda layer) or a network that does not match the stored
        parameters.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from sklearn_lstmae import LSTMSequencePredictor, load, save
    >>> X = np.random.RandomState(0).normal(size=(20, 8, 2))
    >>> model = LSTMSequencePredictor(units=4, epochs=1).fit(X[:, :6], X[:, 6:])
    >>> path = os.path.join(tempfile.mkdtemp(), "predictor.lstmae")
    >>> save(model, path)
    >>> load(path).predict(X[:2, :6]).shape
    (2, 2, 2)
    """
    where = os.fspath(path)
    try:
        return _load(path, where)
    except ValueError:
        raise
    except Exception as error:  # any other failure is a malformed archive
        raise ValueError(
            f"{where!r} is not an archive written by sklearn_lstmae.save, or a "
            f"damaged one ({type(error).__name__}: {error})."
        ) from None


def _load(path, where: str):
    """``load``, refusing anything out of bounds before paying for it: member
    sizes (declared, then read with a cap), the JSON's size and nesting, every
    parameter and fitted attribute (names, types, dtypes, shapes, sane upper
    bounds, agreement with each other), the model's size, and the network's
    widths against the stored model's, before any network is built."""
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        if sorted(names) != sorted([_METADATA, _MODEL]):
            raise ValueError(
                f"{where!r} is not an archive written by sklearn_lstmae.save: it "
                f"holds {names[:5]!r}, not exactly {[_METADATA, _MODEL]!r}."
            )
        metadata = _parse_json(
            _read_capped(archive, _METADATA, _MAX_JSON_BYTES), where, _METADATA
        )
        _check_versions(metadata, path)
        unknown = sorted(map(str, set(metadata) - _TOP_LEVEL))
        if unknown:
            raise ValueError(
                f"{where!r} has a malformed estimator description: unknown entries "
                f"{unknown} (expected only {sorted(_TOP_LEVEL)}): refused."
            )
        estimator = _rebuild_estimator(metadata, where)
        fitted = estimator._as_fitted(check=False)
        limit = _model_byte_limit(fitted)
        _check_inflation(archive.getinfo(_MODEL), where)
        with tempfile.TemporaryDirectory() as folder:
            model_path = os.path.join(folder, _MODEL)
            _extract_capped(archive, _MODEL, model_path, limit)
            _check_inner_archive(model_path, fitted, limit, folder, where)
            estimator.model_ = _load_model(model_path, path)
    _check_widths(fitted, estimator.model_, where)
    _check_network(estimator, path)
    _check_code_width(estimator, where)
    return estimator


# -- limits: a file from someone else is refused quickly and cheaply ------------
#: The entries of ``estimator.json``.
_TOP_LEVEL = {
    "format",
    "package",
    "package_version",
    "keras_version",
    "class",
    "params",
    "fitted",
}
#: The JSON description: parameters, fitted attributes, training history.
#: Parsing costs memory per value, not per byte (``[],`` is 3 bytes and ~120
#: bytes of Python objects), so values, containers and strings are counted
#: before ``json.loads`` (``_parse_json``). An archive holds ~2 KB of JSON
#: (parameters, scalers, history: a number per epoch and metric); numeric
#: arrays are stored as base64 strings (one JSON value each), the largest
#: being a detector's reference codes or a predictor's calibration residuals,
#: at most 10,000 rows: e.g. 10,000 x 272 float32 codes are ~15 MB of text.
#: The caps allow twice that and a million numbers (100 metrics over 10,000
#: epochs), and bound what parsing may cost to ~150 MB and about a second:
#: text and its decoded copy (2 x 32 MiB), numbers (~32 bytes each),
#: containers (~150 bytes each) and strings (~60 bytes each, feature names).
_MAX_JSON_BYTES = 32 * 2**20
_MAX_JSON_VALUES = 1_000_000
_MAX_JSON_CONTAINERS = 20_000
_MAX_JSON_STRINGS = 200_000
_MAX_JSON_DEPTH = 16
#: Keras' ``config.json`` inside ``model.keras`` (~17 KB for an encoder with
#: two decoders; ~5 KB per layer): nested deeper (models hold layers that hold
#: cells and initializers).
_MAX_KERAS_CONFIG_BYTES = 4 * 2**20
_MAX_KERAS_CONFIG_DEPTH = 64
#: Layers the networks of ``_networks`` are built from (the models, Keras'
#: layers, and the package's own): any other layer in a stored model is refused
#: before Keras builds it.
_LAYERS = {
    "Functional",
    "InputLayer",
    "LSTM",
    "GRU",
    "Bidirectional",
    "Dense",
    "Concatenate",
    "Add",
    "RepeatVector",
    "Reshape",
    "Flatten",
    "PaddingMask",
    "StartToken",
    "WindowMean",
    "WindowRepeat",
    "Patches",
    "Unpatch",
    "SequencePooling",
}
#: Trained weights are noise to a compressor (deflate shrinks them ~1.1-fold):
#: a model member that inflates more than this, past the first 32 MiB, holds
#: zeros or padding, which would make load() build a network far larger than
#: the file.
_MAX_MODEL_INFLATION = 8
_FREE_MODEL_BYTES = 32 * 2**20
#: Sane upper bounds of sizes a stored estimator may declare (with
#: ``_archive_checks.MAX_WIDTH`` and ``MAX_STEPS``).
_MAX_LAYERS = 64
#: Longest unicode string a stored array may hold (feature names).
_MAX_STRING = 4096
_ALLOWED_DTYPE_KINDS = "biuf"


def _read_capped(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    if archive.getinfo(name).file_size > limit:
        raise ValueError(
            f"The archive's {name} declares {archive.getinfo(name).file_size} bytes, "
            f"more than the {limit} an estimator of its kind can need: refused."
        )
    with archive.open(name) as member:
        data = member.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"The archive's {name} is larger than {limit} bytes: refused.")
    return data


def _extract_capped(archive: zipfile.ZipFile, name: str, target, limit: int) -> None:
    """Copy a member to a file, 1 MiB at a time, refusing it past ``limit`` bytes."""
    declared = archive.getinfo(name).file_size
    if declared > limit:
        raise ValueError(
            f"The archive's {name} declares {declared} bytes, more than the {limit} "
            "that the network its parameters describe can need: refused."
        )
    written = 0
    with archive.open(name) as member, open(target, "wb") as file:
        while part := member.read(1 << 20):
            written += len(part)
            if written > limit:
                raise ValueError(
                    f"The archive's {name} is larger than {limit} bytes: refused."
                )
            file.write(part)


def _check_inflation(info: zipfile.ZipInfo, where: str) -> None:
    if info.file_size > max(
        _FREE_MODEL_BYTES, _MAX_MODEL_INFLATION * info.compress_size
    ):
        raise ValueError(
            f"{where!r} holds a Keras model of {info.file_size} bytes compressed to "
            f"{info.compress_size}: trained weights do not compress more than "
            f"{_MAX_MODEL_INFLATION}-fold, so it is padding or zeros: refused."
        )


def _check_inner_archive(model_path, fitted, limit: int, folder, where: str) -> None:
    """The ``.keras`` file is a zip too: bound what Keras will inflate, then
    check its network's description (``config.json``) and its weights
    (``model.weights.h5``) against the parameters before Keras reads either."""
    with zipfile.ZipFile(model_path) as inner:
        infos = inner.infolist()
        if len(infos) > 16 or sum(info.file_size for info in infos) > limit:
            raise ValueError(
                f"{where!r} holds a Keras model whose members declare more than the "
                f"{limit} bytes its network can need: refused."
            )
        names = inner.namelist()
        for name in ("config.json", "model.weights.h5"):
            if name not in names:
                raise ValueError(
                    f"{where!r} holds a Keras model without its {name}: refused."
                )
        config = _parse_json(
            _read_capped(inner, "config.json", _MAX_KERAS_CONFIG_BYTES),
            where,
            "model.keras/config.json",
            max_depth=_MAX_KERAS_CONFIG_DEPTH,
        )
        _check_keras_config(config, fitted, where)
        weights = os.path.join(folder, "model.weights.h5")
        _extract_capped(inner, "model.weights.h5", weights, limit)
    _check_weights(weights, limit, where)
    os.remove(weights)


def _widest(fitted) -> int:
    """Widest layer the parameters describe (a bound: recurrent outputs of both
    directions, codes with pooled outputs), plus one."""
    units = fitted._units()
    encoding_dim = getattr(fitted, "encoding_dim", None) or 0
    width = max(
        *units,
        encoding_dim,
        fitted.n_step_features_,
        getattr(fitted, "n_output_features_", 0),
    ) * (2 if fitted.bidirectional else 1)
    return max(width, 3 * width + encoding_dim) + 1


def _check_keras_config(config, fitted, where: str) -> None:
    """Before Keras builds the stored network: only layers our networks use,
    no more of them than the parameters describe, and no size in any layer's
    configuration beyond the parameters' (a recurrent layer's ``units``
    beyond the widest layer, any other size beyond steps x the widest)."""
    widest = _widest(fitted)
    steps = max(
        fitted.n_timesteps_,
        getattr(fitted, "n_output_steps_", 0),
        getattr(fitted, "n_future_", None) or 0,
    )
    # Flattened sequences and temporal codes (the linear path, temporal_code)
    # give other layers a size per step.
    largest = max(steps, 1) * widest
    max_layers = 64 + 16 * len(fitted._units())
    layers, stack = 0, [config]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        stack.extend(node.values())
        name = node.get("class_name")
        if not (isinstance(name, str) and isinstance(node.get("config"), dict)):
            continue
        if not _is_layer(node):
            continue
        layers += 1
        if name == "Lambda":
            raise ValueError(
                f"{where!r} holds a Keras model with Python code (a Lambda "
                "layer), which could run anything when loaded: refused. Only "
                "load such a model, outside sklearn_lstmae, from a source you trust."
            )
        if name not in _LAYERS:
            raise ValueError(
                f"{where!r} holds a Keras model with a {name} layer, which "
                "sklearn_lstmae networks never use: refused (the archive was "
                "altered)."
            )
        for key, value in _sizes({"c": node["config"], "b": node.get("build_config")}):
            recurrent = key == "units" and name in ("LSTM", "GRU")
            bound = widest if recurrent else largest
            if value > bound:
                raise ValueError(
                    f"{where!r} holds a Keras model whose {name} layer has "
                    f"{key}={value}, more than the {bound} the stored parameters "
                    "allow: refused (the archive was altered)."
                )
    if layers > max_layers:
        raise ValueError(
            f"{where!r} holds a Keras model of {layers} layers, more than the "
            f"{max_layers} its parameters can describe: refused."
        )


def _is_layer(node: dict) -> bool:
    """Whether a Keras config entry describes a layer or model."""
    name, module = node["class_name"], str(node.get("module") or "")
    registered = str(node.get("registered_name") or "")
    found = getattr(keras.layers, name, None)
    return (
        name in _LAYERS
        or registered.startswith("sklearn_lstmae>")
        or "layers" in module
        or "models" in module
        or (isinstance(found, type) and issubclass(found, keras.layers.Layer))
    )


def _sizes(node):
    """(key, integer) pairs in a layer's configuration, not entering nested
    objects (initializers, whose seeds are no sizes; nested layers are checked
    on their own)."""
    stack = [(None, node)]
    while stack:
        key, value = stack.pop()
        if isinstance(value, dict):
            if key is not None and "class_name" in value:
                continue
            stack.extend(value.items())
        elif isinstance(value, list | tuple):
            stack.extend((key, item) for item in value)
        elif isinstance(value, int) and not isinstance(value, bool) and key != "seed":
            yield key, value


def _check_weights(weights_path, limit: int, where: str) -> None:
    """Before Keras reads ``model.weights.h5``: every dataset a plain numeric
    array, stored in full (HDF5 can declare a dataset of any size that stores
    nothing and reads as its fill value) and, together, within ``limit``; no
    links to elsewhere."""
    import h5py  # installed with keras

    declared = 0

    def refuse(what):
        raise ValueError(
            f"{where!r} holds a Keras model whose weights file {what}: refused "
            "(the archive was altered)."
        )

    with h5py.File(weights_path, "r") as file:
        groups, count = [file], 0
        while groups:
            group = groups.pop()
            for name in group:
                count += 1
                if count > 100_000:
                    refuse("holds too many entries")
                link = group.get(name, getlink=True)
                if not isinstance(link, h5py.HardLink):
                    refuse(f"links {name!r} elsewhere")
                item = group[name]
                if isinstance(item, h5py.Group):
                    groups.append(item)
                    continue
                if not isinstance(item, h5py.Dataset):
                    refuse(f"holds {name!r}, which is not an array")
                if item.dtype.kind not in "biuf" or item.dtype.itemsize > 8:
                    refuse(f"holds {item.name!r} of dtype {item.dtype}")
                if item.is_virtual or item.external:
                    refuse(f"stores {item.name!r} outside itself")
                size = int(np.prod(item.shape, dtype=object)) * item.dtype.itemsize
                declared += size
                if declared > limit:
                    refuse(
                        f"declares more than the {limit} bytes of weights the "
                        "network its parameters describe can have"
                    )
                if item.id.get_storage_size() < size:
                    refuse(
                        f"declares {item.name!r} of {size} bytes but stores only "
                        f"{item.id.get_storage_size()}"
                    )


def _model_byte_limit(fitted) -> int:
    """Most bytes the ``.keras`` file of this network can take: its weights
    (bounded by its widest layer) with the optimizer's two slots each, plus
    1 MiB of configuration. Generous for real models, and computed from the
    checked parameters, so a padded file is refused before it is read."""
    widest = _widest(fitted)
    layers = 3 * len(fitted._units()) + 4
    weights = 8 * layers * 2 * widest * widest  # gates x directions x matrices
    return 2**20 + 3 * 4 * weights


def _parse_json(data: bytes, where: str, member: str, max_depth=_MAX_JSON_DEPTH):
    """``json.loads`` of an archive member, refused first if it holds more
    values, containers or strings than the caps (what parsing costs grows with
    their count; ``,``/``:``/``[``/``{``/``"`` in strings are counted too, so
    the counts can only overestimate), then if nested deeper than
    ``max_depth``."""
    counts = {
        "values": data.count(b",") + data.count(b":"),
        "containers": data.count(b"[") + data.count(b"{"),
        "strings": data.count(b'"') // 2,
    }
    caps = {
        "values": _MAX_JSON_VALUES,
        "containers": _MAX_JSON_CONTAINERS,
        "strings": _MAX_JSON_STRINGS,
    }
    over = [
        f"{counts[kind]} {kind} (at most {caps[kind]})"
        for kind in caps
        if counts[kind] > caps[kind]
    ]
    if over:
        raise ValueError(
            f"{where!r}: its {member} of {len(data)} bytes holds "
            f"{', '.join(over)}: far more than an estimator stores, refused."
        )
    try:
        text = data.decode("utf-8")
        del data  # the text alone from here on
        metadata = json.loads(text)
    except RecursionError:
        raise ValueError(f"{where!r} has a {member} nested too deeply.") from None
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, digits
        raise ValueError(
            f"{where!r} is not an archive written by sklearn_lstmae.save "
            f"({member}: {error})."
        ) from None
    del text
    stack = [(metadata, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > max_depth:
            raise ValueError(
                f"{where!r} has a {member} nested more than {max_depth} levels "
                "deep: refused."
            )
        items = value.values() if isinstance(value, dict) else value
        stack.extend(
            (item, depth + 1) for item in items if isinstance(item, dict | list)
        )
    if not isinstance(metadata, dict):
        raise ValueError(f"{where!r} is not an archive written by sklearn_lstmae.save.")
    return metadata


def _rebuild_estimator(metadata: dict, where: str):
    """The estimator the JSON describes, every value checked, without a model."""
    cls = ESTIMATORS.get(metadata.get("class"))
    if cls is None:
        raise ValueError(
            f"{where!r} holds an unknown estimator class {metadata.get('class')!r}."
        )
    stored_params, stored_fitted = metadata.get("params"), metadata.get("fitted")
    if not isinstance(stored_params, dict) or not isinstance(stored_fitted, dict):
        raise ValueError(f"{where!r} has a malformed estimator description.")
    added = _ADDED.get(cls.__name__, {})
    params = {key: value for key, value in added.items() if key[-1] != "_"}
    params.update((key, _decode(value)) for key, value in stored_params.items())
    params = _current_params(cls, params, where)
    estimator = cls(**params)
    fitted = {
        key: value(params) if callable(value) else value
        for key, value in added.items()
        if key[-1] == "_"
    }
    renamed = _RENAMED_FITTED.get(cls.__name__, {})
    both = sorted(
        old for old, new in renamed.items() if {old, new} <= set(stored_fitted)
    )
    if both:
        raise ValueError(
            f"{where!r} has a malformed estimator description: it stores "
            + ", ".join(f"{old} and {renamed[old]}" for old in both)
            + " (old and new names of one fitted attribute): refused."
        )
    fitted.update(
        (renamed.get(key, key), _decode(value))
        for key, value in stored_fitted.items()
        if key not in _LEGACY_FITTED
    )
    # Archives from before 0.3 were fitted with their stored parameters.
    fitted.setdefault("fitted_params_", dict(params))
    # Parameters added after the archive was written were fitted as _ADDED says.
    fitted["fitted_params_"] = _current_params(
        cls,
        {
            **{key: value for key, value in added.items() if key[-1] != "_"},
            **fitted["fitted_params_"],
        },
        where,
    )
    # Inference reads every parameter from fitted_params_ (``_as_fitted``):
    # one missing would silently be taken from the current parameters.
    missing = sorted(set(cls._get_param_names()) - set(fitted["fitted_params_"]))
    if missing:
        raise ValueError(
            f"{where!r} has a malformed estimator description: fitted_params_ "
            f"lacks the parameters {missing} (it must hold every parameter of "
            f"{cls.__name__} the estimator was fitted with): refused."
        )
    for values in (params, fitted["fitted_params_"]):
        _check_params(cls(**values), where)
    _check_fitted(cls, fitted, where)
    for key, value in fitted.items():
        setattr(estimator, key, value)
    return estimator


def _current_params(cls, params, where: str) -> dict:
    """Stored parameters in today's vocabulary (see ``_LEGACY_PARAMS`` and
    ``_RENAMED``); names checked: known to ``cls``, or routed settings."""
    if not isinstance(params, dict):
        raise ValueError(f"{where!r} has malformed parameters.")
    legacy = [key for key in _LEGACY_PARAMS if params.get(key) is not None]
    if legacy:
        raise ValueError(
            f"{where!r} stores a user-given Keras model ({', '.join(legacy)}), "
            "which sklearn_lstmae estimators never use: refused."
        )
    params = {
        key: value
        for key, value in params.items()
        if key not in _LEGACY_PARAMS and not str(key).startswith("predict__")
    }
    for name, renamed in _RENAMED.get(cls.__name__, {}).items():
        value = params.get(name)
        if isinstance(value, str) and value in renamed:
            params[name] = renamed[value]
    known = set(cls().get_params(deep=False))
    unknown = sorted(
        str(key) for key in params if key not in known and not is_routed(str(key))
    )
    if unknown:
        raise ValueError(
            f"{where!r} stores parameters {cls.__name__} does not have: {unknown}."
        )
    return params


def _check_params(estimator, where: str) -> None:
    """The estimator's own constraints, then sane upper bounds on sizes."""
    try:
        # Ours, extending scikit-learn's private hook (see _compat).
        estimator._validate_params()  # noqa: SLF001
    except ValueError as error:
        raise ValueError(f"{where!r} stores invalid parameters: {error}") from None
    sizes = {
        "units": max(estimator._units()),
        "encoding_dim": getattr(estimator, "encoding_dim", None) or 0,
        "n_features": estimator.n_features or 0,
    }
    too_large = [name for name, size in sizes.items() if size > MAX_WIDTH]
    too_large += ["units"] * (len(estimator._units()) > _MAX_LAYERS)
    for name in ("n_future", "downsample", "epochs", "batch_size"):
        value = getattr(estimator, name, None)
        if isinstance(value, int) and value > MAX_STEPS:
            too_large.append(name)
    if too_large:
        raise ValueError(
            f"{where!r} stores parameters beyond what load() accepts "
            f"({', '.join(sorted(set(too_large)))}: at most {MAX_WIDTH} units or "
            f"features, {_MAX_LAYERS} layers, {MAX_STEPS} steps): refused."
        )


def _check_fitted(cls, fitted: dict, where: str) -> None:
    """Every fitted attribute: known, of the right type, consistent."""
    params = fitted["fitted_params_"]
    steps, features = fitted.get("n_timesteps_"), fitted.get("n_step_features_")
    layout = fitted.get("input_layout_")
    checks = {
        "n_timesteps_": lambda v: is_int(v),
        "n_step_features_": lambda v: is_int(v, high=MAX_WIDTH),
        "n_features_in_": lambda v: (
            is_int(v, high=MAX_STEPS)
            and v == (steps * features if layout == "2d" else features)
        ),
        "variable_length_": lambda v: isinstance(v, bool),
        "input_layout_": lambda v: v in ("2d", "3d", "ragged"),
        "scaler_": lambda v: scaler_ok(v, features, params.get("scale")),
        "history_": lambda v: (
            isinstance(v, dict)
            and all(
                isinstance(key, str)
                and isinstance(values, list)
                and all(isinstance(x, int | float) for x in values)
                for key, values in v.items()
            )
        ),
        "jit_compile_": lambda v: isinstance(v, bool),
        "fitted_params_": lambda v: isinstance(v, dict),
        "feature_names_in_": lambda v: (
            isinstance(v, np.ndarray)
            and v.shape == (fitted.get("n_features_in_"),)
            and all(isinstance(x, str) for x in v.tolist())
        ),
        "_sklearn_output_config": lambda v: (
            isinstance(v, dict)
            and all(isinstance(k, str) and isinstance(x, str) for k, x in v.items())
        ),
    }
    optional = {"feature_names_in_", "_sklearn_output_config"}  # set_output
    checks |= cls._fitted_checks(fitted, params)
    unknown = sorted(set(fitted) - set(checks))
    missing = sorted(set(checks) - optional - set(fitted))
    if unknown or missing:
        raise ValueError(
            f"{where!r} has a malformed estimator description: "
            + (f"unknown fitted attributes {unknown}" if unknown else "")
            + ("; " if unknown and missing else "")
            + (f"missing fitted attributes {missing}" if missing else "")
            + "."
        )
    if not (is_int(steps) and is_int(features, high=MAX_WIDTH)):
        raise ValueError(f"{where!r} stores invalid sequence sizes: refused.")
    bad = [
        name
        for name, check in checks.items()
        if name in fitted and not check(fitted[name])
    ]
    if bad:
        raise ValueError(
            f"{where!r} stores fitted attributes that are invalid or disagree with "
            f"each other or with the parameters ({', '.join(bad)}): refused."
        )


def _check_widths(fitted, model: keras.Model, where: str) -> None:
    """Before the network the parameters describe is built (to compare it with
    the stored one), its widths must not exceed the stored model's: a few
    edited numbers in the JSON must not make load() build a huge network."""
    widths, recurrent = [0], 0
    for layer in flatten_layers(model):
        config = layer.get_config()
        if isinstance(config.get("units"), int):
            widths.append(config["units"])
        recurrent += isinstance(layer, keras.layers.RNN)
    largest = max((*fitted._units(), getattr(fitted, "encoding_dim", None) or 0))
    if largest > max(widths) or len(fitted._units()) > max(recurrent, 1):
        raise ValueError(
            f"{where!r} holds a Keras model that differs from the network its stored "
            "parameters describe: refused (the archive was altered)."
        )


def _check_code_width(estimator, where: str) -> None:
    """Stored codes of a detector (its reference) must be as wide as the
    codes of the loaded encoder."""
    reference = [
        name
        for name in ("reference_codes_", "code_mean_", "code_scale_")
        if isinstance(getattr(estimator, name, None), np.ndarray)
    ]
    if not reference:
        return
    width = estimator._as_fitted()._n_features_out
    wrong = [
        f"{name} {getattr(estimator, name).shape}"
        for name in reference
        if getattr(estimator, name).shape[-1] != width
    ]
    if wrong:
        raise ValueError(
            f"{where!r} stores reference codes whose width differs from the "
            f"{width} codes of its encoder ({', '.join(wrong)}): refused (the "
            "archive was altered)."
        )


def _check_versions(metadata: dict, path) -> None:
    where = os.fspath(path)
    if metadata.get("package") != "sklearn-lstmae" or "format" not in metadata:
        raise ValueError(f"{where!r} is not an archive written by sklearn_lstmae.save.")
    saved = metadata.get("package_version")
    if metadata["format"] != FORMAT:
        raise ValueError(
            f"{where!r} was written by sklearn-lstmae {saved} in archive format "
            f"{metadata['format']}; this is sklearn-lstmae {__version__}, which reads "
            f"format {FORMAT}. Load it with sklearn-lstmae {saved}, or refit."
        )
    saved_keras = str(metadata.get("keras_version", ""))
    if saved_keras.split(".")[0] != keras.__version__.split(".")[0]:
        raise ValueError(
            f"{where!r} holds a model saved with Keras {saved_keras}; this is Keras "
            f"{keras.__version__}, which cannot read it. Load it with Keras "
            f"{saved_keras.split('.')[0]}.x, or refit."
        )
    if _version_tuple(saved) > _version_tuple(__version__):
        raise ValueError(
            f"{where!r} was written by sklearn-lstmae {saved}, newer than this "
            f"sklearn-lstmae {__version__}: upgrade sklearn-lstmae to load it."
        )


def _version_tuple(version) -> tuple:
    parts = []
    for part in str(version).split("."):
        digits = "".join(character for character in part if character.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def _load_model(model_path, path) -> keras.Model:
    try:
        return keras.saving.load_model(model_path, safe_mode=True)
    except Exception as error:  # Keras raises many types; one clear error here
        if "safe_mode" in str(error) or "Lambda" in str(error):
            raise ValueError(
                f"{os.fspath(path)!r} holds a Keras model with Python code (such "
                "as a Lambda layer), which could run anything when loaded: "
                "refused. Only load such a model, outside sklearn_lstmae, from "
                "a source you trust."
            ) from None
        raise ValueError(
            f"{os.fspath(path)!r} holds a Keras model that cannot be loaded "
            f"safely: {type(error).__name__}: {error}"
        ) from None


def _check_network(estimator, path) -> None:
    """The loaded network must be the one the stored parameters build."""
    expected = estimator._as_fitted()._build_twin()
    if canonical_config(expected, compiled=False) != canonical_config(
        estimator.model_, compiled=False
    ):
        raise ValueError(
            f"{os.fspath(path)!r} holds a Keras model that differs from the network "
            f"its stored parameters describe: refused (the archive was altered)."
        )


# -- JSON encoding of parameters and fitted attributes ------------------------
def _encode(value, what: str):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return {
                "ndarray": [_encode(item, what) for item in value.tolist()],
                "dtype": "object",
            }
        if value.dtype.kind in _ALLOWED_DTYPE_KINDS:
            # Numbers as their bytes (base64): one JSON string, whatever the
            # size, parsed at the cost of its length (a list costs ~32 bytes a
            # number once parsed).
            return {
                "array": base64.b64encode(np.ascontiguousarray(value).data).decode(),
                "dtype": value.dtype.str,
                "shape": list(value.shape),
            }
        return {  # strings: one flat list, whatever the shape
            "ndarray": value.ravel().tolist(),
            "dtype": value.dtype.str,
            "shape": list(value.shape),
        }
    if isinstance(value, SequenceScaler):
        return {
            "scaler": {key: _encode(item, what) for key, item in vars(value).items()}
        }
    if isinstance(value, defaultdict):
        return {"history": {key: _encode(item, what) for key, item in value.items()}}
    if isinstance(value, set | frozenset):
        return {"set": sorted(_encode(item, what) for item in value)}
    if isinstance(value, tuple):
        return {"tuple": [_encode(item, what) for item in value]}
    if isinstance(value, list):
        return [_encode(item, what) for item in value]
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return {"dict": {key: _encode(item, what) for key, item in value.items()}}
    raise TypeError(
        f"Cannot save {what}: it holds a {type(value).__name__} object, which cannot "
        "be stored without code. Set it to a plain value (a string, number or list) "
        "before fitting, or use pickle/joblib for estimators holding Python objects."
    )


def _decode(value):
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if not value:
        raise ValueError("An empty stored value.")
    kind, content = next(iter(value.items()))
    if kind == "ndarray":
        if value["dtype"] == "object":
            items = [_decode(item) for item in content]
            if not all(isinstance(item, str | int | float) for item in items):
                raise ValueError("A stored object array holds other than strings.")
            array = np.empty(len(items), dtype=object)
            array[:] = items
            return array
        dtype = np.dtype(str(value["dtype"]))
        if dtype.kind not in _ALLOWED_DTYPE_KINDS and not (
            dtype.kind == "U" and dtype.itemsize <= 4 * _MAX_STRING
        ):
            raise ValueError(f"A stored array has the unsupported dtype {dtype}.")
        array = np.asarray(content, dtype=dtype)
        return array.reshape([int(size) for size in value["shape"]])
    if kind == "array":
        dtype = np.dtype(str(value["dtype"]))
        shape = [int(size) for size in value["shape"]]
        if dtype.kind not in _ALLOWED_DTYPE_KINDS or dtype.hasobject:
            raise ValueError(f"A stored array has the unsupported dtype {dtype}.")
        if not isinstance(content, str) or len(content) > 4 * _MAX_JSON_BYTES:
            raise ValueError("A malformed stored array.")
        data = base64.b64decode(content, validate=True)
        if min(shape, default=0) < 0 or len(data) != dtype.itemsize * int(
            np.prod(shape, dtype=object)
        ):
            raise ValueError(
                f"A stored array of {len(data)} bytes is not of shape {shape} and "
                f"dtype {dtype}."
            )
        return np.frombuffer(data, dtype=dtype).reshape(shape).copy()
    if kind == "scaler":
        if not isinstance(content, dict):
            raise ValueError("A malformed stored scaler.")
        scaler = SequenceScaler.__new__(SequenceScaler)
        for key, item in content.items():
            setattr(scaler, key, _decode(item))
        return scaler
    if kind == "history":
        history = defaultdict(list)
        history.update({key: _decode(item) for key, item in content.items()})
        return history
    if kind == "set":
        return {_decode(item) for item in content}
    if kind == "tuple":
        return tuple(_decode(item) for item in content)
    if kind == "dict":
        return {key: _decode(item) for key, item in content.items()}
    raise ValueError(f"Unknown stored value {value!r}.")
