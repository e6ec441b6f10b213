"""The wrong twin of ``softmax_ce_lab.py``: the same layer and loss, and three derivations that
between them make every usual mistake once, so you can see what the checker says about each.

    python -m tinygrad_sm check --file examples/labs/softmax_ce_lab_wrong.py \\
        --derived derived,derived_more,derived_worse

exits 1 and names, per gradient: the transpose, the bias not summed over the batch, the sign error
(``derived``); the missing L2 term, the missing 1/n of the mean, an error no rule explains, shown
at the first element that differs (``derived_more``); a sign error *and* a factor of 2 at once,
and a wrong shape no rule explains (``derived_worse``).
"""

import numpy as np

import tinygrad_sm.functional as F

LAM = 0.1
wrt = ["W", "b", "a_prev"]


def loss(W, b, a_prev, labels):
    logits = a_prev @ W.T + b
    return {"cross_entropy": F.cross_entropy(logits, labels), "l2": 0.5 * LAM * (W * W).sum()}


def softmax(z):
    shifted = np.exp(z - z.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _delta(W, b, a_prev, labels):
    """(a - y) / n, the error at the logits (this part is right)."""
    a = softmax(a_prev @ W.T + b)
    return (a - np.eye(W.shape[0])[labels]) / len(labels)


def derived(W, b, a_prev, labels):
    delta = _delta(W, b, a_prev, labels)
    dW = a_prev.T @ delta + LAM * W.T  # transposed: (in, out) instead of W's (out, in)
    db = delta  # one row per example: not summed over the batch
    da_prev = -(delta @ W)  # sign error
    return dW, db, da_prev


def derived_more(W, b, a_prev, labels):
    delta = _delta(W, b, a_prev, labels)
    a = softmax(a_prev @ W.T + b)
    dW = delta.T @ a_prev  # the L2 term's lam * W is missing
    db = (a - np.eye(W.shape[0])[labels]).sum(axis=0)  # the 1/n of the mean is missing
    da_prev = (a / len(labels)) @ W  # forgot to subtract y: no usual mistake, the first index is shown
    return dW, db, da_prev


def derived_worse(W, b, a_prev, labels):
    delta = _delta(W, b, a_prev, labels)
    dW = -2 * (delta.T @ a_prev + LAM * W)  # the sign and a factor 2 at once
    db = delta.sum(axis=0)[:2]  # wrong shape, no rule explains it
    da_prev = delta @ W  # right
    return dW, db, da_prev


def inputs():
    rng = np.random.default_rng(0)
    n, fan_in, classes = 4, 5, 3
    return {
        "W": rng.standard_normal((classes, fan_in)),
        "b": rng.standard_normal(classes),
        "a_prev": rng.standard_normal((n, fan_in)),
        "labels": rng.integers(0, classes, size=n),
    }
