"""Programs in the style of PyTorch's beginner tutorials, written for this project (not copied): each uses
the idioms a tutorial teaches, in the same combinations (tensors; autograd and Jacobian products;
"learning PyTorch with examples" from raw tensors to nn, optim, a custom Module and a custom autograd
Function; building a network; datasets and loaders; the optimisation loop; saving and loading).

Each program is a function of the ``torch`` module (and a scratch folder) returning a dict of results.
scripts/pin_torch_tutorials.py runs them with PyTorch and pins the results into
tests/data/torch_tutorials.json; tests/test_tutorial_code.py runs them with ``torch`` bound to
tinygrad_sm and compares. Inside a program, ``nn = torch.nn`` stands for ``from torch import nn`` and
so on: only the imports differ from what a tutorial reader types.

``PROGRAMS[name].exact`` names the results that must be bit-identical (random draws and layer
initialisation from a seeded generator, integers, shapes, names, printed structure); the rest are
compared to a relative tolerance (NumPy and PyTorch sum float32 products in different orders).
"""

from __future__ import annotations

import math
import os
import random
import re
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np


@dataclass
class Program:
    run: Callable[[Any, str], dict]
    exact: frozenset = field(default_factory=frozenset)
    rtol: float = 1e-5
    atol: float = 1e-6
    differences: tuple = ()  # (regex, replacement) pairs: what PyTorch prints -> what tinygrad_sm prints, deliberately


PROGRAMS: dict[str, Program] = {}

#: Deliberate differences in printed text (docs/tutorials.md): dtypes are NumPy's, so ``print(t.dtype)`` shows
#: ``float32`` (a tensor's repr still says ``dtype=torch.float64``, as PyTorch's); ``t.size()`` is a
#: ``tinygrad_sm.Size``; ``t.shape`` is NumPy's plain tuple.
PRINTED_DIFFERENCES = (
    (r"(Datatype of tensor: )torch\.", r"\1"),
    (r"Shape of tensor: torch\.Size\(\[(\d+), (\d+)\]\)", r"Shape of tensor: (\1, \2)"),
    (r"torch\.Size", "tinygrad_sm.Size"),
)


def program(*exact: str, rtol: float = 1e-5, atol: float = 1e-6, differences: tuple = ()):
    def register(run):
        PROGRAMS[run.__name__] = Program(run, frozenset(exact), rtol, atol, differences)
        return run

    return register


def without_address(text: str) -> str:
    """``<AddBackward0 object at 0x7f...>`` without the address, which changes from run to run."""
    return re.sub(r" at 0x[0-9a-fA-F]+", "", text)


# ------------------------------------------------------------------------------------------- tensors


@program(
    "from_list",
    "from_list_dtype",
    "ones_like",
    "rand_like",
    "shape",
    "dtype",
    "device",
    "rand_tuple",
    "zeros_tuple",
    "first_row",
    "first_column",
    "last_column",
    "column_zeroed",
    "joined_shape",
    "matmul_out_shape",
    "item",
    "item_type",
    "add_in_place",
    "numpy_sees_add_",
    "tensor_sees_numpy",
    "cuda_index_none",
)
def tensors_tutorial(torch, workdir):
    out = {}
    torch.manual_seed(7)
    rows = [[2, 7], [1, 8]]
    from_list = torch.tensor(rows)
    out["from_list"], out["from_list_dtype"] = from_list, str(from_list.dtype)
    from_array = torch.from_numpy(np.array(rows))
    out["ones_like"] = torch.ones_like(from_array)
    out["rand_like"] = torch.rand_like(from_list, dtype=torch.float)
    size = (3, 2)
    out["rand_tuple"], out["zeros_tuple"] = torch.rand(size), torch.zeros(size) + torch.ones(size)
    grid = torch.rand(2, 5)
    out["shape"], out["dtype"], out["device"] = list(grid.shape), str(grid.dtype), str(grid.device)
    if torch.cuda.is_available() & (torch.device("cuda").index is not None):
        grid = grid.to("cuda")
    out["cuda_index_none"] = torch.device("cuda").index is None
    block = torch.arange(12.0).reshape(3, 4)
    out["first_row"], out["first_column"], out["last_column"] = block[0], block[:, 0], block[..., -1]
    block[:, 2] = 0
    out["column_zeroed"] = block.clone()
    joined = torch.cat([block, block], dim=1)
    out["joined_shape"] = list(joined.shape)
    product1 = block @ block.T
    product2 = block.matmul(block.T)
    product3 = torch.rand_like(product1)
    torch.matmul(block, block.T, out=product3)
    out["matmul_out_shape"] = list(product3.shape)
    out["matmuls"] = (product1, product2, product3)
    square1 = block * block
    square2 = block.mul(block)
    square3 = torch.rand_like(block)
    torch.mul(block, block, out=square3)
    out["elementwise"] = (square1, square2, square3)
    total = block.sum()
    out["item"], out["item_type"] = total.item(), type(total.item()).__name__
    block.add_(3)
    out["add_in_place"] = block
    five = torch.ones(4)
    shared = five.numpy()
    five.add_(2)
    out["numpy_sees_add_"] = shared.tolist()
    array = np.zeros(3)
    wrapped = torch.from_numpy(array)
    np.add(array, 4, out=array)
    out["tensor_sees_numpy"] = wrapped
    return out


@program(
    "empty_shape",
    "long_zeros",
    "from_floats",
    "new_ones",
    "new_ones_dtype",
    "randn_like",
    "size",
    "size_is_tuple",
    "size_first",
    "views",
    "one_item",
    "to_double_dtype",
    "ones_like_device",
    "float_tensor",
    "float_tensor_sized",
)
def blitz_tensor_tutorial(torch, workdir):
    out = {}
    torch.manual_seed(3)
    out["empty_shape"] = list(torch.empty(4, 2).shape)
    out["long_zeros"] = torch.zeros(4, 2, dtype=torch.long)
    start = torch.tensor([2.5, 4])
    out["from_floats"] = start
    filled = start.new_ones(4, 2, dtype=torch.double)
    out["new_ones"], out["new_ones_dtype"] = filled, str(filled.dtype)
    noise = torch.randn_like(filled, dtype=torch.float)
    out["randn_like"] = noise
    out["size"] = list(noise.size())
    out["size_is_tuple"] = isinstance(noise.size(), tuple)
    out["size_first"] = noise.size(0)
    other = torch.rand(4, 2)
    result = torch.empty(4, 2)
    torch.add(noise, other, out=result)
    out["sums"] = (noise + other, torch.add(noise, other), result)
    other.add_(noise)
    out["add_"] = other
    square = torch.randn(2, 6)
    out["views"] = (list(square.view(12).size()), list(square.view(-1, 4).size()), list(square.view(3, -1).shape))
    one = torch.randn(1)
    out["one_item"] = one.item()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    out["ones_like_device"] = torch.ones_like(one, device=device)
    out["to_double_dtype"] = str(one.to("cpu", torch.double).dtype)
    out["float_tensor"] = torch.FloatTensor([1, 2, 3])
    out["float_tensor_sized"] = list(torch.FloatTensor(2, 3).size())
    return out


