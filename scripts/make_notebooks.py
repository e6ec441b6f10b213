"""Write the course notebooks under docs/notebooks/ and execute them, so the docs site shows their
outputs: ``python scripts/make_notebooks.py`` (needs nbformat, nbclient, ipykernel; about a minute).

The cells live here, in one reviewable place; tests/test_notebooks.py executes the committed
notebooks again in CI."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "docs" / "notebooks"

# Every notebook starts here: tinygrad_sm as the project's environment installs it, and the data.
SETUP = """import os
from pathlib import Path
import numpy as np
import tinygrad_sm as tg
from tinygrad_sm import Tensor, analytic, nn, viz
from tinygrad_sm import functional as F
np.set_printoptions(precision=4, suppress=True)"""

DATA = """# the shipped Fashion-MNIST sample (480 training, 120 test images): $TINYGRAD_SM_DATA, or shared/ beside the checkout
from tinygrad_sm.data import load_fashion_mnist
here = [Path.cwd(), *Path.cwd().parents, *Path(tg.__file__).resolve().parents]
candidates = [Path(os.environ.get("TINYGRAD_SM_DATA", "/nonexistent"))] + \\
    [base / "shared" / "data" / "fashion-mnist-sample" for base in here]
data = load_fashion_mnist(next(p for p in candidates if (p / "train-images-idx3-ubyte.gz").is_file()))
print(data.x_train.shape, data.x_test.shape, data.class_names[:3])"""

NOTEBOOKS = {
    "1_softmax_cross_entropy": [
        (
            "md",
            "# 1. Softmax and cross-entropy from raw ops\n\nWe build the loss from primitives, let autograd "
            "differentiate it, and compare with the hand-derived $\\partial C/\\partial z_{ij} = (p_{ij} - \\delta_{j,y_i})/n$.",
        ),
        ("code", SETUP),
        (
            "md",
            "Softmax from raw ops, $p_j = e^{z_j} / \\sum_k e^{z_k}$, shifted by $r = \\max_k z_k$ so nothing overflows:",
        ),
        (
            "code",
            """logits = Tensor(np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]]), requires_grad=True, name="z")
labels = np.array([0, 2])
shift = logits.detach().max(dim=1, keepdim=True).values       # r: a constant (detached), it carries no gradient
exps = (logits - shift).exp()
total = exps.sum(axis=1, keepdims=True)                        # Q' = sum_k exp(z_k - r)
loss = (total.log().reshape(2) - (logits - shift)[np.arange(2), labels]).mean()   # C = mean(log Q' - (z_y - r))
loss.backward()
print("loss", loss.item())
print("autograd  dC/dz\\n", logits.grad.numpy())""",
        ),
        (
            "code",
            """probs = analytic.softmax(logits.detach().numpy())
by_hand = (probs - analytic.onehot(labels, 3)) / 2
print("by hand (p - delta)/n\\n", by_hand)
print("largest difference", np.abs(by_hand - logits.grad.numpy()).max())""",
        ),
        (
            "md",
            "The library's `F.cross_entropy` is the same composite, with the intermediates named as in the derivation:",
        ),
        (
            "code",
            """z = Tensor(logits.detach().numpy(), requires_grad=True, name="z")
C = F.cross_entropy(z, labels)
print(sorted({t.name for t in viz._collect([C]) if t.name}))""",
        ),
        (
            "md",
            "## The naive softmax overflows\n\nWithout the shift, $e^{1000}$ is $\\infty$ and $\\infty/\\infty$ is nan:",
        ),
        (
            "code",
            """big = np.array([[1000.0, 0.0]])
with np.errstate(over="ignore", invalid="ignore"):
    naive = np.exp(big) / np.exp(big).sum(axis=1, keepdims=True)
print("naive  ", naive)
print("shifted", F.softmax(Tensor(big), dim=1).numpy())""",
        ),
    ],
    "2_last_layer": [
        (
            "md",
            "# 2. Nielsen's question: the last layer's gradients\n\nFor $a^L = \\mathrm{softmax}(z)$, "
            "$z_j = \\sum_k w_{jk} a^{L-1}_k + b_j$ ($w_{jk}$ joins input $k$ to output $j$, so $W$ is "
            "(outputs, inputs), as `nn.Linear` stores it) and $C = -\\log a^L_y$, the chain rule through the "
            "softmax Jacobian $\\partial a_i / \\partial z_j = a_i(\\delta_{ij} - a_j)$ gives "
            "$\\partial C/\\partial z_j = a^L_j - y_j$, so $\\partial C/\\partial b_j = a^L_j - y_j$ and "
            "$\\partial C/\\partial w_{jk} = a^{L-1}_k (a^L_j - y_j)$.",
        ),
        ("code", SETUP),
        (
            "code",
            """rng = np.random.default_rng(0)
