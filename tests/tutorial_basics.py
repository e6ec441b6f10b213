"""Tutorial-style programs (see tutorial_programs.py): tensors, autograd, printed text, devices."""

from __future__ import annotations

import math

import numpy as np
from tutorial_programs import PRINTED_DIFFERENCES, program, without_address

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
    for _i in range(0, 3):
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
