"""Tutorial-style programs (see tutorial_programs.py): "learning PyTorch with examples", from raw tensors
to nn, optim, a custom Module and custom autograd Functions."""

from __future__ import annotations

import math
import random

from tutorial_programs import program

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
            return (
                f"y = {self.a.item():.3f} + {self.b.item():.3f} x + {self.c.item():.3f} x^2 + {self.d.item():.3f} x^3"
            )

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
    for _step in range(60):
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
    for _step in range(40):
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


@program("w1_initial", rtol=1e-4)
def two_layer_manual_backprop(torch, workdir):
    """A two-layer ReLU net trained with a hand-written backward pass on tensors (mm, clamp, t(), clone and
    a masked write), the older "Tensors" example."""
    out = {}
    dtype = torch.float
    device = torch.device("cpu")
    torch.manual_seed(29)
    batch, d_in, hidden, d_out = 12, 30, 10, 4
    x = torch.randn(batch, d_in, device=device, dtype=dtype)
    y = torch.randn(batch, d_out, device=device, dtype=dtype)
    w1 = torch.randn(d_in, hidden, device=device, dtype=dtype)
    w2 = torch.randn(hidden, d_out, device=device, dtype=dtype)
    out["w1_initial"] = w1.clone()
    learning_rate = 1e-5
    losses = []
    for t in range(50):
        h = x.mm(w1)
        h_relu = h.clamp(min=0)
        y_pred = h_relu.mm(w2)
        loss = (y_pred - y).pow(2).sum().item()
        if t % 10 == 9:
            losses.append(loss)
        grad_y_pred = 2.0 * (y_pred - y)
        grad_w2 = h_relu.t().mm(grad_y_pred)
        grad_h_relu = grad_y_pred.mm(w2.t())
        grad_h = grad_h_relu.clone()
        grad_h[h < 0] = 0
        grad_w1 = x.t().mm(grad_h)
        w1 -= learning_rate * grad_w1
        w2 -= learning_rate * grad_w2
    out["losses"] = losses
    out["w2"] = w2
    return out
