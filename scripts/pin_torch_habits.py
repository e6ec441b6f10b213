"""Pin PyTorch's results for the issue-21 habits and fixed wrong answers (tests/habits_cases.py) into
tests/data/torch_habits.json.

Run with torch installed (the tests never need it):  python scripts/pin_torch_habits.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "scripts"))

from habits_cases import CASES, PRELUDE  # noqa: E402
from pin_torch_teaching import plain  # noqa: E402


def main() -> None:
    pinned = {}
    for name, code in CASES.items():
        scope = {"torch": torch, "F": F}
        exec(PRELUDE, scope)
        try:
            exec(code, scope)
            pinned[name] = plain(scope["out"])
        except Exception as error:
            pinned[name] = {"raises": type(error).__name__, "message": str(error).splitlines()[0][:200]}
    (ROOT / "tests" / "data" / "torch_habits.json").write_text(
        json.dumps({"torch": torch.__version__, "results": pinned}, indent=0) + "\n"
    )
    print(f"pinned {len(pinned)} cases")


if __name__ == "__main__":
    main()
