"""PyTorch's custom-Function tutorials, run with only the imports aliased to tinygrad_sm:
"Learning PyTorch with examples" (LegendrePolynomial3, polynomial_custom_function.py; MyReLU, the older
two_layer_net_custom_function.py) and the autograd docs' examples (``Exp`` in torch.autograd.Function's
docstring, ``LinearFunction`` checked with gradcheck in "Extending torch.autograd"). Source: the
PyTorch tutorials and docs (BSD licence); only ``import torch`` is changed. The Legendre fit's printed
losses and coefficients are pinned from PyTorch by scripts/pin_torch_modules.py."""

import contextlib
import io
import json
from pathlib import Path

import numpy as np

PINNED = json.loads((Path(__file__).parent / "data" / "torch_modules.json").read_text())

ALIASES = "import tinygrad_sm as torch\n"

POLYNOMIAL_CUSTOM_FUNCTION = """
import math


class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


dtype = torch.float
device = torch.device("cpu")

x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)

a = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
b = torch.full((), -1.0, device=device, dtype=dtype, requires_grad=True)
c = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
d = torch.full((), 0.3, device=device, dtype=dtype, requires_grad=True)

learning_rate = 5e-6
for t in range(2000):
    P3 = LegendrePolynomial3.apply
    y_pred = a + b * P3(c + d * x)
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, loss.item())
    loss.backward()
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

print(f'Result: y = {a.item()} + {b.item()} * P3({c.item()} + {d.item()} x)')
"""

TWO_LAYER_NET_CUSTOM_FUNCTION = """
class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


dtype = torch.float
device = torch.device("cpu")
N, D_in, H, D_out = 64, 1000, 100, 10
x = torch.randn(N, D_in, device=device, dtype=dtype)
y = torch.randn(N, D_out, device=device, dtype=dtype)
w1 = torch.randn(D_in, H, device=device, dtype=dtype, requires_grad=True)
w2 = torch.randn(H, D_out, device=device, dtype=dtype, requires_grad=True)

learning_rate = 1e-6
for t in range(500):
    relu = MyReLU.apply
    y_pred = relu(x.mm(w1)).mm(w2)
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, loss.item())
    loss.backward()
    with torch.no_grad():
        w1 -= learning_rate * w1.grad
        w2 -= learning_rate * w2.grad
        w1.grad.zero_()
        w2.grad.zero_()
"""

AUTOGRAD_DOCS_EXAMPLES = """
from tinygrad_sm.autograd import Function, gradcheck  # (the import, aliased)


class Exp(Function):
    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        result, = ctx.saved_tensors
        return grad_output * result


input = torch.randn(3, requires_grad=True)
output = Exp.apply(input)


class LinearFunction(Function):
    @staticmethod
    def forward(ctx, input, weight, bias=None):
        ctx.save_for_backward(input, weight, bias)
        output = input.mm(weight.t())
        if bias is not None:
            output += bias.unsqueeze(0).expand_as(output)
        return output

    @staticmethod
    def backward(ctx, grad_output):
        input, weight, bias = ctx.saved_tensors
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = grad_output.mm(weight)
        if ctx.needs_input_grad[1]:
            grad_weight = grad_output.t().mm(input)
        if bias is not None and ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)
        return grad_input, grad_weight, grad_bias


linear = LinearFunction.apply
input = (torch.randn(20, 20, dtype=torch.double, requires_grad=True),
         torch.randn(30, 20, dtype=torch.double, requires_grad=True))
test = gradcheck(linear, input, eps=1e-6, atol=1e-4)
print(test)
"""


def run(source: str) -> tuple[dict, str]:
    namespace: dict = {"__name__": "__tutorial__"}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(ALIASES + source, "<tutorial>", "exec"), namespace)
    return namespace, printed.getvalue()


def test_legendre_polynomial_tutorial_runs_and_prints_pytorchs_losses_and_fit():
    namespace, printed = run(POLYNOMIAL_CUSTOM_FUNCTION)
    losses = [float(line.split()[1]) for line in printed.splitlines()[:-1]]
    pinned = PINNED["tutorial_legendre"]
    np.testing.assert_allclose(losses, pinned["losses"], rtol=2e-3)
    fit = [namespace[name].item() for name in "abcd"]
    np.testing.assert_allclose(fit, pinned["coefficients"], rtol=2e-3, atol=1e-6)
    assert printed.splitlines()[-1].startswith("Result: y = ")


def test_my_relu_tutorial_trains_the_two_layer_net():
    namespace, printed = run(TWO_LAYER_NET_CUSTOM_FUNCTION)
    losses = [float(line.split()[1]) for line in printed.splitlines()]
    assert len(losses) == 5 and all(np.isfinite(losses))
    assert losses[-1] < 0.05 * losses[0]  # the net fits its 64 random targets
    assert namespace["w1"].grad.abs().sum().item() == 0  # zeroed in place, as the tutorial does


def test_autograd_docs_examples_exp_and_linear_function_pass_gradcheck():
    namespace, printed = run(AUTOGRAD_DOCS_EXAMPLES)
    assert namespace["output"].grad_fn.name() == "ExpBackward" and namespace["output"].shape == (3,)
    assert printed.strip() == "True"  # gradcheck of LinearFunction
    x = namespace["torch"].tensor([0.5, -1.0], requires_grad=True)
    namespace["Exp"].apply(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.5, -1.0]), rtol=1e-6)
