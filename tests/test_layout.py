"""The tree shows the pipeline: modules import down the stages only, and no import cycles.

Stages, top to bottom (docs/architecture.md): serve -> api -> answer | ingestion -> index ->
text -> settings/types/errors. A module may import its own stage and any stage below, except:
answer and ingestion never import each other, and the front ends (serve, the UI, the public
`rag.llama_index` name) import only the public API (`rag`, `rag.api`), the base modules and each
other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Where each package's files live: ui/ installs as rag.ui (pyproject.toml).
PACKAGES = {"rag": ROOT / "rag", "rag.ui": ROOT / "ui"}
BASE = {"rag.settings", "rag.types", "rag.errors"}
FRONT = ("rag.serve", "rag.ui", "rag.llama_index")
RANKS = {"text": 1, "index": 2, "ingestion": 3, "answer": 3, "conversations": 3}
SIBLINGS = {"ingestion", "answer"}
MAX_LINES = 500
# The public API: the engine, its one-call shortcuts, its conversations, its evaluation.
API = {"rag", "rag.api", "rag.shortcuts", "rag.chats", "rag.evaluation"}


def stage(module: str) -> tuple[int, str]:
    """(rank, name) of a module's stage."""
    if module in BASE:
        return 0, "base"
    if module in FRONT or module.startswith(tuple(f"{front}." for front in FRONT)):
        return 5, "serve"
    if module in API:
        return 4, "api"
    part = module.split(".")[1]
    if part not in RANKS:
        raise AssertionError(
            f"{module} is in no stage: give it a folder (see the module docstring)"
        )
    return RANKS[part], part


def modules(packages: dict[str, Path]) -> dict[str, Path]:
    """Every module of `packages` by dotted name (a package by its __init__)."""
    found = {}
    for prefix, folder in packages.items():
        for path in folder.rglob("*.py"):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join([prefix, *parts])] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package modules that module `name` imports anywhere in its body (function-level
    imports too): `from .x import y` names module `x.y` when there is one, else `x`."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            bases = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            bases = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names
            ]
        else:
            continue
        for target in bases:
            while target and target not in known:  # `import rag.x.y` imports rag.x.y
                target = target.rpartition(".")[0]
            if target and target != name:
                targets.add(target)
    return targets


def graph(packages: dict[str, Path]) -> dict[str, set[str]]:
    found = modules(packages)
    return {name: imports(name, path, set(found)) for name, path in found.items()}


def upward(edges: dict[str, set[str]]) -> list[str]:
    """Every import that runs against the stages, as 'a -> b (why)'."""
    wrong = []
    for source, targets in sorted(edges.items()):
        rank, name = stage(source)
        for target in sorted(targets):
            to_rank, to_name = stage(target)
            if to_rank > rank:
                wrong.append(f"{source} -> {target} (up from {name} to {to_name})")
            elif name in SIBLINGS and to_name in SIBLINGS and name != to_name:
                wrong.append(f"{source} -> {target} ({name} and {to_name} are siblings)")
            elif name == "serve" and to_name not in ("serve", "api", "base"):
                wrong.append(f"{source} -> {target} (a front end past the public API)")
    return wrong


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


def test_no_import_cycles_and_every_import_runs_down_the_stages():
    edges = graph(PACKAGES)
    assert len(edges) > 40 and "rag.ingestion.formats.pdf" in edges
    assert cycles(edges) == []
    assert upward(edges) == []


def test_the_checks_catch_a_cycle_and_an_upward_import(tmp_path: Path):
    """The checks above on a small package built to break them, so a pass above means
    something."""
    for name, text in {
        "__init__.py": "",
        "api.py": "from .answer import extractive\n",
        "types.py": "",
        "text/__init__.py": "",
        "text/chunking.py": "from ..index import store\n",  # up a stage
        "index/__init__.py": "",
        "index/store.py": "from ..text import chunking\n",  # and back: a cycle
        "answer/__init__.py": "",
        "answer/extractive.py": "def f():\n    from ..ingestion.sync import x\n",  # a sibling
        "ingestion/__init__.py": "",
        "ingestion/sync.py": "from ..types import Chunk\n",
        "serve/__init__.py": "",
        "serve/cli.py": "from rag.index.store import Store\nfrom rag import api\n",
    }.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    edges = graph({"rag": tmp_path})
    assert edges["rag.api"] == {"rag.answer.extractive"}
    assert edges["rag.serve.cli"] == {"rag.index.store", "rag.api"}
    assert cycles(edges) == [["rag.index.store", "rag.text.chunking"]]
    assert upward(edges) == [
        "rag.answer.extractive -> rag.ingestion.sync (answer and ingestion are siblings)",
        "rag.serve.cli -> rag.index.store (a front end past the public API)",
        "rag.text.chunking -> rag.index.store (up from text to index)",
    ]


@pytest.mark.parametrize("folder", ["rag", "ui", "tests"])
def test_no_module_over_500_lines(folder: str):
    long = {
        str(path.relative_to(ROOT)): lines
        for path in (ROOT / folder).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, "split these by job"


def test_every_stage_says_its_job_and_what_it_may_import():
    for folder in (
        "text",
        "index",
        "ingestion",
        "ingestion/formats",
        "answer",
        "conversations",
        "serve",
    ):
        doc = ast.get_docstring(ast.parse((ROOT / "rag" / folder / "__init__.py").read_text()))
        assert doc and "import" in doc, folder


def test_every_package_is_installed():
    """pyproject.toml lists packages by name: a new folder left out would be missing from a
    wheel, though editable installs (and so these tests) would still find it."""
    import tomllib

    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {name for name, path in modules(PACKAGES).items() if path.name == "__init__.py"}
    assert listed == found
