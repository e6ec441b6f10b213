"""The command line: ``python -m tinygrad_sm check | graph | explore | train | demo``."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def _check(args: argparse.Namespace) -> int:
    if args.file is not None:  # a learner's own derivation, from a lab file
        from .derivation_lab import check_file_command
        return check_file_command(args.file, args.loss, args.derived, args.inputs, args.trials, args.seed, args.dtype)
    if (args.loss, args.derived, args.inputs) != ("loss", "derived", "inputs"):
        print("error: --loss, --derived and --inputs need --file LAB.py", file=sys.stderr)
        return 2
    from .compare import check_command
    return check_command(dtype=args.dtype, seed=args.seed, batch=args.batch, classes=args.classes)


def _graph(args: argparse.Namespace) -> int:
    from .viz import graph_command
    print(f"wrote {graph_command(args.kind, args.out)}")
    return 0


def _explore(args: argparse.Namespace) -> int:
    from .explorer import explore_command
    print(f"wrote {explore_command(args.kind, args.out)}; open it in a browser (it needs no network)")
    return 0


def _train(args: argparse.Namespace) -> int:
    from .train import train_command
    defaults = TRAIN_DEFAULTS[args.dataset]
    train_command(dataset=args.dataset, data_dir=args.data_dir, model=args.model or defaults["model"],
                  activation=args.activation, loss=args.loss, optimizer=args.optimizer,
                  lr=args.lr or defaults["lr"], batch_size=args.batch_size, epochs=args.epochs or defaults["epochs"],
                  seed=args.seed, out=args.out)
    return 0


# measured: digits 0.971 test accuracy in ~2 s; the 480-image Fashion-MNIST sample 0.858 (seed 0)
TRAIN_DEFAULTS = {
    "digits": {"model": "64-128-10", "lr": 5e-3, "epochs": 30},
    "fashion-mnist": {"model": "784-256-10", "lr": 1e-3, "epochs": 20},
}


def _demo(args: argparse.Namespace) -> int:
    from .compare import check_command
    from .train import train_command
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tinygrad_sm", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="autograd vs analytic gradients for softmax + cross-entropy")
    check.add_argument("--dtype", choices=["float32", "float64"], default="float64")
    check.add_argument("--seed", type=int, default=0)
    check.add_argument("--batch", type=int, default=4)
    check.add_argument("--classes", type=int, default=5)
    check.add_argument("--file", default=None, help="a lab file defining loss, derived and inputs(): check YOUR "
                       "derived gradient against autograd (exit 0 pass, 1 fail, 2 unusable file)")
    check.add_argument("--loss", default="loss", help="with --file: the loss function's name")
    check.add_argument("--derived", default="derived", help="with --file: the derived gradient's name (or names, a,b)")
    check.add_argument("--inputs", default="inputs", help="with --file: the function returning example inputs")
    check.add_argument("--trials", type=int, default=3, help="with --file: random perturbations besides the inputs")
    check.set_defaults(run=_check)

    graph = commands.add_parser("graph", help="draw a computation graph with Graphviz")
    graph.add_argument("kind", choices=["softmax-ce", "mlp"])
    graph.add_argument("--out", default="graph.svg", help="FILE.svg|png|pdf|dot (format from the suffix)")
    graph.set_defaults(run=_graph)

    explore = commands.add_parser("explore", help="write the step-by-step backprop explorer (one HTML file)")
    explore.add_argument("kind", help="softmax-ce, mlp, cnn, or FILE.py defining loss()")
    explore.add_argument("--out", default="explorer.html", help="FILE.html")
    explore.set_defaults(run=_explore)

    train = commands.add_parser("train", help="train an MLP with mini-batch gradient descent")
    train.add_argument("--dataset", choices=["digits", "fashion-mnist"], default="digits")
    train.add_argument("--data-dir", default=None, help="folder with the four IDX files (or $TINYGRAD_SM_DATA)")
    train.add_argument("--model", default=None, help="layer sizes, e.g. 784-256-10")
    train.add_argument("--activation", choices=["relu", "tanh", "sigmoid"], default="relu")
    train.add_argument("--loss", choices=["ce", "ce-fused", "mse"], default="ce",
                       help="ce: cross-entropy composed from primitives; ce-fused: the fused primitive")
    train.add_argument("--optimizer", choices=["sgd", "adam"], default="adam")
    train.add_argument("--lr", type=float, default=None)
    train.add_argument("--batch-size", type=int, default=32)
    train.add_argument("--epochs", type=int, default=None)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--out", default="runs/train")
    train.set_defaults(run=_train)

    demo = commands.add_parser("demo", help="check table, softmax-CE graph and a digits training run")
    demo.add_argument("--out", default="runs/demo")
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(run=_demo)

    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, FileNotFoundError, ImportError, RuntimeError) as error:  # e.g. Graphviz missing
        print(f"error: {error}", file=sys.stderr)
        return 2
