"""The package's shape, checked on its source (ast, no imports of the package):

* imports flow one way through the layers (``LAYERS``): a module imports modules of lower
  layers, or of its own package at the same layer; no import cycle between modules;
* imports sit at module level, except the optional extras (matplotlib, Dask, pyarrow, ...),
  which load only when a plot, a cluster or a Parquet file is asked for;
* the lower utility layers (``config``, ``report``, ``_validate``, ``_files``, ``_json``,
  ``_extras``) import no domain module;
* a CLI command's module imports no other command's module, directly or not (the CLI loads
  the one it runs by name, with importlib);
* compiled classes are not patched from Python (no assignment to an attribute of a ``_core``
  class), and ``_core.pyi`` names every public name of the compiled module.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest

from cyberloss import _core
from cyberloss.cli import COMMANDS

PACKAGE = Path(__file__).resolve().parents[2] / "python" / "cyberloss"

# cli -> workflows (quote, bcp, portfolio, validation) -> insurance / organisation -> calibration -> engine
# -> results / stats -> _core, with config, report, _validate, _files, _json below the domain.
LAYERS = {
    "cyberloss._core": 0, "cyberloss._lazy": 0,
    "cyberloss._arith": 1, "cyberloss._table": 1, "cyberloss._json": 1, "cyberloss._validate": 1, "cyberloss._files": 1, "cyberloss._extras": 1,
    "cyberloss.config": 2, "cyberloss.report": 2,
    "cyberloss.random": 3, "cyberloss.distributions": 3, "cyberloss.stats": 3,
    "cyberloss.results": 4,
    "cyberloss.engine": 5,
    "cyberloss.calibration": 6,
    "cyberloss.organisation": 7,
    "cyberloss.experience": 7,
    "cyberloss.insurance": 8,
    "cyberloss.portfolio": 9,
    "cyberloss.validation": 9,
    "cyberloss.web": 9,
    "cyberloss.sensitivity": 9,
    "cyberloss.cli": 10,
    "cyberloss": 11,
}
# tqdm: its import (0.1-0.2 s) waits until a progress bar is first shown
OPTIONAL_EXTRAS = ("matplotlib", "dask", "distributed", "pyarrow", "openpyxl", "jinja2", "tqdm", "uvicorn")
# the web page's package needs the web extra: `cyberloss serve` imports it when it runs
OPTIONAL_PACKAGES = ("cyberloss.web",)
UTILITY = ("cyberloss._lazy", "cyberloss._arith", "cyberloss._table", "cyberloss._json", "cyberloss._validate", "cyberloss._files", "cyberloss._extras",
           "cyberloss.config", "cyberloss.report")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}
MODULES["cyberloss._core"] = PACKAGE / "_core.pyi"


def is_package(name: str) -> bool:
    return MODULES.get(name, Path()).name == "__init__.py"


def resolve(module: str, node: ast.ImportFrom | ast.Import) -> list[str]:
    """The cyberloss modules an import statement loads (a submodule where ``from X import Y``
    names one, else X itself)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] == "cyberloss"]
    if node.level:
        base = module.split(".") if is_package(module) else module.split(".")[:-1]
        base = base[: len(base) - node.level + 1]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    if target.split(".")[0] != "cyberloss":
        return []
    out = []
    for a in node.names:
        sub = f"{target}.{a.name}"
        out.append(sub if sub in MODULES else target)
    return out


def layer(name: str) -> tuple[int, str]:
    best = max((p for p in LAYERS if name == p or name.startswith(p + ".")), key=len)
    return LAYERS[best], best


def imports() -> list[tuple[str, str, bool, int]]:
    """(importer, imported cyberloss module or external top-level name, inside a function, line)."""
    out = []
    for name, path in MODULES.items():
        if path.suffix == ".pyi":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                     for n in ast.walk(f)}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                inside = id(node) in functions
                targets = resolve(name, node)
                if not targets:
                    top = (node.names[0].name if isinstance(node, ast.Import) else (node.module or "")).split(".")[0]
                    targets = [f"<external>{top}"] if getattr(node, "level", 0) == 0 else []
                out += [(name, t, inside, node.lineno) for t in targets]
    return out


EDGES = imports()


def test_every_module_has_a_layer():
    assert all(layer(name) for name in MODULES)


def test_imports_flow_down_the_layers():
    wrong = []
    for importer, target, _, line in EDGES:
        if target.startswith("<external>") or target == importer:
            continue
        (ri, pi), (rt, pt) = layer(importer), layer(target)
        if rt > ri or (rt == ri and pi != pt):
            wrong.append(f"{importer}:{line} imports {target} ({pi} is layer {ri}, {pt} layer {rt})")
    assert not wrong, "\n".join(wrong)


def test_the_utility_layers_import_no_domain_module():
    wrong = [f"{i}:{line} imports {t}" for i, t, _, line in EDGES
             if layer(i)[1] in UTILITY and not t.startswith("<external>")
             and layer(t)[0] > 1 and layer(t)[1] != layer(i)[1]]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle():
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for importer, target, _, _ in EDGES:
        if target in graph and target != importer:
            graph[importer].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []

    def visit(v: str) -> None:      # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    assert not cycles, cycles


