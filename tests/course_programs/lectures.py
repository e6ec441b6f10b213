"""Other courses' idioms: a scalar-autograd lecture checking its engine against torch, a from-scratch training
loop (matmul by loops and einsum, hand-written gradients stored on the tensors, log-softmax and nll written out),
the d2l preliminaries and scratch models, and the CS231n-style PyTorch warm-up (bare weights, then modules)."""

from __future__ import annotations

import math
import random
from typing import Any


def scalar_autograd(torch, F, nn, plt) -> dict[str, Any]:
    x1 = torch.Tensor([2.0]).double()
    x1.requires_grad = True
    x2 = torch.Tensor([0.0]).double()
    x2.requires_grad = True
    w1 = torch.Tensor([-3.0]).double()
    w1.requires_grad = True
    w2 = torch.Tensor([1.0]).double()
    w2.requires_grad = True
    b = torch.Tensor([6.8813735870195432]).double()
    b.requires_grad = True
    n = x1 * w1 + x2 * w2 + b
    o = torch.tanh(n)
    print(o.data.item())
    o.backward()
    grads = {"x2": x2.grad.item(), "w2": w2.grad.item(), "x1": x1.grad.item(), "w1": w1.grad.item()}

    x = torch.Tensor([-4.0]).double()
    x.requires_grad = True
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()

    a = torch.Tensor([-4.0]).double()
    bb = torch.Tensor([2.0]).double()
    a.requires_grad = True
    bb.requires_grad = True
    c = a + bb
    d = a * bb + bb**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (bb + a).relu()
    d = d + 3 * d + (bb - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g = g + 10.0 / f
    g.backward()
    t = torch.Tensor([[1, 2, 3], [4, 5, 6]])
    return {
        "exact_o": o.data.item(),
        "exact_dtype": [str(x1.dtype), str(t.dtype), str(torch.Tensor([2.0]).dtype)],
        "exact_shape": list(t.shape),
        "grads": grads,
        "y": [y.data.item(), x.grad.item()],
        "g": [g.data.item(), a.grad.item(), bb.grad.item()],
        "leaf": [x1.is_leaf, n.is_leaf, o.requires_grad],
    }


def from_scratch(torch, F, nn, plt) -> dict[str, Any]:
    tensor = torch.tensor
    torch.manual_seed(42)
    g = torch.Generator().manual_seed(1)
    n, m, nh, c = 64, 20, 16, 5
    x_train = torch.randn(n, m, generator=g)
    y_train = torch.randint(0, c, (n,), generator=g)
    x_valid = torch.randn(16, m, generator=g)

    a = x_train[:5]
    bmat = torch.randn(m, 3, generator=g)
    ar, ac = a.shape
    br, bc = bmat.shape
    loops = torch.zeros(ar, bc)
    for i in range(ar):
        for j in range(bc):
            for k in range(ac):
                loops[i, j] += a[i, k] * bmat[k, j]
    rows = torch.zeros(ar, bc)
    for i in range(ar):
        rows[i] = (a[i, :, None] * bmat).sum(dim=0)
    by_einsum = torch.einsum("ik,kj->ij", a, bmat)
    close = [torch.allclose(loops, a @ bmat, rtol=1e-3, atol=1e-5), torch.allclose(rows, by_einsum, 1e-3, 1e-5)]
    col = tensor([10.0, 20, 30])
    mat = tensor([[1.0, 2, 3], [4, 5, 6], [7, 8, 9]])
    broadcast = [mat + col, col[:, None], col.unsqueeze(1).shape, col.expand_as(mat), col[None].shape]

    def lin(x, w, b):
        return x @ w + b

    def relu(x):
        return x.clamp_min(0.0)

    w1 = torch.randn(m, nh, generator=g) / math.sqrt(m)
    b1 = torch.zeros(nh)
    w2 = torch.randn(nh, 1, generator=g) / math.sqrt(nh)
    b2 = torch.zeros(1)
    y_float = y_train.float()

    def mse(output, targ):
        return (output[:, 0] - targ).pow(2).mean()

    def lin_grad(inp, out, w, b):
        inp.g = out.g @ w.t()
        w.g = (inp.unsqueeze(-1) * out.g.unsqueeze(1)).sum(0)
        b.g = out.g.sum(0)

    def forward_and_backward(inp, targ):
        l1 = lin(inp, w1, b1)
        l2 = relu(l1)
        out = lin(l2, w2, b2)
        diff = out[:, 0] - targ
        loss = diff.pow(2).mean()
        out.g = 2.0 * diff[:, None] / inp.shape[0]
        lin_grad(l2, out, w2, b2)
        l1.g = (l1 > 0).float() * l2.g
        lin_grad(inp, l1, w1, b1)
        return loss

    loss = forward_and_backward(x_train, y_float)
    hand = [w1.g, b1.g, w2.g, b2.g, x_train.g]
    ptgrads = [w1.clone().requires_grad_(True), b1.clone().requires_grad_(True), w2.clone().requires_grad_(True),
               b2.clone().requires_grad_(True), x_train.clone().requires_grad_(True)]  # fmt: skip
    w1_, b1_, w2_, b2_, xt_ = ptgrads
    loss_ = mse(lin(relu(lin(xt_, w1_, b1_)), w2_, b2_), y_float)
    loss_.backward()
    agree = [torch.allclose(h_, p.grad, rtol=1e-4, atol=1e-6) for h_, p in zip(hand, ptgrads)]

    def log_softmax(x):
        return x - x.exp().sum(-1, keepdim=True).log()

    def logsumexp(x):
        mx = x.max(-1)[0]
        return mx + (x - mx[:, None]).exp().sum(-1).log()

    def nll(inp, target):
        return -inp[range(target.shape[0]), target].mean()

    class Model(nn.Module):
        def __init__(self, n_in, nh, n_out):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(n_in, nh), nn.ReLU(), nn.Linear(nh, n_out)])

        def __call__(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    model = Model(m, nh, c)
    pred = model(x_train)
    sm = log_softmax(pred)
    checks = [
        torch.allclose(logsumexp(pred), pred.logsumexp(-1), atol=1e-6),
        torch.allclose(nll(sm, y_train), F.nll_loss(F.log_softmax(pred, -1), y_train), atol=1e-6),
        torch.allclose(F.cross_entropy(pred, y_train), nll(sm, y_train), atol=1e-6),
    ]

    def accuracy(out, yb):
        return (out.argmax(dim=1) == yb).float().mean()

    loss_func = F.cross_entropy
    lr, bs = 0.5, 16
    history = []
    for epoch in range(3):
        for i in range(0, n, bs):
            s = slice(i, min(n, i + bs))
            xb, yb = x_train[s], y_train[s]
            preds = model(xb)
            loss = loss_func(preds, yb)
            loss.backward()
            with torch.no_grad():
                for layer in model.layers:
                    if hasattr(layer, "weight"):
                        layer.weight -= layer.weight.grad * lr
                        layer.bias -= layer.bias.grad * lr
                        layer.weight.grad.zero_()
                        layer.bias.grad.zero_()
        history.append([loss.item(), accuracy(preds, yb).item()])
    model2 = nn.Sequential(nn.Linear(m, nh), nn.ReLU(), nn.Linear(nh, c))
    for i in range(0, n, bs):
        xb, yb = x_train[i : i + bs], y_train[i : i + bs]
        loss = loss_func(model2(xb), yb)
        loss.backward()
        with torch.no_grad():
            for p in model2.parameters():
                p -= p.grad * lr
            model2.zero_grad()
    names = [name for name, _ in model2.named_parameters()]
    return {
        "exact_data": [x_train, y_train],
        "close": close,
        "loops": loops,
        "broadcast": broadcast,
        "loss": loss.item(),
        "hand": hand,
        "agree": agree,
        "checks": checks,
        "history_accuracy_steps": [h[1] * bs for h in history],
        "exact_names": names,
        "valid_shape": list(model2(x_valid).shape),
    }


def d2l_preliminaries(torch, F, nn, plt) -> dict[str, Any]:
    x = torch.arange(12, dtype=torch.float32)
    X = x.reshape(3, 4)
    shape_info = [x.numel(), list(x.shape), list(X.shape)]
    zeros = torch.zeros((2, 3, 4))
    Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
    elementwise = [X + Y, X - Y, X * Y, X / Y, X**Y, torch.exp(x)]
    cats = [torch.cat((X, Y), dim=0), torch.cat((X, Y), dim=1), X == Y, X.sum()]
    a = torch.arange(3).reshape((3, 1))
    b = torch.arange(2).reshape((1, 2))
    X[1, 2] = 17
    X[:2, :] = 12
    Z = torch.zeros_like(Y)
    before = id(Z)
    Z[:] = X + Y
    kept = id(Z) == before
    before = id(X)
    X += Y
    kept_inplace = id(X) == before
    A = X.numpy()
    B = torch.from_numpy(A)
    s = torch.tensor([3.5])
    scalars = [s.item(), float(s), int(s)]
    M = torch.arange(20, dtype=torch.float32).reshape(5, 4)
    algebra = [M.T, M.sum(axis=0), M.sum(axis=[0, 1]), M.mean(), M.mean(axis=0), M.cumsum(axis=0),
               M.sum(axis=1, keepdims=True), M / M.sum(axis=1, keepdims=True)]  # fmt: skip
    u = torch.tensor([3.0, -4.0])
    y4 = torch.ones(4, dtype=torch.float32)
    x4 = torch.arange(4, dtype=torch.float32)
    products = [torch.dot(x4, y4), torch.sum(x4 * y4), torch.mv(M, x4), torch.mm(M, torch.ones(4, 3)),
                torch.norm(u), torch.abs(u).sum(), torch.norm(torch.ones((4, 9)))]  # fmt: skip

    x = torch.arange(4.0)
    x.requires_grad_(True)
    y = 2 * torch.dot(x, x)
    y.backward()
    g1 = [x.grad.clone(), (x.grad == 4 * x).all()]
    x.grad.zero_()
    y = x.sum()
    y.backward()
    g2 = x.grad.clone()
    x.grad.zero_()
    y = x * x
    y.backward(gradient=torch.ones(len(y)))
    g3 = x.grad.clone()
    x.grad.zero_()
    y = x * x
    u_ = y.detach()
    z = u_ * x
    z.sum().backward()
    g4 = (x.grad == u_).all()

    def f(a):
        b = a * 2
        while b.norm() < 1000:
            b = b * 2
        if b.sum() > 0:
            c = b
        else:
            c = 100 * b
        return c

    torch.manual_seed(0)
    a = torch.randn(size=(), requires_grad=True)
    d = f(a)
    d.backward()
    control = (a.grad == d / a).item()
    return {
        "shape_info": shape_info,
        "zeros": zeros.shape,
        "elementwise": elementwise,
        "cats": cats,
        "broadcast": a + b,
        "X": X,
        "kept": [kept, kept_inplace],
        "numpy": [type(A).__name__, B, str(B.dtype)],
        "scalars": scalars,
        "algebra": algebra,
        "products": products,
        "grads": [g1, g2, g3, g4.item(), control],
    }


def d2l_scratch_models(torch, F, nn, plt) -> dict[str, Any]:
    torch.manual_seed(0)
    random.seed(0)

    def synthetic_data(w, b, num_examples):
        X = torch.normal(0, 1, (num_examples, len(w)))
        y = torch.matmul(X, w) + b
        y += torch.normal(0, 0.01, y.shape)
        return X, y.reshape((-1, 1))

    true_w = torch.tensor([2, -3.4])
    true_b = 4.2
    features, labels = synthetic_data(true_w, true_b, 200)
    plt.scatter(features[:, 1].detach().numpy(), labels.detach().numpy(), 1)

    def data_iter(batch_size, features, labels):
        num_examples = len(features)
        indices = list(range(num_examples))
        random.shuffle(indices)
        for i in range(0, num_examples, batch_size):
            batch_indices = torch.tensor(indices[i : min(i + batch_size, num_examples)])
            yield features[batch_indices], labels[batch_indices]

    w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)

    def linreg(X, w, b):
        return torch.matmul(X, w) + b

    def squared_loss(y_hat, y):
        return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

    def sgd(params, lr, batch_size):
        with torch.no_grad():
            for param in params:
                param -= lr * param.grad / batch_size
                param.grad.zero_()

    lr, num_epochs, batch_size = 0.03, 3, 10
    log = []
    for epoch in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels):
            loss = squared_loss(linreg(X, w, b), y)
            loss.sum().backward()
            sgd([w, b], lr, batch_size)
        with torch.no_grad():
            train_l = squared_loss(linreg(features, w, b), labels)
            print(f"epoch {epoch + 1}, loss {float(train_l.mean()):f}")
            log.append(float(train_l.mean()))
    errors = [true_w - w.reshape(true_w.shape), true_b - b]

    def softmax(X):
        X_exp = torch.exp(X)
        partition = X_exp.sum(1, keepdim=True)
        return X_exp / partition

    X = torch.normal(0, 1, (2, 5))
    X_prob = softmax(X)
    y = torch.tensor([0, 2])
    y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    picked = y_hat[[0, 1], y]

    def cross_entropy(y_hat, y):
        return -torch.log(y_hat[range(len(y_hat)), y])

    def accuracy(y_hat, y):
        if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
            y_hat = y_hat.argmax(axis=1)
        cmp = y_hat.type(y.dtype) == y
        return float(cmp.type(y.dtype).sum())

    num_inputs, num_outputs, num_hiddens = 8, 3, 16
    W = torch.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True)
    bw = torch.zeros(num_outputs, requires_grad=True)
    Xs = torch.normal(0, 1, (12, num_inputs))
    ys = torch.randint(0, num_outputs, (12,))
    out = softmax(torch.matmul(Xs.reshape((-1, W.shape[0])), W) + bw)
    ce = cross_entropy(out, ys).mean()
    ce.backward()

    def relu(X):
        a = torch.zeros_like(X)
        return torch.max(X, a)

    W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens, requires_grad=True) * 0.01)
    b1 = nn.Parameter(torch.zeros(num_hiddens, requires_grad=True))
    W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs, requires_grad=True) * 0.01)
    b2 = nn.Parameter(torch.zeros(num_outputs, requires_grad=True))
    H = relu(Xs @ W1 + b1)
    mlp_out = H @ W2 + b2
    mlp_loss = F.cross_entropy(mlp_out, ys)
    mlp_loss.backward()

    def dropout_layer(X, dropout):
        assert 0 <= dropout <= 1
        if dropout == 1:
            return torch.zeros_like(X)
        mask = (torch.rand(X.shape) > dropout).float()
        return mask * X / (1.0 - dropout)

    Xd = torch.arange(16, dtype=torch.float32).reshape((2, 8))
    drops = [dropout_layer(Xd, 0.0), dropout_layer(Xd, 1.0), dropout_layer(Xd, 0.5)]
    penalty = [torch.sum(W1.pow(2)) / 2, torch.norm(W1).item()]
    return {
        "exact_features": [features, labels],
        "log": log,
        "errors": errors,
        "X_prob": [X_prob, X_prob.sum(1)],
        "picked": picked,
        "ce": [cross_entropy(y_hat, y), accuracy(y_hat, y) / len(y)],
        "softmax_grads": [W.grad, bw.grad],
        "mlp": [mlp_loss, W1.grad, b2.grad, isinstance(W1, torch.Tensor)],
        "drops": drops,
        "penalty": penalty,
        "plots": plt.calls,
    }


