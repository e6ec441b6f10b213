"""The declarations mypy reads in place of what is installed at import time stay in step with it."""

import ast
import inspect
from pathlib import Path

import tinygrad_sm  # (importing the package installs the table's methods on Tensor)
from tinygrad_sm.methods import methods
from tinygrad_sm.tensor import Tensor

HABITS = Path(tinygrad_sm.__file__).parent / "tensor_habits.py"


def _declared_methods() -> dict[str, str]:
    """``name: Callable[..., Ret]`` lines of TensorHabits's ``if TYPE_CHECKING:`` block, as {name: Ret}."""
    tree = ast.parse(HABITS.read_text())
    habits = next(node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "TensorHabits")
    block = next(node for node in habits.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING")
    declared = {}
    for node in block.body:
        if isinstance(node, ast.AnnAssign) and ast.unparse(node.annotation).startswith("Callable[..., "):
            declared[node.target.id] = ast.unparse(node.annotation)[len("Callable[..., ") : -1]
    return declared


def test_every_table_method_is_declared_for_mypy_with_its_return_type():
    declared = _declared_methods()
    METHODS = methods()
    assert set(declared) == set(METHODS), (
        f"missing: {sorted(set(METHODS) - set(declared))}, stale: {sorted(set(declared) - set(METHODS))}"
    )
    for name, function in METHODS.items():
        assert declared[name] == inspect.signature(function).return_annotation, name


def test_declared_methods_are_really_installed_on_tensor():
    METHODS = methods()
    for name in _declared_methods():
        assert getattr(Tensor, name) is METHODS[name]
