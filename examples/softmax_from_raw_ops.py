"""A softmax classifier written from raw tensor ops, no `nn`: logits = x @ W + b, cross-entropy
composed by hand as log Q - z_y with the max shift, gradient descent by hand.

Run: python examples/softmax_from_raw_ops.py   (uses scikit-learn's embedded 8x8 digits)
"""

import numpy as np

import tinygrad_sm as tg
from tinygrad_sm.data import iterate_minibatches, load_digits

data = load_digits(seed=0)
features, classes = data.x_train.shape[1], 10
rng = np.random.default_rng(0)
W = tg.Tensor(rng.normal(0, 0.01, (features, classes)).astype(np.float32), requires_grad=True, name="W")
b = tg.zeros(classes, requires_grad=True, name="b")

for epoch in range(20):
    for images, labels in iterate_minibatches(data.x_train, data.y_train, batch_size=64, seed=epoch):
        logits = tg.Tensor(images) @ W + b  # (n, classes)
        shift = logits.detach().max(axis=1, keepdims=True)  # r = max_k z_k, no gradient
        log_q = (logits - shift).exp().sum(axis=1).log() + shift.reshape(-1)  # log sum_k exp(z_k)
        cost = (log_q - logits[np.arange(len(labels)), labels]).mean()  # C = log Q - z_y
        cost.backward()  # logits get (p - onehot(y)) / n
        with tg.no_grad():
            W -= 0.5 * W.grad
            b -= 0.5 * b.grad
        W.grad = b.grad = None
    with tg.no_grad():
        accuracy = (
            ((tg.Tensor(data.x_test) @ W + b).argmax(axis=1) == data.y_test).float().mean()
        )  # (a bool mean is refused, as in PyTorch)
    print(f"epoch {epoch + 1:2d}  last batch cost {cost.item():.4f}  test accuracy {accuracy:.4f}")