def cs231n_warmup(torch, F, nn, plt) -> dict[str, Any]:
    USE_GPU = True
    dtype = torch.float32
    if USE_GPU and torch.cuda.is_available():
        device = torch.device("cuda")
    else:
        device = torch.device("cpu")
    torch.manual_seed(0)

    def flatten(x):
        N = x.shape[0]
        return x.view(N, -1)

    x = torch.arange(12).view(2, 1, 3, 2)
    flat = flatten(x)

    def random_weight(shape):
        if len(shape) == 2:
            fan_in = shape[0]
        else:
            fan_in = math.prod(shape[1:])
        w = torch.randn(shape, device=device, dtype=dtype) * math.sqrt(2.0 / fan_in)
        w.requires_grad = True
        return w

    def zero_weight(shape):
        return torch.zeros(shape, device=device, dtype=dtype, requires_grad=True)

    def two_layer_fc(x, params):
        x = flatten(x)
        w1, w2 = params
        x = F.relu(x.mm(w1))
        x = x.mm(w2)
        return x

    hidden_layer_size = 42
    xs = torch.randn(64, 50, dtype=dtype)
    w1 = random_weight((50, hidden_layer_size))
    w2 = random_weight((hidden_layer_size, 10))
    scores_shape = list(two_layer_fc(xs, [w1, w2]).size())

    conv_w1 = random_weight((6, 3, 5, 5))
    conv_b1 = zero_weight((6,))
    images = torch.randn(4, 3, 8, 8, dtype=dtype)
    conv = F.conv2d(images, conv_w1, conv_b1, padding=2)

    ys = torch.randint(0, 10, (64,))
    learning_rate = 1e-2
    losses = []
    for t in range(5):
        x = xs.to(device=device, dtype=dtype)
        y = ys.to(device=device, dtype=torch.long)
        scores = two_layer_fc(x, [w1, w2])
        loss = F.cross_entropy(scores, y)
        loss.backward()
        with torch.no_grad():
            for w in [w1, w2]:
                w -= learning_rate * w.grad
                w.grad.zero_()
        losses.append(loss.item())

    num_correct = 0
    num_samples = 0
    with torch.no_grad():
        scores = two_layer_fc(xs, [w1, w2])
        _, preds = scores.max(1)
        num_correct += (preds == ys).sum()
        num_samples += preds.size(0)
    acc = float(num_correct) / num_samples

    class TwoLayerFC(nn.Module):
        def __init__(self, input_size, hidden_size, num_classes):
            super().__init__()
            self.fc1 = nn.Linear(input_size, hidden_size)
            nn.init.kaiming_normal_(self.fc1.weight)
            self.fc2 = nn.Linear(hidden_size, num_classes)
            nn.init.kaiming_normal_(self.fc2.weight)

        def forward(self, x):
            x = flatten(x)
            scores = self.fc2(F.relu(self.fc1(x)))
            return scores

    model = TwoLayerFC(50, hidden_layer_size, 10)
    model = model.to(device=device)
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate, momentum=0.9, nesterov=True)
    model_losses = []
    for t in range(5):
        model.train()
        scores = model(xs)
        loss = F.cross_entropy(scores, ys)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        model_losses.append(loss.item())
    model.eval()
    seq = nn.Sequential(nn.Flatten(), nn.Linear(50, 10))
    return {
        "exact_flat": flat,
        "exact_device": str(device),
        "scores_shape": scores_shape,
        "conv": [list(conv.shape), str(conv.dtype)],
        "losses": losses,
        "accuracy": acc,
        "model_losses": model_losses,
        "seq": list(seq(xs).shape),
        "weights": [w1, w2],
    }


