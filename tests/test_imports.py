"""The package's imports: no cycle between its modules (imports inside
functions included), each import allowed by the contributors' page
(docs/contributing.rst: module, job, who may import it), and other libraries'
private modules only in ``_compat``."""

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "sklearn_lstmae"
CONTRIBUTING = PACKAGE.parent / "docs" / "contributing.rst"
#: Private by name (a component starting with "_") or by the library's word.
PRIVATE_MODULES = ("keras.src", "tensorflow.python")


def imports(path: Path):
    """``(module, names, line)`` of every absolute import in ``path``,
    module-level and inside functions alike."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module, [alias.name for alias in node.names], node.lineno


def package_edges(package: Path = PACKAGE) -> dict:
    """Module name -> the package's modules it imports (``__init__`` for the
    package itself), wherever the import statement stands."""
    modules = {path.stem for path in package.glob("*.py")}
    edges = {}
    for path in package.glob("*.py"):
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                parts = (node.module or "").split(".")
                if parts[0] != "sklearn_lstmae":
                    continue
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                parts = ["sklearn_lstmae", *(node.module or "").split(".")]
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    parts = alias.name.split(".")
                    if parts[0] == "sklearn_lstmae":
                        targets.add(parts[1] if len(parts) > 1 else "__init__")
                continue
            else:
                continue
            parts = [part for part in parts if part]
            if len(parts) > 1:
                targets.add(parts[1])
            else:  # from the package itself: submodules, or its namespace
                targets.update(name for name in names if name in modules)
                if any(name not in modules for name in names):
                    targets.add("__init__")
        edges[path.stem] = targets - {path.stem}
    return edges


def cycles(edges: dict) -> list:
    """Import cycles of ``edges``: the cycle each back edge of a depth-first
    walk closes (none if and only if the graph has no cycle)."""
    found, state = [], {}

    def visit(module, path):
        state[module] = "open"
        for target in sorted(edges.get(module, ())):
            if state.get(target) == "open":
                found.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    return found


def test_the_package_has_no_import_cycle():
    edges = package_edges()
    assert {"_persistence", "_transformer", "_version"} <= edges["__init__"]
    assert cycles(edges) == []


def test_imports_inside_functions_count(tmp_path):
    (tmp_path / "__init__.py").write_text("from ._a import f\n")
    (tmp_path / "_a.py").write_text("def f():\n    from . import _b\n")
    (tmp_path / "_b.py").write_text("import sklearn_lstmae\n")
    edges = package_edges(tmp_path)
    assert edges == {"__init__": {"_a"}, "_a": {"_b"}, "_b": {"__init__"}}
    assert cycles(edges) == [["__init__", "_a", "_b", "__init__"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def allowed_importers() -> dict:
    """Module -> the modules its row on the contributors' page lets import it
    (None: any module)."""
    table = CONTRIBUTING.read_text().split(".. list-table::", 1)[1]
    rows = re.findall(
        r"^   \* - ``(\w+)``\n     - .*?\n     - (.*?)(?=\n   \* - |\n\n)",
        table,
        flags=re.M | re.S,
    )
    return {
        module: None
        if who.startswith("any module")
        else set(re.findall(r"``(\w+)``", who))
        for module, who in rows
    }


def test_contributors_page_lists_every_module_and_who_may_import_it():
    edges, allowed = package_edges(), allowed_importers()
    assert set(allowed) == set(edges)
    refused = sorted(
        f"{importer} -> {module}"
        for importer, modules in edges.items()
        for module in modules
        if allowed[module] is not None and importer not in allowed[module]
    )
    assert refused == [], "allow them in docs/contributing.rst, or import less"


def is_private(module: str, names: list) -> bool:
    parts = [*module.split("."), *names]
    return module.startswith(PRIVATE_MODULES) or any(
        part.startswith("_") and not part.startswith("__") for part in parts
    )


def test_private_apis_of_other_libraries_are_imported_in_compat_only():
    found = [
        f"{path.name}:{line}: {module} {names or ''}"
        for path in sorted(PACKAGE.glob("*.py"))
        if path.name != "_compat.py"
        for module, names, line in imports(path)
        if module.split(".")[0] != "sklearn_lstmae" and is_private(module, names)
    ]
    assert found == [], "import these through sklearn_lstmae/_compat.py"
    assert any(
        is_private(module, names)
        for module, names, _ in imports(PACKAGE / "_compat.py")
    )
