"""The imports of the project's source files, read with `ast` (nothing is imported or run).

The boundary tests of both runtimes use it (tests/bot/ and tests/addons/test_boundaries.py), so
it needs the standard library only; the model is Rasa's tests/shared/test_shared.py.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Import:
    """`module` as written (resolved if relative), imported by `path` at `line`."""

    path: Path
    line: int
    module: str

    def __str__(self) -> str:
        where = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return f"{where}:{self.line} imports {self.module}"


def module_name(path: Path, root: Path = ROOT) -> str:
    """`bot/core/money.py` -> `bot.core.money`; a package's `__init__.py` -> the package."""
    parts = path.resolve().relative_to(root.resolve()).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(path: Path, root: Path, level: int, module: str | None) -> str:
    if level == 0:
        return module or ""
    package = module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - level + 1]
    return ".".join([*base, module] if module else base)


def imports_of(path: Path, root: Path = ROOT) -> list[Import]:
    """Every module `path` names in an import, at any depth (also under TYPE_CHECKING or in a
    function), and every literal `importlib.import_module("...")`/`__import__("...")`.
    `from a import b` yields both `a` and `a.b`, since `b` may be a module."""
    found: list[Import] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [Import(path, node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(path, root, node.level, node.module)
            found.append(Import(path, node.lineno, module))
            found += [Import(path, node.lineno, f"{module}.{alias.name}") for alias in node.names]
        elif (
            isinstance(node, ast.Call)
            and _called_name(node.func) in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append(Import(path, node.lineno, node.args[0].value))
    return found


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def python_files(*folders: str) -> list[Path]:
    """The `.py` files under these folders of the repository (caches left out)."""
    files = [
        path
        for folder in folders
        for path in sorted((ROOT / folder).rglob("*.py"))
        if "__pycache__" not in path.parts
    ]
    assert files, f"no Python files under {folders}"  # a renamed folder must not pass silently
    return files


def is_within(module: str, packages: set[str] | frozenset[str]) -> bool:
    """True when `module` is one of `packages` or inside one of them."""
    return any(module == package or module.startswith(f"{package}.") for package in packages)


def violations(files: list[Path], forbidden: set[str] | frozenset[str]) -> list[str]:
    """The imports of `files` that reach into `forbidden` packages, one line each."""
    return [
        str(item)
        for path in files
        for item in imports_of(path)
        if is_within(item.module, forbidden)
    ]


def import_cycles(files: list[Path], root: Path = ROOT) -> list[list[str]]:
    """Loops among these modules (imports under TYPE_CHECKING count: they tie the design too)."""
    modules = {module_name(path, root): path for path in files}
    graph = {
        name: sorted(
            {item.module for item in imports_of(path, root) if item.module in modules} - {name}
        )
        for name, path in modules.items()
    }
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    stack: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for target in graph[name]:
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    return cycles
