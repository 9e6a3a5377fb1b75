"""The package's imports: other libraries' private modules only in
``_compat``."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "sklearn_lstmae"
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
