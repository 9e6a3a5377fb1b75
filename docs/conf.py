"""Sphinx configuration: pydata theme, numpydoc API pages, sphinx-gallery.

Build with ``sphinx-build -W -b html docs docs/_build/html`` (``docs`` extra);
the gallery executes ``examples/plot_*.py``.
"""

import os
import re

os.environ.setdefault("MPLBACKEND", "Agg")

import sklearn_lstmae

project = "sklearn-lstmae"
author = "sklearn-lstmae developers"
copyright = "2026, sklearn-lstmae developers"
release = version = sklearn_lstmae.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

exclude_patterns = ["_build", "**.ipynb_checkpoints"]
# _templates/autosummary/class.rst: a class page documents every public
# method (inherited ones included) with its parameters, after a summary table.
templates_path = ["_templates"]
html_theme = "pydata_sphinx_theme"
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": False,
}
html_static_path = []
html_title = f"sklearn-lstmae {version}"

autosummary_generate = True
autodoc_default_options = {"members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Which examples the build executes (all by default). CI sets
    # LSTMAE_DOCS_EXECUTE to the ones tests/test_examples.py does not run, so
    # that each example runs once there: the tests run the others and check
    # what their prose claims.
    "filename_pattern": os.environ.get("LSTMAE_DOCS_EXECUTE", r"/plot_"),
    "ignore_pattern": r"__init__\.py",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "show_memory": False,
    "capture_repr": ("_repr_html_", "__repr__"),
}

#: ``:ref:`text <label>``` and ``:term:`text``` roles.
_REFERENCE = re.compile(r":(?:ref|term):`([^`<]+?)(?:\s*<[^`>]*>)?`")


def _plain_scikit_learn_references(app, what, name, obj, options, lines):
    """The methods our estimators inherit from scikit-learn (``set_output``,
    the metadata-routing ``set_*_request``...) cite labels and glossary terms
    of scikit-learn's own site: keep their text, without the broken link."""
    if str(getattr(obj, "__module__", "")).startswith("sklearn."):
        lines[:] = [_REFERENCE.sub(r"\1", line) for line in lines]


def setup(app):
    app.connect("autodoc-process-docstring", _plain_scikit_learn_references)
