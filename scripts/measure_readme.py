"""Measure the README's "Measured results" table and print it: ``python scripts/measure_readme.py``
(about five minutes on two cores; needs shared/ beside the checkout, or ``--data-dir``).

The table is also written to ``scripts/measured_results.md``; ``--write-readme`` puts it into the
README between its ``measured`` markers. tests/test_readme_results.py keeps the README equal to the
last output, so a number in the README is always one this script printed."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "scripts" / "measured_results.md"
START, END = "<!-- --8<-- [start:measured] -->\n", "<!-- --8<-- [end:measured] -->\n"
SEEDS = (0, 1, 2)
SAMPLE = "../shared/data/fashion-mnist-sample"  # as the README's commands spell it, from the checkout

FOOTNOTE = """Full Fashion-MNIST (60,000/10,000) is not shipped and was not run here. What to expect from the
literature for 784-256-10 with cross-entropy after 10 epochs: about 0.88-0.89 test accuracy (the
official benchmark's scikit-learn MLP with 100 ReLU units scores 0.871); the squared-error run on
sigmoid outputs learns more slowly and ends a few points lower. Treat these as expectations, not as
measurements of this code.

The same seed gives the same numbers on the same machine. Another machine can land a few test images
away, the CNN most: float32 sums inside the BLAS depend on its thread count and CPU kernels
(`OPENBLAS_NUM_THREADS=1` moves the CNN's seed 0 by about three test images here).
"""


def train(*argv: str) -> tuple[float, float]:
    """Test accuracy and seconds per epoch of one ``python -m tinygrad_sm train ARGV`` (the README's
    command, with the command line's per-data-set defaults; its printing swallowed)."""
    from tinygrad_sm.cli import main

    with tempfile.TemporaryDirectory() as out, contextlib.redirect_stdout(io.StringIO()):
        started = time.perf_counter()
        if main(["train", *argv, "--out", out]) != 0:
            raise RuntimeError(f"python -m tinygrad_sm train {' '.join(argv)} failed")
        seconds = time.perf_counter() - started
        metrics = json.loads((Path(out) / "metrics.json").read_text())
    return metrics["test_accuracy"], seconds / len(metrics["history"])


def mean(runs: list[tuple[float, float]]) -> float:
    return sum(score for score, _ in runs) / len(runs)


def per_epoch(runs: list[tuple[float, float]]) -> str:
    return f"{min(s for _, s in runs):.2g}-{max(s for _, s in runs):.2g} s"  # two digits: an epoch can take 0.04 s


def seeds_text(scores: list[float]) -> str:
    return "/".join(f"{score:.3f}" for score in scores)


def measure(data_dir: Path) -> str:
    digits = [train("--dataset", "digits", "--seed", str(seed)) for seed in SEEDS]
    fashion = ("--dataset", "fashion-mnist", "--data-dir", str(data_dir))
    mlp = [train(*fashion, "--seed", str(seed)) for seed in SEEDS]
    cnn = [train(*fashion, "--model", "cnn", "--seed", str(seed)) for seed in SEEDS]
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "examples" / "fashion_mse_vs_ce.py"),
                "--data-dir",
                str(data_dir),
                "--out",
                out,
            ],
            check=True,
            capture_output=True,
        )
        curves = json.loads((Path(out) / "mse_vs_ce.json").read_text())
    mse, ce = curves["mse"], curves["ce"]
    rows = [
        "| run | command | test accuracy |",
        "| --- | --- | --- |",
        "| digits (embedded, stratified 25% held out), 64-128-10 ReLU, Adam, composed CE | "
        "`python -m tinygrad_sm train --dataset digits` | "
        f"seeds 0/1/2: {seeds_text([s for s, _ in digits])}, {per_epoch(digits)} an epoch |",
        "| Fashion-MNIST sample (480 train / 120 test real images), 784-256-10 | "
        f"`python -m tinygrad_sm train --dataset fashion-mnist --data-dir {SAMPLE} --seed S` | "
        f"seeds 0/1/2: {seeds_text([s for s, _ in mlp])}, mean {mean(mlp):.3f} (one test image is 0.8 points) |",
        "| the same sample, LeNet-style CNN (`conv6k5p2-pool2-conv16k5-pool2-120-84-10`), Adam lr 1e-3, 20 epochs | "
        f"`python -m tinygrad_sm train --dataset fashion-mnist --data-dir {SAMPLE} --model cnn --seed S` | "
        f"seeds 0/1/2: {seeds_text([s for s, _ in cnn])}, mean {mean(cnn):.3f}; {per_epoch(cnn)} an epoch "
        f"against {per_epoch(mlp)} for the MLP |",
        "| squared error vs cross-entropy on the sample, SGD with momentum, lr tuned per loss on a validation split | "
        f"`python examples/fashion_mse_vs_ce.py --data-dir {SAMPLE}` | "
        f"MSE {mse['history'][-1]['test_accuracy']:.3f} (lr {mse['lr']}), "
        f"CE {ce['history'][-1]['test_accuracy']:.3f} (lr {ce['lr']}) after {len(ce['history'])} epochs |",
    ]
    measured_on = time.strftime("%Y-%m-%d")
    return "\n".join(rows) + f"\n\nMeasured {measured_on} by `python scripts/measure_readme.py`.\n\n" + FOOTNOTE


def readme_block(readme: str) -> str:
    """The text between the README's measured markers."""
    return readme[readme.index(START) + len(START) : readme.index(END)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    beside = [base / "shared" / "data" / "fashion-mnist-sample" for base in ROOT.parents]
    parser.add_argument("--data-dir", type=Path, default=next((p for p in beside if p.is_dir()), beside[0]))
    parser.add_argument("--write-readme", action="store_true", help="put the table into README.md")
    args = parser.parse_args()
    table = measure(args.data_dir)
    print(table, end="")
    RESULTS.write_text(table)
    if args.write_readme:
        readme_path = ROOT / "README.md"
        readme = readme_path.read_text()
        readme_path.write_text(readme.replace(readme_block(readme), "\n" + table, 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