# ------------------------------------------------------------------------------------------- autograd


@program(
    "w",
    "b",
    "z_grad_fn",
    "requires_grad_tracked",
    "requires_grad_no_grad",
    "requires_grad_detached",
    "requires_grad_later",
    "is_leaf",
    "first_call",
    "second_call",
    "after_zeroing",
)
def autograd_tutorial(torch, workdir):
    out = {}
    torch.manual_seed(11)
    inputs = torch.ones(4)
    target = torch.zeros(2)
    w = torch.randn(4, 2, requires_grad=True)
    b = torch.randn(2, requires_grad=True)
    z = torch.matmul(inputs, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, target)
    out["w"], out["b"] = w, b
    out["z_grad_fn"] = without_address(f"{z.grad_fn}")
    out["loss_has_grad_fn"] = loss.grad_fn is not None
    loss.backward()
    out["loss"], out["w_grad"], out["b_grad"] = loss, w.grad, b.grad
    out["requires_grad_tracked"] = (torch.matmul(inputs, w) + b).requires_grad
    with torch.no_grad():
        out["requires_grad_no_grad"] = (torch.matmul(inputs, w) + b).requires_grad
    out["requires_grad_detached"] = (torch.matmul(inputs, w) + b).detach().requires_grad
    plain = torch.ones(3)
    plain.requires_grad_(True)
    out["requires_grad_later"] = plain.requires_grad
    out["is_leaf"] = (w.is_leaf, z.is_leaf, plain.is_leaf)
    inp = torch.eye(3, 4, requires_grad=True)
    result = (inp + 2).pow(2).t()
    result.backward(torch.ones_like(result), retain_graph=True)
    out["first_call"] = inp.grad.clone()
    result.backward(torch.ones_like(result), retain_graph=True)
    out["second_call"] = inp.grad.clone()
    inp.grad.zero_()
    result.backward(torch.ones_like(result), retain_graph=True)
    out["after_zeroing"] = inp.grad
    return out


@program(
    "y_grad_fn",
    "b_grad_fn",
    "x_grad",
    "requires_grad_before",
    "requires_grad_after",
    "doublings",
    "leaf_flags",
    "next_functions",
    "grad_fn_name",
)
def blitz_autograd_tutorial(torch, workdir):
    out = {}
    torch.manual_seed(5)
    x = torch.ones(2, 3, requires_grad=True)
    y = x + 3
    out["y_grad_fn"] = without_address(str(y.grad_fn))
    z = y * y * 2
    mean = z.mean()
    out["z"], out["mean"] = z, mean
    a = torch.randn(3, 2)
    a = (a * 2) / (a - 3)
    out["requires_grad_before"] = a.requires_grad
    a.requires_grad_(True)
    out["requires_grad_after"] = a.requires_grad
    s = (a * a).sum()
    out["b_grad_fn"] = without_address(str(s.grad_fn))
    out["grad_fn_name"] = s.grad_fn.name()
    out["next_functions"] = [
        (type(fn).__name__ if fn is not None else None, index) for fn, index in s.grad_fn.next_functions
    ]
    mean.backward()
    out["x_grad"] = x.grad
    v = torch.randn(3, requires_grad=True)
    doubled = v * 2
    doublings = 1
    while doubled.data.norm() < 500:
        doubled = doubled * 2
        doublings += 1
    out["doublings"] = doublings
    out["doubled"] = doubled
    weights = torch.tensor([0.5, 1.0, 0.001], dtype=torch.float)
    doubled.backward(weights)
    out["v_grad"] = v.grad
    with torch.no_grad():
        inside = (v**2).requires_grad
    out["leaf_flags"] = (v.requires_grad, (v**2).requires_grad, inside)
    return out


# --------------------------------------------------------------------- learning PyTorch with examples

STEPS = 300


@program("initial", rtol=1e-4)
def polynomial_with_tensors(torch, workdir):
    """Fit a cubic to sin by hand-written gradients on tensors (the "Tensors" step)."""
    out = {}
    dtype = torch.float
    device = torch.device("cpu")
    torch.manual_seed(21)
    x = torch.linspace(-math.pi, math.pi, 500, device=device, dtype=dtype)
    y = torch.sin(x)
    a = torch.randn((), device=device, dtype=dtype)
    b = torch.randn((), device=device, dtype=dtype)
    c = torch.randn((), device=device, dtype=dtype)
    d = torch.randn((), device=device, dtype=dtype)
    out["initial"] = [a.item(), b.item(), c.item(), d.item()]
    out["x_ends"] = [x[0].item(), x[-1].item(), x[250].item()]
    learning_rate = 2e-6
    losses = []
    for step in range(STEPS):
        y_pred = a + b * x + c * x.pow(2) + d * x.pow(3)
        loss = (y_pred - y).pow(2).sum().item()
        if step % 50 == 49:
            losses.append(loss)
        grad_y_pred = 2.0 * (y_pred - y)
        grad_a = grad_y_pred.sum()
        grad_b = torch.matmul(input=grad_y_pred, other=x).sum()
        grad_c = (grad_y_pred * x**2).sum()
        grad_d = torch.matmul(grad_y_pred, x.pow(3))
        a -= learning_rate * grad_a
        b -= learning_rate * grad_b
        c -= learning_rate * grad_c
        d -= learning_rate * grad_d
    out["losses"] = losses
    out["result"] = [a.item(), b.item(), c.item(), d.item()]
    return out


@program("initial", rtol=1e-4)
def polynomial_with_autograd(torch, workdir):
    """The same fit with requires_grad leaves and a manual update under no_grad."""
    out = {}
    dtype = torch.float
    device = torch.device("cpu")
    torch.manual_seed(22)
    x = torch.linspace(-math.pi, math.pi, 500, device=device, dtype=dtype)
    y = torch.sin(x)
    a = torch.randn((), device=device, dtype=dtype, requires_grad=True)
    b = torch.randn((), device=device, dtype=dtype, requires_grad=True)
    c = torch.randn((), device=device, dtype=dtype, requires_grad=True)
    d = torch.randn((), device=device, dtype=dtype, requires_grad=True)
    out["initial"] = [a.item(), b.item(), c.item(), d.item()]
    learning_rate = 2e-6
    losses = []
    for step in range(STEPS):
        y_pred = a + b * x + c * x**2 + d * x**3
        loss = (y_pred - y).pow(2).sum()
        if step % 50 == 49:
            losses.append(loss.item())
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
    out["losses"] = losses
    out["result"] = [a.item(), b.item(), c.item(), d.item()]
    return out


