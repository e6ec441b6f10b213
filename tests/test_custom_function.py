"""tinygrad_sm.autograd.Function: a learner's op with a hand-written backward, as PyTorch's custom
Function. Values from PyTorch's tutorials are pinned by scripts/pin_torch_modules.py."""

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from module_cases import tutorial_functions

import tinygrad_sm as tg
import tinygrad_sm.functional as F
from tinygrad_sm.autograd import Function, once_differentiable

PINNED = json.loads((Path(__file__).parent / "data" / "torch_modules.json").read_text())


FUNCTIONS = tutorial_functions(tg)  # the same classes scripts/pin_torch_modules.py pins with torch
LegendrePolynomial3, MyReLU, Exp = FUNCTIONS["legendre"], FUNCTIONS["myrelu"], FUNCTIONS["exp"]


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_tutorial_functions_give_pytorchs_values_gradients_and_node_name(name):
    pinned = PINNED["functions"][name]
    x = tg.tensor(np.array(pinned["x"]), requires_grad=True)
    y = FUNCTIONS[name].apply(x)
    (y * tg.tensor(np.array(pinned["weights"]))).sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), pinned["y"], rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), pinned["grad"], rtol=1e-12)
    assert y.grad_fn.name() == pinned["grad_fn"]


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_tutorial_functions_pass_gradcheck_in_pytorchs_spelling(name):
    x = tg.tensor(np.array([-1.5, -0.3, 0.4, 1.2]), requires_grad=True)
    assert tg.autograd.gradcheck(FUNCTIONS[name].apply, (x,))


def test_a_backward_written_with_tensor_ops_is_differentiable_twice():
    x = tg.tensor(np.array([-1.5, 0.2, 0.9]), requires_grad=True)
    assert tg.gradgradcheck(LegendrePolynomial3.apply, x)
    (first,) = tg.grad(LegendrePolynomial3.apply(x).sum(), x, create_graph=True)
    (second,) = tg.grad(first.sum(), x)
    np.testing.assert_allclose(second.numpy(), 15 * x.detach().numpy())  # P3'' = 15 x


def test_gradgradcheck_catches_a_wrong_second_derivative():
    class Wrong(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x.detach() ** 2  # right value, but detached: the second derivative is lost

    x = tg.tensor(np.array([0.5, 1.5]), requires_grad=True)
    assert tg.gradcheck(Wrong.apply, x)
    with pytest.raises(tg.GradcheckError, match="first derivative of"):
        tg.gradgradcheck(Wrong.apply, x)


def test_forward_runs_under_no_grad_and_backward_receives_tensors():
    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, x):
            seen["grad_enabled"] = tg.is_grad_enabled()
            return x * 2

        @staticmethod
        def backward(ctx, grad_output):
            seen["grad_type"] = type(grad_output)
            return grad_output * 2

    x = tg.tensor([1.0], requires_grad=True)
    Probe.apply(x).sum().backward()
    assert seen == {"grad_enabled": False, "grad_type": tg.Tensor}
    assert x.grad.tolist() == [2.0]


def test_one_node_named_after_the_class_with_next_functions_and_ctx_attributes():
    class Scale(Function):
        @staticmethod
        def forward(ctx, x, factor):
            ctx.factor = factor
            return x * factor

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * ctx.factor, None

    w = tg.tensor([1.0, 2.0], requires_grad=True)
    y = Scale.apply(w * 1.0, 3.0)
    assert y.grad_fn.name() == "ScaleBackward" and repr(y) == "tensor([3., 6.], grad_fn=<ScaleBackward>)"
    assert y.grad_fn.factor == 3.0  # ctx is the node, as in PyTorch
    ((parent, index),) = y.grad_fn.next_functions
    assert parent.name() == "MulBackward0" and index == 0
    assert parent.next_functions[0][0].variable is w
    assert y.requires_grad and not y.is_leaf


def test_the_graph_names_match_pytorchs_for_a_small_graph():
    x, w, b = tg.tensor([1.0, 2.0], requires_grad=True), tg.tensor([0.5, -1.0], requires_grad=True), tg.tensor(0.25)
    b.requires_grad_()
    loss = (x * w + b).sum()

    def describe(node):
        if node is None:
            return None
        return {"name": node.name(), "next": [[describe(n), i] for n, i in node.next_functions]}

    assert describe(loss.grad_fn) == PINNED["graph"]


