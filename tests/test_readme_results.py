"""The README's measured numbers are the last output of scripts/measure_readme.py, word for word."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_script():
    spec = importlib.util.spec_from_file_location("measure_readme", ROOT / "scripts" / "measure_readme.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_table_is_the_last_output_of_the_measuring_script():
    script = load_script()
    block = script.readme_block((ROOT / "README.md").read_text())
    assert block.strip() == script.RESULTS.read_text().strip()


def test_the_docs_show_the_same_table():
    # docs/training.md includes the README's block by its markers, so it cannot drift either
    assert "README.md:measured" in (ROOT / "docs" / "training.md").read_text()
