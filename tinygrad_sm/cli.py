"""The command line: ``python -m tinygrad_sm check | graph | explore | train | demo``.

Every refusal, from argparse or from a check before the work starts, is one line on stderr and exit
status 2, with no traceback. Each number is read by a type function (in ``cli_args``, with the checks
before work), which checks its range (the message names the flag); a subcommand may set ``validate``
(checks that need several flags, run before any work) beside ``run``.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import time
from pathlib import Path
from typing import Any, NoReturn

from .cli_args import DATASET_SHAPES as DATASET_SHAPES
from .cli_args import (
    MAX_BATCH_SIZE,
    MAX_CHECK_ELEMENTS,
    MAX_EPOCHS,
    MAX_LR,
    _validate_check,
    _validate_demo,
    _validate_explore,
    _validate_graph,
    _validate_train,
    bounded_float,
    bounded_int,
    memory_size,
    model_spec,
    nonneg_int,
    output_file,
    output_folder,
)
from .cli_args import MAX_SEED as MAX_SEED
from .cli_args import UsageError as UsageError
from .cli_args import positive_float as positive_float
from .cli_args import positive_int as positive_int
from .isolation import DEFAULT_MEMORY, DEFAULT_TIMEOUT

# (the `X as X` imports re-export what moved to cli_args and cli itself no longer uses)
PROG = "python -m tinygrad_sm"


# ---------------------------------------------------------------- the parser


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (the usage is in ``--help``)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


class _Help(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Defaults shown after each option's help (unless the help states them, or there is none: a
    flag, a per-data-set default); the description and examples keep their lines."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or action.default is False or "default" in (action.help or ""):
            return action.help or ""
        return super()._get_help_string(action)


def _describe(text: str) -> str:
    return textwrap.fill(" ".join(text.split()), 88)


# measured: digits 0.976 test accuracy in ~2 s; the 480-image Fashion-MNIST sample 0.808 (seed 0)
TRAIN_DEFAULTS = {
    "digits": {"model": "64-128-10", "lr": 5e-3, "epochs": 30},
    "fashion-mnist": {"model": "784-256-10", "lr": 1e-3, "epochs": 20},
}


def _per_dataset(key: str) -> str:
    return ", ".join(
        f"{TRAIN_DEFAULTS[name][key]:g} for {name}"
        if isinstance(TRAIN_DEFAULTS[name][key], float)
        else f"{TRAIN_DEFAULTS[name][key]} for {name}"
        for name in TRAIN_DEFAULTS
    )


CHECK_ABOUT = """Compare autograd's gradients (and Hessians) of softmax + cross-entropy with the hand-derived
formulas; exit 1 if any row fails. With --file, check YOUR derivation in a lab file instead."""
GRAPH_ABOUT = """Draw an example graph: its backward pass (each edge labelled with the gradient along it) or, with
--forward, its forward pass with values."""
TRAIN_ABOUT = """Train an MLP and write metrics.json, model.npz, confusion_matrix.txt and learning_curve.png into
--out. Defaults marked 'per data set' depend on --dataset."""
DEMO_ABOUT = """The gradient check table, the softmax + cross-entropy graph and a digits training run, outputs in
--out."""
CHECK_EXAMPLES = f"""a lab file (--file) is a Python file that defines
  loss(...)     the loss from tinygrad_sm ops: a scalar Tensor (or a dict of named scalar Tensors)
  derived(...)  your gradient in NumPy: one array per input in wrt, in that order
  inputs()      example inputs: a dict {{name: array}} (or a tuple)
  wrt           the input names derived returns gradients for, in order (default: every float input)
for example:
  import numpy as np
  wrt = ["x"]
  def loss(x): return (x * x).sum()
  def derived(x): return 2 * x
  def inputs(): return {{"x": np.arange(3.0)}}
It runs in a child process (--timeout, --memory); exit 0: every gradient matches, 1: one does not,
2: the file cannot be used, or it stopped before every gradient was compared.

