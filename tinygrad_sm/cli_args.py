"""The command line's argument checks: argparse type functions and the checks run before any work.

Each number is read by a type function here, which checks its range (argparse names the flag in
the message); a subcommand's ``validate`` (one of the ``_validate_*`` checks, which need several
flags) runs before any work and raises UsageError, ValueError or OSError, reported by ``cli.main``
as one line with exit status 2. Everything here is importable from ``tinygrad_sm.cli`` as before.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable
from pathlib import Path

MAX_SEED = 2**63 - 1
# check: the batch Hessian is (batch*classes)^2 float64 and takes batch*classes backward passes
MAX_CHECK_ELEMENTS = 4096
MAX_BATCH_SIZE = 1 << 20
MAX_EPOCHS = 100_000
MAX_LR = 1e3
# features and classes per data set, to check --model before loading anything
DATASET_SHAPES = {"digits": (64, 10), "fashion-mnist": (784, 10)}


# ---------------------------------------------------------------- argparse type functions
# argparse puts "argument --flag: " in front of an ArgumentTypeError's message.

_INTEGER = re.compile(r"-?[0-9]+")


def bounded_int(low: int, high: int, what: str = "an integer") -> Callable[[str], int]:
    """A type function reading a plain decimal integer in ``low..high`` (no '_', spaces or '+')."""

    def parse(text: str) -> int:
        if not _INTEGER.fullmatch(text):
            raise argparse.ArgumentTypeError(f"expected {what} from {low} to {high}, got {text!r}")
        value = int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected {what} from {low} to {high}, got {value}")
        return value

    parse.__name__ = f"int_{low}_{high}"
    return parse


def bounded_float(low: float, high: float, low_inclusive: bool = False) -> Callable[[str], float]:
    """A type function reading a finite number in ``(low, high]`` (``[low, high]`` when ``low_inclusive``)."""
    interval = f"{'[' if low_inclusive else '('}{low:g}, {high:g}]"

    def parse(text: str) -> float:
        try:
            value = float(text) if "_" not in text and text.strip() == text else math.nan
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and (low <= value if low_inclusive else low < value) and value <= high):
            raise argparse.ArgumentTypeError(f"expected a number in {interval}, got {text!r}")
        return value

    parse.__name__ = f"float_{low:g}_{high:g}"
    return parse


positive_int = bounded_int(1, 2**63 - 1, "a positive integer")
nonneg_int = bounded_int(0, MAX_SEED, "a non-negative integer")
positive_float = bounded_float(0.0, math.inf)


_MEMORY = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?)(?:i?B)?", re.IGNORECASE)


def memory_size(text: str) -> int | None:
    """``check --memory``: bytes, with an optional K/M/G/T suffix (powers of 1024), or ``none``."""
    if text.strip().lower() in ("none", "off", "unlimited"):
        return None
    match = _MEMORY.fullmatch(text.strip())
    if match is None:
        raise argparse.ArgumentTypeError(f"expected a size such as 512M, 4G or 'none', got {text!r}")
    value = float(match[1]) * 1024 ** "_KMGT".index(match[2].upper() or "_")
    if not 1 << 20 <= value <= 1 << 50:
        raise argparse.ArgumentTypeError(f"expected a size from 1M to 1024T, got {text!r}")
    return int(value)


def model_spec(text: str) -> str:
    """``--model``: layer sizes such as 64-128-10, parsed strictly (``train.parse_sizes``); or a CNN
    spec (``cnn``, conv/pool layers, a model file), checked against the data set by ``_validate_train``."""
    from .nn.conv import is_conv_spec
    from .train import parse_sizes

    if is_conv_spec(text):
        return text
    try:
        parse_sizes(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def output_file(text: str) -> str:
    """``graph --out``: a file path whose format the suffix names and that can be a file."""
    from ._atomic import check_output_file
    from .viz import FORMATS

    try:
        path = check_output_file(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if path.suffix.lower() not in FORMATS:
        raise argparse.ArgumentTypeError(f"cannot tell the format of {text!r}: end it in one of {', '.join(FORMATS)}")
    return text


def output_folder(text: str) -> str:
    """``--out`` of train and demo: a folder that is not a file (created and proven writable later,
    before the work starts)."""
    path = Path(text)
    if not text:
        raise argparse.ArgumentTypeError("output folder is empty; give a folder such as runs/train")
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a file, not a folder (outputs go into a folder)")
    return text


# ---------------------------------------------------------------- checks before work


class UsageError(ValueError):
    """A combination of flags that cannot work; reported like an argparse error."""


def _validate_check(args: argparse.Namespace) -> None:
    if args.file is None and (args.loss, args.derived, args.inputs) != ("loss", "derived", "inputs"):
        raise UsageError("--loss, --derived and --inputs need --file LAB.py")
    elements = args.batch * args.classes
    if elements > MAX_CHECK_ELEMENTS:
        from .train import format_bytes

        raise UsageError(
            f"--batch {args.batch} x --classes {args.classes} = {elements} logits: the batch Hessian "
            f"would need {format_bytes(8 * elements**2)} ((batch*classes)^2 float64) and as many "
            f"backward passes; keep batch x classes at most {MAX_CHECK_ELEMENTS}"
        )


def _validate_train(args: argparse.Namespace) -> None:
    from ._atomic import ensure_output_dir
    from .nn.conv import build_model, is_conv_spec
    from .train import parse_sizes

    if args.dataset == "digits" and (args.data_dir is not None or args.download):
        flag = "--data-dir" if args.data_dir is not None else "--download"
        raise UsageError(f"{flag} applies to --dataset fashion-mnist only (digits comes with scikit-learn)")
    if args.data_dir is not None:
        folder = Path(args.data_dir).expanduser()
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"--data-dir {args.data_dir} is a file, not a folder")
        if not folder.exists() and not args.download:
            raise UsageError(
                f"--data-dir {args.data_dir} does not exist (add --download to create it and fetch the files)"
            )
    features, classes = DATASET_SHAPES[args.dataset]
    if args.model is not None and is_conv_spec(args.model):  # built once here: a bad layer is named before any work
        try:
            build_model(args.model, features, classes)
        except (ValueError, TypeError, OSError, ImportError) as error:
            raise UsageError(f"--model {args.model}: {error}") from None
        ensure_output_dir(args.out)
        return
    sizes = parse_sizes(args.model) if args.model is not None else None
    if sizes is not None and (sizes[0] != features or sizes[-1] != classes):
        raise UsageError(
            f"--model {args.model} does not fit {args.dataset}: it has {features} features and "
            f"{classes} classes, so the model must be {features}-...-{classes}"
        )
    ensure_output_dir(args.out)


def _validate_graph(args: argparse.Namespace) -> None:
    from ._atomic import ensure_output_dir

    ensure_output_dir(Path(args.out).parent)  # /sys, a read-only folder: refused before drawing


def _validate_explore(args: argparse.Namespace) -> None:
    from ._atomic import ensure_output_dir
    from .explorer import EXAMPLES
    from .explorer_files import check_python_file

    if not args.out.lower().endswith((".html", ".htm")):
        raise ValueError(f"--out must name an .html file, got {args.out!r}")
    if args.file is not None:
        if args.kind is not None:
            raise UsageError(f"give an example or FILE.py, or --file LAB.py, not both ({args.kind!r} and --file)")
        check_python_file(args.file, "lab file")
    elif args.kind is None:
        raise UsageError(f"name what to explore: {', '.join(EXAMPLES)}, FILE.py, or --file LAB.py")
    elif args.kind not in EXAMPLES:
        if not args.kind.endswith(".py"):
            raise ValueError(
                f"unknown example {args.kind!r}: choose {', '.join(EXAMPLES)} or a Python file (.py) that defines loss()"
            )
        check_python_file(args.kind)
    if args.timeout <= 0:
        raise UsageError(f"--timeout must be positive, got {args.timeout:g}")
    ensure_output_dir(Path(args.out).parent)


def _validate_demo(args: argparse.Namespace) -> None:
    from ._atomic import ensure_output_dir

    ensure_output_dir(args.out)
