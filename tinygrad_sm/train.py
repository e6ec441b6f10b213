"""Training loop and command: ``fit`` a model on a Dataset, ``evaluate`` it, confusion matrices,
and ``train_command`` which writes metrics.json, a model.npz checkpoint, the confusion matrix and a
learning curve, each atomically (``_atomic``), into a folder checked before the first epoch."""

from __future__ import annotations

import json
import math
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import functional as F
from . import nn, optim
from ._atomic import atomic_path, ensure_output_dir, write_bytes_atomic
from .autograd import no_grad
from .compiler import compile as _compile
from .data import Dataset, load_dataset, one_hot
from .tensor import Tensor
from .utils.data import DataLoader, TensorDataset

LOSSES = ("ce", "ce-fused", "mse")
OPTIMIZERS = ("sgd", "adam")


def compute_loss(logits: Tensor, targets: np.ndarray, loss: str) -> Tensor:
    """The scalar training loss for ``logits`` (n, m) and integer ``targets`` (n,).

    - ``'ce'``: mean softmax cross-entropy, ``mean_i (log sum_k exp z_ik - z_i,y_i)``, composed from
      primitives (the teaching default); ``'ce-fused'``: the same through the fused primitive (faster).
    - ``'mse'``: squared error on logistic outputs (no softmax): ``s = sigmoid(z)``,
      ``mean_i sum_k (s_ik - onehot(y_i)_k)^2`` (summed over classes, averaged over examples).
    """
    if loss == "ce":
        return F.cross_entropy(logits, targets)
    if loss == "ce-fused":
        return F.softmax_cross_entropy_fused(logits, targets)
    if loss == "mse":
        outputs = F.sigmoid(logits)
        return F.mse_loss(outputs, one_hot(targets, logits.shape[-1]), reduction="sum") / logits.shape[0]
    raise ValueError(f"unknown loss {loss!r}; choose one of: {', '.join(LOSSES)}")


def evaluate(
    model: nn.Module, x: np.ndarray, y: np.ndarray, batch_size: int = 1024, loss: str = "ce"
) -> tuple[float, float]:
    """(mean loss, accuracy) of ``model`` on inputs x (N, features) and labels y (N,), under no_grad."""
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"evaluate needs matching, non-empty x and y, got shapes {np.shape(x)} and {np.shape(y)}")
    was_training = model.training
    model.eval()
    total_loss, correct = 0.0, 0
    with no_grad():
        for start in range(0, len(x), batch_size):
            batch_x, batch_y = x[start : start + batch_size], y[start : start + batch_size]
            logits = model(Tensor(batch_x))
            total_loss += float(compute_loss(logits, batch_y, loss).item()) * len(batch_x)
            correct += int((logits._data.argmax(axis=-1) == batch_y).sum())
    model.train(was_training)
    return total_loss / len(x), correct / len(x)


def predict(model: nn.Module, x: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """Predicted class indices (N,) for inputs x (N, features)."""
    with no_grad():
        return np.concatenate(
            [
                model(Tensor(x[start : start + batch_size]))._data.argmax(axis=-1)
                for start in range(0, len(x), batch_size)
            ]
        )


def make_optimizer(name: str, params: Sequence[Tensor], lr: float) -> optim.Optimizer:
    """'sgd' (momentum 0.9) or 'adam' over ``params`` with learning rate ``lr``."""
    if name == "sgd":
        return optim.SGD(params, lr=lr, momentum=0.9)
    if name == "adam":
        return optim.Adam(params, lr=lr)
    raise ValueError(f"unknown optimizer {name!r}; choose one of: {', '.join(OPTIMIZERS)}")


def _progress_bar(total: int, enabled: bool) -> Any:
    """One bar for the whole run (``tqdm.auto``: a widget in Jupyter, a redrawn line in a terminal);
    None where stderr is a log file, which gets one line per epoch instead (see ``fit``: that line, or
    ``on_epoch``'s where one is given, never both)."""
    if not enabled or not (_in_notebook() or sys.stderr.isatty()):
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, desc="training", leave=True)


