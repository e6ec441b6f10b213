"""The backprop explorer page (``viz.explore``): its data in Python, then the page in a real browser.

The browser test steps through every step with the keyboard and checks that the highlighted node and
the gradient shown are the engine's, with no console error and no request at all."""

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
from browser import browser_page

from tinygrad_sm import Tensor, autograd, viz
from tinygrad_sm import functional as F
from tinygrad_sm.explorer import example_loss, explore

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None and not os.environ.get("CI"), reason="Graphviz 'dot' is not installed"
)


def page_data(page: str) -> dict:
    """The page's data block, as its script reads it (JSON.parse of the element's text)."""
    marker = '<script type="application/json" id="explorer-data">'
    start = page.index(marker) + len(marker)
    return json.loads(page[start : page.index("</script>", start)])


def array(data: dict, ref: int) -> np.ndarray:
    """One array of the page (a small one: its numbers), decoded from the page's buffers."""
    buffer, offset, shape, _kind = data["values"]["items"][ref]
    raw = base64.b64decode(data["values"]["f32" if buffer else "f64"])
    flat = np.frombuffer(raw, dtype="<f4" if buffer else "<f8")
    size = int(np.prod(shape))
    return flat[offset : offset + size].reshape(shape)


def names_of(data: dict) -> list[str]:
    return data["tensors"]["name"]


def reused_graph():
    """A small network where ``h`` feeds two ops and ``W`` is used twice: every tensor has a name."""
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((2, 3)), name="x")
    W = Tensor(rng.standard_normal((3, 3)) * 0.5, requires_grad=True, name="W")
    b = Tensor(np.array([0.1, -0.2, 0.3]), requires_grad=True, name="b")
    xW = x @ W
    xW.name = "xW"
    a = xW + b
    a.name = "a"
    h = a.tanh()
    h.name = "h"
    hW = h @ W
    hW.name = "hW"
    z = hW + h
    z.name = "z"
    loss = F.cross_entropy(z, np.array([2, 0]))
    loss.name = "C"
    return loss, [x, W, b, xW, a, h, hW, z]


# ---------------------------------------------------------------- the data the page is made of


@needs_dot
def test_backward_steps_follow_the_engine_order_and_reach_every_gradient():
    loss, _ = reused_graph()
    data = page_data(explore(loss).html)
    made, leaves = autograd._reachable([loss])
    names = names_of(data)
    assert [names[step[0]] for step in data["steps"]["backward"]] == [t.name for t in made]  # as run_backward
    leaf_names = [names[step[0]] for step in data["steps"]["leaf"]]
    assert leaf_names == [t.name for t in leaves if t.requires_grad] and sorted(leaf_names) == ["W", "b"]
    forward = data["steps"]["forward"]
    assert len(forward) == len(made) and data["tensors"]["op"][forward[0]] == "matmul"


@needs_dot
def test_reused_tensor_shows_contributions_that_add_up_to_its_gradient():
    loss, tensors = reused_graph()
    data = page_data(explore(loss).html)
    W = tensors[1]
    (expected,) = autograd.grad(loss, [W], retain_graph=True)
    w = names_of(data).index("W")
    parts = [array(data, ref) for _, _, sends in data["steps"]["backward"] for j, ref, _ in sends if j == w]
    assert len(parts) == 2 and np.allclose(sum(parts), expected._data)
    (total,) = [ref for i, ref in data["steps"]["leaf"] if i == w]
    assert np.array_equal(array(data, total), expected._data)
    # each array is stored once: W's gradient is not written again where it is also the running sum
    runnings = [running for _, _, sends in data["steps"]["backward"] for j, _, running in sends if j == w]
    assert runnings[-1] == total


@needs_dot
def test_every_step_carries_its_ops_math_from_ops():
    from tinygrad_sm import ops

    rules = {name.lower(): (forward, vjp) for _, name, forward, vjp in ops.rules()}
    loss, _ = reused_graph()
    data = page_data(explore(loss).html)
    for i, _total, _sends in data["steps"]["backward"]:
        forward, vjp = data["ops"][data["tensors"]["op"][i]]
        assert (forward, vjp) == rules[data["tensors"]["op"][i]] and vjp


