"""Write tests/data/teaching_names.json: the torch names teaching code uses, with the courses they came from
(collected with the search tool), a PyTorch case for most of them, and the deliberate omissions with reasons.

Edit the lists here and run:  python scripts/make_teaching_names.py && python scripts/pin_torch_teaching.py
"""

import json
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "teaching_names.json"
S = {
    "makemore": "karpathy nn-zero-to-hero, makemore parts 1-5 (bigram counts, MLP, batchnorm, backprop ninja, WaveNet); seen in vyomthakkar/deeplearning-lab mlp/src/model.py, mrkkrj/generate-words MultilayerPerceptron-BatchNorm-4-backprop.py, stefan18-ux/NeuralNetwork makemore/makemore_inference.py, jetbrains-academy/youth-ai-club BackpropagationAndMLP/LinearLayer/task.md",
    "micrograd": "karpathy nn-zero-to-hero lecture 1 (micrograd), its PyTorch cross-check cell: torch.Tensor([2.0]).double(), requires_grad, torch.tanh, .data.item(), .grad.item()",
    "d2l": "Dive into Deep Learning (d2l.ai) PyTorch edition, linear and softmax regression from scratch; seen in JoonHyeok-hozy-Kim/ai_paper_study LinearRegressionScratch.py, uccelliy/UccML UccDL/softmaxRegression.py, suiyuano/deepl chapter_linear-networks_softmax-regression-scratch.py, lileidev/dive-into-dl softmax_reg.py, cloudfu/PyTorch_Learn dive/2.5.py",
    "pytorch-tutorials": "PyTorch's beginner tutorials (tensors, autograd, learning PyTorch with examples, what is torch.nn really); seen in Kraks/playground pytorch/basic_examples/autograd.py, jcjohnson/pytorch-examples README.md, vvaezian/Data-Science-Fundamentals PyTorch.md, yeqqmatlab/leran_pytorch mnist02.py",
    "fastai": "fast.ai Practical Deep Learning / fastbook chapter 4 (MNIST from scratch: init_params, linear1, mnist_loss with torch.where and sigmoid, requires_grad_, view(-1, 28*28), torch.cat, stack)",
    "tensor-basics": "course tensor primers in the CS231n/university style; seen in zosob/cli_app ML/tensor_reshaping.py, OsamaKhann/learning_pytorch tensor_reshaping.py, daniel-yj-yang/ml neural_network/pytorch/pytorch_basics.md, Abtinmy/CS-SBU-NeuralNetwork pages/lectures/pytorch/pytorch_mlp.md",
}
PRE = """x = torch.tensor([[0.5, -1.25, 2.0, 0.25], [3.0, 0.0, -0.75, 1.5], [-2.0, 1.0, 0.5, -0.5]])
v = torch.tensor([1.0, 2.0, 3.0, 4.0])
u = torch.tensor([0.5, -1.0, 2.0, 1.5])
labels = torch.tensor([3, 0, 1])
ints = torch.tensor([3, 1, 4, 1, 5, 9, 2, 6])
mask = x > 0
"""
N = []


def add(name, sources, case=None, waits_for=None):
    e = {"name": name, "sources": sources}
    if case:
        e["case"] = case
    if waits_for:
        e["waits_for"] = waits_for
    N.append(e)


M, MI, D, P, FA, T = "makemore", "micrograd", "d2l", "pytorch-tutorials", "fastai", "tensor-basics"
# ---- torch.* factories and conversion
add("torch.tensor", [M, D, P, T], "out = torch.tensor([[1, 2], [3, 4]])")
add("torch.Tensor", [MI, T], "out = torch.Tensor([2.0, -3.0]).double()")
add("torch.zeros", [M, D, P, T], "out = torch.zeros((2, 3))")
add("torch.ones", [M, D, P, T], "out = torch.ones(2, 3)")
add("torch.zeros_like", [M, T], "out = torch.zeros_like(x)")
add("torch.ones_like", [M, T], "out = torch.ones_like(x)")
add("torch.full", [T], "out = torch.full((2, 2), 7.0)")
add("torch.arange", [M, D, P, T], "out = (torch.arange(5), torch.arange(1, 4), torch.arange(0, 10, 3))")
add("torch.eye", [T], "out = torch.eye(3)")
add("torch.from_numpy", [P, T])
add("torch.randn", [M, D, P, FA, T])
add("torch.rand", [P, T])
add("torch.manual_seed", [P, T])
add("torch.Generator", [M])
add("torch.randint", [M, T])
add("torch.multinomial", [M])
add("torch.linspace", [P, T], "out = torch.linspace(-1.0, 1.0, 5)")
add("torch.normal", [D])
add("torch.randperm", [T, D])
add("torch.rand_like", [P, T])
add("torch.randn_like", [P])
add("torch.full_like", [T])
add("torch.empty", [T])
# ---- dtypes and grad mode
for d in ["float32", "float64", "int64", "long", "float", "int32", "bool"]:
    add(f"torch.{d}", [M, P, T])