@program("grad_fn_name", "needs_input_grad", rtol=1e-4)
def polynomial_custom_function(torch, workdir):
    """y = a + b * P3(c + d x) with P3 written as an autograd.Function with its own backward."""

    class Legendre3(torch.autograd.Function):
        """P3(t) = (5 t^3 - 3 t) / 2, P3'(t) = 3 (5 t^2 - 1) / 2."""

        @staticmethod
        def forward(ctx, t):
            ctx.save_for_backward(t)
            return 0.5 * (5 * t**3 - 3 * t)

        @staticmethod
        def backward(ctx, grad_output):
            (t,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * t**2 - 1)

    out = {}
    dtype = torch.float
    device = torch.device("cpu")
    x = torch.linspace(-math.pi, math.pi, 500, device=device, dtype=dtype)
    y = torch.sin(x)
    a = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    b = torch.full((), -1.0, device=device, dtype=dtype, requires_grad=True)
    c = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    d = torch.full((), 0.3, device=device, dtype=dtype, requires_grad=True)
    learning_rate = 2e-5
    losses = []
    for step in range(STEPS):
        P3 = Legendre3.apply
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        if step == 0:
            out["grad_fn_name"] = type(y_pred.grad_fn.next_functions[1][0].next_functions[1][0]).__name__
            out["needs_input_grad"] = list(y_pred.grad_fn.next_functions[1][0].next_functions[1][0].needs_input_grad)
        if step % 50 == 49:
            losses.append(loss.item())
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
    out["losses"] = losses
    out["result"] = [a.item(), b.item(), c.item(), d.item()]
    return out


@program("xx", "initial_weight", "initial_bias", "parameter_shapes", "first_layer", rtol=1e-4)
def polynomial_with_nn(torch, workdir):
    """The fit as nn.Sequential(Linear(3, 1), Flatten(0, 1)) with MSELoss(reduction='sum')."""
    out = {}
    torch.manual_seed(23)
    x = torch.linspace(-math.pi, math.pi, 500)
    y = torch.sin(x)
    powers = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(powers)
    out["xx"] = [list(xx.shape), str(xx.dtype), xx[-1].tolist()]
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    out["initial_weight"], out["initial_bias"] = model[0].weight.clone(), model[0].bias.clone()
    out["parameter_shapes"] = [list(p.shape) for p in model.parameters()]
    out["first_layer"] = repr(model[0])
    loss_fn = torch.nn.MSELoss(reduction="sum")
    learning_rate = 2e-6
    losses = []
    for step in range(STEPS):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        if step % 50 == 49:
            losses.append(loss.item())
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():
                param -= learning_rate * param.grad
    linear_layer = model[0]
    out["losses"] = losses
    out["result"] = [
        linear_layer.bias.item(),
        linear_layer.weight[:, 0].item(),
        linear_layer.weight[:, 1].item(),
        linear_layer.weight[:, 2].item(),
    ]
    return out


@program("initial_weight", rtol=1e-4)
def polynomial_with_optim(torch, workdir):
    """The nn fit stepped by torch.optim.RMSprop, then by SGD with momentum."""
    out = {}
    torch.manual_seed(24)
    x = torch.linspace(-math.pi, math.pi, 500)
    y = torch.sin(x)
    xx = x.unsqueeze(-1).pow(torch.tensor([1, 2, 3]))
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    out["initial_weight"] = model[0].weight.clone()
    loss_fn = torch.nn.MSELoss(reduction="sum")
    for name, optimizer in (
        ("rmsprop", torch.optim.RMSprop(model.parameters(), lr=1e-3)),
        ("sgd", torch.optim.SGD(model.parameters(), lr=1e-6, momentum=0.9)),
    ):
        losses = []
        for step in range(STEPS // 2):
            y_pred = model(xx)
            loss = loss_fn(y_pred, y)
            if step % 50 == 49:
                losses.append(loss.item())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        out[name] = losses
    layer = model[0]
    out["result"] = [layer.bias.item()] + [layer.weight[:, i].item() for i in range(3)]
    return out


@program("initial", "parameter_names", "string_start", rtol=1e-4)
def polynomial_module(torch, workdir):
    """A Module subclass holding four nn.Parameter scalars, with its own describing method."""

    class Cubic(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Parameter(torch.randn(()))
            self.b = torch.nn.Parameter(torch.randn(()))
            self.c = torch.nn.Parameter(torch.randn(()))
            self.d = torch.nn.Parameter(torch.randn(()))

        def forward(self, x):
            return self.a + self.b * x + self.c * x**2 + self.d * x**3

        def string(self):
            return f"y = {self.a.item():.3f} + {self.b.item():.3f} x + {self.c.item():.3f} x^2 + {self.d.item():.3f} x^3"

    out = {}
    torch.manual_seed(25)
    x = torch.linspace(-math.pi, math.pi, 500)
    y = torch.sin(x)
    model = Cubic()
    out["initial"] = [p.item() for p in model.parameters()]
    out["parameter_names"] = [name for name, _ in model.named_parameters()]
    out["string_start"] = model.string()
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=2e-6)
    losses = []
    for step in range(STEPS):
        y_pred = model(x)
        loss = criterion(y_pred, y)
        if step % 50 == 49:
            losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    out["losses"] = losses
    out["result"] = [p.item() for p in model.parameters()]
    return out


@program("initial", "orders", rtol=1e-4)
def dynamic_net(torch, workdir):
    """Control flow in forward: a Python random number of extra orders that reuse one parameter."""

    class VariableOrder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Parameter(torch.randn(()))
            self.b = torch.nn.Parameter(torch.randn(()))
            self.c = torch.nn.Parameter(torch.randn(()))
            self.d = torch.nn.Parameter(torch.randn(()))
            self.e = torch.nn.Parameter(torch.randn(()))
            self.orders = []

        def forward(self, x):
            y = self.a + self.b * x + self.c * x**2 + self.d * x**3
            top = random.randint(4, 6)
            self.orders.append(top)
            for power in range(4, top):
                y = y + self.e * x**power
            return y

    out = {}
    random.seed(26)
    torch.manual_seed(26)
    x = torch.linspace(-math.pi, math.pi, 500)
    y = torch.sin(x)
    model = VariableOrder()
    out["initial"] = [p.item() for p in model.parameters()]
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-8, momentum=0.9)
    losses = []
    for step in range(STEPS):
        loss = criterion(model(x), y)
        if step % 50 == 49:
            losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    out["orders"] = model.orders
    out["losses"] = losses
    out["result"] = [p.item() for p in model.parameters()]
    return out