def printing(torch, F, nn, plt) -> dict[str, Any]:
    """What a course prints: tensors under the default options and under a notebook's first-cell
    ``set_printoptions``, strides, and the small conveniences met on the way (``x.where``, ``index_add_``)."""
    g = torch.Generator().manual_seed(2147483647)
    small = torch.randn(3, 4, generator=g)
    counts = torch.randint(0, 3000, (27, 27), generator=g, dtype=torch.int32)
    tiny = torch.tensor([1e-5, 0.5, 123.0])
    big = torch.randn(40, 40, generator=g)
    default = [repr(small), repr(counts[:3, :5]), repr(tiny), repr(big), repr(small.double()), str(small[0])]
    torch.set_printoptions(precision=2, linewidth=140, sci_mode=False)
    custom = [repr(small), repr(tiny), repr(big), repr(torch.tensor([0.001234, 5.0])), str(big[:2, :30])]
    torch.set_printoptions(precision=3)
    three = [repr(small), repr(tiny)]
    torch.set_printoptions(profile="default")
    reset = [repr(small), repr(tiny)]
    torch.set_printoptions(threshold=10, edgeitems=2)
    summarised = [repr(torch.arange(20)), repr(small)]
    torch.set_printoptions(profile="full")
    full = repr(torch.arange(1200))[-40:]
    torch.set_printoptions(profile="default")

    m = torch.tensor([[1.0, 2, 3], [4, 5, 6]])
    strides = [m.stride(), m.t().stride(), m.stride(1), m[:, 1].stride(), torch.zeros(2, 3, 4).stride()]
    strides.append(torch.tensor([1.0, 2, 3]).expand(2, 3).stride())
    picked = m.where(m > 2, -1.0)
    acc = torch.zeros(3, 2)
    acc.index_add_(0, torch.tensor([0, 2, 0]), torch.ones(3, 2))
    added = torch.zeros(2, 3).index_add(1, torch.tensor([1, 1]), torch.tensor([[1.0, 2], [3, 4]]))
    limits = [torch.finfo(torch.float32).eps, torch.finfo(torch.float32).max, torch.iinfo(torch.int64).max,
              torch.finfo(torch.float64).tiny, torch.get_default_dtype() == torch.float32]  # fmt: skip
    return {
        "default": default,
        "custom": custom,
        "three": three,
        "reset": reset,
        "summarised": summarised,
        "full": full,
        "exact_strides": [list(s) if isinstance(s, tuple) else s for s in strides],
        "picked": picked,
        "added": [acc, added],
        "limits": limits,
    }


