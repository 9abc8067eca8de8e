"""The shape of the code, checked so that it cannot drift: imports run one way, no module reaches
into another's private names, no function grows past a screen, and every format has a renderer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .conftest import REPO

PACKAGE = REPO / "bomaudit"

#: a module may import, at run time, only modules of a lower layer or of its own package;
#: imports under ``if TYPE_CHECKING:`` are types only and are not counted
LAYERS = {
    "bomaudit": 0,
    "bomaudit.vocab": 0,
    "bomaudit.errors": 0,
    "bomaudit.fields": 1,
    "bomaudit.parse": 2,
    "bomaudit.materials": 2,
    "bomaudit.load": 3,
    "bomaudit.normalise": 4,
    "bomaudit.rollup": 5,
    "bomaudit.rules": 6,
    "bomaudit.audit": 7,
    "bomaudit.render": 8,
    "bomaudit.cli": 9,
    "bomaudit.__main__": 10,
}
#: the renderers read the finished result: no stage, and not the core that runs them
RENDER_MUST_NOT_IMPORT = ("bomaudit.load", "bomaudit.normalise", "bomaudit.rollup", "bomaudit.audit")
#: the CLI goes through the core for everything that reads BOMs
CLI_MUST_NOT_IMPORT = ("bomaudit.load", "bomaudit.normalise", "bomaudit.rollup")
MAX_FUNCTION_LINES = 80


def module_name(path: Path) -> str:
    rel = path.relative_to(REPO).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def in_layer(name: str, key: str) -> bool:
    return name == key or (key != "bomaudit" and name.startswith(key + "."))


def layer_of(name: str) -> tuple[str, int]:
    best = max((k for k in LAYERS if in_layer(name, k)), key=len)
    return best, LAYERS[best]


def is_package(name: str) -> bool:
    return (REPO / Path(*name.split(".")) / "__init__.py").is_file()


def runtime_imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, names) of every bomaudit import outside ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(path.read_text("utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    out = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bomaudit"):
            names = [a.name for a in node.names]
            # ``from bomaudit.render import report`` imports the submodule bomaudit.render.report
            subs = [n for n in names if (PACKAGE.parent / Path(*node.module.split("."), f"{n}.py")).is_file()]
            if subs and len(subs) == len(names):
                out.extend((node.lineno, f"{node.module}.{n}", []) for n in subs)
            else:
                out.append((node.lineno, node.module, names))
        elif isinstance(node, ast.Import):
            out.extend((node.lineno, a.name, []) for a in node.names if a.name.startswith("bomaudit"))
    return out


def all_imports(path: Path) -> list[tuple[int, str, list[str]]]:
    tree = ast.parse(path.read_text("utf-8"))
    return [
        (n.lineno, n.module, [a.name for a in n.names]) for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("bomaudit")
    ]


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(REPO)))
def test_imports_run_one_way(path: Path):
    me = module_name(path)
    my_layer, my_rank = layer_of(me)
    wrong = []
    for line, target, _ in runtime_imports(path):
        their_layer, their_rank = layer_of(target)
        if their_layer == my_layer:
            continue
        if their_rank >= my_rank:
            wrong.append(f"line {line}: {me} imports {target} (a higher or equal layer)")
        if my_layer == "bomaudit.render" and their_layer in RENDER_MUST_NOT_IMPORT:
            wrong.append(f"line {line}: a renderer imports {target}: renderers read only the Audit")
        if my_layer == "bomaudit.cli" and their_layer in CLI_MUST_NOT_IMPORT:
            wrong.append(f"line {line}: the CLI imports the stage {target}: go through bomaudit.audit")
    assert wrong == []


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_import_back_up_into_the_own_package(path: Path):
    """A submodule does not import its own package's ``__init__`` (which imports the submodules)."""
    me = module_name(path)
    if path.name == "__init__.py":
        return
    package = me.rsplit(".", 1)[0]
    if package == "bomaudit":
        return
    back = [f"line {line}: from {target} import {', '.join(names)}" for line, target, names in runtime_imports(path) if target == package and names]
    assert back == []


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_private_name_imported_from_another_module(path: Path):
    private = [f"line {line}: {target}.{n}" for line, target, names in all_imports(path) for n in names if n.startswith("_") and not n.startswith("__")]
    assert private == []


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_function_over_a_screen(path: Path):
    tree = ast.parse(path.read_text("utf-8"))
    long = [
        f"{node.name} (line {node.lineno}): {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []


def test_every_module_has_a_layer():
    assert [module_name(p) for p in modules() if not any(in_layer(module_name(p), k) for k in LAYERS)] == []


def test_every_format_has_one_renderer_and_back():
    from bomaudit.render import CHECKS, REPORTS, CheckFormat, Format

    assert set(REPORTS) == set(Format)
    assert set(CHECKS) == set(CheckFormat)
    for fmt, renderer in [*REPORTS.items(), *CHECKS.items()]:
        assert renderer.name == fmt.value
        module = __import__(renderer.module, fromlist=[renderer.function])
        assert callable(getattr(module, renderer.function)), renderer
    suffixes = [s for r in REPORTS.values() for s in r.suffixes]
    assert len(suffixes) == len(set(suffixes)), "a suffix names two formats"


def test_vocabulary_is_defined_once():
    """The verdict, end-use and basis words appear as string literals only in vocab.py."""
    from bomaudit.vocab import Basis, EndUse, Verdict

    words = {*(v.value for v in Verdict), *(e.value for e in EndUse if e.value != "civil")} - {"unknown", "clear"}
    found = []
    for path in modules():
        if path.name in ("vocab.py",):
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and node.value in words:
                found.append(f"{path.relative_to(REPO)}:{node.lineno}: {node.value!r}")
    del Basis
    assert found == []