def _in_notebook() -> bool:
    """Running inside a Jupyter kernel (a module merely imported, as by nbclient, does not count)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    return type(shell).__name__ == "ZMQInteractiveShell"


def fit(
    model: nn.Module,
    dataset: Dataset,
    loss: str = "ce",
    optimizer: str = "adam",
    lr: float = 1e-3,
    batch_size: int = 32,
    epochs: int = 10,
    seed: int = 0,
    progress: bool = True,
    on_epoch: Callable[[dict], None] | None = None,
    compile: bool = False,
) -> list[dict]:
    """Train ``model`` on ``dataset.x_train``; returns one dict per epoch with ``epoch``,
    ``train_loss`` (running mean over the epoch's batches), ``train_accuracy`` (running, on the
    batches as seen), ``test_accuracy`` and ``seconds``, all Python numbers.

    Batches come from a ``utils.data.DataLoader`` shuffled by ``np.random.default_rng(seed)`` (a new order each epoch, reproducible).
    A tqdm bar shows progress when ``progress`` and tqdm is installed; ``on_epoch(row)`` is called
    after each epoch. ``compile=True`` runs the training step through ``tinygrad_sm.compile`` (the same
    numbers, bitwise; faster for small batches).
    """
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of: {', '.join(LOSSES)}")
    # checked here, not by the first batch: epochs=0 or a negative count would silently train nothing
    epochs, batch_size = check_positive_int(epochs, "epochs"), check_positive_int(batch_size, "batch_size")
    lr = check_positive_float(lr, "lr")
    opt = make_optimizer(optimizer, model.parameters(), lr)

    def train_step(batch_x: np.ndarray, batch_y: np.ndarray) -> tuple[Tensor, Tensor]:
        logits = model(Tensor(batch_x))
        batch_loss = compute_loss(logits, batch_y, loss)
        opt.zero_grad()
        batch_loss.backward()
        opt.step()
        return batch_loss, logits

    step = _compile(train_step) if compile else train_step
    # a new order each epoch, reproducible from the seed (the same order iterate_minibatches drew)
    loader = DataLoader(
        TensorDataset(dataset.x_train, dataset.y_train),
        batch_size=batch_size,
        shuffle=True,
        generator=np.random.default_rng(seed),
    )
    history = []
    batches_per_epoch = len(loader)
    model.train()
    bar = _progress_bar(batches_per_epoch * epochs, progress)
    for epoch in range(1, epochs + 1):
        started = time.perf_counter()
        if bar is not None:
            bar.set_description(f"epoch {epoch}/{epochs}")
        loss_sum, correct, seen = 0.0, 0, 0
        for batch_x_tensor, batch_y_tensor in loader:
            batch_x, batch_y = batch_x_tensor.numpy(), batch_y_tensor.numpy()  # the step takes arrays
            batch_loss, logits = step(batch_x, batch_y)
            loss_sum += float(batch_loss.item()) * len(batch_x)
            correct += int((logits._data.argmax(axis=-1) == batch_y).sum())
            seen += len(batch_x)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{loss_sum / seen:.4f}")
        _, test_accuracy = evaluate(model, dataset.x_test, dataset.y_test, loss=loss)
        model.train()
        history.append(
            {
                "epoch": epoch,
                "train_loss": loss_sum / seen,
                "train_accuracy": correct / seen,
                "test_accuracy": test_accuracy,
                "seconds": time.perf_counter() - started,
            }
        )
        if on_epoch is not None:
            on_epoch(history[-1])
        elif progress and bar is None:  # a log file: one line per epoch, not one per redraw
            print(
                f"epoch {epoch}/{epochs}: train loss {loss_sum / seen:.4f}, test accuracy {test_accuracy:.4f}",
                file=sys.stderr,
                flush=True,
            )
    if bar is not None:
        bar.close()
    return history


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int) -> np.ndarray:
    """Counts (num_classes, num_classes): row = true class, column = predicted class."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred shapes differ: {y_true.shape} vs {y_pred.shape}")
    for label, values in (("y_true", y_true), ("y_pred", y_pred)):
        if values.size and (values.min() < 0 or values.max() >= num_classes):
            raise ValueError(f"{label} has labels outside 0..{num_classes - 1}")
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (y_true.astype(np.intp), y_pred.astype(np.intp)), 1)
    return matrix


def format_confusion_matrix(matrix: np.ndarray, class_names: Sequence[str]) -> str:
    """A text table: one row per true class (named), one column per predicted class (numbered)."""
    if matrix.shape != (len(class_names), len(class_names)):
        raise ValueError(f"confusion matrix of shape {matrix.shape} does not fit {len(class_names)} class names")
    name_width = max(len(str(name)) for name in class_names) + 4
    cell = max(len(str(int(matrix.max()))) if matrix.size else 1, len(str(len(class_names) - 1))) + 1
    lines = ["true \\ predicted".ljust(name_width) + "".join(str(j).rjust(cell) for j in range(len(class_names)))]
    for index, name in enumerate(class_names):
        label = str(name) if str(name) == str(index) else f"{index}: {name}"
        lines.append(label.ljust(name_width) + "".join(str(int(v)).rjust(cell) for v in matrix[index]))
    return "\n".join(lines)


