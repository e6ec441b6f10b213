"""A character-level language model as the makemore-style courses build it: a bigram counts table, the same
model as a one-layer network, an MLP over embeddings with a learning-rate sweep, batch normalisation by hand,
a manual backward pass through every line checked against autograd, and a WaveNet-like stack of hand-written
layer classes. Each program takes the modules (``torch``, ``F``, ``nn``) and a ``plt`` stand-in."""

from __future__ import annotations

import random
from typing import Any

from . import words


def _vocab():
    names = words()
    chars = sorted(set("".join(names)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    itos = {i: s for s, i in stoi.items()}
    return names, stoi, itos


def bigram_counts(torch, F, nn, plt) -> dict[str, Any]:
    names, stoi, itos = _vocab()
    V = len(stoi)
    N = torch.zeros((V, V), dtype=torch.int32)
    for w in names:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in zip(chs, chs[1:]):
            ix1 = stoi[ch1]
            ix2 = stoi[ch2]
            N[ix1, ix2] += 1
    plt.imshow(N, cmap="Blues")
    for i in range(3):
        for j in range(3):
            plt.text(j, i, itos[i] + itos[j], ha="center", va="bottom", color="gray")
            plt.text(j, i, N[i, j].item(), ha="center", va="top", color="gray")

    p = N[0].float()
    p = p / p.sum()
    g = torch.Generator().manual_seed(2147483647)
    draws = torch.rand(3, generator=g)
    draws = draws / draws.sum()
    picks = torch.multinomial(draws, num_samples=100, replacement=True, generator=g)
    first = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()

    P = (N + 1).float()
    P /= P.sum(1, keepdims=True)
    row_sums = P.sum(1)

    g = torch.Generator().manual_seed(2147483647)
    samples = []
    for _ in range(5):
        out = []
        ix = 0
        while True:
            p = P[ix]
            ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
            out.append(itos[ix])
            if ix == 0:
                break
        samples.append("".join(out))

    log_likelihood = 0.0
    n = 0
    for w in names[:50]:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in zip(chs, chs[1:]):
            prob = P[stoi[ch1], stoi[ch2]]
            logprob = torch.log(prob)
            log_likelihood += logprob
            n += 1
    nll = -log_likelihood
    return {
        "exact_N": N,
        "exact_N_dtype": str(N.dtype),
        "exact_draws": draws,
        "exact_picks": picks,
        "exact_first": first,
        "exact_samples": samples,
        "row_sums": row_sums,
        "P_row0": P[0],
        "nll": f"{nll / n:.4f}",
        "nll_value": (nll / n).item(),
        "plots": plt.calls,
    }


def bigram_network(torch, F, nn, plt) -> dict[str, Any]:
    names, stoi, itos = _vocab()
    V = len(stoi)
    xs, ys = [], []
    for w in names:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in zip(chs, chs[1:]):
            xs.append(stoi[ch1])
            ys.append(stoi[ch2])
    xs = torch.tensor(xs)
    ys = torch.tensor(ys)
    num = xs.nelement()
    g = torch.Generator().manual_seed(2147483647)
    W = torch.randn((V, V), generator=g, requires_grad=True)
    W0 = W.detach().clone()
    xenc = F.one_hot(xs, num_classes=V).float()
    plt.imshow(xenc[:10])
    losses = []
    for k in range(20):
        xenc = F.one_hot(xs, num_classes=V).float()
        logits = xenc @ W
        counts = logits.exp()
        probs = counts / counts.sum(1, keepdims=True)
        loss = -probs[torch.arange(num), ys].log().mean() + 0.01 * (W**2).mean()
        losses.append(loss.item())
        W.grad = None
        loss.backward()
        W.data += -50 * W.grad
    g = torch.Generator().manual_seed(2147483647)
    samples = []
    for _ in range(3):
        out = []
        ix = 0
        while True:
            xenc = F.one_hot(torch.tensor([ix]), num_classes=V).float()
            logits = xenc @ W
            counts = logits.exp()
            p = counts / counts.sum(1, keepdims=True)
            ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
            out.append(itos[ix])
            if ix == 0 or len(out) > 20:
                break
        samples.append("".join(out))
    return {
        "exact_num": num,
        "exact_W0": W0,
        "exact_xenc_dtype": str(xenc.dtype),
        "exact_xs_dtype": str(xs.dtype),
        "losses": losses,
        "W_after": W,
        "samples": samples,
        "plots": plt.calls,
    }


def _dataset(torch, names, stoi, block_size):
    X, Y = [], []
    for w in names:
        context = [0] * block_size
        for ch in w + ".":
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    X = torch.tensor(X)
    Y = torch.tensor(Y)
    return X, Y


def mlp(torch, F, nn, plt) -> dict[str, Any]:
    names, stoi, itos = _vocab()
    block_size = 3
    random.seed(42)
    shuffled = list(names)
    random.shuffle(shuffled)
    n1 = int(0.8 * len(shuffled))
    Xtr, Ytr = _dataset(torch, shuffled[:n1], stoi, block_size)
    Xdev, Ydev = _dataset(torch, shuffled[n1:], stoi, block_size)

    g = torch.Generator().manual_seed(2147483647)
    C = torch.randn((27, 10), generator=g)
    W1 = torch.randn((30, 64), generator=g)
    b1 = torch.randn(64, generator=g)
    W2 = torch.randn((64, 27), generator=g)
    b2 = torch.randn(27, generator=g)
    parameters = [C, W1, b1, W2, b2]
    count = sum(p.nelement() for p in parameters)
    for p in parameters:
        p.requires_grad = True

    emb = C[Xtr]
    by_cat = torch.cat([emb[:, 0, :], emb[:, 1, :], emb[:, 2, :]], 1)
    by_unbind = torch.cat(torch.unbind(emb, 1), 1)
    same_view = (emb.view(-1, 30) == by_cat).all().item() and torch.equal(by_unbind, by_cat)
    a = torch.arange(18)
    a_view = a.view(3, 3, 2)

    h = torch.tanh(emb.view(emb.shape[0], 30) @ W1 + b1)
    logits = h @ W2 + b2
    counts = logits.exp()
    prob = counts / counts.sum(1, keepdims=True)
    manual = -prob[torch.arange(Xtr.shape[0]), Ytr].log().mean()
    library = F.cross_entropy(logits, Ytr)

    lre = torch.linspace(-3, 0, 1000)
    lrs = 10**lre
    lri, lossi, stepi = [], [], []
    batches = []
    for i in range(60):
        ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
        batches.append(ix)
        emb = C[Xtr[ix]]
        h = torch.tanh(emb.view(-1, 30) @ W1 + b1)
        logits = h @ W2 + b2
        loss = F.cross_entropy(logits, Ytr[ix])
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = lrs[i * 10]
        for p in parameters:
            p.data += -lr * p.grad
        lri.append(lre[i * 10])
        stepi.append(i)
        lossi.append(loss.log10().item())
    plt.plot(lri, lossi)
    plt.plot(stepi, lossi)
    plt.scatter(C[:, 0].data, C[:, 1].data, s=200)
    for i in range(C.shape[0]):
        plt.text(C[i, 0].item(), C[i, 1].item(), itos[i], ha="center", va="center", color="white")

    emb = C[Xdev]
    h = torch.tanh(emb.view(-1, 30) @ W1 + b1)
    logits = h @ W2 + b2
    dev_loss = F.cross_entropy(logits, Ydev)

    g = torch.Generator().manual_seed(2147483647 + 10)
    samples = []
    for _ in range(3):
        out = []
        context = [0] * block_size
        while True:
            emb = C[torch.tensor([context])]
            h = torch.tanh(emb.view(1, -1) @ W1 + b1)
            logits = h @ W2 + b2
            probs = F.softmax(logits, dim=1)
            ix = torch.multinomial(probs, num_samples=1, generator=g).item()
            context = context[1:] + [ix]
            out.append(ix)
            if ix == 0 or len(out) > 15:
                break
        samples.append("".join(itos[i] for i in out))
    return {
        "exact_shapes": [list(Xtr.shape), list(Ytr.shape), str(Xtr.dtype)],
        "exact_count": count,
        "exact_same_view": bool(same_view),
        "exact_a_view": a_view,
        "exact_batches": batches[:3],
        "lrs": lrs[::97],
        "lre": lre[::97],
        "manual_vs_library": [manual.item(), library.item()],
        "losses": lossi,
        "dev_loss": dev_loss.item(),
        "C": C,
        "samples": samples,
        "plots": plt.calls,
    }


def batchnorm(torch, F, nn, plt) -> dict[str, Any]:
    names, stoi, itos = _vocab()
    block_size = 3
    Xtr, Ytr = _dataset(torch, names[:200], stoi, block_size)
    Xval, Yval = _dataset(torch, names[200:], stoi, block_size)
    n_embd, n_hidden, vocab_size = 10, 100, 27
    g = torch.Generator().manual_seed(2147483647)
    C = torch.randn((vocab_size, n_embd), generator=g)
    W1 = torch.randn((n_embd * block_size, n_hidden), generator=g) * (5 / 3) / ((n_embd * block_size) ** 0.5)
    b1 = torch.randn(n_hidden, generator=g) * 0.01
    W2 = torch.randn((n_hidden, vocab_size), generator=g) * 0.01
    b2 = torch.randn(vocab_size, generator=g) * 0
    bngain = torch.ones((1, n_hidden))
    bnbias = torch.zeros((1, n_hidden))
    bnmean_running = torch.zeros((1, n_hidden))
    bnstd_running = torch.ones((1, n_hidden))
    parameters = [C, W1, W2, b2, bngain, bnbias]
    for p in parameters:
        p.requires_grad = True
    first_loss = -torch.tensor(1 / 27.0).log()

    lossi = []
    saturated = None
    for i in range(50):
        ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
        Xb, Yb = Xtr[ix], Ytr[ix]
        emb = C[Xb]
        embcat = emb.view(emb.shape[0], -1)
        hpreact = embcat @ W1
        bnmeani = hpreact.mean(0, keepdim=True)
        bnstdi = hpreact.std(0, keepdim=True)
        hpreact = bngain * (hpreact - bnmeani) / bnstdi + bnbias
        with torch.no_grad():
            bnmean_running = 0.999 * bnmean_running + 0.001 * bnmeani
            bnstd_running = 0.999 * bnstd_running + 0.001 * bnstdi
        h = torch.tanh(hpreact)
        logits = h @ W2 + b2
        loss = F.cross_entropy(logits, Yb)
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.1 if i < 40 else 0.01
        for p in parameters:
            p.data += -lr * p.grad
        if i % 10 == 0:
            print(f"{i:7d}/{50:7d}: {loss.item():.4f}")
        lossi.append(loss.log10().item())
        if i == 0:
            saturated = (h.abs() > 0.99).float().mean()
            plt.hist(h.view(-1).tolist(), 50)
            plt.hist(hpreact.view(-1).tolist(), 50)
            plt.imshow(h.abs() > 0.99, cmap="gray", interpolation="nearest")

    with torch.no_grad():
        emb = C[Xtr]
        embcat = emb.view(emb.shape[0], -1)
        hpreact = embcat @ W1 + b1
        bnmean = hpreact.mean(0, keepdim=True)
        bnstd = hpreact.std(0, keepdim=True)

    @torch.no_grad()
    def split_loss(split):
        x, y = {"train": (Xtr, Ytr), "val": (Xval, Yval)}[split]
        emb = C[x]
        embcat = emb.view(emb.shape[0], -1)
        hpreact = embcat @ W1 + b1
        hpreact = bngain * (hpreact - bnmean_running) / bnstd_running + bnbias
        h = torch.tanh(hpreact)
        logits = h @ W2 + b2
        loss = F.cross_entropy(logits, y)
        return split, loss.item()

    x = torch.randn(1000, 10, generator=g)
    w = torch.randn(10, 200, generator=g) / 10**0.5
    y = x @ w
    stats = [x.mean().item(), x.std().item(), y.mean().item(), y.std().item()]
    logits4 = torch.tensor([0.0, 0.0, 5.0, 0.0])
    probs4 = torch.softmax(logits4, dim=0)
    loss4 = -probs4[2].log()
    return {
        "first_loss": first_loss,
        "losses": lossi,
        "saturated": saturated,
        "bnmean": bnmean,
        "bnstd": bnstd,
        "running": [bnmean_running, bnstd_running],
        "running_requires_grad": [bnmean_running.requires_grad, bnstd_running.requires_grad],
        "split": [split_loss("train"), split_loss("val")],
        "stats": stats,
        "softmax4": [probs4, loss4],
        "plots": plt.calls,
    }


def manual_backward(torch, F, nn, plt) -> dict[str, Any]:
    names, stoi, itos = _vocab()
    block_size = 3
    Xtr, Ytr = _dataset(torch, names, stoi, block_size)
    n_embd, n_hidden, vocab_size = 10, 64, 27
    g = torch.Generator().manual_seed(2147483647)
    C = torch.randn((vocab_size, n_embd), generator=g)
    W1 = torch.randn((n_embd * block_size, n_hidden), generator=g) * (5 / 3) / ((n_embd * block_size) ** 0.5)
    b1 = torch.randn(n_hidden, generator=g) * 0.1
    W2 = torch.randn((n_hidden, vocab_size), generator=g) * 0.1
    b2 = torch.randn(vocab_size, generator=g) * 0.1
    bngain = torch.randn((1, n_hidden), generator=g) * 0.1 + 1.0
    bnbias = torch.randn((1, n_hidden), generator=g) * 0.1
    parameters = [C, W1, b1, W2, b2, bngain, bnbias]
    for p in parameters:
        p.requires_grad = True
    batch_size = 32
    n = batch_size
    ix = torch.randint(0, Xtr.shape[0], (batch_size,), generator=g)
    Xb, Yb = Xtr[ix], Ytr[ix]

    emb = C[Xb]
    embcat = emb.view(emb.shape[0], -1)
    hprebn = embcat @ W1 + b1
    bnmeani = 1 / n * hprebn.sum(0, keepdim=True)
    bndiff = hprebn - bnmeani
    bndiff2 = bndiff**2
    bnvar = 1 / (n - 1) * (bndiff2).sum(0, keepdim=True)
    bnvar_inv = (bnvar + 1e-5) ** -0.5
    bnraw = bndiff * bnvar_inv
    hpreact = bngain * bnraw + bnbias
    h = torch.tanh(hpreact)
    logits = h @ W2 + b2
    logit_maxes = logits.max(1, keepdim=True).values
    norm_logits = logits - logit_maxes
    counts = norm_logits.exp()
    counts_sum = counts.sum(1, keepdims=True)
    counts_sum_inv = counts_sum**-1
    probs = counts * counts_sum_inv
    logprobs = probs.log()
    loss = -logprobs[range(n), Yb].mean()
    for p in parameters:
        p.grad = None
    for t in [logprobs, probs, counts, counts_sum, counts_sum_inv, norm_logits, logit_maxes, logits, h, hpreact,
              bnraw, bnvar_inv, bnvar, bndiff2, bndiff, hprebn, bnmeani, embcat, emb]:  # fmt: skip
        t.retain_grad()
    loss.backward()

    report = []

    def cmp(s, dt, t):
        ex = torch.all(dt == t.grad).item()
        app = torch.allclose(dt, t.grad)
        maxdiff = (dt - t.grad).abs().max().item()
        print(f"{s:15s} | exact: {ex!s:5s} | approximate: {app!s:5s} | maxdiff: {maxdiff}")
        report.append([s, app, maxdiff < 1e-5])

    dlogprobs = torch.zeros_like(logprobs)
    dlogprobs[range(n), Yb] = -1.0 / n
    dprobs = (1.0 / probs) * dlogprobs
    dcounts_sum_inv = (counts * dprobs).sum(1, keepdim=True)
    dcounts = counts_sum_inv * dprobs
    dcounts_sum = (-(counts_sum**-2)) * dcounts_sum_inv
    dcounts += torch.ones_like(counts) * dcounts_sum
    dnorm_logits = counts * dcounts
    dlogits = dnorm_logits.clone()
    dlogit_maxes = (-dnorm_logits).sum(1, keepdim=True)
    dlogits += F.one_hot(logits.max(1).indices, num_classes=logits.shape[1]) * dlogit_maxes
    dh = dlogits @ W2.T
    dW2 = h.T @ dlogits
    db2 = dlogits.sum(0)
    dhpreact = (1.0 - h**2) * dh
    dbngain = (bnraw * dhpreact).sum(0, keepdim=True)
    dbnraw = bngain * dhpreact
    dbnbias = dhpreact.sum(0, keepdim=True)
    dbndiff = bnvar_inv * dbnraw
    dbnvar_inv = (bndiff * dbnraw).sum(0, keepdim=True)
    dbnvar = (-0.5 * (bnvar + 1e-5) ** -1.5) * dbnvar_inv
    dbndiff2 = (1.0 / (n - 1)) * torch.ones_like(bndiff2) * dbnvar
    dbndiff += (2 * bndiff) * dbndiff2
    dhprebn = dbndiff.clone()
    dbnmeani = (-dbndiff).sum(0)
    dhprebn += 1.0 / n * (torch.ones_like(hprebn) * dbnmeani)
    dembcat = dhprebn @ W1.T
    dW1 = embcat.T @ dhprebn
    db1 = dhprebn.sum(0)
    demb = dembcat.view(emb.shape)
    dC = torch.zeros_like(C)
    for k in range(Xb.shape[0]):
        for j in range(Xb.shape[1]):
            ix = Xb[k, j]
            dC[ix] += demb[k, j]

    for name, dt, t in [("logprobs", dlogprobs, logprobs), ("probs", dprobs, probs),
                        ("counts_sum_inv", dcounts_sum_inv, counts_sum_inv), ("counts_sum", dcounts_sum, counts_sum),
                        ("counts", dcounts, counts), ("norm_logits", dnorm_logits, norm_logits),
                        ("logit_maxes", dlogit_maxes, logit_maxes), ("logits", dlogits, logits), ("h", dh, h),
                        ("W2", dW2, W2), ("b2", db2, b2), ("hpreact", dhpreact, hpreact), ("bngain", dbngain, bngain),
                        ("bnbias", dbnbias, bnbias), ("bnraw", dbnraw, bnraw), ("bnvar_inv", dbnvar_inv, bnvar_inv),
                        ("bnvar", dbnvar, bnvar), ("bndiff2", dbndiff2, bndiff2), ("bndiff", dbndiff, bndiff),
                        ("bnmeani", dbnmeani, bnmeani), ("hprebn", dhprebn, hprebn), ("embcat", dembcat, embcat),
                        ("W1", dW1, W1), ("b1", db1, b1), ("emb", demb, emb), ("C", dC, C)]:  # fmt: skip
        cmp(name, dt, t)

    loss_fast = F.cross_entropy(logits, Yb)
    fast_diff = (loss_fast - loss).item()
    dlogits = F.softmax(logits, 1)
    dlogits[range(n), Yb] -= 1
    dlogits /= n
    cmp("logits_fast", dlogits, logits)
    hpreact_fast = (
        bngain * (hprebn - hprebn.mean(0, keepdim=True)) / torch.sqrt(hprebn.var(0, keepdim=True, unbiased=True) + 1e-5)
        + bnbias
    )
    bn_fast_diff = (hpreact_fast - hpreact).abs().max()
    dhprebn = (
        bngain * bnvar_inv / n * (n * dhpreact - dhpreact.sum(0) - n / (n - 1) * bnraw * (dhpreact * bnraw).sum(0))
    )
    cmp("hprebn_fast", dhprebn, hprebn)
    plt.imshow(dlogits.detach(), cmap="gray")
    return {
        "loss": loss.item(),
        "report": report,
        "fast_diff_small": abs(fast_diff) < 1e-6,
        "bn_fast_diff_small": bn_fast_diff.item() < 1e-6,
        "dC": dC,
        "dlogits": dlogits,
        "grads": [W1.grad, bngain.grad, C.grad],
        "plots": plt.calls,
    }


class _Layers:
    """The hand-written layer classes of the course, made for one ``torch`` module and one generator."""

    def __init__(self, torch, g):
        class Linear:
            def __init__(self, fan_in, fan_out, bias=True):
                self.weight = torch.randn((fan_in, fan_out), generator=g) / fan_in**0.5
                self.bias = torch.zeros(fan_out) if bias else None

            def __call__(self, x):
                self.out = x @ self.weight
                if self.bias is not None:
                    self.out += self.bias
                return self.out

            def parameters(self):
                return [self.weight] + ([] if self.bias is None else [self.bias])

        class BatchNorm1d:
            def __init__(self, dim, eps=1e-5, momentum=0.1):
                self.eps = eps
                self.momentum = momentum
                self.training = True
                self.gamma = torch.ones(dim)
                self.beta = torch.zeros(dim)
                self.running_mean = torch.zeros(dim)
                self.running_var = torch.ones(dim)

            def __call__(self, x):
                if self.training:
                    if x.ndim == 2:
                        dim = 0
                    elif x.ndim == 3:
                        dim = (0, 1)
                    xmean = x.mean(dim, keepdim=True)
                    xvar = x.var(dim, keepdim=True)
                else:
                    xmean = self.running_mean
                    xvar = self.running_var
                xhat = (x - xmean) / torch.sqrt(xvar + self.eps)
                self.out = self.gamma * xhat + self.beta
                if self.training:
                    with torch.no_grad():
                        self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean
                        self.running_var = (1 - self.momentum) * self.running_var + self.momentum * xvar
                return self.out

            def parameters(self):
                return [self.gamma, self.beta]

        class Tanh:
            def __call__(self, x):
                self.out = torch.tanh(x)
                return self.out

            def parameters(self):
                return []

        class Embedding:
            def __init__(self, num_embeddings, embedding_dim):
                self.weight = torch.randn((num_embeddings, embedding_dim), generator=g)

            def __call__(self, IX):
                self.out = self.weight[IX]
                return self.out

            def parameters(self):
                return [self.weight]

        class FlattenConsecutive:
            def __init__(self, n):
                self.n = n

            def __call__(self, x):
                B, T, C = x.shape
                x = x.view(B, T // self.n, C * self.n)
                if x.shape[1] == 1:
                    x = x.squeeze(1)
                self.out = x
                return self.out

            def parameters(self):
                return []

        class Sequential:
            def __init__(self, layers):
                self.layers = layers

            def __call__(self, x):
                for layer in self.layers:
                    x = layer(x)
                self.out = x
                return self.out

            def parameters(self):
                return [p for layer in self.layers for p in layer.parameters()]

        self.Linear, self.BatchNorm1d, self.Tanh = Linear, BatchNorm1d, Tanh
        self.Embedding, self.FlattenConsecutive, self.Sequential = Embedding, FlattenConsecutive, Sequential


def deep_stack(torch, F, nn, plt) -> dict[str, Any]:
    """The 'pytorchified' MLP: a list of layers, their activation and gradient statistics, update ratios."""
    names, stoi, itos = _vocab()
    Xtr, Ytr = _dataset(torch, names, stoi, 3)
    g = torch.Generator().manual_seed(2147483647)
    L = _Layers(torch, g)
    n_embd, n_hidden, vocab_size = 10, 48, 27
    C = torch.randn((vocab_size, n_embd), generator=g)
    layers = [
        L.Linear(n_embd * 3, n_hidden, bias=False), L.BatchNorm1d(n_hidden), L.Tanh(),
        L.Linear(n_hidden, n_hidden, bias=False), L.BatchNorm1d(n_hidden), L.Tanh(),
        L.Linear(n_hidden, vocab_size, bias=False), L.BatchNorm1d(vocab_size),
    ]  # fmt: skip
    with torch.no_grad():
        layers[-1].gamma *= 0.1
        for layer in layers[:-1]:
            if isinstance(layer, L.Linear):
                layer.weight *= 5 / 3
    parameters = [C] + [p for layer in layers for p in layer.parameters()]
    total = sum(p.nelement() for p in parameters)
    for p in parameters:
        p.requires_grad = True
    lossi, ud = [], []
    for i in range(30):
        ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
        Xb, Yb = Xtr[ix], Ytr[ix]
        emb = C[Xb]
        x = emb.view(emb.shape[0], -1)
        for layer in layers:
            x = layer(x)
        loss = F.cross_entropy(x, Yb)
        for layer in layers:
            layer.out.retain_grad()
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 1.0
        for p in parameters:
            p.data += -lr * p.grad
        lossi.append(loss.log10().item())
        with torch.no_grad():
            ud.append([((lr * p.grad).std() / p.data.std()).log10().item() for p in parameters])
    lines, grad_stats = [], []
    legends = []
    for i, layer in enumerate(layers[:-1]):
        if isinstance(layer, L.Tanh):
            t = layer.out
            print(
                "layer %d (%10s): mean %+.2f, std %.2f, saturated: %.2f%%"
                % (i, layer.__class__.__name__, t.mean(), t.std(), (t.abs() > 0.97).float().mean() * 100)
            )
            lines.append([t.mean().item(), t.std().item(), ((t.abs() > 0.97).float().mean() * 100).item()])
            hy, hx = torch.histogram(t, density=True)
            plt.plot(hx[:-1].detach(), hy.detach())
            legends.append(f"layer {i} ({layer.__class__.__name__}")
            t = layer.out.grad
            print("layer %d (%10s): mean %+f, std %e" % (i, layer.__class__.__name__, t.mean(), t.std()))
            grad_stats.append([t.mean().item(), t.std().item()])
    for i, p in enumerate(parameters):
        t = p.grad
        if p.ndim == 2:
            print(
                "weight %10s | mean %+f | std %e | grad:data ratio %e"
                % (tuple(p.shape), t.mean(), t.std(), t.std() / p.std())
            )
            grad_stats.append([t.mean().item(), t.std().item(), (t.std() / p.std()).item()])
    plt.plot([ud[j][0] for j in range(len(ud))])
    return {
        "exact_total": total,
        "losses": lossi,
        "ud": ud,
        "lines": lines,
        "grad_stats": grad_stats,
        "legends": legends,
        "running": [layers[1].running_mean, layers[1].running_var],
        "plots": plt.calls,
    }


def wavenet(torch, F, nn, plt) -> dict[str, Any]:
    names, stoi, itos = _vocab()
    block_size = 8
    Xtr, Ytr = _dataset(torch, names, stoi, block_size)
    torch.manual_seed(42)
    g = torch.Generator().manual_seed(42)
    L = _Layers(torch, g)
    n_embd, n_hidden, vocab_size = 8, 32, 27
    model = L.Sequential([
        L.Embedding(vocab_size, n_embd),
        L.FlattenConsecutive(2), L.Linear(n_embd * 2, n_hidden, bias=False), L.BatchNorm1d(n_hidden), L.Tanh(),
        L.FlattenConsecutive(2), L.Linear(n_hidden * 2, n_hidden, bias=False), L.BatchNorm1d(n_hidden), L.Tanh(),
        L.FlattenConsecutive(2), L.Linear(n_hidden * 2, n_hidden, bias=False), L.BatchNorm1d(n_hidden), L.Tanh(),
        L.Linear(n_hidden, vocab_size),
    ])  # fmt: skip
    with torch.no_grad():
        model.layers[-1].weight *= 0.1
    parameters = model.parameters()
    count = sum(p.nelement() for p in parameters)
    for p in parameters:
        p.requires_grad = True

    ix = torch.randint(0, Xtr.shape[0], (4,), generator=g)
    Xb, Yb = Xtr[ix], Ytr[ix]
    logits = model(Xb)
    shapes = [[layer.__class__.__name__, list(layer.out.shape)] for layer in model.layers]

    e = torch.randn(4, 8, 10, generator=g)
    explicit = torch.cat([e[:, ::2, :], e[:, 1::2, :]], dim=2)
    same = (e.view(4, 4, 20) == explicit).all()
    broadcast_shape = list((torch.randn(4, 4, 20) @ torch.randn(20, 7) + torch.randn(7)).shape)

    lossi = []
    for i in range(100):
        ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
        Xb, Yb = Xtr[ix], Ytr[ix]
        logits = model(Xb)
        loss = F.cross_entropy(logits, Yb)
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.1 if i < 75 else 0.01
        for p in parameters:
            p.data += -lr * p.grad
        lossi.append(loss.log10().item())
    smoothed = torch.tensor(lossi).view(-1, 25).mean(1)
    plt.plot(smoothed)
    for layer in model.layers:
        layer.training = False

    @torch.no_grad()
    def split_loss():
        logits = model(Xtr)
        return F.cross_entropy(logits, Ytr).item()

    rows = torch.zeros(4, 27)
    for i in range(4):
        rows[i] = model(Xtr[[7 + i]])
    out = []
    context = [0] * block_size
    for _ in range(10):
        logits = model(torch.tensor([context]))
        probs = F.softmax(logits, dim=1)
        ix = torch.multinomial(probs, num_samples=1, generator=g).item()
        context = context[1:] + [ix]
        out.append(ix)
    return {
        "exact_count": count,
        "exact_shapes": shapes,
        "exact_same": same.item(),
        "exact_broadcast": broadcast_shape,
        "losses": lossi,
        "smoothed": smoothed,
        "train_loss": split_loss(),
        "rows": rows,
        "sample": out,
        "plots": plt.calls,
    }


__all__ = ["batchnorm", "bigram_counts", "bigram_network", "deep_stack", "manual_backward", "mlp", "wavenet"]
