"""docs/api.rst lists every public object, and each documents the parameters of
its public methods in numpydoc sections (what the API pages render)."""

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import sklearn_lstmae

API = Path(__file__).resolve().parents[1] / "docs" / "api.rst"
#: The names listed in api.rst's autosummary tables, as sklearn_lstmae.<name>.
LISTED = re.findall(r"^   (\w[\w.]*)$", API.read_text(), flags=re.M)


def resolve(name: str):
    module, _, attribute = f"sklearn_lstmae.{name}".rpartition(".")
    return getattr(importlib.import_module(module), attribute)


def public_objects() -> set[str]:
    """The package's public names: its ``__all__`` and the functions of its
    public modules (``datasets``, ``windows``...)."""
    names = {name for name in sklearn_lstmae.__all__ if not name.startswith("__")}
    for info in pkgutil.iter_modules(sklearn_lstmae.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"sklearn_lstmae.{info.name}")
        if hasattr(module, "__all__"):  # a facade: what it says it exports
            names |= {f"{info.name}.{name}" for name in module.__all__}
            continue
        names |= {
            f"{info.name}.{name}"
            for name, member in inspect.getmembers(module, inspect.isfunction)
            if not name.startswith("_") and member.__module__ == module.__name__
        }
    return names


def documented_parameters(function) -> list[str]:
    """Names in the numpydoc Parameters section of ``function``'s docstring."""
    doc = inspect.getdoc(function) or ""
    match = re.search(r"^Parameters\n-+\n(.*?)(?=^\S[^\n]*\n-+\n|\Z)", doc, re.M | re.S)
    names = []
    for entry in re.findall(
        r"^(\S[^:\n]*?)(?: :.*)?$", match.group(1) if match else "", re.M
    ):
        names.extend(name.strip() for name in entry.split(","))
    return names


def signature_parameters(function, skip_first: bool) -> list[str]:
    stars = {inspect.Parameter.VAR_POSITIONAL: "*", inspect.Parameter.VAR_KEYWORD: "**"}
    parameters = list(inspect.signature(function).parameters.values())
    return [
        stars.get(parameter.kind, "") + parameter.name
        for parameter in parameters[skip_first:]
    ]


def test_api_page_lists_every_public_object():
    assert "score_series" not in LISTED  # methods are documented on class pages
    assert set(LISTED) == public_objects()


@pytest.mark.parametrize("name", LISTED)
def test_every_public_method_documents_its_parameters(name):
    obj = resolve(name)
    if inspect.isclass(obj):
        methods = [
            member
            for method, member in inspect.getmembers(obj, inspect.isfunction)
            if not method.startswith("_")
            and member.__module__.startswith("sklearn_lstmae")
        ]
        assert {method.__name__ for method in methods} >= {"fit", "set_params"}
    else:
        methods = [obj]
    for method in methods:
        assert inspect.getdoc(method), method.__qualname__
        parameters = signature_parameters(method, skip_first=inspect.isclass(obj))
        assert documented_parameters(method) == parameters, method.__qualname__