add(
    "torch.no_grad",
    [M, D, P, FA],
    "w = x.clone().requires_grad_()\nwith torch.no_grad():\n    y = w * 2\nout = y.requires_grad",
)
add("torch.enable_grad", [P])
add("torch.is_grad_enabled", [P])
# ---- pointwise
for name, expr in [
    ("tanh", "torch.tanh(x)"),
    ("exp", "torch.exp(x)"),
    ("log", "torch.log(v)"),
    ("sqrt", "torch.sqrt(v)"),
    ("sigmoid", "torch.sigmoid(x)"),
    ("abs", "torch.abs(x)"),
    ("sin", "torch.sin(x)"),
    ("cos", "torch.cos(x)"),
    ("relu", "torch.relu(x)"),
    ("clamp", "torch.clamp(x, -1.0, 1.0)"),
    ("pow", "torch.pow(x, 2)"),
    ("square", "torch.square(x)"),
    ("log10", "torch.log10(v)"),
    ("log2", "torch.log2(v)"),
    ("log1p", "torch.log1p(v)"),
    ("expm1", "torch.expm1(x)"),
    ("neg", "torch.neg(x)"),
    ("sign", "torch.sign(x)"),
    ("reciprocal", "torch.reciprocal(v)"),
    ("maximum", "torch.maximum(x, u)"),
    ("minimum", "torch.minimum(x, u)"),
    ("add", "torch.add(x, u, alpha=2)"),
    ("sub", "torch.sub(x, 1.5)"),
    ("mul", "torch.mul(x, u)"),
    ("div", "torch.div(x, u)"),
    ("logaddexp", "torch.logaddexp(x, u)"),
    ("erf", "torch.erf(x)"),
    ("clip", "torch.clip(x, max=0.5)"),
    ("where", "torch.where(x > 0, x, 0.0)"),
    ("exp_int", None),
]:
    if expr:
        add(
            f"torch.{name}",
            [M, D, P, FA, T] if name in ("tanh", "exp", "log", "where", "sigmoid") else [P, T],
            f"out = {expr}",
        )
# ---- reductions and order
for name, expr in [
    ("sum", "(torch.sum(x), torch.sum(x, 1), torch.sum(x, dim=0, keepdim=True))"),
    ("mean", "(torch.mean(x), torch.mean(x, 0))"),
    ("max", "(torch.max(x), torch.max(x, 1))"),
    ("min", "torch.min(x, dim=0)"),
    ("argmax", "(torch.argmax(x), torch.argmax(x, dim=1))"),
    ("argmin", "torch.argmin(x, 1)"),
    ("prod", "torch.prod(v)"),
    ("cumsum", "torch.cumsum(x, dim=1)"),
    ("std", "torch.std(x, 1)"),
    ("var", "torch.var(x, 0, unbiased=False)"),
    ("norm", "torch.norm(x)"),
    ("logsumexp", "torch.logsumexp(x, dim=1)"),
    ("sort", "torch.sort(u, descending=True)"),
    ("argsort", "torch.argsort(u)"),
    ("topk", "torch.topk(x, 2, dim=1)"),
    ("all", "(torch.all(mask), torch.all(x < 10))"),
    ("any", "torch.any(mask, dim=1)"),
    ("allclose", "(torch.allclose(x, x + 1e-9), torch.allclose(x, u))"),
    ("isclose", "torch.isclose(v, v + 1e-6)"),
    ("equal", "(torch.equal(v, v), torch.equal(v, u))"),
    ("eq", "torch.eq(x, 0.5)"),
    ("unique", "torch.unique(ints, return_counts=True)"),
    ("bincount", "torch.bincount(ints)"),
    ("histc", "torch.histc(x, bins=4, min=-2, max=3)"),
    ("histogram", "torch.histogram(x, bins=3)"),
    ("numel", "torch.numel(x)"),
    ("median", "(torch.median(x), torch.median(x, 1))"),
    ("mode", "torch.mode(ints[:5])"),
    ("kthvalue", "torch.kthvalue(x, 2, 1)"),
    ("aminmax", "torch.aminmax(x)"),
    ("amax", "torch.amax(x, dim=(0, 1))"),
    ("std_mean", "torch.std_mean(x, 1)"),
    ("var_mean", "torch.var_mean(x, dim=0)"),
    ("count_nonzero", "torch.count_nonzero(x)"),
]:
    add(
        f"torch.{name}",
        [M, D, P, T] if name in ("sum", "mean", "max", "argmax", "all", "allclose", "histogram", "numel") else [P, T],
        f"out = {expr}",
    )
