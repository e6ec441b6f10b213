"""The explorer after ``loss.backward()``, with the learner's own gradients (``derived=``, ``--file``),
and the command line's handling of the learner's files (checked first, run in a child with a limit)."""

import gc
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from test_explorer import array, needs_dot, page_data, reused_graph

import tinygrad_sm as tg
from tinygrad_sm import Tensor, nn, viz
from tinygrad_sm import functional as F
from tinygrad_sm.explorer import default_path, example_loss, explore

LABS = Path(__file__).resolve().parents[1] / "examples" / "labs"


# ---------------------------------------------------------------- after backward


@needs_dot
@pytest.mark.parametrize("kind", ["softmax-ce", "mlp", "cnn"])
def test_explore_after_backward_shows_the_same_page_as_before(kind, tmp_path):
    loss, params = example_loss(kind)
    before = explore(loss, tmp_path / "before.html", params=params).html
    loss.backward()  # releases the graph
    assert explore(loss, tmp_path / "after.html", params=params).html == before


@needs_dot
def test_explore_after_backward_leaves_the_graph_released():
    loss, _ = reused_graph()
    loss.backward()
    page = explore(loss)
    assert page.steps > 0
    with pytest.raises(RuntimeError, match="freed by an earlier backward"):
        loss.backward()  # exploring brought nothing back for good: PyTorch's rule still holds


def big_graph():
    """Ops that save arrays of their own for backward (abs its signs, maximum its weights, the max of
    the cross-entropy its ties): what ``retain_graph=True`` keeps and ``backward()`` frees."""
    rng = np.random.default_rng(0)
    model = nn.Linear(64, 256, generator=rng)
    x = Tensor(rng.standard_normal((512, 64)).astype(np.float32), name="x")
    hidden = model(x).abs()
    hidden = tg.maximum(hidden, hidden * 0.5)
    return F.cross_entropy(hidden, rng.integers(0, 256, 512)), model


def held_after(backward):
    """Bytes still allocated (tracemalloc) once the loss is built and ``backward`` has run, graph alive."""
    gc.collect()
    tracemalloc.start()
    try:
        loss, model = big_graph()
        backward(loss)
        gc.collect()
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del loss, model
    return held


@needs_dot
def test_exploring_after_backward_keeps_no_more_memory_than_retain_graph(tmp_path):
    explore(big_graph()[0], tmp_path / "warm.html")  # modules imported and assets read once: not counted
    retained = held_after(lambda loss: loss.backward(retain_graph=True))

    def backward_then_explore(loss):
        loss.backward()
        explore(loss, tmp_path / "page.html")  # the page is written and dropped; nothing stays behind

    explored = held_after(backward_then_explore)
    released = held_after(lambda loss: loss.backward())
    assert explored <= retained, (explored, retained)
    assert released < retained  # backward still frees what the ops saved...
    assert explored - released < (retained - released) / 4, (explored, released)  # ...and exploring keeps none


def test_explore_refuses_a_graph_whose_input_was_updated_in_place():
    weight = Tensor(np.ones((3, 2)), requires_grad=True, name="W")
    loss = (Tensor(np.ones((4, 3)), name="x") @ weight).tanh().sum()
    loss.backward()
    weight._data -= 0.1 * weight.grad._data  # an optimizer step, as SGD writes it
    weight._version += 1_000_000  # (what an in-place op records)
    with pytest.raises(RuntimeError, match="modified in place.*'W'|'W'.*modified in place"):
        explore(loss)


# ---------------------------------------------------------------- the learner's gradients


def linear_ce():
    rng = np.random.default_rng(3)
    x = Tensor(rng.standard_normal((4, 3)), name="x")
    W = Tensor(rng.standard_normal((3, 2)), requires_grad=True, name="W")
    b = Tensor(np.zeros(2), requires_grad=True, name="b")
    labels = np.array([0, 1, 1, 0])
    loss = F.cross_entropy(x @ W + b, labels)
    logits = x._data @ W._data + b._data
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    delta = (p - np.eye(2)[labels]) / 4
    return loss, x, W, b, x._data.T @ delta, delta.sum(0), delta


@needs_dot
def test_derived_gradients_are_shown_beside_autograds_with_the_diagnosis():
    loss, _x, _W, b, dW, db, delta = linear_ce()
    data = page_data(explore(loss, derived={"W": dW.T, b: delta}).html)  # a name and a tensor as keys
    names = data["tensors"]["name"]
    by_name = {names[int(i)]: entry for i, entry in data["derived"].items()}
    assert set(by_name) == {"W", "b"}
    assert by_name["W"]["mistakes"] == ["transpose"] and not by_name["W"]["ok"]
    assert np.array_equal(array(data, by_name["W"]["yours"]), dW.T)
    assert by_name["b"]["mistakes"] == ["batch-axis"] and "summed over the batch" in by_name["b"]["message"]
    right = page_data(explore(loss, derived={"W": dW, "b": db}).html)
    assert all(entry["ok"] and entry["message"] == "" for entry in right["derived"].values())
    halved = page_data(explore(loss, derived={"W": 4 * dW}).html)["derived"]
    assert "1/n" in next(iter(halved.values()))["message"]  # the missing mean, named as check_derivation does


