"""The course experiment: a fully connected network trained with mini-batch gradient descent on
Fashion-MNIST, first with squared error on logistic outputs, then with softmax + cross-entropy.

Each loss gets its own learning rate, picked from a small grid on a held-out part of the training
set (squared error's gradient carries an extra a(1 - a) factor, so it needs a larger step), and the
two learning curves go into one plot.

Run: python examples/fashion_mse_vs_ce.py --data-dir ../shared/data/fashion-mnist-sample [--epochs 20]
(or a folder with the full official files; the plot needs matplotlib)
"""

import argparse
import json
from pathlib import Path

import numpy as np

from tinygrad_sm import nn
from tinygrad_sm.data import Dataset, load_fashion_mnist
from tinygrad_sm.train import fit

parser = argparse.ArgumentParser()
parser.add_argument("--data-dir", required=True)
parser.add_argument("--epochs", type=int, default=20)
parser.add_argument("--hidden", type=int, default=256)
parser.add_argument("--out", default="runs/mse_vs_ce")
args = parser.parse_args()
data = load_fashion_mnist(args.data_dir)
out = Path(args.out)
out.mkdir(parents=True, exist_ok=True)

# a validation split out of the training set, for tuning only; the test set is reported once
cut = int(len(data.x_train) * 0.8)
tuning = Dataset(
    data.x_train[:cut], data.y_train[:cut], data.x_train[cut:], data.y_train[cut:], data.class_names, data.name
)
grid = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0]  # SGD with momentum 0.9
grids = {"mse": grid, "ce": grid}
sizes = [784, args.hidden, 10]
curves = {}
for loss, grid in grids.items():
    scores = {}
    for lr in grid:
        model = nn.MLP(sizes, generator=np.random.default_rng(0))
        history = fit(
            model, tuning, loss=loss, optimizer="sgd", lr=lr, batch_size=32, epochs=args.epochs, seed=0, progress=False
        )
        scores[lr] = history[-1]["test_accuracy"]
    best = max(scores, key=scores.get)
    model = nn.MLP(sizes, generator=np.random.default_rng(0))
    curves[loss] = {
        "lr": best,
        "validation": scores,
        "history": fit(
            model, data, loss=loss, optimizer="sgd", lr=best, batch_size=32, epochs=args.epochs, seed=0, progress=False
        ),
    }
    print(
        f"{loss}: best lr {best} (validation {scores}), test accuracy "
        f"{curves[loss]['history'][-1]['test_accuracy']:.4f}"
    )
(out / "mse_vs_ce.json").write_text(json.dumps(curves, indent=2))
try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(10, 4))
    for loss, curve in curves.items():
        epochs = [row["epoch"] for row in curve["history"]]
        axes[0].plot(epochs, [row["train_loss"] for row in curve["history"]], label=f"{loss} (lr {curve['lr']})")
        axes[1].plot(epochs, [row["test_accuracy"] for row in curve["history"]], label=f"{loss} (lr {curve['lr']})")
    axes[0].set(xlabel="epoch", ylabel="training cost", title="cost")
    axes[1].set(xlabel="epoch", ylabel="test accuracy", title="test accuracy")
    for axis in axes:
        axis.legend()
    figure.tight_layout()
    figure.savefig(out / "mse_vs_ce.png", dpi=120)
    print(f"plot written to {out / 'mse_vs_ce.png'}")
except ImportError:
    print("plot skipped: pip install matplotlib")
print(f"curves written to {out / 'mse_vs_ce.json'}")