# ---- linear algebra and shape
for name, expr in [
    ("matmul", "torch.matmul(x, v)"),
    ("mm", "torch.mm(x, x.T)"),
    ("bmm", "torch.bmm(x.reshape(1, 3, 4), x.reshape(1, 4, 3))"),
    ("outer", "torch.outer(v, u)"),
    ("dot", "torch.dot(v, u)"),
    ("einsum", "torch.einsum('ij,j->i', x, v)"),
    ("cat", "torch.cat([x, x], dim=1)"),
    ("concat", "torch.concat((v, u))"),
    ("stack", "torch.stack([v, u], dim=1)"),
    ("flatten", "torch.flatten(x)"),
    ("reshape", "torch.reshape(x, (4, 3))"),
    ("transpose", "torch.transpose(x, 0, 1)"),
    ("permute", "torch.permute(x.reshape(1, 3, 4), (2, 0, 1)).shape"),
    ("squeeze", "torch.squeeze(x.reshape(1, 3, 4)).shape"),
    ("unsqueeze", "torch.unsqueeze(v, 0)"),
    ("t", "torch.t(x)"),
    ("split", "torch.split(v, 2)"),
    ("chunk", "torch.chunk(x, 2, dim=1)"),
    ("gather", "torch.gather(x, 1, labels.reshape(3, 1))"),
    ("index_select", "torch.index_select(x, 0, labels[1:])"),
    ("masked_fill", "torch.masked_fill(x, mask, 0.0)"),
    ("softmax", "torch.softmax(x, dim=1)"),
    ("log_softmax", "torch.log_softmax(x, 1)"),
    ("clone", "torch.clone(x)"),
    ("flip", "torch.flip(v, [0])"),
    ("roll", "torch.roll(v, 1)"),
    ("unbind", "torch.unbind(x, 1)"),
    ("tensordot", "torch.tensordot(x, x, dims=([1], [1]))"),
]:
    add(f"torch.{name}", [M, D, P, T] if name in ("matmul", "cat", "stack", "einsum") else [P, T], f"out = {expr}")
