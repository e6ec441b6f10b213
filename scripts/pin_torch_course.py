"""Pin PyTorch's results for the course-style programs (tests/course_programs) into tests/data/torch_course.json.

Run with torch installed (the tests never need it):  python scripts/pin_torch_course.py
Each program is run in a fresh state (the default generator reseeded by the program itself where it draws).
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from course_programs import ArrayPlot, plain, programs  # noqa: E402


def main() -> None:
    pinned = {}
    for name, program in programs().items():
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            result = program(torch, F, nn, ArrayPlot())
        pinned[name] = {"result": plain(result), "printed": printed.getvalue()}
    path = ROOT / "tests" / "data" / "torch_course.json"
    path.write_text(json.dumps({"torch": torch.__version__, "programs": pinned}, indent=0) + "\n")
    print(f"pinned {len(pinned)} programs into {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
