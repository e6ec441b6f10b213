"""The scripts a student runs first must keep working."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT.parent / "shared" / "data" / "fashion-mnist-sample"


def run_example(*args: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    result = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_gradient_comparison_example_passes_every_check():
    output = run_example("examples/gradient_comparison.py")
    assert "11/11 passed" in output


def test_softmax_from_raw_ops_example_learns_digits():
    pytest.importorskip("sklearn") if not os.environ.get("CI") else None
    last = run_example("examples/softmax_from_raw_ops.py").strip().splitlines()[-1]
    assert float(last.split()[-1]) > 0.85


def test_mse_vs_ce_example_writes_both_curves(tmp_path):
    if not SAMPLE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"shared test data missing at {SAMPLE}")
        pytest.skip(f"shared test data not found at {SAMPLE}")
    output = run_example(
        "examples/fashion_mse_vs_ce.py", "--data-dir", str(SAMPLE), "--epochs", "3", "--out", str(tmp_path)
    )
    assert "mse: best lr" in output and "ce: best lr" in output
    assert (tmp_path / "mse_vs_ce.json").exists()


def test_conv_as_matmul_example_agrees_with_conv2d_and_the_hand_gradient():
    output = run_example("examples/conv_as_matmul.py")
    assert "max |matmul - conv2d| = 0.0" in output and output.strip().endswith("ok")