def small_habits(torch, F, nn, plt) -> dict[str, Any]:
    """Idioms met once each in the courses, with the gradients they pass: ``clamp_min`` as a hand-written
    ReLU, ``mv``, ``index_add_`` accumulating rows, a (1, n) model output written into row i of a buffer,
    a learner's own attribute on a tensor, and a sampler that yields whole batches."""
    g = torch.Generator().manual_seed(3)
    x = torch.randn(4, 5, generator=g, requires_grad=True)
    v = torch.randn(5, generator=g, requires_grad=True)
    src = torch.randn(3, 5, generator=g, requires_grad=True)
    relu = x.clamp_min(0.0)
    capped = torch.clamp_max(x, 0.5)
    both = x.clamp_min(-0.5).clamp_max(0.5)
    prod = torch.mv(x, v)
    acc = torch.zeros(4, 5)
    acc.index_add_(0, torch.tensor([3, 0, 3]), src)
    added = x.index_add(1, torch.tensor([4, 4]), torch.ones(4, 2), alpha=2)
    rows = torch.zeros(3, 5)
    for i in range(3):
        rows[i] = (x[i] * v).unsqueeze(0)
    total = (relu * 1.5).sum() + capped.sum() + both.pow(2).sum() + prod.pow(2).sum() + (acc * acc).sum()
    total = total + added.sum() + (rows * rows).sum()
    total.backward()
    h = x.detach().clone()
    h.g = h * 2
    h.name_of_layer = "first"
    kept = [h.g, h.name_of_layer, (h.g == 2 * h).all().item()]

    class Rows:
        def __init__(self, data):
            self.data = data

        def __len__(self):
            return len(self.data)

        def __getitem__(self, i):
            return self.data[i], self.data[i].sum(-1)

    from_ds = Rows(torch.arange(12.0).reshape(6, 2))
    sampler = torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(from_ds), 4, drop_last=False)
    loader = torch.utils.data.DataLoader(from_ds, sampler=sampler)
    batches = [[xb.shape, yb.shape, xb] for xb, yb in loader]
    batches = [[list(a), list(b), c] for a, b, c in batches]
    avg = torch.zeros(5)
    for step in range(3):
        avg.lerp_(x.detach()[step], 0.1)  # a running average, as an optimiser's momentum
    mixed = torch.lerp(x.detach()[0], v.detach(), 0.25)
    distances = [torch.dist(x.detach()[0], v.detach()), x.detach()[1].dist(v.detach(), 1)]
    probs = F.softmax(x.detach(), dim=1)
    draws = probs.multinomial(3, replacement=True, generator=g)
    inplace_relu = x.detach().clone()
    F.relu(inplace_relu, inplace=True)
    return {
        "exact_draws": draws,
        "running": [avg, mixed, distances, inplace_relu],
        "values": [relu, capped, both, prod, acc, added, rows],
        "grads": [x.grad, v.grad, src.grad],
        "kept": kept,
        "batches": batches,
    }