@needs_dot
def test_hand_derivations_match_autograd_at_logits_and_last_layer():
    loss, model = example_loss("mlp")
    data = page_data(explore(loss, params=model).html)
    hands = {names_of(data)[int(i)]: found for i, found in data["hands"].items()}
    assert set(hands) == {"z (logits)", "2.weight", "2.bias"}
    for found in hands.values():
        assert found[0]["diff"] < 1e-6 and array(data, found[0]["hand"]).size > 0


@needs_dot
def test_softmax_feeding_log_shows_the_jacobian_route():
    z = Tensor(np.array([[1.0, 2.0, 0.5], [0.3, -1.0, 2.0]]), requires_grad=True, name="z")  # float64
    probs = F.softmax(z, axis=1)
    loss = -(probs[np.arange(2), np.array([1, 2])].log()).mean()
    data = page_data(explore(loss).html)
    ((leaf, _),) = data["steps"]["leaf"]
    (hand,) = data["hands"][str(leaf)]
    p = probs._data
    expected = (p - np.eye(3)[[1, 2]]) / 2  # the Jacobian route ends at p - delta too
    assert np.allclose(array(data, hand["hand"]), expected) and hand["diff"] < 1e-12


def test_large_values_are_shape_norm_and_heat_map():
    from tinygrad_sm.explorer import Values

    values = Values()
    ref = values.add(np.arange(1000.0).reshape(10, 100))
    item = values.items[ref]
    rows, columns, buffer, offset = item["heat"]
    assert rows == 10 and columns == 24 and buffer == 1  # the heat map in float32: only a picture
    assert np.isclose(item["norm"], np.linalg.norm(np.arange(1000.0)))
    heat = np.frombuffer(base64.b64decode(values.data()["f32"]), dtype="<f4")[offset : offset + rows * columns]
    assert heat[0] < heat[-1]


def test_equal_arrays_are_stored_once():
    from tinygrad_sm.explorer import Values

    values = Values()
    first = values.add(np.ones((2, 3), dtype=np.float32))
    assert values.add(np.ones((2, 3), dtype=np.float32)) == first
    assert values.add(np.ones((3, 2), dtype=np.float32)) != first  # another shape is another array
    assert values.add(np.ones((2, 3), dtype=np.float64)) != first  # another dtype too


@needs_dot
def test_page_is_self_contained_and_forbids_requests(tmp_path):
    loss, _ = reused_graph()
    page = explore(loss, tmp_path / "page.html").path.read_text()
    assert "default-src 'none'" in page and "<svg" in page
    assert not any(tag in page for tag in ("<script src", "<link ", "url(fonts/", "@import"))
    # no inline script runs unless its hash is in the policy; the data block is JSON, not code
    policy = re.search(r'content="([^"]*script-src[^"]*)"', page).group(1)
    script_src = re.search(r"script-src ([^;]*)", policy).group(1).split()
    assert script_src and all(source.startswith("'sha256-") for source in script_src)
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    assert len(scripts) == 2
    for text in scripts:
        digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
        assert f"'sha256-{digest}'" in script_src
    assert page.count("<script") == 3 and page.count('<script type="application/json" id="explorer-data">') == 1


def test_explore_refuses_a_constant():
    with pytest.raises(ValueError, match="recorded graph"):
        explore(Tensor([1.0]))


@needs_dot
def test_big_graph_opens_with_composites_collapsed_and_their_insides_drawn():
    logits = Tensor(np.random.default_rng(1).standard_normal((2, 3)), requires_grad=True, name="z")
    loss = sum(F.cross_entropy(logits * (1 + k / 100), np.array([0, 1])) for k in range(60))
    result = explore(loss)  # about 60 x 9 ops: above the collapse threshold
    data = page_data(result.html)
    assert result.collapsed and len(data["composite"]) == 60
    # the insides are drawn by the page from the ops' data: every op inside each composite is there
    members = {name: 0 for name in data["composite"]}
    for node in data["tensors"]["opnode"]:
        if node in members:
            members[node] += 1
    assert all(count == 7 for count in members.values()), members


def test_cross_entropy_intermediates_carry_the_derivations_names():
    logits = Tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]], requires_grad=True)
    loss = F.cross_entropy(logits, np.array([0, 2]))
    names = {t.name for t in viz._collect([loss])}
    assert {"z - r", "exp(z - r)", "Q' = sum exp(z - r)", "log Q'", "z_y - r", "C_i", "C"} <= names
    assert F.softmax(logits).name == "p"
    pick = next(t for t in viz._collect([loss]) if t._node is not None and t._node.name == "getitem")
    assert viz._op_detail(pick._node) == "pick z_y (labels)"


