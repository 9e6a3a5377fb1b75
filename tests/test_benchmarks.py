"""The benchmark scripts can all be smoke-run (read with ``ast``, none is run).

``python benchmarks/run_all.py --smoke`` runs each script in ``benchmarks/`` with
``--smoke``; these checks keep that true when a script is added or changed.
"""

import ast
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).parents[1] / "benchmarks"
#: The scripts: every module in benchmarks/ but the shared ``_``-prefixed ones.
SCRIPTS = sorted(
    path for path in BENCHMARKS.glob("*.py") if not path.name.startswith("_")
)


def _tree(path):
    return ast.parse(path.read_text(), filename=str(path))


def _takes_smoke(tree) -> bool:
    """Whether the module declares ``add_argument("--smoke", ...)``."""
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "add_argument"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and node.args[0].value == "--smoke"
        for node in ast.walk(tree)
    )


def test_scripts_found():
    names = {path.name for path in SCRIPTS}
    assert {"run_all.py", "bench_inference.py", "quality.py"} <= names


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda path: path.name)
def test_script_takes_smoke(path):
    assert _takes_smoke(_tree(path)), f"benchmarks/{path.name} has no --smoke flag"


def test_run_all_smoke_runs_every_script():
    run_all = _tree(BENCHMARKS / "run_all.py")
    smoke_runs = next(
        node
        for node in ast.walk(run_all)
        if isinstance(node, ast.FunctionDef) and node.name == "smoke_runs"
    )
    listed = {
        node.value
        for node in ast.walk(smoke_runs)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    scripts = {path.name for path in SCRIPTS} - {"run_all.py"}
    assert scripts - listed == set(), "not in run_all.py's smoke_runs"
    assert listed >= {"--reconstruction"}  # both modes of quality.py
