"""Pin PyTorch's values, gradients and dtypes for the cases tests/test_torch_conformance.py checks.

    python scripts/pin_torch_conformance.py      # needs torch (CPU); writes tests/data/torch_conformance.json

The cases themselves live in tests/torch_cases.py, shared with the test (which also compares live
when torch is importable), so the pinned file and the test cannot describe different inputs.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import torch  # noqa: E402
from torch_cases import CASES, PROMOTION_CASES, run_torch_case, torch_promotion  # noqa: E402

OUT = ROOT / "tests" / "data" / "torch_conformance.json"


def main() -> int:
    pinned = {"torch_version": torch.__version__, "cases": {}, "promotion": {}}
    for name, case in CASES.items():
        pinned["cases"][name] = run_torch_case(case)
    for name, (left, right) in PROMOTION_CASES.items():
        pinned["promotion"][name] = torch_promotion(left, right)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=OUT.parent, suffix=".tmp")
    with os.fdopen(handle, "w") as file:
        json.dump(pinned, file, indent=1, sort_keys=True)
        file.write("\n")
    os.replace(temp, OUT)
    print(f"wrote {OUT.relative_to(ROOT)}: {len(pinned['cases'])} cases, {len(pinned['promotion'])} promotions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
