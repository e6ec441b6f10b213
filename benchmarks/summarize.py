#!/usr/bin/env python
"""Median over several runs of each cell's ratio to the hand-written NumPy column, with the range.

    python benchmarks/summarize.py run1.json run2.json run3.json
    python benchmarks/summarize.py --markdown run.json     # one run as the README's table


Reads the JSON that ``bench.py --json`` and ``bench_conv.py --json`` write (``table[case][contender]``).
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path


def _time(seconds: float) -> str:
    return (
        f"{seconds * 1e6:.1f} us"
        if seconds < 1e-3
        else f"{seconds * 1e3:.2f} ms"
        if seconds < 1
        else f"{seconds:.2f} s"
    )


def markdown(path: str) -> None:
    """One run as a Markdown table: each cell the ratio to NumPy's step (bold: the best contender) and the time."""
    run = json.loads(Path(path).read_text())
    names = list(next(iter(run["table"].values())))
    print("| workload | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 1) + "|")
    for case, cells in run["table"].items():
        best = min((c["ratio"] for c in cells.values() if "ratio" in c), default=None)
        row = []
        for name in names:
            cell = cells.get(name, {})
            if "ratio" not in cell:
                row.append("error")
                continue
            ratio = f"{cell['ratio']:.2f}"
            row.append((f"**{ratio}**" if cell["ratio"] == best else ratio) + f" ({_time(cell['best_s'])})")
        print(f"| {case} | " + " | ".join(row) + " |")
    memory = run.get("memory", {})
    if memory:
        row = []
        for name in names:
            m = memory.get(name, {})
            if "step_peak_bytes" not in m:
                row.append("error")
            elif name == "pytorch":
                row.append(f"(ru_maxrss {m['maxrss_kib'] / 1024:.0f} MiB)")
            else:
                row.append(f"{m['step_peak_bytes'] / 2**20:.2f} MiB")
        print("| peak memory of one step (tracemalloc) | " + " | ".join(row) + " |")


def main(paths: list[str]) -> None:
    if not paths:
        sys.exit(__doc__)
    if paths[0] == "--markdown":
        for path in paths[1:]:
            markdown(path)
        return
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
