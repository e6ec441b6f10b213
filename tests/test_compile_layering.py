"""Only ``compiler/`` knows about tracing: the engine below it never imports it, and the composites carry
no compile plumbing. What compile must observe it observes where data enters or leaves the engine
(``Tensor(...)``, a primitive's ``apply``, ``values_of``, ``item``/``bool``, the ways values leave as
NumPy); these tests hold the composites to that, so a read the tracer would not see cannot be written."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "tinygrad_sm"
FACES = {"__init__.py", "train.py"}  # the package's top and the training loop's --compile switch


def _sources(*parts: str):
    for part in parts:
        path = PACKAGE / part
        yield from sorted(path.rglob("*.py")) if path.is_dir() else [path]


def test_nothing_below_the_compiler_imports_it():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "compiler" or str(relative) in FACES:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and "compiler" in (node.module or "").split("."):
                offenders.append(f"{relative}:{node.lineno}")
            if isinstance(node, ast.Import) and any("compiler" in a.name.split(".") for a in node.names):
                offenders.append(f"{relative}:{node.lineno}")
    assert offenders == []


def test_the_engine_and_composites_do_not_mention_the_compiler():
    # the check: grep -r compiler tinygrad_sm/functional tinygrad_sm/dtypes.py tinygrad_sm/tensor*.py
    hits = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in _sources("functional", "dtypes.py", "tensor.py", "tensor_habits.py", "tensor_functions.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "compiler" in line
    ]
    assert hits == []


def test_composites_never_read_an_array_behind_the_tracers_back():
    """In ``functional/`` and the layers' forward code, tensor values are read only through Tensor ops:
    no ``.data``/``._data`` (a raw array the tracer cannot follow), no ``derived``/``check`` declarations."""
    offenders = []
    for path in _sources("functional", "nn/layers.py", "nn/activation.py", "nn/conv.py", "nn/norm.py", "nn/sparse.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in ("data", "_data"):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: .{node.attr}")
            if isinstance(node, ast.Name) and node.id in ("derived", "check"):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {node.id}")
    assert offenders == []
