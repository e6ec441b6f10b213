"""Run the differential fuzz of ``tinygrad_sm.compile`` (tests/test_compile_fuzz.py) on many programs.

    python scripts/fuzz_compile.py 5000          # programs 0..4999
    python scripts/fuzz_compile.py 1000 --start 20000

Prints each difference found and a summary; exits 1 when any program differs.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from test_compile_fuzz import run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("programs", type=int, nargs="?", default=1000)
    parser.add_argument("--start", type=int, default=0)
    args = parser.parse_args()
    started, failures = time.time(), 0
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for seed in range(args.start, args.start + args.programs):
            differences = run(seed)
            if differences:
                failures += 1
                print("\n".join(differences), flush=True)
    print(
        f"{args.programs} programs (seeds {args.start}..{args.start + args.programs - 1}), "
        f"{failures} with differences, {time.time() - started:.0f} s"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
