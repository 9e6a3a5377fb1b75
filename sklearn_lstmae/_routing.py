"""Keras ``compile`` and ``fit`` arguments from an estimator's parameters.

scikeras' routing, used as scikeras uses it: a parameter named like a
``Model.compile`` or ``Model.fit`` argument goes there, and routed settings
reach the object they name (``optimizer__beta_1=0.8`` builds the optimizer
with it, ``callbacks__0__patience=3``, ``fit__shuffle=False``,
``loss__delta=0.5`` for a loss given as a class). The functions come from
``scikeras._utils`` (0.13; imported in ``_compat``), the code behind
``BaseWrapper._get_compile_kwargs``, ``_initialize_callbacks`` and
``_fit_keras_model``; scikeras is pinned to 0.13.x in ``pyproject.toml`` for
that reason.
"""

from collections import defaultdict
from collections.abc import Mapping

import keras
from scikeras.utils import metric_name

from ._compat import (
    get_loss_class_function_or_string,
    get_metric_class,
    get_optimizer_class,
    route_params,
    try_to_convert_strings_to_classes,
    unflatten_params,
)

#: Prefixes of routed settings an estimator accepts as keyword arguments.
PREFIXES = ("optimizer", "loss", "metrics", "compile", "fit", "callbacks")

#: Parameters that go to ``keras.Model.compile`` / ``keras.Model.fit``.
_COMPILE = {"optimizer", "loss", "metrics", "loss_weights", "weighted_metrics"}
_COMPILE |= {"run_eagerly"}
_FIT = {"batch_size", "epochs", "verbose", "validation_split", "shuffle"}
_FIT |= {"class_weight", "sample_weight", "initial_epoch", "validation_steps"}
_FIT |= {"validation_batch_size", "validation_freq"}


def is_routed(name: str) -> bool:
    """Whether ``name`` is a routed setting (``optimizer__beta_1``, ...)."""
    prefix, separator, rest = name.partition("__")
    return bool(separator and rest) and prefix in PREFIXES


def compile_kwargs(params: dict) -> dict:
    """Arguments of ``keras.Model.compile``: optimizer, loss and metrics built
    from their names or classes with their routed settings."""
    kwargs = route_params(params, destination="compile", pass_filter=_COMPILE)
    for name, lookup, strict in (
        ("optimizer", get_optimizer_class, True),
        ("loss", get_loss_class_function_or_string, False),
        ("metrics", get_metric_class, False),
    ):
        kwargs[name] = unflatten_params(
            items=try_to_convert_strings_to_classes(kwargs.get(name), lookup),
            params=route_params(
                params, destination=name, pass_filter=set(), strict=strict
            ),
        )
    if kwargs["metrics"] is not None and not isinstance(kwargs["metrics"], dict | list):
        kwargs["metrics"] = [kwargs["metrics"]]  # Keras wants a list or dict
    return kwargs


def callbacks(params: dict) -> list:
    """The ``callbacks`` and ``fit__callbacks`` parameters as callback
    instances (classes are instantiated with their routed settings)."""
    made = []
    for destination in ("callbacks", "fit__callbacks"):
        if params.get(destination) is None:
            continue
        items = unflatten_params(
            items=params[destination],
            params=route_params(params, destination=destination, pass_filter=set()),
        )
        if isinstance(items, Mapping):
            items = list(items.values())
        elif isinstance(items, keras.callbacks.Callback):
            items = [items]
        flat = [
            item
            for entry in (items if isinstance(items, list) else [items])
            for item in (entry if isinstance(entry, list) else [entry])
        ]
        if not isinstance(items, list) or not all(
            isinstance(item, keras.callbacks.Callback) for item in flat
        ):
            raise TypeError(
                f"{destination} must be a Keras callback, a callback class, or a list "
                f"or dict of them; got {params[destination]!r}."
            )
        made.extend(flat)
    return made


def fit_kwargs(params: dict, **arguments) -> dict:
    """Arguments of ``keras.Model.fit``: the parameters named like them and
    ``fit__*`` settings, then ``arguments`` on top (callbacks are passed
    separately, see :func:`callbacks`)."""
    kwargs = route_params(params, destination="fit", pass_filter=_FIT)
    kwargs.update(arguments)
    return {
        key: value for key, value in kwargs.items() if not key.startswith("callbacks")
    }


def history(keras_history: dict, previous: dict | None = None) -> defaultdict:
    """``history_``: Keras' per-epoch logs under their full metric names,
    appended to ``previous`` when a fit continues it."""
    merged = defaultdict(list)
    for key, values in (previous or {}).items():
        merged[key] = list(values)
    for key, values in keras_history.items():
        if not (key == "loss" or key.startswith("val_")):
            try:
                key = metric_name(key)
            except ValueError:  # a custom metric: keep Keras' name
                pass
        merged[key] += values
    return merged