def d2l_file_io(torch, F, nn, plt) -> dict[str, Any]:
    """d2l's file I/O: a tensor, a list and a dict of tensors saved and loaded; an MLP's parameters saved as a
    state dict and loaded into a clone, which then computes the same outputs."""
    import os
    import tempfile

    folder = tempfile.mkdtemp()
    x = torch.arange(4)
    torch.save(x, os.path.join(folder, "x-file"))
    x2 = torch.load(os.path.join(folder, "x-file"))
    y = torch.zeros(4)
    torch.save([x, y], os.path.join(folder, "x-files"))
    x2b, y2 = torch.load(os.path.join(folder, "x-files"))
    mydict = {"x": x, "y": y}
    torch.save(mydict, os.path.join(folder, "mydict"))
    mydict2 = torch.load(os.path.join(folder, "mydict"))

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(20, 256)
            self.output = nn.Linear(256, 10)

        def forward(self, x):
            return self.output(F.relu(self.hidden(x)))

    torch.manual_seed(0)
    net = MLP()
    X = torch.randn(size=(2, 20))
    Y = net(X)
    torch.save(net.state_dict(), os.path.join(folder, "mlp.params"))
    clone = MLP()
    clone.load_state_dict(torch.load(os.path.join(folder, "mlp.params")))
    clone.eval()
    Y_clone = clone(X)
    return {
        "exact_loaded": [x2, x2b, y2, mydict2],
        "same": (Y_clone == Y).all().item(),
        "Y": Y,
        "keys": sorted(net.state_dict().keys()),
    }