def test_derived_at_an_intermediate_is_compared_there():
    loss, *_, delta = linear_ce()
    logits = next(t for t in viz._collect([loss]) if t._node is not None and t._node.name == "add")  # x @ W + b
    data = page_data(explore(loss, derived={logits: delta}).html)  # dC/dz = (p - onehot(y)) / n
    ((index, entry),) = data["derived"].items()
    assert data["tensors"]["op"][int(index)] == "add" and entry["ok"]


def test_derived_refuses_a_name_that_is_not_in_the_graph():
    loss, *_ = linear_ce()
    with pytest.raises(ValueError, match="no tensor of the graph is named 'V'.*'W'"):
        explore(loss, derived={"V": np.zeros((3, 2))})


# ---------------------------------------------------------------- where the page goes


def test_explore_without_a_path_outside_a_notebook_writes_to_the_default_place(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TINYGRAD_SM_EXPLORER", str(tmp_path / "here.html"))
    loss, *_ = linear_ce()
    result = explore(loss)
    assert result.path == default_path() == tmp_path / "here.html" and result.path.read_text() == result.html
    assert str(tmp_path / "here.html") in capsys.readouterr().out


# ---------------------------------------------------------------- the command line and the learner's files


def run_cli(*args, cwd, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "tinygrad_sm", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
        timeout=timeout,
    )


@pytest.mark.parametrize("kind", ["nul", "binary", "folder", "missing", "not-python"])
def test_cli_explore_refuses_a_file_that_is_not_python_source(kind, tmp_path):
    target = {"nul": "nul.py", "binary": "binary.py", "folder": "folder.py", "missing": "missing.py"}.get(kind, "x.txt")
    if kind == "nul":
        (tmp_path / target).write_bytes(b"import os\x00\n")
    elif kind == "binary":
        (tmp_path / target).write_bytes(bytes(range(128, 256)))
    elif kind == "folder":
        (tmp_path / target).mkdir()
    elif kind == "not-python":
        (tmp_path / target).write_text("def loss(): pass\n")
    for args in ([target], ["--file", target]):
        done = run_cli("explore", *args, "--out", "o.html", cwd=tmp_path)
        assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "Traceback" not in done.stderr and target in done.stderr and not (tmp_path / "o.html").exists()


def test_cli_explore_stops_a_file_that_loops_after_the_timeout(tmp_path):
    (tmp_path / "loop.py").write_text("while True:\n    pass\n")
    done = run_cli("explore", "loop.py", "--out", "o.html", "--timeout", "1", cwd=tmp_path, timeout=60)
    assert done.returncode == 2 and "--timeout" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_cli_explore_names_the_line_where_the_learners_code_failed(tmp_path):
    (tmp_path / "broken.py").write_text("def loss():\n    return 1 / 0\n")
    done = run_cli("explore", "broken.py", "--out", "o.html", cwd=tmp_path)
    assert done.returncode == 2 and "broken.py: line 2" in done.stderr and "ZeroDivisionError" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@needs_dot
def test_cli_explore_file_shows_a_labs_derivation_and_its_diagnosis(tmp_path):
    done = run_cli("explore", "--file", str(LABS / "softmax_ce_lab_wrong.py"), "--out", "lab.html", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("wrote") == 1
    data = page_data((tmp_path / "lab.html").read_text())
    names = data["tensors"]["name"]
    mistakes = {names[int(i)]: entry["mistakes"] for i, entry in data["derived"].items()}
    assert mistakes == {"W": ["transpose"], "b": ["batch-axis"], "a_prev": ["sign"]}
    done = run_cli("explore", "--file", str(LABS / "softmax_ce_lab.py"), "--out", "ok.html", cwd=tmp_path)
    assert done.returncode == 0 and all(
        e["ok"] for e in page_data((tmp_path / "ok.html").read_text())["derived"].values()
    )


@needs_dot
def test_cli_graph_draws_the_cnn_like_explore(tmp_path):
    done = run_cli("graph", "cnn", "--out", "cnn.svg", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "unfold(x (images))" in (tmp_path / "cnn.svg").read_text()


def test_cli_explore_needs_something_to_explore(tmp_path):
    done = run_cli("explore", "--out", "o.html", cwd=tmp_path)
    assert done.returncode == 2 and "name what to explore" in done.stderr


def test_cli_explore_says_when_the_learners_file_ended_its_process_before_the_page(tmp_path):
    (tmp_path / "exits.py").write_text("import os\ndef loss():\n    print('bye')\n    os._exit(0)\n")
    done = run_cli("explore", "exits.py", "--out", "o.html", cwd=tmp_path)
    assert done.returncode == 2 and "exit status 0" in done.stderr and "loss()" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not (tmp_path / "o.html").exists()
    assert "exits.py printed| bye" in done.stdout
