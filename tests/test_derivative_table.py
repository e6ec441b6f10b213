"""The generated derivative table (docs/derivatives.md) is current and lists every primitive once."""

import subprocess
import sys
from pathlib import Path

from tinygrad_sm import ops

ROOT = Path(__file__).resolve().parents[1]


def test_committed_derivative_table_is_current():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_derivative_table.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_primitive_has_one_row_with_its_math():
    page = (ROOT / "docs" / "derivatives.md").read_text()
    for family, name, _forward, _vjp in ops.rules():
        rows = [line for line in page.splitlines() if line.startswith(f"| {family} | `{name}` |")]
        assert len(rows) == 1, name
        assert rows[0].count("$") == 4, f"{name}: forward and VJP are each one $...$ span"
        assert rows[0].count("|") == 5, f"{name}: a '|' in the math would split the table cell"


def test_the_page_is_in_the_site_navigation():
    assert "derivatives.md" in (ROOT / "mkdocs.yml").read_text()
