"""The shared base: parameters declared and documented once, routed settings,
no scikeras workarounds left (no patched class, no inherited trap)."""

import ast
import inspect
import re

import numpy as np
import pytest
import scikeras.wrappers
from sklearn.base import clone

from sklearn_lstmae import (
    LSTMAutoencoderOutlierDetector,
    LSTMAutoencoderTransformer,
    LSTMSequencePredictor,
    _base,
)

from .conftest import TINY, TINY_PREDICTOR

ESTIMATORS = [
    LSTMAutoencoderTransformer,
    LSTMAutoencoderOutlierDetector,
    LSTMSequencePredictor,
]


def _entries(cls, section: str) -> list[str]:
    """Names documented in a numpydoc section of ``cls``'s docstring."""
    text = cls.__doc__.split(f"\n    {section}\n    {'-' * len(section)}\n")[1]
    text = re.split(r"\n    [A-Z][a-z]+( [A-Z][a-z]+)?\n    -+\n", text)[0]
    names = []
    for line in re.findall(r"^    (\S[^:\n]*) :", text, flags=re.M):
        names.extend(name.strip() for name in line.split(","))
    return names


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_every_parameter_is_documented_once(cls):
    documented = _entries(cls, "Parameters")
    assert len(documented) == len(set(documented)), documented
    assert set(documented) == set(cls().get_params()) | {"**kwargs"}


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_every_fitted_attribute_is_documented(cls, sequences):
    X, _ = sequences
    if cls is not LSTMSequencePredictor:
        fitted = cls(**{**TINY, "validation_split": 0.2}).fit(X)
    else:
        fitted = cls(**TINY_PREDICTOR).fit(X[:, :6], X[:, 6:])
    attributes = {
        name
        for name in [
            *vars(fitted),
            "encoder_",
            "decoder_",
            "threshold_",
            "pca_kept_",
            "linear_kept_",
        ]
        if name.endswith("_") and not name.startswith("_") and hasattr(fitted, name)
    }
    documented = set(_entries(cls, "Attributes"))
    assert attributes <= documented
    assert documented - attributes <= {"feature_names_in_"}  # DataFrames only


def _entry(cls, name: str) -> str:
    """The docstring entry of ``name``: its line and its indented description."""
    match = re.search(
        rf"^    {re.escape(name)} :.*\n(^        .*\n|^\s*\n)*", cls.__doc__, re.M
    )
    return match.group(0)


def test_shared_entries_are_written_once():
    # The shared parameters read the same in both estimators (one source).
    for name in ("units", "random_state", "early_stopping", "jit_compile", "model_"):
        # ... but for a class's own default (``_shared_defaults``).
        entries = [
            re.sub(r"default=.+", "default=", _entry(cls, name)) for cls in ESTIMATORS
        ]
        assert len(set(entries)) == 1, name
        assert len(entries[0].splitlines()) > 1


def test_no_third_party_class_is_patched_and_no_trap_is_inherited():
    assert "__sklearn_tags__" not in vars(scikeras.wrappers.BaseWrapper)
    for cls in ESTIMATORS:
        assert not issubclass(cls, scikeras.wrappers.BaseWrapper)
        assert not hasattr(cls, "initialize")
    assert not hasattr(LSTMAutoencoderTransformer(), "predict")


def test_routed_settings_are_parameters(sequences):
    X, _ = sequences
    ae = LSTMAutoencoderTransformer(**TINY, optimizer__beta_1=0.8, fit__shuffle=False)
    assert ae.get_params()["optimizer__beta_1"] == 0.8
    ae.set_params(optimizer__beta_2=0.9, optimizer__learning_rate=0.01)
    copy = clone(ae)
    assert copy.get_params()["optimizer__beta_2"] == 0.9
    assert copy.optimizer__learning_rate == 0.01
    copy.fit(X)
    optimizer = copy.model_.optimizer
    assert np.isclose(float(optimizer.beta_1), 0.8)
    assert np.isclose(float(optimizer.beta_2), 0.9)
    assert "optimizer__beta_1=0.8" in repr(copy)


def test_unknown_keyword_arguments_are_refused_by_fit(sequences):
    X, _ = sequences
    ae = LSTMAutoencoderTransformer(**TINY, foo=1)  # sklearn: no checks in __init__
    assert clone(ae).get_params()["foo"] == 1
    with pytest.raises(ValueError, match="unexpected parameters \\['foo'\\]"):
        ae.fit(X)
    assert not hasattr(ae, "model_")
    with pytest.raises(ValueError, match="Invalid parameter 'bar'"):
        LSTMSequencePredictor().set_params(bar=1)


def test_shared_defaults_agree_with_their_one_documentation():
    # The explicit signatures (scikit-learn's convention) repeat the shared
    # defaults: they must not drift from the shared documentation.
    shared = re.findall(r"^(\w+) : .*default=(.+)$", _base._SHARED_PARAMETERS, re.M)
    assert len(shared) >= 20
    for cls in ESTIMATORS:
        defaults = {
            name: parameter.default
            for name, parameter in inspect.signature(cls).parameters.items()
        }
        composed = dict(re.findall(r"^    (\w+) : .*default=(.+)$", cls.__doc__, re.M))
        for name, documented in shared:
            # A class may have its own default (``_shared_defaults``), documented.
            expected = cls._shared_defaults.get(name, ast.literal_eval(documented))
            assert defaults[name] == expected, (cls, name)
            assert ast.literal_eval(composed[name]) == expected, (cls, name)


def test_the_detector_has_the_transformers_network_parameters():
    # One autoencoder (AutoencoderEstimator): the same parameters, defaults
    # and documentation, plus the detector's threshold.
    def signature(cls):
        return {
            name: parameter.default
            for name, parameter in inspect.signature(cls).parameters.items()
        }

    detector = signature(LSTMAutoencoderOutlierDetector)
    assert detector.pop("contamination") == "auto"
    assert detector.pop("anomaly_score") == "neighbors"
    assert detector.pop("n_neighbors") == 5
    assert detector == signature(LSTMAutoencoderTransformer)
    for name in ("linear_path", "pooling", "units", "validation_split"):
        entries = {
            re.sub(r"default=.+", "", _entry(cls, name))
            for cls in (LSTMAutoencoderTransformer, LSTMAutoencoderOutlierDetector)
        }
        assert len(entries) == 1, name