add("torch.tril", [T], "out = torch.tril(torch.ones(3, 3))")
add("torch.triu", [T], "out = torch.triu(x)")
add("torch.diag", [T], "out = torch.diag(v)")
add("torch.trace", [T], "out = torch.trace(x[:, :3])")
# ---- Tensor methods and attributes
for name, expr in [
    ("shape", "x.shape"),
    ("dtype", "str(x.dtype).replace('torch.', '')"),
    ("ndim", "x.ndim"),
    ("T", "x.T"),
    ("mT", "x.reshape(1, 3, 4).mT"),
    ("item", "x[1, 2].item()"),
    ("tolist", "x.tolist()"),
    ("numel", "x.numel()"),
    ("nelement", "x.nelement()"),
    ("dim", "x.dim()"),
    ("view", "x.view(-1, 2)"),
    ("reshape", "x.reshape(2, -1)"),
    ("flatten", "x.flatten()"),
    ("squeeze", "v.view(1, 4).squeeze(0)"),
    ("unsqueeze", "v.unsqueeze(1)"),
    ("transpose", "x.transpose(0, 1)"),
    ("permute", "x.permute(1, 0)"),
    ("t", "x.t()"),
    ("contiguous", "x.t().contiguous().view(-1)"),
    ("expand", "v.view(1, 4).expand(3, -1)"),
    ("repeat", "v.repeat(2)"),
    ("sum", "(x.sum(), x.sum(1), x.sum(0, keepdim=True), x.sum(1, keepdims=True))"),
    ("mean", "(x.mean(), x.mean(dim=1))"),
    ("max", "(x.max(), x.max(1), x.max(1, keepdim=True).values, x.max(dim=0).indices)"),
    ("min", "x.min(1)"),
    ("argmax", "(x.argmax(), x.argmax(1), x.argmax(dim=1))"),
    ("argmin", "x.argmin(dim=0)"),
    ("std", "x.std(0)"),
    ("var", "x.var(1, keepdim=True)"),
    ("exp", "x.exp()"),
    ("log", "v.log()"),
    ("log10", "v.log10()"),
    ("sqrt", "v.sqrt()"),
    ("tanh", "x.tanh()"),
    ("sigmoid", "x.sigmoid()"),
    ("relu", "x.relu()"),
    ("abs", "x.abs()"),
    ("pow", "x.pow(2)"),
    ("clamp", "x.clamp(min=0)"),
    ("softmax", "x.softmax(dim=1)"),
    ("log_softmax", "x.log_softmax(-1)"),
    ("matmul", "x.matmul(v)"),
    ("mm", "x.mm(x.t())"),
    ("dot", "v.dot(u)"),
    ("float", "ints.float()"),
    ("double", "v.double()"),
    ("long", "v.long()"),
    ("int", "v.int()"),
    ("bool", "ints.bool()"),
    ("type_as", "ints.type_as(v)"),
    ("to", "ints.to(torch.float32)"),
    ("clone", "x.clone()"),
    ("detach", "x.detach()"),
    ("numpy", "x.numpy().tolist()"),
    ("all", "mask.all()"),
    ("any", "mask.any(0)"),
    ("eq", "x.eq(0.5)"),
    ("ne", "x.ne(0.5)"),
    ("gt", "x.gt(0)"),
    ("lt", "x.lt(0)"),
    ("ge", "x.ge(0)"),
    ("le", "x.le(0)"),
    ("masked_fill", "x.masked_fill(mask, -1.0)"),
    ("gather", "x.gather(1, labels.view(-1, 1))"),
    ("sort", "u.sort()"),
    ("topk", "x.topk(1)"),
    ("cumsum", "x.cumsum(0)"),
    ("norm", "x.norm()"),
    ("add", "x.add(1)"),
    ("sub", "x.sub(u)"),
    ("mul", "x.mul(2)"),
    ("div", "x.div(2)"),
    ("square", "x.square()"),
    ("neg", "x.neg()"),
    ("split", "x.split(2, dim=1)"),
    ("chunk", "v.chunk(2)"),
    ("view_as", "v.view_as(labels.new_zeros(2, 2))"),
    ("expand_as", "v.expand_as(x)"),
    ("index_select", "x.index_select(1, labels)"),
    ("logsumexp", "x.logsumexp(1)"),
    ("unique", "ints.unique()"),
    ("bincount", "ints.bincount()"),
    ("prod", "v.prod()"),
    ("median", "x.median(dim=1)"),
    ("kthvalue", "x.kthvalue(1)"),
    ("aminmax", "x.aminmax(dim=0)"),
    ("amax", "x.amax(1)"),
    ("new_zeros", "x.new_zeros(2)"),
    ("new_ones", "x.new_ones((2, 1))"),
    ("new_tensor", "x.new_tensor([1, 2])"),
    ("is_contiguous", "x.is_contiguous()"),
    ("isnan", "(x / 0.0).isnan()"),
    ("logical_not", "mask.logical_not()"),
    ("allclose", "x.allclose(x)"),
    ("equal", "x.equal(x)"),
    ("flip", "x.flip(0)"),
    ("roll", "x.roll(1, 1)"),
    ("outer", "v.outer(u)"),
    ("unbind", "x.unbind(0)"),
    ("count_nonzero", "x.count_nonzero()"),
]:
    add(
        f"Tensor.{name}",
        [M, D, P, FA, T]
        if name
        in ("shape", "item", "view", "sum", "max", "exp", "log", "float", "mean", "T", "nelement", "argmax", "tanh")
        else [P, T],
        f"out = {expr}",
    )