def d2l_lazy_layers(torch, F, nn, plt) -> dict[str, Any]:
    """d2l's models: lazy layers sized by the first batch, initialised by ``apply`` afterwards, trained."""
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(3))
    X = torch.randn(4, 2, 5)
    first = net(X)
    kinds = [type(layer).__name__ for layer in net]
    shapes = [list(p.shape) for p in net.parameters()]

    def init_normal(module):
        if type(module) == nn.Linear:
            nn.init.normal_(module.weight, mean=0, std=0.01)
            nn.init.zeros_(module.bias)

    net.apply(init_normal)
    y = torch.tensor([0, 2, 1, 2])
    trainer = torch.optim.SGD(net.parameters(), lr=0.5)
    losses = []
    for _ in range(5):
        loss = F.cross_entropy(net(X), y)
        trainer.zero_grad()
        loss.backward()
        trainer.step()
        losses.append(loss.item())
    return {"first": first, "exact_kinds": kinds, "exact_shapes": shapes, "losses": losses, "weight": net[1].weight}


__all__ = [
    "cs231n_warmup",
    "d2l_file_io",
    "d2l_lazy_layers",
    "d2l_preliminaries",
    "d2l_scratch_models",
    "from_scratch",
    "printing",
    "scalar_autograd",
    "small_habits",
]