a_prev = rng.standard_normal((1, 4))             # one example: the activations of layer L-1
W = Tensor(rng.standard_normal((3, 4)) * 0.5, requires_grad=True, name="W")   # (outputs, inputs)
b = Tensor(np.zeros(3), requires_grad=True, name="b")
y = np.array([1])
a = F.softmax(Tensor(a_prev) @ W.T + b, axis=1)
C = -a[np.arange(1), y].log().mean()
C.backward()""",
        ),
        ("md", "By the chain rule, through the Jacobian (a $3 \\times 3$ matrix) and the gradient of $-\\log a_y$:"),
        (
            "code",
            """p = a.detach().numpy()[0]
J = analytic.softmax_jacobian(p)                 # J_ij = p_i (delta_ij - p_j)
dC_da = np.zeros(3); dC_da[y[0]] = -1 / p[y[0]]
dC_dz = J.T @ dC_da
print("J^T dC/da =", dC_dz, "   a - y =", p - np.eye(3)[y[0]])
print("dC/db: chain rule", dC_dz, " autograd", b.grad.numpy())
print("dC/dW: largest difference", np.abs(np.outer(dC_dz, a_prev[0]) - W.grad.numpy()).max())""",
        ),
        (
            "md",
            "## Check your own derivation\n\n`tg.check_derivation(loss, derived, *inputs)` compares a formula you "
            "wrote in NumPy with autograd (and with finite differences), on the given inputs and on random "
            "perturbations of them, for a whole batch. A right derivation passes; a wrong one is told which "
            "usual mistake explains it.",
        ),
        (
            "code",
            """labels = np.array([1, 0, 2, 1])
def loss(W, b, a_prev):
    return F.cross_entropy(a_prev @ W.T + b, labels)        # the mean over the batch

def derived(W, b, a_prev):
    probs = analytic.softmax(a_prev @ W.T + b)
    delta = (probs - np.eye(3)[labels]) / len(labels)      # dC/dz = (a - y) / n
    return delta.T @ a_prev, delta.sum(axis=0), delta @ W  # dC/dW = (a - y)^T a_prev, dC/db, dC/da_prev

inputs = (Tensor(rng.standard_normal((3, 4)), name="W"), Tensor(np.zeros(3), name="b"),
          Tensor(rng.standard_normal((4, 4)), name="a_prev"))
print(tg.check_derivation(loss, derived, *inputs))""",
        ),
        (
            "code",
            """def derived_wrong(W, b, a_prev):                       # the transpose, and no mean over the batch
    probs = analytic.softmax(a_prev @ W.T + b)
    delta = probs - np.eye(3)[labels]
    return a_prev.T @ delta, delta.sum(axis=0), delta @ W / len(labels)

report = tg.check_derivation(loss, derived_wrong, *inputs)
print(report)""",
        ),
        (
            "md",
            "The report names both mistakes: `dW` is transposed, and `dW` and `db` are $n = 4$ times autograd's "
            "because the $1/n$ of the mean over the batch is missing (the loss is a mean, and the 4 is the batch "
            "size, not some other constant). `da_prev` divides by $n$ once, so it matches.",
        ),
        (
            "code",
            """assert [row.mistakes for row in report.rows] == [["transpose", "factor"], ["factor"], []]