# layer sizes: ASCII digits, no sign, no leading zero, no space or underscore, joined by single '-'
_SIZES_PATTERN = re.compile(r"[1-9][0-9]*(?:-[1-9][0-9]*)+")
#: the most memory a model's weights, gradients and Adam state may take (float32)
MAX_MODEL_BYTES = 4 << 30


def format_bytes(count: float) -> str:
    """1536 -> '1.5 KiB'."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if count < 1024 or unit == "PiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    raise AssertionError("unreachable")


def mlp_memory_bytes(sizes: Sequence[int]) -> int:
    """Bytes an MLP of these layer sizes needs while training in float32: each weight and bias four
    times (the value, its gradient, Adam's two moment estimates)."""
    parameters = sum(fan_in * fan_out + fan_out for fan_in, fan_out in zip(sizes[:-1], sizes[1:]))
    return 4 * 4 * parameters


def parse_sizes(model: str) -> list[int]:
    """'64-128-10' -> [64, 128, 10], strictly: at least two positive sizes written in ASCII digits
    joined by '-' ('64- 128-10', '1_28', '+64' and '064' are refused), and the model must fit in
    ``MAX_MODEL_BYTES`` (the message says how much it would need). Raises ValueError."""
    if not isinstance(model, str) or not _SIZES_PATTERN.fullmatch(model):
        raise ValueError(
            f"model must be two or more positive layer sizes in digits joined by '-', like '64-128-10', got {model!r}"
        )
    sizes = [int(part) for part in model.split("-")]
    needed = mlp_memory_bytes(sizes)
    if needed > MAX_MODEL_BYTES:
        raise ValueError(
            f"model {model!r} would need {format_bytes(needed)} for its weights, gradients and "
            f"optimizer state (float32), more than the limit of {format_bytes(MAX_MODEL_BYTES)}; "
            "choose smaller layers"
        )
    return sizes


def check_positive_int(value: Any, name: str) -> int:
    """``value`` if it is an int >= 1 (not a bool), else ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def check_positive_float(value: Any, name: str) -> float:
    """``value`` as a float if it is a finite number > 0, else ValueError naming ``name``."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float, np.integer, np.floating))
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def save_learning_curve(history: list[dict], path: Path, title: str) -> bool:
    """Plot train loss and accuracies per epoch to ``path`` (written atomically; the format follows
    the suffix); False when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    epochs = [row["epoch"] for row in history]
    figure, (loss_axis, accuracy_axis) = plt.subplots(1, 2, figsize=(10, 4))
    loss_axis.plot(epochs, [row["train_loss"] for row in history], marker="o")
    loss_axis.set(xlabel="epoch", ylabel="train loss", title=title)
    accuracy_axis.plot(epochs, [row["train_accuracy"] for row in history], marker="o", label="train")
    accuracy_axis.plot(epochs, [row["test_accuracy"] for row in history], marker="o", label="test")
    accuracy_axis.set(xlabel="epoch", ylabel="accuracy")
    accuracy_axis.legend()
    figure.tight_layout()
    try:
        with atomic_path(path) as temp:  # the temp name ends in .tmp: say the format
            figure.savefig(temp, format=Path(path).suffix.lstrip(".") or "png")
    finally:
        plt.close(figure)
    return True


OUTPUT_FILES = ("metrics.json", "model.npz", "confusion_matrix.txt", "learning_curve.png")


def train_command(
    dataset: str = "digits",
    data_dir: str | None = None,
    model: str = "64-128-10",
    activation: str = "relu",
    loss: str = "ce",
    optimizer: str = "adam",
    lr: float = 5e-3,
    batch_size: int = 32,
    epochs: int = 30,
    seed: int = 0,
    out: str = "runs/train",
    progress: bool = True,
    download: bool = False,
    compile: bool = False,
) -> dict:
    """Train an MLP on a data set and write ``metrics.json``, ``model.npz``, ``confusion_matrix.txt``
    and ``learning_curve.png`` into ``out``; prints per-epoch metrics, the final confusion matrix and
    where outputs went.

    Everything that can be checked is checked before the first epoch, so a bad argument never costs a
    training run: the arguments, the output folder (created, and proven writable), the data, and the
    model's first and last sizes against the data. Each output is written atomically: a kill at any
    moment leaves every file at its final name complete (old or new). ``model`` gives the layer sizes
    ('64-128-10'); its first size must equal the feature count. The same ``seed`` gives the same
    initial weights and batch order. ``download`` fetches missing Fashion-MNIST files. ``compile``
    runs the training step through ``tinygrad_sm.compile`` (bitwise the same results). Returns the
    metrics dict.
    """
    conv = nn.is_conv_spec(model)  # a CNN: 'cnn', a conv spec or a model file (see nn.conv.SPEC_HELP)
    sizes = None if conv else parse_sizes(model)
    epochs, batch_size = check_positive_int(epochs, "epochs"), check_positive_int(batch_size, "batch_size")
    lr = check_positive_float(lr, "lr")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of: {', '.join(LOSSES)}")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose one of: {', '.join(OPTIMIZERS)}")
    if activation not in nn.ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of: {', '.join(nn.ACTIVATIONS)}")
    out_dir = ensure_output_dir(out)
    data = load_dataset(dataset, data_dir, download=download, progress=progress)
    network: nn.Module
    if sizes is None:
        network = nn.build_model(model, data.num_features, data.num_classes, generator=np.random.default_rng(seed))
    else:
        if sizes[0] != data.num_features:
            raise ValueError(
                f"model {model!r} starts with {sizes[0]} inputs but {data.name} has "
                f"{data.num_features} features per example; use '{data.num_features}-...'"
            )
        if sizes[-1] != data.num_classes:
            raise ValueError(
                f"model {model!r} ends with {sizes[-1]} outputs but {data.name} has {data.num_classes} classes"
            )
        network = nn.MLP(sizes, activation=activation, generator=np.random.default_rng(seed))
    print(
        f"training {model} ({activation}) on {data.name}: {len(data.x_train)} train / {len(data.x_test)} test, "
        f"loss={loss} optimizer={optimizer} lr={lr} batch_size={batch_size} epochs={epochs} seed={seed}"
        + (" compile=on" if compile else "")
    )

    def report(row: dict) -> None:
        print(
            f"epoch {row['epoch']:3d}  train_loss {row['train_loss']:.4f}  "
            f"train_acc {row['train_accuracy']:.4f}  test_acc {row['test_accuracy']:.4f}  "
            f"({row['seconds']:.2f}s)",
            flush=True,
        )

    history = fit(
        network,
        data,
        loss=loss,
        optimizer=optimizer,
        lr=lr,
        batch_size=batch_size,
        epochs=epochs,
        seed=seed,
        progress=progress,
        on_epoch=report,
        compile=compile,
    )
    predictions = predict(network, data.x_test)
    matrix = confusion_matrix(data.y_test, predictions, data.num_classes)
    test_accuracy = float(np.trace(matrix) / matrix.sum())
    matrix_text = format_confusion_matrix(matrix, data.class_names)
    print("confusion matrix (test):")
    print(matrix_text)
    print(f"final test accuracy: {test_accuracy:.4f}")

    metrics = {
        "settings": {
            "dataset": data.name,
            "data_dir": None if data_dir is None else str(data_dir),
            "model": model,
            "activation": activation,
            "loss": loss,
            "optimizer": optimizer,
            "lr": lr,
            "batch_size": batch_size,
            "epochs": epochs,
            "seed": seed,
            "compile": compile,
        },
        "history": history,
        "test_accuracy": test_accuracy,
        "confusion_matrix": matrix.tolist(),
        "class_names": list(data.class_names),
    }
    metrics_path, checkpoint_path, matrix_path, curve_path = (out_dir / name for name in OUTPUT_FILES)
    write_bytes_atomic(metrics_path, (json.dumps(metrics, indent=2) + "\n").encode())
    print(f"metrics written to {metrics_path}")
    nn.save(network, checkpoint_path)
    print(f"checkpoint written to {checkpoint_path}")
    write_bytes_atomic(
        matrix_path,
        (f"confusion matrix (test), {data.name} {model}, accuracy {test_accuracy:.4f}\n" + matrix_text + "\n").encode(),
    )
    print(f"confusion matrix written to {matrix_path}")
    if save_learning_curve(history, curve_path, f"{data.name} {model}"):
        print(f"learning curve written to {curve_path}")
    else:
        print("learning curve skipped: matplotlib is not installed (pip install matplotlib)")
    return metrics
