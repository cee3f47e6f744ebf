"""The package's shape holds: imports at the top of modules, no import cycles, small files.

These are the rules `docs/architecture.md` promises a newcomer; a change that breaks one fails
here with the file and line to look at.
"""

import ast
from pathlib import Path

from trajectories.core.config import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "trajectories"
MAX_LINES = 350


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        modules[name.removesuffix(".__init__")] = path
    return modules


def _imports(path: Path, modules: dict[str, Path]):
    """(module imported, line, whether the import runs inside a function) of each own import.
    An import under `if TYPE_CHECKING:` never runs: it is left out."""
    tree = ast.parse(path.read_text())
    in_function = {id(n) for f in ast.walk(tree)
                   if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef) for n in ast.walk(f)}
    type_only = {id(n) for i in ast.walk(tree) if isinstance(i, ast.If)
                 and ast.unparse(i.test).endswith("TYPE_CHECKING") for n in ast.walk(i)}
    for node in ast.walk(tree):
        if (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("trajectories")
                and id(node) not in type_only):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                yield (sub if sub in modules else node.module), node.lineno, id(node) in in_function


def test_no_file_in_the_package_is_over_350_lines():
    long = {str(p.relative_to(PACKAGE.parent)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_imports_sit_at_the_top_of_modules():
    """An import inside a function usually hides a cycle; the CLI may load its commands lazily."""
    modules = _modules()
    inside = [f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}"
              for name, path in modules.items() if name != "trajectories.cli"
              for target, line, in_function in _imports(path, modules) if in_function]
    assert inside == []


def test_no_module_imports_one_that_imports_it_back():
    modules = _modules()
    graph = {name: {t for t, _, in_function in _imports(path, modules)
                    if t in modules and t != name and not in_function}
             for name, path in modules.items()}
    cycles = []

    def visit(name, trail):
        for target in graph[name]:
            if target in trail:
                cycles.append(" -> ".join([*trail[trail.index(target):], target]))
            elif target not in done:
                visit(target, [*trail, target])
        done.add(name)

    done: set[str] = set()
    for name in sorted(graph):
        if name not in done:
            visit(name, [name])
    assert cycles == []


def test_core_imports_no_feature():
    """Every feature stands on core; core standing on a feature would tie them all to it."""
    modules = _modules()
    leaks = [f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}"
             for name, path in modules.items() if name.startswith("trajectories.core")
             for target, line, _ in _imports(path, modules)
             if not target.startswith("trajectories.core")]
    assert leaks == []