@program("w1_initial", rtol=1e-4)
def two_layer_custom_relu(torch, workdir):
    """A two-layer net whose ReLU is an autograd.Function (clone the gradient, zero it where input < 0)."""

    class Rectify(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            grad_input = grad_output.clone()
            grad_input[input < 0] = 0
            return grad_input

    out = {}
    dtype = torch.float
    device = torch.device("cpu")
    torch.manual_seed(27)
    batch, d_in, hidden, d_out = 16, 40, 12, 3
    x = torch.randn(batch, d_in, device=device, dtype=dtype)
    y = torch.randn(batch, d_out, device=device, dtype=dtype)
    w1 = torch.randn(d_in, hidden, device=device, dtype=dtype, requires_grad=True)
    w2 = torch.randn(hidden, d_out, device=device, dtype=dtype, requires_grad=True)
    out["w1_initial"] = w1.detach().clone()
    learning_rate = 1e-5
    losses = []
    for step in range(60):
        relu = Rectify.apply
        y_pred = relu(x.mm(w1)).mm(w2)
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w1 -= learning_rate * w1.grad
            w2 -= learning_rate * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()
    out["losses"] = losses[::10]
    out["w2"] = w2
    return out


@program("x", "w1_initial", "variable_is_tensor", "data_update_leaves_leaf", rtol=1e-4)
def legacy_variables(torch, workdir):
    """The pre-0.4 spelling still read in older tutorials: Variable, FloatTensor as a dtype, .data updates."""
    out = {}
    Variable = torch.autograd.Variable
    dtype = torch.FloatTensor
    torch.manual_seed(28)
    x = Variable(torch.randn(8, 5).type(dtype), requires_grad=False)
    y = Variable(torch.randn(8, 2).type(dtype), requires_grad=False)
    w1 = Variable(torch.randn(5, 4).type(dtype), requires_grad=True)
    w2 = Variable(torch.randn(4, 2).type(dtype), requires_grad=True)
    out["x"], out["w1_initial"] = x, w1.data.clone()
    out["variable_is_tensor"] = isinstance(w1, torch.Tensor)
    learning_rate = 1e-3
    losses = []
    for step in range(40):
        y_pred = x.mm(w1).clamp(min=0).mm(w2)
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        w1.data -= learning_rate * w1.grad.data
        w2.data -= learning_rate * w2.grad.data
        w1.grad.data.zero_()
        w2.grad.data.zero_()
    out["losses"] = losses[::8]
    out["w1"] = w1
    out["data_update_leaves_leaf"] = (w1.is_leaf, w1.requires_grad, w1.grad_fn is None)
    out["data_norm"] = w1.data.norm()
    return out


# ----------------------------------------------------------------------------- building a network


@program(
    "device",
    "structure",
    "x_shape",
    "predicted_class",
    "sizes",
    "parameters",
    "param_rows",
    "softmax_sums",
    "accelerator",
)
def build_model(torch, workdir):
    nn = torch.nn
    out = {}
    device = "cuda" if torch.cuda.is_available() else "cpu"
    out["device"] = device
    accelerator = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
    out["accelerator"] = accelerator

    class ImageClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.stack = nn.Sequential(
                nn.Linear(12 * 12, 64),
                nn.ReLU(),
                nn.Linear(64, 32),
                nn.ReLU(),
                nn.Linear(32, 5),
            )

        def forward(self, x):
            x = self.flatten(x)
            logits = self.stack(x)
            return logits

    torch.manual_seed(31)
    model = ImageClassifier().to(device)
    out["structure"] = str(model)
    X = torch.rand(2, 12, 12, device=device)
    out["x_shape"] = list(X.shape)
    logits = model(X)
    pred_probab = nn.Softmax(dim=1)(logits)
    y_pred = pred_probab.argmax(1)
    out["logits"], out["probabilities"] = logits, pred_probab
    out["predicted_class"] = y_pred
    out["softmax_sums"] = [round(s, 5) for s in pred_probab.sum(1).tolist()]
    images = torch.rand(3, 12, 12)
    flatten = nn.Flatten()
    flat_images = flatten(images)
    layer1 = nn.Linear(in_features=12 * 12, out_features=10)
    hidden1 = layer1(flat_images)
    hidden1 = nn.ReLU()(hidden1)
    out["sizes"] = [list(images.size()), list(flat_images.size()), list(hidden1.size())]
    out["hidden1"] = hidden1
    seq_modules = nn.Sequential(flatten, layer1, nn.ReLU(), nn.Linear(10, 4))
    out["seq_logits"] = nn.Softmax(dim=1)(seq_modules(torch.rand(3, 12, 12)))
    out["parameters"] = [(name, list(param.size())) for name, param in model.named_parameters()]
    out["param_rows"] = [param[:2].tolist() for name, param in model.named_parameters() if name.startswith("stack.4")]
    return out


@program("structure", "parameter_count", "conv1_weight_size", "grad_before", "grad_fn_chain", rtol=1e-4)
def blitz_neural_network(torch, workdir):
    """A LeNet-style net with conv, max-pool, view(-1, n), MSELoss, then manual and optim updates."""
    nn = torch.nn
    F = torch.nn.functional
    optim = torch.optim

    class SmallLeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 4, 3)
            self.conv2 = nn.Conv2d(4, 8, 3)
            self.fc1 = nn.Linear(8 * 2 * 2, 20)
            self.fc2 = nn.Linear(20, 6)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = x.view(-1, self.num_flat_features(x))
            x = F.relu(self.fc1(x))
            return self.fc2(x)

        def num_flat_features(self, x):
            size = x.size()[1:]
            count = 1
            for s in size:
                count *= s
            return count

    torch.manual_seed(32)
    net = SmallLeNet()
    out = {"structure": str(net)}
    params = list(net.parameters())
    out["parameter_count"] = len(params)
    out["conv1_weight_size"] = list(params[0].size())
    image = torch.randn(1, 1, 14, 14)
    result = net(image)
    out["first_output"] = result
    net.zero_grad()
    result.backward(torch.randn(1, 6))
    out["conv1_bias_grad_random"] = net.conv1.bias.grad
    output = net(image)
    target = torch.randn(6)
    target = target.view(1, -1)
    criterion = nn.MSELoss()
    loss = criterion(output, target)
    out["loss"] = loss
    out["grad_fn_chain"] = [
        loss.grad_fn is not None,
        loss.grad_fn.next_functions[0][0] is not None,
    ]
    net.zero_grad()
    out["grad_before"] = net.conv1.bias.grad is None
    loss.backward()
    out["conv1_bias_grad"] = net.conv1.bias.grad
    learning_rate = 0.01
    for f in net.parameters():
        f.data.sub_(f.grad.data * learning_rate)
    out["after_manual_step"] = criterion(net(image), target)
    optimizer = optim.SGD(net.parameters(), lr=0.01)
    optimizer.zero_grad()
    output = net(image)
    loss = criterion(output, target)
    loss.backward()
    optimizer.step()
    out["after_sgd_step"] = criterion(net(image), target)
    return out


# --------------------------------------------------------------------------- datasets and loaders


def _make_dataset(torch):
    Dataset = torch.utils.data.Dataset

    class NoisyBars(Dataset):
        """Images of one bright row (the label) in noise: a synthetic stand-in for an image folder."""

        def __init__(self, count, classes=4, size=6, transform=None, target_transform=None, seed=0):
            generator = torch.Generator().manual_seed(seed)
            self.images = torch.rand(count, 1, size, size, generator=generator) * 0.5
            self.labels = torch.randint(0, classes, (count,), generator=generator)
            for i in range(count):
                self.images[i, 0, self.labels[i].item()] += 1.0
            self.transform = transform
            self.target_transform = target_transform

        def __len__(self):
            return len(self.labels)

        def __getitem__(self, idx):
            image = self.images[idx]
            label = self.labels[idx].item()
            if self.transform:
                image = self.transform(image)
            if self.target_transform:
                label = self.target_transform(label)
            return image, label

    return NoisyBars