def test_cli_explore_rejects_a_bad_example_and_output_before_work(tmp_path):
    for args, message in ((["nonsense"], "unknown example"), (["mlp", "--out", "x.svg"], ".html")):
        done = subprocess.run(
            [sys.executable, "-m", "tinygrad_sm", "explore", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": os.getcwd()},
        )
        assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


@needs_dot
def test_cli_explore_runs_a_users_python_file(tmp_path):
    (tmp_path / "mine.py").write_text(
        "import numpy as np\nfrom tinygrad_sm import Tensor\nimport tinygrad_sm.functional as F\n"
        "def loss():\n    z = Tensor([[1.0, 2.0]], requires_grad=True)\n    return F.cross_entropy(z, np.array([1]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "tinygrad_sm", "explore", "mine.py", "--out", "m.html"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert done.returncode == 0, done.stderr
    assert len(page_data((tmp_path / "m.html").read_text())["steps"]["leaf"]) == 1


# ---------------------------------------------------------------- in a real browser


def shown_values(page, role):
    text = page.get_attribute(f"#panel [data-role={role}]", "data-values")
    return np.array([float(v) for v in json.loads(text)])


@needs_dot
def test_browser_steps_every_step_with_the_keyboard_and_shows_the_engines_gradients(tmp_path):
    loss, _tensors = reused_graph()
    path = explore(loss, tmp_path / "explorer.html").path
    made, leaves = autograd._reachable([loss])
    wanted = made + [t for t in leaves if t.requires_grad]
    expected = dict(zip(map(id, wanted), autograd.grad(loss, wanted, retain_graph=True)))
    loss.backward()  # the leaves' .grad, for the leaf steps
    forward_count = len(made)
    with browser_page() as (page, record):
        page.goto(path.as_uri())
        page.wait_for_selector("body[data-ready='1']")
        assert page.locator("#panel .katex").count() > 0 and page.locator(".katex-error").count() == 0
        for step in range(forward_count + len(wanted)):
            if step:
                page.keyboard.press("ArrowRight")
            assert page.get_attribute("body", "data-step") == str(step)
            highlighted = page.locator("#graph svg g.node.current text").first.text_content()
            if step < forward_count:  # forward in recorded order (ascending stamp): the op's output
                tensor = sorted(made, key=lambda t: t._node.stamp)[step]
                assert highlighted == tensor.name
                assert np.allclose(shown_values(page, "output"), tensor._data.ravel())
                continue
            tensor = wanted[step - forward_count]  # backward in the engine's order, then the leaves
            assert highlighted == tensor.name, f"step {step}"
            grad = tensor.grad._data if tensor._node is None else expected[id(tensor)]._data
            assert np.allclose(shown_values(page, "grad"), grad.ravel(), rtol=1e-12, atol=1e-15)
        page.keyboard.press("ArrowRight")  # past the end: stays on the last step
        assert page.get_attribute("body", "data-step") == str(forward_count + len(wanted) - 1)
        assert page.locator("#graph g.edge.done").count() > 0
    assert record["errors"] == []
    assert all(url.startswith("file:") for url in record["requests"]), record["requests"]


@needs_dot
def test_cnn_example_is_built_from_conv2d_and_its_logits_get_p_minus_delta():
    if not hasattr(F, "conv2d"):
        pytest.fail("tinygrad_sm.functional.conv2d is missing: the cnn example cannot be built")
    loss, params = example_loss("cnn")
    data = page_data(explore(loss, params=params).html)
    forward_ops = {data["tensors"]["op"][i] for i in data["steps"]["forward"]}
    assert "matmul" in forward_ops and len(forward_ops) > 5, forward_ops
    hands = [h for found in data["hands"].values() for h in found]
    assert hands and all(h["diff"] < 1e-5 for h in hands)


def test_the_default_page_folder_cannot_shadow_the_package():
    # a folder named tinygrad_sm in /tmp made `import tinygrad_sm` there a namespace package
    from tinygrad_sm.explorer import default_path

    assert all(part != "tinygrad_sm" for part in default_path().parts)
