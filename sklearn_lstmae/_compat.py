"""Every use of another library's private API, in one place.

The package needs a few things its dependencies offer only privately. Each is
here (or, where it is a hook our classes inherit, listed below and marked at
its line with ``# noqa: SLF001``), with why the public API does not do and the
versions it was checked on. ``tests/test_compat.py`` checks that each still
exists; ``tests/test_imports.py`` fails on a private module of another
library imported anywhere else, and ruff's private-member rule (SLF001, see
``pyproject.toml``) on a private attribute of another library's object.

Checked on (CI's versions): TensorFlow 2.21.0, Keras 3.15.1, scikit-learn
1.9.1, scikeras 0.13.0; and on the minimum versions ``pyproject.toml``
declares (``.ci/constraints-min.txt``, which CI also tests): TensorFlow
2.16.1, Keras 3.5.0, scikit-learn 1.6.0, scikeras 0.13.0 (``test_compat``
also passed with Keras 3.3.0, 3.4.1 and 3.6.0).

Inherited scikit-learn hooks (``SequenceEstimator`` derives from
``BaseEstimator``, as scikit-learn's own estimators do; no public equivalent):

- ``_parameter_constraints`` (a class attribute) read by
  ``BaseEstimator._validate_params``, which ``SequenceEstimator`` extends and
  calls (``_base``, ``_persistence``); ``_get_param_names``;
- ``_sklearn_output_config``, the attribute ``set_output`` sets, stored by
  ``save`` (``_persistence``).

Keras' private names in messages: ``_quiet`` drops TensorFlow's retracing
warning about ``TensorFlowTrainer._make_function`` (Keras' step builder since
3.7; Keras 3.3 to 3.6 build steps in ``make_train_function``, whose warning
is then kept: noise, not an error).
"""

# scikeras: the routing functions behind BaseWrapper's compile/fit arguments
# (``optimizer__*``, ``callbacks__*``...), used without BaseWrapper
# (design.md, 5); scikeras is pinned to 0.13.x for them (pyproject.toml).
from scikeras._utils import (
    get_loss_class_function_or_string,
    get_metric_class,
    get_optimizer_class,
    route_params,
    try_to_convert_strings_to_classes,
    unflatten_params,
)

# scikit-learn: parameter declarations and their validation, the machinery its
# own estimators use (style.md); sklearn.utils._param_validation is private
# and has no public twin.
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
)

# scikit-learn: the checks behind ``validate_data``, which cannot take 3D or
# ragged input: feature names of a DataFrame (set in fit, compared after) and
# sample weights as an array of the right length.
from sklearn.utils.validation import _check_feature_names as check_feature_names
from sklearn.utils.validation import _check_sample_weight as check_sample_weight

__all__ = [  # and ArrayDataAdapter (module __getattr__)
    "Interval",
    "InvalidParameterError",
    "Options",
    "StrOptions",
    "check_feature_names",
    "check_sample_weight",
    "flatten_layers",
    "get_loss_class_function_or_string",
    "get_metric_class",
    "get_optimizer_class",
    "is_default_hook",
    "keras_seed_state",
    "route_params",
    "set_keras_seed_state",
    "set_tensorflow_seed",
    "set_tensorflow_seed_state",
    "tensorflow_seed_state",
    "try_to_convert_strings_to_classes",
    "unflatten_params",
]


def __getattr__(name: str):
    """``ArrayDataAdapter``, imported when first asked for (it is used with the
    TensorFlow backend only)."""
    if name == "ArrayDataAdapter":
        # Keras: the adapter ``Model.fit`` builds its tf.data pipeline from
        # arrays with (batches, shuffling, the validation split's rows);
        # ``_training.fit_resident`` builds the same pipeline once per fit
        # instead of once per epoch. Not exported by Keras.
        from keras.src.trainers.data_adapters.array_data_adapter import (
            ArrayDataAdapter,
        )

        return ArrayDataAdapter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# -- Keras -------------------------------------------------------------------
def flatten_layers(model) -> list:
    """Every layer inside ``model``, nested models and wrapped layers (the two
    directions of a ``Bidirectional``) included, ``model`` itself excluded.

    Keras' public ``Model.layers`` lists the top level only; this is
    ``Layer._flatten_layers(include_self=False)``, what Keras itself uses to
    walk a model.
    """
    return list(model._flatten_layers(include_self=False))  # noqa: SLF001


def is_default_hook(method) -> bool:
    """Whether a callback's hook is ``keras.callbacks.Callback``'s no-op.

    Keras (3.6+) marks those with an ``_is_default`` attribute
    (``keras.src.utils.python_utils.default``) and skips them when it decides
    how to dispatch batch hooks; a wrapper that must not change that decision
    needs the same test. Keras 3.3 to 3.5 mark none (every hook is called):
    False for all.
    """
    return bool(getattr(method, "_is_default", False))


#: Keras' global-state keys of its global seed (read by Keras 3.10+; older
#: versions draw from Python's seeded generator instead) and of its global
#: seed generator (``keras.src.utils.rng_utils.GLOBAL_RANDOM_SEED`` and
#: ``keras.src.random.seed_generator.GLOBAL_SEED_GENERATOR`` in 3.10+; the
#: same strings, unnamed, before).
_KERAS_SEED_KEYS = ("global_random_seed", "global_seed_generator")


def keras_seed_state() -> tuple:
    """Keras' global seed and global seed generator, as they are.

    Keras has a public setter (``keras.utils.set_random_seed``, which also
    seeds Python, NumPy and TensorFlow, clearing TensorFlow's caches) and no
    getter: a fit that seeds Keras restores these two global attributes.
    """
    from keras.src.backend.common import global_state

    return tuple(global_state.get_global_attribute(key) for key in _KERAS_SEED_KEYS)


def set_keras_seed_state(state: tuple) -> None:
    """Set what :func:`keras_seed_state` returns; ``(seed, None)`` seeds Keras
    as ``keras.utils.set_random_seed(seed)`` does (a new generator is made
    from ``seed`` when first needed)."""
    from keras.src.backend.common import global_state

    for key, value in zip(_KERAS_SEED_KEYS, state, strict=True):
        global_state.set_global_attribute(key, value)


# -- TensorFlow --------------------------------------------------------------
def _eager_context():
    from tensorflow.python.eager import context

    return context.context()


def set_tensorflow_seed(seed: int) -> None:
    """``tf.random.set_seed(seed)`` in eager mode, without clearing
    TensorFlow's eager kernel caches (why: ``_seeding._set_random_seed``).

    The body of TensorFlow's ``Context._set_global_seed`` (2.16 to 2.21) less
    the clearing; it can go when ``tf.random.set_seed`` stops clearing caches.
    """
    import random

    eager = _eager_context()
    eager._seed = seed  # noqa: SLF001
    eager._rng = random.Random(seed if seed is None else int(seed))  # noqa: SLF001


def tensorflow_seed_state() -> tuple:
    """TensorFlow's global seed and the generator of its op seeds, as they are
    (no generator before a seed was ever set). TensorFlow has no getter."""
    eager = _eager_context()
    return eager._seed, getattr(eager, "_rng", None)  # noqa: SLF001


def set_tensorflow_seed_state(state: tuple) -> None:
    """Put back what :func:`tensorflow_seed_state` returned."""
    eager = _eager_context()
    eager._seed, eager._rng = state  # noqa: SLF001
