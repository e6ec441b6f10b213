"""Lab: the gradients of a softmax + cross-entropy last layer, derived by hand and checked.

The layer (W has shape (out, in), as in PyTorch): ``z = a_prev @ W.T + b``, ``a = softmax(z)``,
``C = mean over the batch of -sum_j y_j log a_j`` plus an L2 penalty ``(lam / 2) * sum(W**2)``.
The lecture's result, per example: ``dC/dz_j = a_j - y_j``, so ``dC/db_j = a_j - y_j`` and
``dC/dw_jk = a_k^{L-1} (a_j - y_j)``; over a batch of n, with the penalty:

    delta   = (a - y) / n          shape (n, out)
    dW      = delta.T @ a_prev + lam * W
    db      = delta.sum(axis=0)
    da_prev = delta @ W            (the error sent back to the layer below)

Check it (exit 0 when every gradient matches autograd):

    python -m tinygrad_sm check --file examples/labs/softmax_ce_lab.py
"""

import numpy as np

import tinygrad_sm.functional as F

LAM = 0.1  # strength of the L2 penalty
wrt = ["W", "b", "a_prev"]  # the inputs whose gradients `derived` returns, in this order


def loss(W, b, a_prev, labels):
    """Built from tinygrad_sm ops; returned as named terms so a missing term can be named."""
    logits = a_prev @ W.T + b
    return {"cross_entropy": F.cross_entropy(logits, labels), "l2": 0.5 * LAM * (W * W).sum()}


def softmax(z):
    shifted = np.exp(z - z.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def derived(W, b, a_prev, labels):
    n, classes = len(labels), W.shape[0]
    a = softmax(a_prev @ W.T + b)
    y = np.eye(classes)[labels]
    delta = (a - y) / n
    return delta.T @ a_prev + LAM * W, delta.sum(axis=0), delta @ W


def inputs():
    rng = np.random.default_rng(0)
    n, fan_in, classes = 4, 5, 3
    return {
        "W": rng.standard_normal((classes, fan_in)),
        "b": rng.standard_normal(classes),
        "a_prev": rng.standard_normal((n, fan_in)),
        "labels": rng.integers(0, classes, size=n),
    }