def test_function_level_imports_are_optional_extras_only():
    wrong = [f"{i}:{line} imports {t.removeprefix('<external>')} inside a function"
             for i, t, inside, line in EDGES
             if inside and not (t.startswith("<external>") and t[len("<external>"):] in OPTIONAL_EXTRAS)
             and not (i == "cyberloss.cli.serve" and layer(t)[1] in OPTIONAL_PACKAGES)]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_command_imports_no_other_command(command):
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for importer, target, _, _ in EDGES:
        if target in graph:
            graph[importer].add(target)
    seen, todo = set(), [f"cyberloss.cli.{command}"]
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo += graph[module]
    others = {f"cyberloss.cli.{name}" for name in COMMANDS if name != command}
    assert not seen & others


def test_the_checker_sees_what_it_checks():
    """The rules above are not vacuous: they see imports, layers and function-level imports."""
    assert ("cyberloss.insurance.quote", "cyberloss.organisation.simulate") in {(i, t) for i, t, _, _ in EDGES}
    assert any(inside and t == "<external>matplotlib" for _, t, inside, _ in EDGES)
    assert layer("cyberloss.portfolio.distributed") == (9, "cyberloss.portfolio")
    assert ("cyberloss.cli.demo", "cyberloss.cli.quote_outputs") in {(i, t) for i, t, _, _ in EDGES}


def test_compiled_classes_are_not_patched():
    compiled = {n for n, v in vars(_core).items() if inspect.isclass(v)}
    wrong = []
    for name, path in MODULES.items():
        if path.suffix == ".pyi":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Assign, ast.AugAssign)):
                for target in getattr(node, "targets", [getattr(node, "target", None)]):
                    if isinstance(target, ast.Attribute) and isinstance(target.value, (ast.Name, ast.Attribute)):
                        owner = target.value.attr if isinstance(target.value, ast.Attribute) else target.value.id
                        if owner in compiled:
                            wrong.append(f"{name}:{node.lineno} sets {owner}.{target.attr}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("name", sorted(n for n in dir(_core) if not n.startswith("_")))
def test_the_stub_names_every_public_name_of_the_core(name):
    stub = ast.parse((PACKAGE / "_core.pyi").read_text(encoding="utf-8"))
    names = {n.name for n in ast.walk(stub) if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    names |= {t.id for n in ast.walk(stub) if isinstance(n, (ast.Assign, ast.AnnAssign))
              for t in ([n.target] if isinstance(n, ast.AnnAssign) else n.targets) if isinstance(t, ast.Name)}
    names |= {a.asname or a.name for n in ast.walk(stub) if isinstance(n, ast.ImportFrom) for a in n.names}
    assert name in names


_SIGNATURE = re.compile(r"^(?:\d+\. )?(\w+)\((.*)\) ->", re.M)


def _runtime_signatures(obj) -> list[list[str]]:
    """Parameter names of each signature pybind11 writes at the head of the docstring."""
    out = []
    for m in _SIGNATURE.finditer(getattr(obj, "__doc__", "") or ""):
        names, depth, current = [], 0, ""
        for ch in m.group(2) + ",":
            if ch in "[(":
                depth += 1
            elif ch in "])":
                depth -= 1
            if ch == "," and depth == 0:
                if current.strip():
                    names.append(current.split(":")[0].strip())
                current = ""
            else:
                current += ch
        out.append([n for n in names if n != "self"])
    return out


def _stub_signatures() -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}

    def visit(body, prefix: str) -> None:
        for n in body:
            if isinstance(n, ast.ClassDef):
                out.setdefault(prefix + n.name, [])
                visit(n.body, prefix + n.name + ".")
            elif isinstance(n, ast.FunctionDef):
                args = [a.arg for a in n.args.args + n.args.kwonlyargs if a.arg != "self"]
                out.setdefault(prefix + n.name, []).append(args)

    visit(ast.parse((PACKAGE / "_core.pyi").read_text(encoding="utf-8")).body, "")
    return out


def test_the_stub_matches_the_compiled_signatures():
    """Every function and method of _core is in the stub with the same parameter names."""
    stub = _stub_signatures()
    wrong = []

    def walk(obj, prefix: str) -> None:
        own = vars(obj) if inspect.isclass(obj) else None
        for name in dir(obj):
            if (name.startswith("_") and name not in ("__init__", "__call__", "__len__")) or \
                    (own is not None and name not in own):
                continue
            value = getattr(obj, name)
            full = prefix + name
            if inspect.isclass(value) or inspect.ismodule(value):
                if value.__name__.startswith("cyberloss") or getattr(value, "__module__", "").startswith("cyberloss"):
                    walk(value, full + ".")
            elif callable(value):
                for signature in _runtime_signatures(value):
                    if signature not in stub.get(full, []):
                        wrong.append(f"{full}({', '.join(signature)}) stub: {stub.get(full)}")

    walk(_core, "")
    assert not wrong, "\n".join(wrong)


def test_the_fuzz_harness_imports_modules_that_exist():
    """``make fuzz`` (not part of ``make test``) loads the package before instrumenting it: each
    name it imports from cyberloss must still exist where it imports it from."""
    tree = ast.parse((PACKAGE.parents[1] / "tests" / "fuzz" / "fuzz_loaders.py").read_text(encoding="utf-8"))
    imported = [(node.module, alias.name) for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cyberloss")
                for alias in node.names]
    assert imported
    for module, name in imported:
        assert hasattr(importlib.import_module(module), name), f"{module}.{name}"
