#!/usr/bin/env python
"""Median over several benchmark runs of each cell's ratio to the hand-written NumPy column.

    python benchmarks/summarize.py run1.json run2.json run3.json

One run's ratios drift by 10-30 % on a shared 2-CPU machine (the NumPy baseline itself moves), so
the numbers quoted in benchmarks/README.md are the medians of the per-run ratios printed here.
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
    contenders = [name for name in runs[0]["rows"][0]["results"] if not name.startswith("numpy")]
    print(f"median ratio to numpy (hand-written) over {len(runs)} runs; [min..max] in brackets")
    print(f"{'benchmark':48s}" + "".join(f"{name:>34s}" for name in contenders))
    for index, row in enumerate(runs[0]["rows"]):
        cells = []
        for name in contenders:
            ratios = [run["rows"][index]["results"].get(name, {}).get("ratio_to_numpy") for run in runs]
            ratios = [r for r in ratios if r is not None]
            cells.append(f"{statistics.median(ratios):.2f} [{min(ratios):.2f}..{max(ratios):.2f}]" if ratios else "-")
        print(f"{row['benchmark']:48s}" + "".join(f"{cell:>34s}" for cell in cells))


if __name__ == "__main__":
    main(sys.argv[1:])