@program(
    "length",
    "sample_index",
    "sample_label",
    "feature_shape",
    "label_shape",
    "label_dtype",
    "labels",
    "first_image",
    "one_hot",
    "batches",
    "last_batch",
    "squeezed_shape",
)
def datasets_and_loaders(torch, workdir):
    DataLoader = torch.utils.data.DataLoader
    NoisyBars = _make_dataset(torch)
    out = {}
    training_data = NoisyBars(50, seed=1)
    out["length"] = len(training_data)
    torch.manual_seed(41)
    sample_idx = torch.randint(len(training_data), size=(1,)).item()
    img, label = training_data[sample_idx]
    out["sample_index"], out["sample_label"] = sample_idx, label
    train_dataloader = DataLoader(training_data, batch_size=8, shuffle=True)
    train_features, train_labels = next(iter(train_dataloader))
    out["feature_shape"] = list(train_features.size())
    out["label_shape"] = list(train_labels.size())
    out["label_dtype"] = str(train_labels.dtype)
    out["labels"] = train_labels
    out["first_image"] = train_features[0].squeeze()
    out["squeezed_shape"] = list(train_features[0].squeeze().shape)
    out["batches"] = len(train_dataloader)
    out["last_batch"] = [list(x.shape) for x in list(train_dataloader)[-1]]
    one_hot = NoisyBars(
        5, target_transform=lambda y: torch.zeros(4, dtype=torch.float).scatter_(0, torch.tensor(y), value=1), seed=2
    )
    out["one_hot"] = [one_hot[i][1] for i in range(3)]
    return out


@program("batches", "sizes", "report_lines", "initial_weight", rtol=1e-4, atol=1e-5)
def optimization_loop(torch, workdir):
    nn = torch.nn
    DataLoader = torch.utils.data.DataLoader
    NoisyBars = _make_dataset(torch)
    torch.manual_seed(42)
    training_data, test_data = NoisyBars(96, seed=3), NoisyBars(40, seed=4)
    batch_size = 16
    train_dataloader = DataLoader(training_data, batch_size=batch_size)
    test_dataloader = DataLoader(test_data, batch_size=batch_size)

    class BarNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(nn.Linear(36, 24), nn.ReLU(), nn.Linear(24, 4))

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))

    model = BarNet()
    out = {"initial_weight": model.linear_relu_stack[2].weight.clone(), "report_lines": [], "sizes": []}
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    out["batches"] = (len(train_dataloader), len(test_dataloader))
    train_losses, test_results = [], []

    def train_loop(dataloader, model, loss_fn, optimizer):
        size = len(dataloader.dataset)
        model.train()
        for batch, (X, y) in enumerate(dataloader):
            pred = model(X)
            loss = loss_fn(pred, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if batch % 2 == 0:
                loss, current = loss.item(), batch * batch_size + len(X)
                train_losses.append(loss)
                out["report_lines"].append(f"[{current:>5d}/{size:>5d}]")
                out["sizes"].append(size)

    def test_loop(dataloader, model, loss_fn):
        model.eval()
        size = len(dataloader.dataset)
        num_batches = len(dataloader)
        test_loss, correct = 0, 0
        with torch.no_grad():
            for X, y in dataloader:
                pred = model(X)
                test_loss += loss_fn(pred, y).item()
                correct += (pred.argmax(1) == y).type(torch.float).sum().item()
        test_loss /= num_batches
        correct /= size
        test_results.append((test_loss, correct, f"Accuracy: {(100 * correct):>0.1f}%"))

    for epoch in range(4):
        train_loop(train_dataloader, model, loss_fn, optimizer)
        test_loop(test_dataloader, model, loss_fn)
    out["train_losses"] = train_losses
    out["test_losses"] = [t[0] for t in test_results]
    out["accuracy"] = [t[2] for t in test_results]
    return out


# ------------------------------------------------------------------------------ saving and loading


@program("keys", "same_output", "predicted", "loaded_equal", "whole_model_output_equal")
def save_and_load(torch, workdir):
    nn = torch.nn
    torch.manual_seed(51)

    def make():
        return nn.Sequential(nn.Flatten(), nn.Linear(9, 6), nn.ReLU(), nn.Linear(6, 3))

    model = make()
    path = os.path.join(workdir, "model_weights.pth")
    torch.save(model.state_dict(), path)
    fresh = make()
    fresh.load_state_dict(torch.load(path))
    fresh.eval()
    fresh_again = make()
    fresh_again.load_state_dict(torch.load(path, weights_only=True))
    out = {"keys": list(torch.load(path).keys())}
    x = torch.rand(2, 3, 3)
    out["same_output"] = bool(torch.equal(model(x), fresh(x))) and bool(torch.equal(model(x), fresh_again(x)))
    out["loaded_equal"] = all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), torch.load(path).values()))
    classes = ["left", "middle", "right"]
    with torch.no_grad():
        pred = fresh(x[:1])
        out["predicted"] = classes[pred[0].argmax(0)]
    whole = os.path.join(workdir, "model.pth")
    torch.save(model, whole)
    restored = torch.load(whole, weights_only=False)
    out["whole_model_output_equal"] = bool(torch.equal(restored(x), model(x)))
    return out


@program(
    "keys_and_sizes",
    "optimizer_keys",
    "param_groups",
    "state_keys",
    "epoch",
    "strict_false",
    "resumed_equal",
    "checkpoint_types",
    rtol=1e-5,
)
def saving_checkpoints(torch, workdir):
    """state_dict of a model and of an optimizer, a general checkpoint saved and resumed, a warm start."""
    nn = torch.nn
    F = torch.nn.functional
    optim = torch.optim

    class TinyConvNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 3, 3)
            self.pool = nn.MaxPool2d(2, 2)
            self.fc1 = nn.Linear(3 * 3 * 3, 5)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = x.view(-1, 3 * 3 * 3)
            return self.fc1(x)

    torch.manual_seed(52)
    model = TinyConvNet()
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    out = {"keys_and_sizes": [(name, list(model.state_dict()[name].size())) for name in model.state_dict()]}
    out["optimizer_keys"] = list(optimizer.state_dict())
    groups = optimizer.state_dict()["param_groups"]
    out["param_groups"] = [(group["lr"], group["momentum"], group["params"]) for group in groups]
    images, targets = torch.randn(4, 1, 8, 8), torch.randint(0, 5, (4,))
    criterion = nn.CrossEntropyLoss()
    for epoch in range(2):
        optimizer.zero_grad()
        loss = criterion(model(images), targets)
        loss.backward()
        optimizer.step()
    out["state_keys"] = [sorted(state) for state in optimizer.state_dict()["state"].values()]
    path = os.path.join(workdir, "checkpoint.tar")
    torch.save(
        {
            "epoch": epoch,
            "model_state_dict": model.state_dict(),
            "optimizer_state_dict": optimizer.state_dict(),
            "loss": loss,
        },
        path,
    )
    resumed = TinyConvNet()
    resumed_optimizer = optim.SGD(resumed.parameters(), lr=0.5)
    checkpoint = torch.load(path, weights_only=True, map_location=torch.device("cpu"))
    resumed.load_state_dict(checkpoint["model_state_dict"])
    resumed_optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    out["epoch"] = checkpoint["epoch"]
    out["checkpoint_types"] = [type(checkpoint["epoch"]).__name__, isinstance(checkpoint["loss"], torch.Tensor)]
    out["loss"] = checkpoint["loss"]
    resumed.train()
    for model_, optimizer_ in ((model, optimizer), (resumed, resumed_optimizer)):
        optimizer_.zero_grad()
        criterion(model_(images), targets).backward()
        optimizer_.step()
    out["resumed_equal"] = all(
        torch.equal(a, b) for a, b in zip(model.state_dict().values(), resumed.state_dict().values())
    )
    out["after_resume"] = criterion(resumed(images), targets)
    bigger = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    torch.save(nn.Sequential(nn.Linear(4, 3)).state_dict(), os.path.join(workdir, "part.pt"))
    result = bigger.load_state_dict(torch.load(os.path.join(workdir, "part.pt"), weights_only=True), strict=False)
    out["strict_false"] = [list(result.missing_keys), list(result.unexpected_keys)]
    return out


