"""What tests/test_modules_torch.py, tests/test_custom_function.py and scripts/pin_torch_modules.py
build with both frameworks, written once: each function takes the framework module (``torch`` in the
pin script, ``tinygrad_sm`` in the tests), so the pinned and the tested program are the same text."""

from collections import OrderedDict
from typing import Any


def build(spec: list, torch: Any) -> Any:
    """The model a spec describes: ``[kind, *args]`` with containers nesting specs."""
    nn = torch.nn
    kind, *args = spec
    if kind == "Sequential":
        return nn.Sequential(*[build(s, torch) for s in args[0]])
    if kind == "SequentialDict":
        return nn.Sequential(OrderedDict((k, build(s, torch)) for k, s in args[0].items()))
    if kind == "ModuleList":
        return nn.ModuleList([build(s, torch) for s in args[0]])
    if kind == "ModuleDict":
        return nn.ModuleDict({k: build(s, torch) for k, s in args[0].items()})
    if kind == "Custom":  # a user's Module whose children are assigned as attributes, in order
        module = nn.Module()
        for name, child in args[0].items():
            setattr(module, name, build(child, torch))
        return module
    if kind == "Parameter":
        return nn.Parameter(torch.tensor(args[0]))
    if kind == "Conv1dT":
        return nn.Conv1d(4, 4, 1)
    return getattr(nn, kind)(*args)


def tutorial_functions(torch: Any) -> dict[str, type]:
    """PyTorch's tutorial custom Functions (LegendrePolynomial3, MyReLU, the autograd docs' Exp)."""

    class LegendrePolynomial3(torch.autograd.Function):
        """P3(x) = (5x^3 - 3x) / 2, with P3'(x) = 3/2 (5x^2 - 1) written by hand."""

        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input**3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input**2 - 1)

    class MyReLU(torch.autograd.Function):
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

    class Exp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, i):
            result = i.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            (result,) = ctx.saved_tensors
            return grad_output * result

    return {"legendre": LegendrePolynomial3, "myrelu": MyReLU, "exp": Exp}
