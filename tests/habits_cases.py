"""PyTorch code for the habits and the fixed wrong answers of issue 21, shared by scripts/pin_torch_habits.py
(which runs it with torch and pins the results into tests/data/torch_habits.json) and tests/test_pytorch_habits.py
(which runs the same text with ``torch`` bound to tinygrad_sm). Each case sets ``out``; a case that raises is
pinned as the exception's type."""

PRELUDE = """x = torch.tensor([[0.5, -1.25, 2.0, 0.25], [3.0, 0.0, -0.75, 1.5], [-2.0, 1.0, 0.5, -0.5]])
v = torch.tensor([1.0, 2.0, 3.0, 4.0])
u = torch.tensor([0.5, -1.0, 2.0, 1.5])
labels = torch.tensor([3, 0, 1])
ints = torch.tensor([1, 2, 3])
"""

CASES = {
    # ------------------------------------------------------------ wrong answers fixed
    "std_of_a_constant_row_has_gradient_0": "w = torch.tensor([[1.0, 1.0, 1.0], [1.0, 2.0, 4.0]], requires_grad=True)\n"
    "w.std(1).sum().backward()\nout = w.grad",
    "std_of_a_constant_tensor_has_gradient_0": "w = torch.full((4,), 2.0, requires_grad=True)\nw.std().backward()\nout = w.grad",
    "var_of_a_constant_row_has_gradient_0": "w = torch.tensor([[3.0, 3.0], [1.0, 2.0]], requires_grad=True)\n"
    "w.var(dim=1).sum().backward()\nout = w.grad",
    "std_mean_constant_row": "w = torch.tensor([[2.0, 2.0, 2.0]], requires_grad=True)\ns, m = torch.std_mean(w, 1)\n"
    "(s + m).sum().backward()\nout = (s, m, w.grad)",
    "float_ops_of_integers_are_float32": "out = (ints.exp(), ints.log(), ints.sqrt(), ints.sin(), ints.cos(), ints.tanh(), "
    "ints.sigmoid(), torch.exp(ints), torch.sqrt(ints), ints.log1p(), ints.expm1(), ints.log2(), ints.log10(), ints.erf(), "
    "ints.reciprocal(), ints / 2, ints.float().mean(), torch.softmax(ints.float(), 0))",
    "float_ops_of_bools_are_float32": "b = torch.tensor([True, False])\nout = (b.exp(), b.sqrt(), torch.log(b))",
    "mean_of_integers_raises": "out = ints.mean()",
    "logsumexp_over_several_dims": "y = torch.arange(24.0).reshape(2, 3, 4) / 7\nw = y.clone().requires_grad_()\n"
    "r = torch.logsumexp(w, dim=(0, 2))\n(r * torch.tensor([1.0, 2.0, 3.0])).sum().backward()\n"
    "out = (r, torch.logsumexp(y, (0, 2), keepdim=True), y.logsumexp(dim=(0, 1, 2)), w.grad)",
    "expand_with_minus_one": "out = (torch.tensor([[1.0], [2.0]]).expand(-1, 3), v.view(1, 4).expand(2, -1), "
    "v.view(1, 4).expand(3, 2, -1).shape)",
    "expand_minus_one_for_a_new_dim_raises": "out = v.expand(-1, 4)",
    "logaddexp_function_and_gradient": "w = x.clone().requires_grad_()\nr = torch.logaddexp(w, u)\nr.sum().backward()\n"
    "out = (r, w.grad, F.logsigmoid(x) if hasattr(F, 'logsigmoid') else 0)",
    "matmul_of_float32_with_float64_raises": "out = torch.ones(2, 3) @ torch.ones(3, 2, dtype=torch.float64)",
    "matmul_of_int_with_float_raises": "out = torch.matmul(torch.ones(2, 2, dtype=torch.int64), torch.ones(2, 2))",
    "elementwise_float32_with_float64_promotes": "out = (torch.ones(2) + torch.ones(2, dtype=torch.float64), "
    "torch.ones(2) * torch.tensor(2.0, dtype=torch.float64), ints + 0.5, ints * torch.ones(3))",
    # ------------------------------------------------------------ return types
    "max_positional_dim_gives_indices": "scores = torch.tensor([[1.0, 3.0], [4.0, 2.0]])\n_, pred = scores.max(1)\n"
    "values, indices = torch.max(scores, 0)\nout = (pred, values, indices, scores.max(1).indices)",
    "max_and_min_tuples": "out = (x.max(1, True), x.min(0), x.max(dim=-1, keepdim=False), torch.min(x, 1).values, x.max(), x.max(u))",
    "argmax_is_an_int64_tensor": "out = (x.argmax(1), x.argmin(), torch.argmax(x, dim=0, keepdim=True))",
    "order_tuples": "out = (x.sort(1), x.sort(0, descending=True), x.topk(2), x.topk(1, dim=0, largest=False), "
    "x.kthvalue(2, 1), torch.median(x, 0), x.median(), torch.mode(torch.tensor([[1, 2, 2, 3], [4, 4, 1, 1]]), 1), "
    "x.aminmax(), torch.aminmax(x, dim=1), torch.var_mean(x, 1), torch.std_mean(x, (0, 1)))",
    "order_gradients": "w = x.clone().requires_grad_()\n(w.sort(1).values * v).sum().backward()\ng1 = w.grad.clone()\n"
    "w.grad = None\n(w.median(1).values.sum() + w.kthvalue(3, 1).values.sum() + w.topk(2).values.sum()).backward()\n"
    "out = (g1, w.grad)",
    # ------------------------------------------------------------ in place, as PyTorch records it
    "indexed_write_on_a_non_leaf": "w = x.clone().requires_grad_()\nh = w * 2\nh[0, 1] -= 1\nh[h > 3] = 0\n"
    "(h * h).sum().backward()\nout = (h, w.grad, h.is_leaf)",
    "write_a_value_that_requires_grad": "w = u.clone().requires_grad_()\nL = torch.zeros(2, 4)\nL[1] = w * 3\n"
    "(L * L).sum().backward()\nout = (L, w.grad, L.requires_grad, L.is_leaf)",
    "softmax_output_minus_one_at_the_labels": "logits = x.clone().requires_grad_()\ndlogits = F.softmax(logits, 1)\n"
    "dlogits[range(3), labels] -= 1\ndlogits /= 3\nout = dlogits",
    "divide_by_the_row_sums_in_place": "w = x.clone().requires_grad_()\nh = w * 2 + 1\nh /= h.sum(1, keepdim=True)\n"
    "(h * v).sum().backward()\nout = (h, w.grad)",
    "accumulate_into_a_zeros_tensor": "w = x.clone().requires_grad_()\ndemb = w * 2\ndC = torch.zeros(5, 4)\n"
    "idx = torch.tensor([[1, 3], [1, 0], [4, 4]])\nfor k in range(3):\n    for j in range(2):\n        ix = idx[k, j]\n"
    "        dC[ix] += demb[k] * (j + 1)\n(dC * dC).sum().backward()\nout = (dC, dC.is_leaf, dC.requires_grad, w.grad)",
    "write_through_a_view": "w = x.clone().requires_grad_()\nh = w * 1\nrow = h[0]\nrow += u\nrow *= 2\n"
    "(h * h).sum().backward()\nout = (h, row, w.grad)",
    "in_place_on_a_leaf_that_requires_grad_raises": "w = v.clone().requires_grad_()\nw += 1\nout = w",
    "indexed_write_on_a_leaf_that_requires_grad_raises": "w = v.clone().requires_grad_()\nw[0] = 5.0\nout = w",
    "updates_under_no_grad": "w = v.clone().requires_grad_()\n(w * w).sum().backward()\nwith torch.no_grad():\n"
    "    w -= 0.1 * w.grad\n    w[0] = 7.0\nw.grad.zero_()\nout = (w, w.grad, w.requires_grad, w.is_leaf)",
    "overwriting_a_saved_value_refuses_backward": "w = v.clone().requires_grad_()\nh = w.exp()\ns = h.sum()\n"
    "with torch.no_grad():\n    h.mul_(2)\ns.backward()\nout = w.grad",
    "overwriting_an_unsaved_value_is_fine": "w = v.clone().requires_grad_()\nh = w + 1\ns = h.sum()\n"
    "with torch.no_grad():\n    h.mul_(2)\ns.backward()\nout = (w.grad, h)",
    "in_place_methods": "w = x.clone()\nw.add_(u, alpha=-0.5).mul_(2).sub_(1.0).div_(2.0).pow_(2).clamp_(max=3.0)\n"
    "z = x.clone().exp_().log_()\nt = torch.zeros(2, 3).fill_(1.5)\nt.zero_()\nm = x.clone().masked_fill_(x > 0, 9.0)\n"
    "out = (w, z, t, m, x.clone().abs_().sqrt_(), x.clone().tanh_(), x.clone().sigmoid_(), x.clone().relu_(), x.clone().neg_())",
    # ------------------------------------------------------------ printing
    "repr_as_pytorch": "out = (repr(torch.tensor([1e-5, 1.0])), repr(torch.tensor([100000.0, 1.0])), repr(torch.tensor([[1, 2], [3, 40]])), "
    "repr(torch.tensor(3.5)), repr(torch.tensor([float('nan'), 1.5, float('inf')])), repr(torch.zeros(2, 0)), "
    "repr(torch.tensor([], dtype=torch.float64)), repr(torch.tensor([2.0, 3.0]) * 1e9), repr(torch.tensor([0.1, 0.25])), "
    "repr(torch.arange(2000)), repr(torch.ones(3, 1, dtype=torch.int32)), repr(torch.tensor(True)), "
    "repr(torch.tensor([[0.5, -1.0], [1.0, 2.0]], requires_grad=True)), repr(x.sum(1)), repr(torch.ones(40) / 3))",
    "format_a_0d_tensor": "out = (f'{x.sum():.4f}', f'{x.max():.2e}', '{:>8.3f}'.format(v.mean()), f'{ints.sum():d}')",
    "format_with_a_spec_on_a_vector_raises": "out = f'{v:.4f}'",
    "numel_dim_mT": "out = (x.numel(), x.nelement(), x.dim(), torch.numel(x), x.reshape(2, 3, 2).mT.shape, x.T.shape, x.tolist())",
    "repr_summarised_matrices": "out = (repr(torch.arange(10000).reshape(100, 100)), repr(torch.ones(50, 30) / 7), "
    "repr(torch.arange(12.0).reshape(2, 3, 2) * 1e-6), repr(torch.tensor([-1.5, 200.25, 3.0], dtype=torch.float64, "
    "requires_grad=True) * 2), repr(torch.tensor([[True, False], [False, False]])), repr(torch.tensor([-3, 12, 0])))",
    "counting_dtypes": "w = torch.tensor([0.5, 1.0, 2.0, 0.25])\nidx = torch.tensor([0, 2, 2, 5])\n"
    "out = (torch.bincount(idx, weights=w), torch.bincount(idx, minlength=8), torch.unique(torch.tensor([[1, 2], [1, 2], [0, 5]]), dim=0), "
    "torch.unique(torch.tensor([4, 1, 4, 2]), return_inverse=True), torch.histc(torch.tensor([0.0, 1.0, 1.0, 2.0, 5.0]), bins=5, min=0, max=5))",
    "reductions_spellings": "out = (x.std(dim=(0, 1)), x.var(1, correction=0), x.sum((0, 1)), torch.mean(x, dim=1, keepdim=True), "
    "x.max(dim=1, keepdim=True).values, torch.argmax(x, 1, keepdim=True), x.prod(1), x.cumsum(dim=0), x.amax((0, 1)), x.amin(1))",
    "in_place_chain_on_a_computed_tensor": "w = x.clone().requires_grad_()\nh = w.tanh()\nh = h * 1\nh += 1\nh *= h\n"
    "h[1:, :2] = h[1:, :2] * 3\nh.sum().backward()\nout = (h, w.grad)",
    "bool_and_int_reductions": "out = (mask.sum(), mask.sum(1), ints.sum(), ints.prod(), ints.cumsum(0), mask.any(), mask.all(1), "
    "(x > 0).float().mean(), torch.tensor([1, 2], dtype=torch.int32).sum())",
    "return_types_print_as_pytorch": "out = (repr(x.max(1)), repr(torch.min(x, 0)), repr(u.sort()), repr(x.topk(1)), "
    "repr(x.kthvalue(2, 1)), repr(x.median(1)), repr(torch.mode(ints)), repr(x.aminmax()), type(x.max(1)).__name__)",
}