print(report.rows[1].diagnosis)""",
        ),
        (
            "md",
            "## Your own backward, as a custom Function\n\nWrite the softmax's backward yourself: the Jacobian "
            "$\\partial p_i/\\partial z_j = p_i(\\delta_{ij} - p_j)$ applied to the incoming gradient $g$ is "
            "$p \\odot (g - \\sum_i g_i p_i)$. As a `tg.autograd.Function` (PyTorch's protocol) it becomes one node "
            "whose rule is yours; `gradcheck` tests it against finite differences and `check_derivation` compares it "
            "(through autograd) with the last layer's formula above.",
        ),
        (
            "code",
            """class Softmax(tg.autograd.Function):
    @staticmethod
    def forward(ctx, logits):
        shifted = logits - logits.max(axis=-1, keepdims=True)
        probs = shifted.exp() / shifted.exp().sum(axis=-1, keepdims=True)
        ctx.save_for_backward(probs)
        return probs

    @staticmethod
    def backward(ctx, grad_output):                         # g -> p * (g - sum_i g_i p_i)
        (probs,) = ctx.saved_tensors
        return probs * (grad_output - (grad_output * probs).sum(axis=-1, keepdims=True))

print("gradcheck:", tg.gradcheck(Softmax.apply, rng.standard_normal((4, 3))))

def loss_mine(W, b, a_prev):                                # cross-entropy through my softmax
    probs = Softmax.apply(a_prev @ W.T + b)
    return -probs[np.arange(len(labels)), labels].log().mean()

print(tg.check_derivation(loss_mine, derived, *inputs))""",
        ),
    ],
    "3_mse_vs_cross_entropy": [
        (
            "md",
            "# 3. Squared error against cross-entropy\n\nFor a sigmoid unit $a = \\sigma(z)$, squared error gives "
            "$\\partial C/\\partial z = (a - t)\\,a(1 - a)$, which vanishes when the unit is saturated on the wrong side; "
            "cross-entropy gives $a - t$ (Hinton's point).",
        ),
        ("code", SETUP),
        (
            "code",
            """for z_value in [-2.0, -6.0, -12.0]:            # target t = 1, the unit more and more wrongly saturated
    z = Tensor(np.array([z_value]), requires_grad=True)
    a = F.sigmoid(z)
    (0.5 * F.mse_loss(a, np.array([1.0]), reduction="sum")).backward()
    mse = z.grad.item()
    z = Tensor(np.array([z_value]), requires_grad=True)
    F.binary_cross_entropy_with_logits(z, np.array([1.0])).backward()
    print(f"z = {z_value:6}: a = {a.item():.2e}   MSE dC/dz = {mse:.2e}   CE dC/dz = {z.grad.item():.3f}")""",
        ),
        (
            "md",
            "## The learning curves on Fashion-MNIST\n\nThe same network trained with each loss (SGD with momentum, "
            "10 epochs on the sample); one progress bar per run. Squared error needs a small step: with a large one "
            "(try `lr=1.0`) the sigmoid outputs saturate on the wrong side and it stays at chance, 0.1: the "
            "vanishing gradient above, at work.",
        ),
        ("code", DATA),
        (
            "code",
            """from tinygrad_sm.train import fit
curves = {}
for loss, lr in [("mse", 0.01), ("ce", 0.05)]:
    model = nn.MLP([784, 32, 10], generator=np.random.default_rng(0))
    curves[loss] = fit(model, data, loss=loss, optimizer="sgd", lr=lr, batch_size=32, epochs=10, seed=0)
    print(loss, "test accuracy by epoch", [round(row["test_accuracy"], 3) for row in curves[loss]])""",
        ),
        (
            "code",
            """%matplotlib inline
import matplotlib.pyplot as plt
figure, axis = plt.subplots(figsize=(6, 3.2))
for loss, history in curves.items():
    axis.plot([r["epoch"] for r in history], [r["test_accuracy"] for r in history], marker="o", label=loss)
axis.set_xlabel("epoch"); axis.set_ylabel("test accuracy"); axis.legend(); figure.tight_layout()
plt.show()""",
        ),
    ],
    "4_fashion_mnist": [
        (
            "md",
            "# 4. The Fashion-MNIST MLP, then the CNN\n\nA 784-64-10 ReLU network with Adam and the composed cross-entropy.",
        ),
        ("code", SETUP),
        ("code", DATA),
        (
            "code",
            """from tinygrad_sm.train import confusion_matrix, fit, format_confusion_matrix, predict
model = nn.MLP([784, 64, 10], generator=np.random.default_rng(0))
history = fit(model, data, loss="ce", optimizer="adam", lr=1e-3, batch_size=32, epochs=10, seed=0)
print("test accuracy", round(history[-1]["test_accuracy"], 3))
print(format_confusion_matrix(confusion_matrix(data.y_test, predict(model, data.x_test), 10), data.class_names))""",
        ),
        (
            "md",
            "## The CNN\n\nThe LeNet-style network of `python -m tinygrad_sm train --model cnn`: two convolutions "
            "with max pooling, then three fully connected layers. Each convolution is a matrix multiplication over "
            "the windows that `unfold` cuts out of the image.",
        ),
        (
            "code",
            """cnn = nn.build_model("cnn", 784, 10, generator=np.random.default_rng(0))