# in place and autograd habits
for name, case in [
    ("requires_grad", "w = x.clone()\nw.requires_grad = True\nout = w.requires_grad"),
    ("requires_grad_", "w = torch.zeros(2).requires_grad_()\nout = w.requires_grad"),
    ("backward", "w = x.clone().requires_grad_()\n(w.tanh() * u).sum().backward()\nout = w.grad"),
    ("grad", "w = v.clone().requires_grad_()\n(w ** 3).sum().backward()\nout = w.grad"),
    ("zero_", "w = v.clone().requires_grad_()\n(w * w).sum().backward()\nw.grad.zero_()\nout = w.grad"),
    ("grad_fn", "w = v.clone().requires_grad_()\nout = (w * 2).grad_fn is not None and w.grad_fn is None"),
    ("is_leaf", "w = v.clone().requires_grad_()\nout = (w.is_leaf, (w * 2).is_leaf)"),
    (
        "retain_grad",
        "w = v.clone().requires_grad_()\nh = w * 2\nh.retain_grad()\n(h * h).sum().backward()\nout = h.grad",
    ),
    ("add_", "w = x.clone()\nw.add_(u, alpha=-0.5)\nout = w"),
    ("sub_", "w = x.clone()\nw.sub_(1.0)\nout = w"),
    ("mul_", "w = x.clone()\nw.mul_(u)\nout = w"),
    ("div_", "w = x.clone()\nw.div_(2.0)\nout = w"),
    ("pow_", "w = x.clone()\nw.pow_(2)\nout = w"),
    ("fill_", "w = x.clone()\nw.fill_(3.0)\nout = w"),
    ("clamp_", "w = x.clone()\nw.clamp_(-1.0, 1.0)\nout = w"),
    ("copy_", "w = torch.zeros(3, 4)\nw.copy_(x)\nout = w"),
    ("exp_", "w = x.clone()\nw.exp_()\nout = w"),
    ("masked_fill_", "w = x.clone()\nw.masked_fill_(mask, 0.0)\nout = w"),
    ("__setitem__", "w = torch.zeros(3, 4)\nw[:, 1] = 5.0\nw[mask] = -1.0\nw[0] = u\nout = w"),
    ("__iadd__", "w = x.clone()\nw += 1\nw[range(3), labels] -= 1\nout = w"),
    ("__itruediv__", "w = x.abs() + 1\nw /= w.sum(1, keepdim=True)\nout = w"),
    ("__getitem__", "out = (x[1], x[:, 2], x[[2, 0, 1], [0, 1, 3]], x[mask], x[range(3), labels], x[[0, 2]], v[-1])"),
    ("__format__", "out = f'{x.sum():.4f}'"),
    (
        "__repr__",
        "w = v.clone().requires_grad_()\nout = (repr(v), repr(w), repr(ints), repr(torch.tensor([1.5, 2.0], dtype=torch.float64)), repr(mask[0]), repr(x.sum()))",
    ),
]:
    add(
        f"Tensor.{name}",
        [M, D, P, FA, MI]
        if name in ("backward", "grad", "requires_grad", "__setitem__", "__iadd__", "__getitem__", "__format__")
        else [M, P, T],
        case,
    )
add("Tensor.size", [P, T], waits_for="i22-function")
add("Tensor.data", [MI, M, P], "w = v.clone().requires_grad_()\nout = w.data.tolist()")
add("Tensor.uniform_", [T])
add("Tensor.normal_", [T])
# ---- F
for name, expr in [
    ("softmax", "F.softmax(x, dim=1)"),
    ("log_softmax", "F.log_softmax(x, dim=1)"),
    ("cross_entropy", "F.cross_entropy(x, labels)"),
    ("one_hot", "F.one_hot(labels, num_classes=4)"),
    ("relu", "F.relu(x)"),
    ("tanh", "F.tanh(x)"),
    ("sigmoid", "F.sigmoid(x)"),
    ("mse_loss", "F.mse_loss(x, x * 0.5)"),
    ("nll_loss", "F.nll_loss(F.log_softmax(x, 1), labels)"),
    ("binary_cross_entropy", "F.binary_cross_entropy(x.sigmoid(), (x > 0).float())"),
    ("binary_cross_entropy_with_logits", "F.binary_cross_entropy_with_logits(x, (x > 0).float())"),
    ("linear", "F.linear(x, x[:2], v[:2])"),
    ("dropout", "F.dropout(x, p=0.0)"),
    ("leaky_relu", "F.leaky_relu(x, 0.1)"),
    ("gelu", "F.gelu(x)"),
    ("embedding", "F.embedding(labels, x.t())"),
    ("pad", "F.pad(v, (1, 2))"),
    ("normalize", "F.normalize(x, dim=1)"),
    ("cosine_similarity", "F.cosine_similarity(x, x.flip(0))"),
    ("layer_norm", "F.layer_norm(x, (4,))"),
    ("max_pool2d", "F.max_pool2d(x.reshape(1, 1, 3, 4), 2)"),
    ("conv2d", "F.conv2d(x.reshape(1, 1, 3, 4), torch.ones(1, 1, 2, 2))"),
    ("softplus", "F.softplus(x)"),
    ("l1_loss", "F.l1_loss(x, x.flip(0))"),
    ("silu", "F.silu(x)"),
]:
    add(
        f"F.{name}",
        [M, D, P] if name in ("softmax", "cross_entropy", "one_hot", "relu", "mse_loss") else [P, D],
        f"out = {expr}",
    )
