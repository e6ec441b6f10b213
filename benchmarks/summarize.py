#!/usr/bin/env python
"""Median over several runs of each cell's ratio to the hand-written NumPy column, with the range.

    python benchmarks/summarize.py run1.json run2.json run3.json

Reads the JSON that ``bench.py --json`` and ``bench_conv.py --json`` write (``table[case][contender]``).
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path


def main(paths: list[str]) -> None:
    if not paths:
        sys.exit(__doc__)
    runs = [json.loads(Path(path).read_text()) for path in paths]
    cases = list(runs[0]["table"])
    names = [n for n in runs[0]["table"][cases[0]] if n != "numpy"]
    print(f"median ratio to numpy over {len(runs)} runs; [min..max] in brackets")
    print(f"{'workload':36s}" + "".join(f"{name:>22s}" for name in names))
    for case in cases:
        cells = []
        for name in names:
            ratios = [r for run in runs if (r := run["table"].get(case, {}).get(name, {}).get("ratio")) is not None]
            cells.append(f"{statistics.median(ratios):.2f} [{min(ratios):.2f}..{max(ratios):.2f}]" if ratios else "-")
        print(f"{case:36s}" + "".join(f"{cell:>22s}" for cell in cells))


if __name__ == "__main__":
    main(sys.argv[1:])
