"""Saving and loading fitted estimators without pickle.

An archive is a zip file holding ``estimator.json`` (the class, its parameters,
its fitted attributes and the versions that wrote it; plain JSON, no code) and
``model.keras`` (the Keras model in Keras' native format). Loading rebuilds the
estimator from the JSON, loads the model with Keras' ``safe_mode`` (which
refuses Python code such as Lambda layers) and checks that the model is the
network the parameters describe. Nothing in an archive is executed.
"""

import json
import os
import tempfile
import zipfile
from collections import defaultdict

import keras
import numpy as np

from ._data import SequenceScaler
from ._trainers import canonical_config
from ._version import __version__

#: Version of the archive layout; bumped when it changes incompatibly.
FORMAT = 1
_METADATA = "estimator.json"
_MODEL = "model.keras"
#: Attributes not stored: the model (stored in its own file) and scikeras'
#: callback lists (rebuilt from the ``callbacks`` parameter on load).
_NOT_STORED = {"model_", "_fit_callbacks", "_predict_callbacks"}
#: Parameters and fitted attributes added after the first release, with the
#: values that give the behaviour of archives written before them (0.1: codes
#: without pooled outputs, no downsampling).
_ADDED = {
    "LSTMAutoencoderTransformer": {"pooling": None, "downsample": 1, "downsample_": 1}
}


def _estimator_classes() -> dict:
    from ._predictor import LSTMSequencePredictor
    from ._transformer import LSTMAutoencoderTransformer

    return {
        cls.__name__: cls for cls in (LSTMAutoencoderTransformer, LSTMSequencePredictor)
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
    classes = _estimator_classes()
    name = type(estimator).__name__
    if classes.get(name) is not type(estimator):
        raise TypeError(
            f"save() stores LSTMAutoencoderTransformer and LSTMSequencePredictor "
            f"estimators, got {name}. Use pickle or joblib for other objects."
        )
    if not estimator.__sklearn_is_fitted__():
        raise ValueError(f"This {name} is not fitted yet: fit it before saving it.")
    params = estimator.get_params(deep=False)
    fitted = {
        key: value
        for key, value in vars(estimator).items()
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
        estimator.model_.save(model_path)
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
    try:
        with zipfile.ZipFile(path) as archive:
            metadata = json.loads(archive.read(_METADATA))
            model_bytes = archive.read(_MODEL)
    except (
        zipfile.BadZipFile,
        KeyError,
        json.JSONDecodeError,
        UnicodeDecodeError,
    ) as error:
        raise ValueError(
            f"{os.fspath(path)!r} is not an archive written by sklearn_lstmae.save "
            f"({error})."
        ) from None
    _check_versions(metadata, path)
    cls = _estimator_classes().get(metadata.get("class"))
    if cls is None:
        raise ValueError(
            f"{os.fspath(path)!r} holds an unknown estimator class "
            f"{metadata.get('class')!r}."
        )
    try:
        added = _ADDED.get(cls.__name__, {})
        params = {key: value for key, value in added.items() if key[-1] != "_"}
        params.update(
            (key, _decode(value)) for key, value in metadata["params"].items()
        )
        estimator = cls(**params)
        fitted = {key: value for key, value in added.items() if key[-1] == "_"}
        fitted.update(
            (key, _decode(value)) for key, value in metadata["fitted"].items()
        )
        for key, value in fitted.items():
            setattr(estimator, key, value)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ValueError(
            f"{os.fspath(path)!r} has a malformed estimator description: {error}"
        ) from None
    estimator.model_ = _load_model(model_bytes, path)
    _check_network(estimator, path)
    estimator._initialize_callbacks()
    return estimator


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


def _load_model(model_bytes: bytes, path) -> keras.Model:
    with tempfile.TemporaryDirectory() as folder:
        model_path = os.path.join(folder, _MODEL)
        with open(model_path, "wb") as file:
            file.write(model_bytes)
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
    expected = estimator._build_twin()
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
        return {
            "ndarray": value.tolist(),
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
    kind, content = next(iter(value.items()))
    if kind == "ndarray":
        if value["dtype"] == "object":
            return np.array([_decode(item) for item in content], dtype=object)
        array = np.asarray(content, dtype=np.dtype(value["dtype"]))
        return array.reshape(value["shape"])
    if kind == "scaler":
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
