"""A convolution is a matrix multiplication over windows: built by hand from unfold, checked against
F.conv2d and against the textbook loop, and one kernel weight's gradient checked by hand.

Run: python examples/conv_as_matmul.py [--picture conv.svg]
"""

import sys

import numpy as np

import tinygrad_sm as tg
import tinygrad_sm.functional as F

rng = np.random.default_rng(0)
images = tg.Tensor(rng.standard_normal((2, 3, 6, 6)), name="images")  # (N, C, H, W)
kernels = tg.Tensor(rng.standard_normal((4, 3, 3, 3)), requires_grad=True, name="kernels")  # (C_out, C, kh, kw)

# 1. the windows: unfold turns every 3x3x3 patch into one column, (N, C*kh*kw, L) with L = 4*4 positions
columns = F.unfold(images, kernel_size=3)
print("windows as columns:", columns.shape)

# 2. one matrix product: every flattened kernel (a row) times every window (a column)
by_matmul = (kernels.reshape(4, 27) @ columns).reshape(2, 4, 4, 4)
print("kernels (4, 27) @ windows (2, 27, 16) ->", by_matmul.shape)

# 3. the same numbers as F.conv2d and as the loop a textbook writes
by_conv = F.conv2d(images, kernels)
loop = np.zeros((2, 4, 4, 4))
for n, o, u, v in np.ndindex(loop.shape):
    loop[n, o, u, v] = np.sum(images.numpy()[n, :, u : u + 3, v : v + 3] * kernels.detach().numpy()[o])
print("max |matmul - conv2d| =", np.abs(by_matmul.detach().numpy() - by_conv.detach().numpy()).max())
print("max |conv2d - loop|   =", np.abs(by_conv.detach().numpy() - loop).max())

# 4. one kernel weight's gradient by hand: dL/dw[o,c,i,j] = sum over positions of input window x upstream
upstream = rng.standard_normal(by_conv.shape)
(by_conv * tg.Tensor(upstream)).sum().backward()
o, c, i, j = 1, 2, 0, 2
by_hand = sum(
    images.numpy()[n, c, u + i, v + j] * upstream[n, o, u, v]  # window entry (i, j) at position (u, v)
    for n in range(2)
    for u in range(4)
    for v in range(4)
)
print(f"dL/dw[{o},{c},{i},{j}]: autograd {kernels.grad.numpy()[o, c, i, j]:.6f}, by hand {by_hand:.6f}")
assert np.isclose(kernels.grad.numpy()[o, c, i, j], by_hand)
assert np.allclose(by_matmul.detach().numpy(), by_conv.detach().numpy()) and np.allclose(by_conv.detach().numpy(), loop)

if "--picture" in sys.argv:
    from tinygrad_sm import viz

    out = sys.argv[sys.argv.index("--picture") + 1]
    print("picture:", viz.save(viz.draw_graph(F.conv2d(images, kernels).sum(), title="conv2d"), out))
print("ok")
