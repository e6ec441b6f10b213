"""Pin PyTorch's results for the tutorial-style programs of tests/tutorial_programs.py into
tests/data/torch_tutorials.json (tests/test_tutorial_code.py runs the same programs on tinygrad_sm).

Run with torch installed (the tests never need it):  /work/torchenv/bin/python scripts/pin_torch_tutorials.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from tutorial_programs import PROGRAMS, plain  # noqa: E402


def main() -> None:
    pinned = {}
    for name, entry in sorted(PROGRAMS.items()):
        with tempfile.TemporaryDirectory() as workdir:
            pinned[name] = plain(entry.run(torch, workdir))
        torch.set_default_device(None)
    out = ROOT / "tests" / "data" / "torch_tutorials.json"
    out.write_text(json.dumps({"torch": torch.__version__, "programs": pinned}, indent=1) + "\n")
    print(f"pinned {len(pinned)} programs into {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