print(cnn)
cnn_history = fit(cnn, data, loss="ce", optimizer="adam", lr=1e-3, batch_size=32, epochs=10, seed=0)
print("CNN test accuracy", round(cnn_history[-1]["test_accuracy"], 3), "  the MLP's", round(history[-1]["test_accuracy"], 3))""",
        ),
        (
            "md",
            "## Which one is better?\n\nOne run each does not tell. The sample has 120 test images, so one image "
            "is 0.8 points of accuracy, and a different seed (other initial weights, another batch order) moves "
            "either network by several images. Compare the two over a few seeds, and read the gap against the "
            "spread:",
        ),
        (
            "code",
            """def final_accuracy(build, seed):
    return fit(build(seed), data, loss="ce", optimizer="adam", lr=1e-3, batch_size=32, epochs=10,
               seed=seed, progress=False)[-1]["test_accuracy"]

networks = {"MLP": lambda seed: nn.MLP([784, 64, 10], generator=np.random.default_rng(seed)),
            "CNN": lambda seed: nn.build_model("cnn", 784, 10, generator=np.random.default_rng(seed))}
for name, build in networks.items():
    scores = [final_accuracy(build, seed) for seed in (0, 1, 2)]
    print(f"{name}: seeds 0/1/2 {[round(s, 3) for s in scores]}, mean {np.mean(scores):.3f}, "
          f"spread {max(scores) - min(scores):.3f}")""",
        ),
        (
            "md",
            "On 480 training images the two end within a few test images of each other, inside the seed-to-seed "
            "spread, and with 10 epochs either can come out ahead: the CNN's advantage (it shares one small "
            "filter across every position of the image, so it needs fewer examples to learn an edge) shows with "
            "more data and more epochs. The README's table trains both for 20 epochs on the same sample; on the "
            "full data set, compare `python -m tinygrad_sm train --dataset fashion-mnist --model cnn` with the MLP.",
        ),
    ],
    "5_explorer": [
        (
            "md",
            "# 5. The explorer on your own model\n\n`viz.explore(loss)` writes one self-contained page "
            "that steps through the forward and backward pass; in Jupyter it shows inline. Step with the "
            "arrow keys (click the page first).",
        ),
        ("code", SETUP),
        (
            "code",
            """rng = np.random.default_rng(1)
model = nn.MLP([4, 5, 3], activation="tanh", generator=rng)
x = Tensor(rng.standard_normal((2, 4)).astype(np.float32), name="x")   # float32, as the weights
logits = model(x)
logits.name = "z (logits)"
loss = F.cross_entropy(logits, np.array([2, 0]))
# one self-contained file, next to this notebook (runs/ is ignored by git): open it in any browser
page = viz.explore(loss, Path("runs") / "my_model_explorer.html", params=model)
print("explorer written to", Path(page.path).resolve())
page""",
        ),
    ],
}


def build(name: str, cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [
        nbformat.v4.new_markdown_cell(text) if kind == "md" else nbformat.v4.new_code_cell(text) for kind, text in cells
    ]
    return notebook


def execute(notebook: nbformat.NotebookNode, folder: Path, timeout: int = 300) -> nbformat.NotebookNode:
    NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    return notebook


def without_widgets(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop the live progress bars (ipywidgets) from the saved copy: on the static site a widget needs a
    script from a CDN and its text fallback shows the bar at 0%; the printed results stay."""
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o for o in cell.outputs if "application/vnd.jupyter.widget-view+json" not in o.get("data", {})
            ]
    return notebook


if __name__ == "__main__":
    FOLDER.mkdir(parents=True, exist_ok=True)
    chosen = sys.argv[1:] or list(NOTEBOOKS)
    for name in chosen:
        notebook = without_widgets(execute(build(name, NOTEBOOKS[name]), FOLDER))
        nbformat.write(notebook, FOLDER / f"{name}.ipynb")
        print(f"wrote {FOLDER / name}.ipynb")