add(
    "Tensor.type",
    [D],
    "out = (ints.type(torch.float32), x.type(), (x.argmax(1).type(labels.dtype) == labels).type(labels.dtype).sum())",
)
add("Tensor.scatter_", [P, T], "out = torch.zeros(3, 4).scatter_(1, labels.unsqueeze(1), 1.0)")
add("Tensor.select", [T], "out = x.select(1, 2)")
add("Tensor.nonzero", [T], "out = (x > 1).nonzero()")
add("Tensor.is_floating_point", [T], "out = (x.is_floating_point(), ints.is_floating_point())")
add("torch.pi", [P], "out = torch.linspace(-torch.pi, torch.pi, 5)")
add(
    "torch.set_grad_enabled",
    [P],
    "w = v.clone().requires_grad_()\nwith torch.set_grad_enabled(False):\n    y = w * 2\nout = (y.requires_grad, torch.is_grad_enabled())",
)
add(
    "torch.inference_mode",
    [P],
    "w = v.clone().requires_grad_()\nwith torch.inference_mode():\n    y = w * 2\nout = y.requires_grad",
)
add("torch.nonzero", [T], "out = (torch.nonzero(mask), torch.where(mask))")
add("torch.masked_select", [T], "out = torch.masked_select(x, mask)")
add("torch.rsqrt", [P], "out = torch.rsqrt(v)")
add("torch.is_tensor", [T], "out = (torch.is_tensor(x), torch.is_tensor(3.0))")
add("torch.as_tensor", [T], "out = torch.as_tensor([1.5, 2.0])")
add("torch.cuda.is_available", [P, T], "out = torch.cuda.is_available()")
add("torch.device", [P, T])
add("torch.nn.Parameter", [P], waits_for="i22-function")
# ---- met by the course-style programs (tests/course_programs; issue 21's acceptance)
add(
    "torch.set_printoptions",
    [FA],
    "torch.set_printoptions(precision=2, linewidth=140, sci_mode=False)\nout = repr(x * 1000)\n"
    'torch.set_printoptions(profile="default")',
)
add("Tensor.stride", [FA], "out = (x.stride(), x.t().stride(), v.expand(3, 4).stride())")
add("Tensor.clamp_min", [FA], "out = x.clamp_min(0.0)")
add("torch.clamp_min", [FA], "out = torch.clamp_min(x, 0.0)")
add("Tensor.clamp_max", [FA], "out = x.clamp_max(0.5)")
add("torch.mv", [D], "out = torch.mv(x, v)")
add("Tensor.lerp_", [FA], "out = u.clone().lerp_(v, 0.1)")
add("torch.lerp", [FA], "out = torch.lerp(u, v, 0.25)")
add("Tensor.index_add_", [T], "out = torch.zeros(3, 4).index_add_(0, torch.tensor([2, 0, 2]), x)")
add("Tensor.where", [T], "out = x.where(mask, 0.0)")
add("torch.get_default_dtype", [P], "out = torch.get_default_dtype() == torch.float32")
add("torch.finfo", [T], "out = torch.finfo(torch.float32).eps")
O = [
    {
        "name": "torch.Tensor(int data)",
        "reason": "torch.Tensor(data) always makes float32 (it is torch.FloatTensor); tinygrad_sm.Tensor is the class whose constructor infers dtypes as torch.tensor does (ints stay int64, which labels need); torch.Tensor([2.0]) with floats agrees. Write tg.tensor(data, dtype=tg.float32)",
    },
    {
        "name": "Tensor.storage",
        "reason": "NumPy arrays have no PyTorch-style storage objects; taught only in internals lectures",
    },
]
doc = {
    "about": "torch functions, Tensor methods and torch.nn.functional names that teaching code uses, collected with the search tool from several public courses and tutorials (sources below). tests/test_teaching_names.py checks that each exists and, where a case is given, gives PyTorch's value (pinned by scripts/pin_torch_teaching.py into tests/data/torch_teaching.json). waits_for names the branch that adds a name another issue owns.",
    "sources": S,
    "prelude": PRE,
    "names": N,
    "omissions": O,
}
OUT.write_text(json.dumps(doc, indent=1))
print(len(N), len(O))