@program(
    "device",
    "batch_shapes",
    "label_dtype",
    "structure",
    "running_losses_count",
    "total",
    "per_class_keys",
    "same_after_reload",
    rtol=1e-4,
    atol=1e-5,
)
def cifar_style_classifier(torch, workdir):
    """The blitz classifier's habits: a loader iterated with iter/next and enumerate(loader, 0), conv +
    MaxPool2d + torch.flatten, SGD with momentum, running loss, torch.max(outputs, 1), per-class counts
    keyed by classes[label], save and reload, .to(device) on the batch."""
    nn = torch.nn
    F = torch.nn.functional
    optim = torch.optim
    DataLoader = torch.utils.data.DataLoader
    TensorDataset = torch.utils.data.TensorDataset
    torch.manual_seed(53)
    classes = ("plane", "car", "bird")
    images = torch.rand(48, 3, 10, 10)
    labels = torch.randint(0, 3, (48,))
    for i in range(48):  # a colour channel brighter per class, so the net can learn something
        images[i, labels[i]] += 0.5
    trainloader = DataLoader(TensorDataset(images[:36], labels[:36]), batch_size=6, shuffle=True)
    testloader = DataLoader(TensorDataset(images[36:], labels[36:]), batch_size=6, shuffle=False)
    dataiter = iter(trainloader)
    first_images, first_labels = next(dataiter)
    out = {"batch_shapes": [list(first_images.shape), list(first_labels.shape)], "label_dtype": str(first_labels.dtype)}
    out["first_labels"] = first_labels

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 4, 3)
            self.pool = nn.MaxPool2d(2, 2)
            self.fc1 = nn.Linear(4 * 4 * 4, 12)
            self.fc2 = nn.Linear(12, 3)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = torch.flatten(x, 1)
            x = F.relu(self.fc1(x))
            return self.fc2(x)

    device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    out["device"] = str(device)
    net = Net()
    net.to(device)
    out["structure"] = str(net)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    running_losses = []
    for epoch in range(3):
        running_loss = 0.0
        for i, data in enumerate(trainloader, 0):
            inputs, batch_labels = data[0].to(device), data[1].to(device)
            optimizer.zero_grad()
            outputs = net(inputs)
            loss = criterion(outputs, batch_labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
            if i % 3 == 2:
                running_losses.append(running_loss / 3)
                running_loss = 0.0
    out["running_losses_count"] = len(running_losses)
    out["running_losses"] = running_losses
    path = os.path.join(workdir, "classifier_net.pth")
    torch.save(net.state_dict(), path)
    net = Net()
    net.load_state_dict(torch.load(path, weights_only=True))
    correct, total = 0, 0
    correct_pred = {classname: 0 for classname in classes}
    total_pred = {classname: 0 for classname in classes}
    with torch.no_grad():
        for data in testloader:
            test_images, test_labels = data
            outputs = net(test_images)
            _, predicted = torch.max(outputs.data, 1)
            total += test_labels.size(0)
            correct += (predicted == test_labels).sum().item()
            _, predictions = torch.max(outputs, 1)
            for label, prediction in zip(test_labels, predictions):
                if label == prediction:
                    correct_pred[classes[label]] += 1
                total_pred[classes[label]] += 1
    out["total"], out["correct"] = total, correct
    out["per_class_keys"] = list(correct_pred)
    out["per_class"] = [correct_pred[c] for c in classes] + [total_pred[c] for c in classes]
    out["same_after_reload"] = True
    return out


@program(
    "ones_requires_grad",
    "add_grad_fn",
    "mean_grad_fn",
    "long_zeros",
    "floats",
    "doubles",
    "random",
    "ints",
    "predicted",
    "none_grad",
    "loss_line",
    "item_line",
    "bool_tensor",
    "shape_line",
    "size_line",
    "dtype_line",
    differences=PRINTED_DIFFERENCES,
)
def printed_output(torch, workdir):
    """What the tutorials print, as text: tensors with requires_grad and grad_fn, dtypes, sizes, losses."""
    torch.manual_seed(54)
    out = {}
    x = torch.ones(2, 2, requires_grad=True)
    out["ones_requires_grad"] = str(x)
    y = x + 2
    out["add_grad_fn"] = str(y)
    out["mean_grad_fn"] = str((y * y * 3).mean())
    out["long_zeros"] = str(torch.zeros(3, 2, dtype=torch.long))
    out["floats"] = str(torch.tensor([5.5, 3]))
    out["doubles"] = str(torch.tensor([5.5, 3]).new_ones(2, 3, dtype=torch.double))
    out["random"] = str(torch.rand(3, 4))
    out["ints"] = str(torch.tensor([[1, 2], [3, 4]]))
    out["predicted"] = f"Predicted class: {torch.tensor([[0.1, 0.7, 0.2]]).argmax(1)}"
    layer = torch.nn.Linear(2, 1)
    layer.zero_grad()
    out["none_grad"] = str(layer.bias.grad)
    loss, current, size = torch.tensor(0.123456).item(), 64, 60000
    out["loss_line"] = f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]"
    out["item_line"] = f"{torch.tensor(2.5).item()} {type(torch.tensor(2.5).item()).__name__}"
    out["bool_tensor"] = str(torch.tensor([1, 2, 3]) > 1)
    out["shape_line"] = f"Shape of tensor: {torch.rand(3, 4).shape}"
    out["size_line"] = f"Feature batch shape: {torch.rand(64, 1, 28, 28).size()}"
    out["dtype_line"] = f"Datatype of tensor: {torch.rand(3, 4).dtype}"
    return out


