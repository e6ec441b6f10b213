"""Autograd against the hand-derived gradients, case by case: p - delta, the last layer, the softmax
Jacobian, the Hessian by double backward, and squared error vs cross-entropy at a = 1e-8, t = 1.

Run: python examples/gradient_comparison.py [--dtype float32]
"""

import sys

import numpy as np

import tinygrad_sm as tg
import tinygrad_sm.functional as F
from tinygrad_sm.compare import check_command

# by hand first, so the formula is on the page
logits = tg.Tensor(np.array([[2.0, -1.0, 0.5], [0.1, 0.2, 3.0]]), requires_grad=True, name="logits")
labels = np.array([0, 1])
F.cross_entropy(logits, labels).backward()
probs = F.softmax(logits.detach()).numpy()
print("autograd dC/dz:\n", logits.grad.numpy())
print("(p - onehot(y)) / n:\n", (probs - np.eye(3)[labels]) / len(labels))
print()
dtype = sys.argv[sys.argv.index("--dtype") + 1] if "--dtype" in sys.argv else "float64"
sys.exit(check_command(dtype=dtype))