examples:
  {PROG} check
  {PROG} check --file examples/labs/softmax_ce_lab.py
  {PROG} check --file examples/labs/softmax_ce_lab.py --timeout 120 --memory 2G
  {PROG} check --dtype float32 --batch 8 --classes 10 --seed 3"""
GRAPH_EXAMPLES = f"""examples:
  {PROG} graph softmax-ce --out softmax_ce.svg
  {PROG} graph mlp --forward --rankdir LR --out mlp_forward.png"""
EXPLORE_ABOUT = """Write the step-by-step backprop explorer of an example, of your FILE.py, or of a lab file with your
derived gradients beside autograd's. A file runs in a child process, stopped after --timeout seconds."""
EXPLORE_EXAMPLES = f"""examples:
  {PROG} explore mlp --out mlp.html
  {PROG} explore my_model.py --timeout 30
  {PROG} explore --file examples/labs/softmax_ce_lab.py --out lab.html"""
TRAIN_EXAMPLES = f"""examples:
  {PROG} train --epochs 5 --out runs/digits
  {PROG} train --model 64-32-10 --optimizer sgd --lr 0.05 --epochs 5 --out runs/digits-sgd
  {PROG} train --dataset fashion-mnist --download --model 784-256-10 --out runs/fashion
  {PROG} train --dataset fashion-mnist --data-dir data/fashion-mnist --epochs 5"""
DEMO_EXAMPLES = f"""examples:
  {PROG} demo
  {PROG} demo --out runs/demo2 --seed 1"""