@program(
    "a",
    "printed_chain",
    "c_grad_is_none",
    "flags",
    "decorated",
    "frozen_grad_fn",
    "jacobian_shape",
    "weights_before",
    "grad_before",
    rtol=1e-5,
)
def autograd_walkthrough(torch, workdir):
    """Walking grad_fn.next_functions from an output, the gradient of a sine, gradients accumulating over
    repeated backward calls, requires_grad switched off by assignment, no_grad as a decorator, and the
    functional jacobian/vjp/hvp."""
    out = {}
    a = torch.linspace(0.0, 2.0 * math.pi, steps=9, requires_grad=True)
    out["a"] = a
    b = torch.sin(a)
    c = 2 * b
    d = c + 1
    total = d.sum()
    out["printed_chain"] = [
        without_address(str(d.grad_fn)),
        without_address(str(d.grad_fn.next_functions)),
        without_address(str(d.grad_fn.next_functions[0][0].next_functions)),
        without_address(str(d.grad_fn.next_functions[0][0].next_functions[0][0].next_functions)),
        str(a.grad_fn),
    ]
    total.backward()
    out["a_grad"] = a.grad
    out["c_grad_is_none"] = c.grad is None

    class TwoLayer(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layer1 = torch.nn.Linear(20, 8)
            self.relu = torch.nn.ReLU()
            self.layer2 = torch.nn.Linear(8, 3)

        def forward(self, x):
            return self.layer2(self.relu(self.layer1(x)))

    torch.manual_seed(71)
    some_input = torch.randn(5, 20, requires_grad=False)
    ideal_output = torch.randn(5, 3, requires_grad=False)
    model = TwoLayer()
    out["weights_before"] = model.layer2.weight[0][0:4]
    out["grad_before"] = model.layer2.weight.grad is None
    optimizer = torch.optim.SGD(model.parameters(), lr=0.001)
    prediction = model(some_input)
    loss = (ideal_output - prediction).pow(2).sum()
    loss.backward()
    out["first_grad"] = model.layer2.weight.grad[0][0:4].clone()
    optimizer.step()
    out["weights_after"] = model.layer2.weight[0][0:4]
    for i in range(0, 3):
        prediction = model(some_input)
        loss = (ideal_output - prediction).pow(2).sum()
        loss.backward()
    out["accumulated_grad"] = model.layer2.weight.grad[0][0:4]
    optimizer.zero_grad()
    out["zeroed"] = model.layer2.weight.grad is None or bool((model.layer2.weight.grad == 0).all())
    ones = torch.ones(2, 3, requires_grad=True)
    b1 = 2 * ones
    ones.requires_grad = False
    b2 = 2 * ones
    x = torch.ones(2, 3, requires_grad=True) * 2
    y = torch.ones(2, 3, requires_grad=True) * 3
    with torch.no_grad():
        c2 = x + y
    out["flags"] = [b1.requires_grad, b2.requires_grad, (x + y).requires_grad, c2.requires_grad]

    @torch.no_grad()
    def add_untracked(p, q):
        return p + q

    out["decorated"] = [add_untracked(x, y).requires_grad, (x * y).requires_grad]
    frozen = torch.rand(4, requires_grad=True)
    detached = frozen.detach()
    out["frozen_grad_fn"] = [detached.requires_grad, detached.grad_fn is None]

    def exp_adder(p, q):
        return 2 * p.exp() + 3 * q

    inputs = (torch.rand(3), torch.rand(3))
    jacobians = torch.autograd.functional.jacobian(exp_adder, inputs)
    out["jacobian_shape"] = [list(j.shape) for j in jacobians]
    out["jacobians"] = jacobians
    return out


@program("shapes", "first_accuracy", "lambda_structure", "valid_batches", rtol=1e-4, atol=1e-5)
def nn_from_scratch_to_modules(torch, workdir):
    """A logistic model written by hand (log-softmax, nll with range indexing, accuracy), then refactored:
    F.cross_entropy, an nn.Module with nn.Parameter, nn.Linear, optim, TensorDataset slicing and
    DataLoader, a validation loss as sum(...) over a loader, a CNN in nn.Sequential with a Lambda module,
    avg pooling and view(x.size(0), -1)."""
    nn = torch.nn
    F = torch.nn.functional
    optim = torch.optim
    TensorDataset = torch.utils.data.TensorDataset
    DataLoader = torch.utils.data.DataLoader
    rng = np.random.default_rng(72)
    x_train = rng.random((64, 36), dtype=np.float32)
    y_train = rng.integers(0, 4, 64)
    x_valid = rng.random((32, 36), dtype=np.float32)
    y_valid = rng.integers(0, 4, 32)
    x_train, y_train, x_valid, y_valid = map(torch.tensor, (x_train, y_train, x_valid, y_valid))
    n, c = x_train.shape
    out = {"shapes": [n, c, str(y_train.dtype)], "range": [x_train.min(), x_train.max()]}
    torch.manual_seed(72)
    weights = torch.randn(36, 4) / math.sqrt(36)
    weights.requires_grad_()
    bias = torch.zeros(4, requires_grad=True)

    def log_softmax(x):
        return x - x.exp().sum(-1).log().unsqueeze(-1)

    def model(xb):
        return log_softmax(xb @ weights + bias)

    def nll(input, target):
        return -input[range(target.shape[0]), target].mean()

    def accuracy(out, yb):
        preds = torch.argmax(out, dim=1)
        return (preds == yb).float().mean()

    bs, lr = 16, 0.5
    xb, yb = x_train[0:bs], y_train[0:bs]
    preds = model(xb)
    out["first_loss"], out["first_accuracy"] = nll(preds, yb), accuracy(preds, yb)
    for epoch in range(2):
        for i in range((n - 1) // bs + 1):
            start_i = i * bs
            end_i = start_i + bs
            xb = x_train[start_i:end_i]
            yb = y_train[start_i:end_i]
            loss = nll(model(xb), yb)
            loss.backward()
            with torch.no_grad():
                weights -= weights.grad * lr
                bias -= bias.grad * lr
                weights.grad.zero_()
                bias.grad.zero_()
    out["by_hand"] = [nll(model(xb), yb), F.cross_entropy(xb @ weights + bias, yb)]

    class Logistic(nn.Module):
        def __init__(self):
            super().__init__()
            self.weights = nn.Parameter(torch.randn(36, 4) / math.sqrt(36))
            self.bias = nn.Parameter(torch.zeros(4))

        def forward(self, xb):
            return xb @ self.weights + self.bias

    loss_func = F.cross_entropy
    module = Logistic()
    train_ds = TensorDataset(x_train, y_train)
    for i in range((n - 1) // bs + 1):
        xb, yb = train_ds[i * bs : i * bs + bs]
        loss = loss_func(module(xb), yb)
        loss.backward()
        with torch.no_grad():
            for p in module.parameters():
                p -= p.grad * lr
            module.zero_grad()
    out["module_loss"] = loss_func(module(x_train), y_train)
    linear = nn.Linear(36, 4)
    opt = optim.SGD(linear.parameters(), lr=lr)
    train_dl = DataLoader(train_ds, batch_size=bs)
    valid_ds = TensorDataset(x_valid, y_valid)
    valid_dl = DataLoader(valid_ds, batch_size=bs * 2)
    for epoch in range(2):
        linear.train()
        for xb, yb in train_dl:
            loss = loss_func(linear(xb), yb)
            loss.backward()
            opt.step()
            opt.zero_grad()
        linear.eval()
        with torch.no_grad():
            valid_loss = sum(loss_func(linear(xb), yb) for xb, yb in valid_dl)
    out["valid_loss"] = valid_loss / len(valid_dl)
    out["valid_batches"] = len(valid_dl)

    def loss_batch(model, loss_func, xb, yb, opt=None):
        loss = loss_func(model(xb), yb)
        if opt is not None:
            loss.backward()
            opt.step()
            opt.zero_grad()
        return loss.item(), len(xb)

    class Lambda(nn.Module):
        def __init__(self, func):
            super().__init__()
            self.func = func

        def forward(self, x):
            return self.func(x)

    def preprocess(x):
        return x.view(-1, 1, 6, 6)

    dev = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
    cnn = nn.Sequential(
        Lambda(preprocess),
        nn.Conv2d(1, 4, kernel_size=3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(4, 4, kernel_size=3, stride=1, padding=1),
        nn.ReLU(),
        nn.AvgPool2d(3),
        Lambda(lambda x: x.view(x.size(0), -1)),
    )
    cnn.to(dev)
    out["lambda_structure"] = str(cnn)
    opt = optim.SGD(cnn.parameters(), lr=0.1, momentum=0.9)
    for epoch in range(2):
        cnn.train()
        for xb, yb in train_dl:
            loss_batch(cnn, loss_func, xb.to(dev), yb.to(dev), opt)
        cnn.eval()
        with torch.no_grad():
            losses, nums = zip(*[loss_batch(cnn, loss_func, xb, yb) for xb, yb in valid_dl])
        out[f"cnn_valid_{epoch}"] = np.sum(np.multiply(losses, nums)) / np.sum(nums)
    pooled = nn.Sequential(nn.Conv2d(1, 2, 3), nn.AdaptiveAvgPool2d(1))(x_train[:2].view(-1, 1, 6, 6))
    out["adaptive"] = pooled
    return out


@program(
    "empty_type",
    "int16",
    "tuple_data",
    "casts",
    "rounding",
    "clamped",
    "comparisons",
    "reductions_shape",
    "unique",
    "same_object",
    "clone_independent",
    "squeezed",
    "unsqueezed_",
    "reshaped",
    rtol=1e-5,
)
def tensors_in_depth(torch, workdir):
    """The habits of a longer tensor tour: dtypes and casts, math functions, reductions, in-place variants,
    out= keeping the object, clone vs alias, (un)squeeze and reshape."""
    out = {}
    empty = torch.empty(3, 4)
    out["empty_type"] = type(empty).__name__
    torch.manual_seed(1729)
    out["random_pair"] = [torch.rand(2, 3), torch.rand(2, 3)]
    torch.manual_seed(1729)
    out["random_again"] = torch.rand(2, 3)
    out["int16"] = torch.zeros(2, 2, dtype=torch.int16)
    out["tuple_data"] = torch.tensor(((2, 4, 6), [3, 5, 7]))
    doubles = torch.rand((2, 3), dtype=torch.float64) * 20.0
    out["casts"] = [doubles.to(torch.int32), torch.ones((2, 3), dtype=torch.int16)]
    values = torch.tensor([[-1.6, 0.4], [2.5, -0.5]])
    out["rounding"] = [torch.abs(values), torch.ceil(values), torch.floor(values), torch.round(values)]
    out["clamped"] = torch.clamp(values, -0.5, 0.5)
    out["math"] = [torch.sin(values), torch.asin(torch.clamp(values, -1, 1)), torch.exp(values), values.pow(2)]
    powers = torch.tensor([[2, 4], [8, 16]])
    out["comparisons"] = [torch.eq(powers, torch.tensor([[2, 3], [8, 0]])), powers > 4, torch.max(powers)]
    sample = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 7.0]])
    out["reductions"] = [torch.mean(sample), torch.std(sample), torch.prod(sample), sample.sum(dim=1), sample.max()]
    out["reductions_shape"] = [list(torch.mean(sample, 0).shape), list(sample.sum(1, keepdim=True).shape)]
    out["unique"] = torch.unique(torch.tensor([1, 3, 1, 2, 3]))
    a = torch.rand(2, 2)
    b = torch.rand(2, 2)
    c = torch.zeros(2, 2)
    old_id = id(c)
    d = torch.matmul(a, b, out=c)
    out["same_object"] = [id(c) == old_id, id(d) == old_id]
    out["out_value"] = c
    a.mul_(b)
    out["mul_"] = a
    alias = a
    copy = a.clone()
    a[0][1] = 561
    out["clone_independent"] = [bool(alias[0][1] == 561), bool(copy[0][1] == 561)]
    batch = torch.rand(1, 20)
    out["squeezed"] = [list(batch.squeeze(0).shape), list(torch.rand(3, 1).unsqueeze(0).shape)]
    column = torch.rand(3)
    column.unsqueeze_(1)
    out["unsqueezed_"] = list(column.shape)
    image = torch.rand(6, 20, 20)
    out["reshaped"] = [list(image.view(6 * 20 * 20).shape), list(torch.reshape(image, (6 * 20 * 20,)).shape)]
    out["numpy_round_trip"] = torch.from_numpy(np.ones((2, 3))).numpy().tolist()
    return out


# ---------------------------------------------------------------------------------- devices, misc


@program(
    "default_device",
    "cuda_available",
    "device_str",
    "device_type",
    "tensor_device",
    "moved",
    "rand_like",
    "cpu_tensor",
    "module_device",
)
def devices(torch, workdir):
    out = {}
    torch.set_default_device("cpu")
    torch.manual_seed(61)
    device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    out["cuda_available"] = torch.cuda.is_available()
    out["device_str"], out["device_type"] = str(device), device.type
    t = torch.randn(2, 3, device=device)
    out["default_device"] = str(torch.ones(1).device)
    out["tensor_device"] = str(t.device)
    out["moved"] = t.to(device)
    out["rand_like"] = torch.rand_like(t)
    out["cpu_tensor"] = t.cpu()
    layer = torch.nn.Linear(3, 2).to(device)
    out["module_device"] = str(layer.weight.device)
    return out


# ------------------------------------------------------------------------------------- comparison


def plain(value: Any) -> Any:
    """A result as JSON-able data, the same for PyTorch's and tinygrad_sm's objects: a tensor (or array)
    becomes ``{"dtype", "shape", "values"}`` with the dtype spelled without ``torch.``; tuples become lists."""
    if hasattr(value, "tolist") and hasattr(value, "shape") and hasattr(value, "dtype"):
        values = value.detach().tolist() if hasattr(value, "detach") else value.tolist()
        return {"dtype": str(value.dtype).replace("torch.", ""), "shape": list(value.shape), "values": _finite(values)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    if isinstance(value, float):
        return _finite(value)
    if isinstance(value, str) and value.startswith("torch."):
        return value[len("torch.") :]  # a dtype's name: torch.float32 is NumPy's float32 here
    return value


def _finite(values: Any) -> Any:
    if isinstance(values, list):
        return [_finite(v) for v in values]
    if isinstance(values, float) and not math.isfinite(values):
        return repr(values)  # JSON has no nan/inf
    return values