def test_several_outputs_non_tensor_arguments_none_gradients_and_needs_input_grad():
    calls = []

    class SplitScale(Function):
        @staticmethod
        def forward(ctx, x, k, scale):
            ctx.k = k
            ctx.save_for_backward(scale)
            calls.append(ctx.needs_input_grad)
            return x[:k] * scale, x[k:] * 2

        @staticmethod
        def backward(ctx, grad_a, grad_b):
            calls.append("backward")
            (scale,) = ctx.saved_tensors
            return tg.cat([grad_a * scale, grad_b * 2]), None, None

    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    a, b = SplitScale.apply(x, 1, tg.tensor(5.0))
    (a.sum() + 10 * b.sum()).backward()
    assert x.grad.tolist() == [5.0, 20.0, 20.0]
    assert calls == [(True, False, False), "backward"]  # one backward call for both outputs
    x.grad = None
    a, b = SplitScale.apply(x, 1, tg.tensor(5.0))
    b.sum().backward()  # no gradient reaches a: zeros are passed for it (materialized)
    assert x.grad.tolist() == [0.0, 2.0, 2.0]


def test_set_materialize_grads_false_passes_none_for_an_unused_output():
    got = []

    class Pair(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 1, x * 2

        @staticmethod
        def backward(ctx, grad_first, grad_second):
            got.append((grad_first, grad_second is None))
            return grad_first

    x = tg.tensor([1.0], requires_grad=True)
    first, _ = Pair.apply(x)
    first.sum().backward()
    assert got[0][1] and x.grad.tolist() == [1.0]


def test_mark_non_differentiable_and_integer_outputs_carry_no_gradient():
    class SortWithIndices(Function):
        @staticmethod
        def forward(ctx, x):
            order = np.argsort(x.detach().numpy())
            values = tg.tensor(x.detach().numpy()[order])
            ranks = tg.tensor(x.detach().numpy()[order] * 0)
            ctx.mark_non_differentiable(ranks)
            ctx.order = order
            return values, ranks, tg.tensor(order)

        @staticmethod
        def backward(ctx, grad_values, grad_ranks, grad_indices):
            grad = np.zeros(grad_values.shape)
            grad[ctx.order] = grad_values.numpy()
            return tg.tensor(grad)

    x = tg.tensor(np.array([3.0, 1.0, 2.0]), requires_grad=True)
    values, ranks, indices = SortWithIndices.apply(x)
    assert values.requires_grad and not ranks.requires_grad and not indices.requires_grad
    assert indices.dtype == np.int64
    (values * tg.tensor(np.array([1.0, 10.0, 100.0]))).sum().backward()
    assert x.grad.tolist() == [100.0, 1.0, 10.0]


def test_a_saved_tensor_changed_in_place_makes_backward_refuse():
    x = tg.tensor([0.5, 1.0], requires_grad=True)
    hidden = x * 1.0
    y = LegendrePolynomial3.apply(hidden)
    with tg.no_grad():
        hidden.add_(1.0)
    with pytest.raises(RuntimeError, match=r"modified by an in-place operation.*LegendrePolynomial3"):
        y.sum().backward()


def test_a_second_backward_needs_retain_graph_when_tensors_were_saved():
    x = tg.tensor([0.5], requires_grad=True)
    y = LegendrePolynomial3.apply(x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [2 * 1.5 * (5 * 0.25 - 1)]
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_once_differentiable_allows_first_order_and_refuses_the_second():
    class NumpyExp(Function):
        @staticmethod
        def forward(ctx, x):
            result = tg.tensor(np.exp(x.detach().numpy()))  # inputs require grad: detach, as in PyTorch
            ctx.save_for_backward(result)
            return result

        @staticmethod
        @once_differentiable
        def backward(ctx, grad_output):
            (result,) = ctx.saved_tensors
            return tg.tensor(grad_output.detach().numpy() * result.detach().numpy())

    x = tg.tensor(np.array([0.1, 0.2]), requires_grad=True)
    assert tg.gradcheck(NumpyExp.apply, x)
    (first,) = tg.grad(NumpyExp.apply(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(first.detach().numpy(), np.exp([0.1, 0.2]))
    with pytest.raises(RuntimeError, match="once_differentiable.*NumpyExp"):
        first.sum().backward()


def test_setup_context_style_of_pytorch_2():
    class Cube(Function):
        @staticmethod
        def forward(x, power=3):
            return x**power

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, *_ = inputs
            ctx.save_for_backward(x)

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * 3 * x**2

    x = tg.tensor(np.array([1.0, 2.0]), requires_grad=True)
    assert tg.gradcheck(Cube.apply, x)
    Cube.apply(x).sum().backward()
    assert x.grad.tolist() == [3.0, 12.0]


def test_hooks_on_inputs_and_outputs_see_the_custom_gradient():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = Exp.apply(x)
    seen = []
    y.register_hook(lambda g: seen.append(("y", g.tolist())))
    x.register_hook(lambda g: g * 2)
    y.sum().backward()
    assert seen == [("y", [1.0, 1.0])]
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp([1.0, 2.0]), rtol=1e-6)


def test_wrong_gradient_count_and_shape_are_named_and_a_broadcast_gradient_is_summed():
    class TooFew(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, g):
            return g

    class BadShape(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return tg.ones(5)

    class Broadcast(Function):
        @staticmethod
        def forward(ctx, bias, rows):
            return rows + bias

        @staticmethod
        def backward(ctx, g):
            return g, g  # the bias's gradient still has the rows' shape: summed, as PyTorch

    a, b = tg.tensor([1.0], requires_grad=True), tg.tensor([2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"TooFewBackward returned an incorrect number of gradients \(expected 2"):
        TooFew.apply(a, b).sum().backward()
    with pytest.raises(RuntimeError, match=r"BadShapeBackward returned an invalid gradient at index 0.*\(5,\)"):
        BadShape.apply(tg.tensor([1.0, 2.0], requires_grad=True)).sum().backward()
    bias = tg.tensor([1.0, 2.0], requires_grad=True)
    Broadcast.apply(bias, tg.ones(3, 2)).sum().backward()
    assert bias.grad.tolist() == [3.0, 3.0]


def test_mark_dirty_moves_the_history_of_an_input_changed_in_place():
    class AddOneInPlace(Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    leaf = tg.tensor([1.0, 2.0], requires_grad=True)
    hidden = leaf * 3
    out = AddOneInPlace.apply(hidden)
    assert out is hidden and hidden.grad_fn.name() == "AddOneInPlaceBackward"
    (out * out).sum().backward()
    np.testing.assert_allclose(leaf.grad.numpy(), 2 * (3 * np.array([1.0, 2.0]) + 1) * 3)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        AddOneInPlace.apply(tg.tensor([1.0], requires_grad=True))


def test_without_inputs_that_require_grad_nothing_is_recorded_and_instances_are_refused():
    y = Exp.apply(tg.tensor([0.0]))
    assert not y.requires_grad and y.grad_fn is None and y.tolist() == [1.0]
    with pytest.raises(RuntimeError, match=r"call it as Exp.apply"):
        Exp()
    with pytest.raises(TypeError, match="save_for_backward can only save tensors"):

        class SavesNumber(Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(3)
                return x

        SavesNumber.apply(tg.tensor([1.0], requires_grad=True))


def test_compile_runs_a_step_with_a_custom_function_eagerly_and_names_the_class():
    w = tg.tensor(np.array([0.3, -0.2]), requires_grad=True)

    def step(x):
        loss = LegendrePolynomial3.apply(x * w).sum()
        loss.backward()
        return loss

    compiled = tg.compile(step)
    x = tg.tensor(np.array([1.0, 2.0]))
    with pytest.warns(RuntimeWarning, match=r"runs eagerly.*custom autograd.Function \(LegendrePolynomial3\)"):
        first = compiled(x).item()
    expected_grad = w.grad.numpy().copy()
    w.grad = None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert compiled(x).item() == first  # the signature stays eager, with no second warning
    np.testing.assert_array_equal(w.grad.numpy(), expected_grad)
    assert compiled.stats["eager"] == 1


def test_the_node_carries_what_the_pictures_and_the_explorer_show():
    y = LegendrePolynomial3.apply(tg.tensor([0.5], requires_grad=True))
    node = y._node
    assert node.name == "LegendrePolynomial3" and node.function is LegendrePolynomial3
    assert node.doc.startswith("P3(x) = (5x^3 - 3x) / 2")
    assert "grad_output * 1.5 * (5 * input**2 - 1)" in node.backward_source


def test_viz_draws_one_node_named_after_the_class():
    pytest.importorskip("graphviz")
    x = tg.tensor([0.5, 1.0], requires_grad=True, name="x")
    loss = LegendrePolynomial3.apply(x).sum()
    source = tg.viz.draw_graph(loss, show_backward=True).source
    assert source.count("<B>LegendrePolynomial3</B>") == 1  # one op node (tensors are named after it too)
    assert "<B>pow</B>" not in source and "<B>mul</B>" not in source  # the forward's own ops are not drawn
    assert "[0.375, 6]" in source  # the gradient along the edge is the user's rule: 3/2 (5 x^2 - 1)


def test_softmax_written_as_a_function_passes_gradcheck_and_check_derivation():
    class Softmax(Function):
        @staticmethod
        def forward(ctx, logits):
            shifted = logits - logits.max(axis=-1, keepdims=True)
            probs = shifted.exp() / shifted.exp().sum(axis=-1, keepdims=True)
            ctx.save_for_backward(probs)
            return probs

        @staticmethod
        def backward(ctx, grad_output):
            (probs,) = ctx.saved_tensors
            return probs * (grad_output - (grad_output * probs).sum(axis=-1, keepdims=True))

    logits = np.random.default_rng(0).standard_normal((3, 4))
    assert tg.gradcheck(Softmax.apply, logits)
    assert tg.gradgradcheck(Softmax.apply, logits)
    np.testing.assert_allclose(Softmax.apply(tg.tensor(logits)).numpy(), F.softmax(tg.tensor(logits)).numpy())
    weights = np.arange(4.0)

    def loss(logits):
        return (Softmax.apply(logits) * tg.tensor(weights)).sum()

    def derived(logits):  # d/dz sum_j w_j p_j = p * (w - sum_j w_j p_j)
        probs = np.exp(logits - logits.max(axis=-1, keepdims=True))
        probs /= probs.sum(axis=-1, keepdims=True)
        return probs * (weights - (weights * probs).sum(axis=-1, keepdims=True))

    report = tg.check_derivation(loss, derived, logits)
    assert report.passed, report


def test_the_explorer_steps_through_a_custom_function(tmp_path):
    x = tg.tensor([1.0, 2.0], requires_grad=True, name="x")
    hidden = x * 2
    loss = (LegendrePolynomial3.apply(hidden) * (x * 3)).sum()
    page = tmp_path / "explorer.html"
    tg.viz.explore(loss, page)
    assert "LegendrePolynomial3" in page.read_text()
    from tests.test_explorer import page_data

    data = page_data(page.read_text())  # the learner's rule: a named formula and their backward's source
    forward, vjp = data["ops"]["LegendrePolynomial3"]
    assert "LegendrePolynomial3" in forward and "your backward" in vjp
    assert "def backward(ctx, grad_output)" in data["sources"]["LegendrePolynomial3"]
    loss.backward()
    np.testing.assert_allclose(  # the sweep the explorer ran did not disturb the real one
        x.grad.numpy(),
        2 * 1.5 * (5 * (2 * np.array([1.0, 2.0])) ** 2 - 1) * 3 * np.array([1.0, 2.0])
        + 3 * 0.5 * (5 * (2 * np.array([1.0, 2.0])) ** 3 - 3 * 2 * np.array([1.0, 2.0])),
        rtol=1e-5,
    )


def test_a_non_tensor_output_passes_through_and_its_gradient_is_none():
    got = []

    class WithCount(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, 7

        @staticmethod
        def backward(ctx, grad_x, grad_count):
            got.append(grad_count)
            return grad_x * 2

    x = tg.tensor([1.0], requires_grad=True)
    doubled, count = WithCount.apply(x)
    assert count == 7
    doubled.sum().backward()
    assert got == [None] and x.grad.tolist() == [2.0]


def test_the_explorer_shows_a_custom_function_after_backward_as_before_it(tmp_path):
    # issue 26's natural flow with the learner's own op: backward() first, then explore the same graph
    def graph():
        x = tg.tensor([1.0, 2.0], requires_grad=True, name="x")
        return x, (LegendrePolynomial3.apply(x * 2) * (x * 3)).sum()

    _, before = graph()
    page_before = tg.viz.explore(before, tmp_path / "before.html").html
    x, after = graph()
    after.backward()
    gradient = x.grad.numpy().copy()
    page_after = tg.viz.explore(after, tmp_path / "after.html").html
    assert page_after.replace("after.html", "before.html") == page_before.replace("after.html", "before.html")
    np.testing.assert_array_equal(x.grad.numpy(), gradient)  # exploring did not add to .grad
    with pytest.raises(RuntimeError, match="backward"):  # the graph is released again afterwards
        after.backward()


def test_a_custom_function_that_writes_into_its_input_is_not_rerun_after_backward(tmp_path):
    class AddOneInPlace(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_dirty(x)
            ctx.save_for_backward(x)
            return x.add_(1.0)

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output

    x = tg.tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 1.0
    loss = (AddOneInPlace.apply(hidden) * 2).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        tg.viz.explore(loss, tmp_path / "page.html")
    assert hidden.tolist() == [2.0, 3.0]  # forward did not run (and write) a second time