def build_parser() -> argparse.ArgumentParser:
    """The parser of every subcommand (each sets ``run``, and ``validate`` where flags depend on each other)."""
    parser = _Parser(prog=PROG, description=__doc__.split("\n\n")[0], formatter_class=_Help)
    commands = parser.add_subparsers(dest="command", required=True, metavar="{check,graph,explore,train,demo}")

    check = commands.add_parser(
        "check",
        help="autograd vs analytic gradients for softmax + cross-entropy",
        description=_describe(CHECK_ABOUT),
        epilog=CHECK_EXAMPLES,
        formatter_class=_Help,
    )
    check.add_argument(
        "--dtype",
        choices=["float32", "float64"],
        default="float64",
        help="precision of the autograd side (the references are float64)",
    )
    check.add_argument("--seed", type=nonneg_int, default=0, help="seed of the random logits and labels")
    check.add_argument(
        "--batch",
        type=bounded_int(1, MAX_CHECK_ELEMENTS // 2),
        default=4,
        help=f"examples per batch (batch x classes at most {MAX_CHECK_ELEMENTS})",
    )
    check.add_argument("--classes", type=bounded_int(2, MAX_CHECK_ELEMENTS // 1), default=5, help="number of classes")
    check.add_argument(
        "--file",
        default=None,
        help="a lab file defining loss, derived and inputs(): check YOUR "
        "derived gradient against autograd (exit 0 pass, 1 fail, 2 unusable file)",
    )
    check.add_argument("--loss", default="loss", help="with --file: the loss function's name")
    check.add_argument("--derived", default="derived", help="with --file: the derived gradient's name (or names, a,b)")
    check.add_argument("--inputs", default="inputs", help="with --file: the function returning example inputs")
    check.add_argument(
        "--trials", type=bounded_int(0, 10_000), default=3, help="with --file: random perturbations besides the inputs"
    )
    check.add_argument(
        "--timeout",
        type=bounded_float(0.0, 1e6),
        default=DEFAULT_TIMEOUT,
        help="with --file: seconds the lab's process may run (import and every evaluation)",
    )
    check.add_argument(
        "--memory",
        type=memory_size,
        default=DEFAULT_MEMORY,
        help="with --file: memory the lab may allocate, e.g. 512M, 4G, or 'none' (where the OS allows)",
    )
    check.set_defaults(run=_check, validate=_validate_check)

    graph = commands.add_parser(
        "graph",
        help="draw a computation graph with Graphviz",
        description=_describe(GRAPH_ABOUT),
        epilog=GRAPH_EXAMPLES,
        formatter_class=_Help,
    )
    graph.add_argument(
        "kind",
        choices=["softmax-ce", "mlp", "cnn"],
        help="softmax-ce: cross-entropy of 2 examples, 3 classes; mlp: a 4-3-3 ReLU network; "
        "cnn: one 3x3 convolution, ReLU and a linear layer (the explorer's examples)",
    )
    graph.add_argument(
        "--out",
        type=output_file,
        default="graph.svg",
        help="output FILE; the format follows the suffix: .svg, .png, .pdf, .dot or .gv",
    )
    graph.add_argument(
        "--rankdir",
        default="TB",
        choices=["TB", "LR", "BT", "RL"],
        help="layout direction: top-bottom, left-right, bottom-top, right-left",
    )
    graph.add_argument(
        "--forward",
        action="store_true",
        help="draw the forward pass with values instead of the backward pass with gradients",
    )
    graph.set_defaults(run=_graph, validate=_validate_graph)

    explore = commands.add_parser(
        "explore",
        help="write the step-by-step backprop explorer (one offline HTML file)",
        description=_describe(EXPLORE_ABOUT),
        epilog=EXPLORE_EXAMPLES,
        formatter_class=_Help,
    )
    explore.add_argument(
        "kind", nargs="?", default=None, help="softmax-ce, mlp, cnn, or FILE.py defining loss() that returns the loss"
    )
    explore.add_argument("--out", default="explorer.html", help="output FILE.html")
    explore.add_argument(
        "--file",
        default=None,
        help="a lab file (the format of check --file): your derived gradient beside autograd's at each input",
    )
    explore.add_argument(
        "--timeout",
        type=bounded_float(0.0, 86_400.0),
        default=60.0,
        help="seconds a Python file may run (it runs in a child process) before it is stopped",
    )
    explore.set_defaults(run=_explore, validate=_validate_explore)

    train = commands.add_parser(
        "train",
        help="train an MLP with mini-batch gradient descent",
        description=_describe(TRAIN_ABOUT),
        epilog=TRAIN_EXAMPLES,
        formatter_class=_Help,
    )
    train.add_argument(
        "--dataset",
        choices=["digits", "fashion-mnist"],
        default="digits",
        help="digits: scikit-learn's 8x8 digits (1797 images, embedded); fashion-mnist: the "
        "28x28 Fashion-MNIST files in --data-dir",
    )
    train.add_argument(
        "--data-dir",
        default=None,
        help="fashion-mnist only: folder with the four .gz IDX files (default: $TINYGRAD_SM_DATA, "
        "else ~/.cache/tinygrad_sm/fashion-mnist)",
    )
    train.add_argument(
        "--download",
        action="store_true",
        help="fashion-mnist only: download missing files (about 30 MB, verified by MD5)",
    )
    train.add_argument(
        "--model",
        type=model_spec,
        default=None,
        help=f"MLP layer sizes joined by '-', input first (default per data set: {_per_dataset('model')}); "
        "or 'cnn' (LeNet-style), a conv spec such as conv6k5p2-pool2-conv16k5-pool2-120-84-10, "
        "or a model.py defining build_model(num_features, num_classes)",
    )
    train.add_argument(
        "--activation", choices=["relu", "tanh", "sigmoid"], default="relu", help="activation between the layers"
    )
    train.add_argument(
        "--loss",
        choices=["ce", "ce-fused", "mse"],
        default="ce",
        help="ce: cross-entropy composed from primitives; ce-fused: the fused primitive; "
        "mse: squared error on sigmoid outputs",
    )
    train.add_argument("--optimizer", choices=["sgd", "adam"], default="adam", help="sgd (momentum 0.9) or adam")
    train.add_argument(
        "--lr",
        type=bounded_float(0.0, MAX_LR),
        default=None,
        help=f"learning rate, in (0, {MAX_LR:g}] (default per data set: {_per_dataset('lr')})",
    )
    train.add_argument(
        "--batch-size", type=bounded_int(1, MAX_BATCH_SIZE), default=32, help="examples per gradient step"
    )
    train.add_argument(
        "--epochs",
        type=bounded_int(1, MAX_EPOCHS),
        default=None,
        help=f"passes over the training set (default per data set: {_per_dataset('epochs')})",
    )
    train.add_argument("--seed", type=nonneg_int, default=0, help="seed of the initial weights and batch order")
    train.add_argument("--out", type=output_folder, default="runs/train", help="output folder (created if missing)")
    train.add_argument(
        "--compile",
        action="store_true",
        help="run the training step through tinygrad_sm.compile (bitwise the same results)",
    )
    train.set_defaults(run=_train, validate=_validate_train)

    demo = commands.add_parser(
        "demo",
        help="check table, softmax-CE graph and a digits training run",
        description=_describe(DEMO_ABOUT),
        epilog=DEMO_EXAMPLES,
        formatter_class=_Help,
    )
    demo.add_argument("--out", type=output_folder, default="runs/demo", help="output folder (created if missing)")
    demo.add_argument("--seed", type=nonneg_int, default=0, help="seed of the training run")
    demo.set_defaults(run=_demo, validate=_validate_demo)
    parser.subcommands = {"check": check, "graph": graph, "explore": explore, "train": train, "demo": demo}  # type: ignore[attr-defined]
    return parser


# ---------------------------------------------------------------- the commands


def _check(args: argparse.Namespace) -> int:
    if args.file is not None:  # a learner's own derivation, from a lab file
        from .derivation_lab import check_file_command

        return check_file_command(
            args.file,
            args.loss,
            args.derived,
            args.inputs,
            args.trials,
            args.seed,
            args.dtype,
            timeout=args.timeout,
            memory=args.memory,
        )
    from .compare import check_command

    return check_command(dtype=args.dtype, seed=args.seed, batch=args.batch, classes=args.classes)


def _graph(args: argparse.Namespace) -> int:
    from .viz import graph_command

    print(f"wrote {graph_command(args.kind, args.out, rankdir=args.rankdir, backward=not args.forward)}")
    return 0


def _explore(args: argparse.Namespace) -> int:
    from .explorer import explore_command

    written = explore_command(args.kind or "", args.out, timeout=args.timeout, lab=args.file)
    print(f"wrote {written}; open it in a browser (it needs no network)")
    return 0


def _train(args: argparse.Namespace) -> int:
    from .train import train_command

    defaults = TRAIN_DEFAULTS[args.dataset]

    def given(name: str) -> Any:  # `is None`, never `or`: a value the user typed is never swapped for a default
        value = getattr(args, name)
        return defaults[name] if value is None else value

    train_command(
        dataset=args.dataset,
        data_dir=args.data_dir,
        model=given("model"),
        activation=args.activation,
        loss=args.loss,
        optimizer=args.optimizer,
        lr=given("lr"),
        batch_size=args.batch_size,
        epochs=given("epochs"),
        seed=args.seed,
        out=args.out,
        download=args.download,
        compile=args.compile,
    )
    return 0


def _demo(args: argparse.Namespace) -> int:
    from .compare import check_command
    from .train import train_command

    out = Path(args.out)
    start = time.perf_counter()
    print("== 1. autograd against the hand-derived gradients ==")
    status = check_command()
    print("\n== 2. the softmax + cross-entropy graph ==")
    try:
        from .viz import graph_command

        print(f"graph: {graph_command('softmax-ce', str(out / 'softmax_ce.svg'))}")
    except (ImportError, RuntimeError) as error:  # no graphviz: say so, keep going
        print(f"graph skipped: {error}")
    print("\n== 3. training an MLP on the embedded digits data set ==")
    train_command(dataset="digits", model="64-128-10", out=str(out / "digits"), seed=args.seed)
    print(f"\ndemo finished in {time.perf_counter() - start:.1f} s; outputs are in {out}/")
    return status


def _one_line(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:  # no "[Errno 13]"; the file named once
        text = error.strerror + (
            f": {error.filename}" if error.filename and str(error.filename) not in error.strerror else ""
        )
    else:
        text = error.args[0] if isinstance(error, KeyError) and error.args else str(error)
    return " ".join(str(text).split()) or type(error).__name__


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for every refusal, one line on stderr)."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # reported by the subcommand, whose --help lists what it takes
        parser.subcommands[args.command].error(  # type: ignore[attr-defined]  # set by build_parser
            f"unrecognized arguments: {' '.join(unknown)}"
        )
    prog = f"{PROG} {args.command}"
    try:
        if getattr(args, "validate", None) is not None:
            args.validate(args)
    except (ValueError, OSError) as error:  # before any work: a usage error
        print(f"{prog}: error: {_one_line(error)}", file=sys.stderr)
        return 2
    try:
        return args.run(args)
    except (ValueError, TypeError, KeyError, OSError, ImportError, RuntimeError) as error:  # e.g. Graphviz missing
        print(f"{prog}: error: {_one_line(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            f"{prog}: interrupted; outputs written so far are complete (each is replaced atomically)", file=sys.stderr
        )
        return 130
