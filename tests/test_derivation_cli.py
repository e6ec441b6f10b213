"""``python -m tinygrad_sm check --file lab.py``: exit 0 pass, 1 a gradient fails, 2 unusable file."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tinygrad_sm.cli import main

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / "examples" / "labs" / "softmax_ce_lab.py"
WRONG = ROOT / "examples" / "labs" / "softmax_ce_lab_wrong.py"

GOOD_LAB = """
import numpy as np
def loss(x):
    return (x * x).sum()
def derived(x):
    return 2 * x
def inputs():
    return {"x": np.arange(3.0)}
"""


def test_shipped_lab_passes_in_a_fresh_process():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-m", "tinygrad_sm", "check", "--file", str(LAB)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3/3 gradients match autograd: PASS" in result.stdout


def test_wrong_twin_fails_and_names_each_mistake(capsys):
    assert main(["check", "--file", str(WRONG), "--derived", "derived,derived_more,derived_worse"]) == 1
    out = capsys.readouterr().out
    for words in (
        "dW.T matches",
        "db.sum(axis=0) matches",
        "da_prev: yours is the negative of autograd's",
        "the term 'l2' is missing",
        "the 1/n of the mean over the batch is missing",
        "first differing element da_prev[0, 0] at the given inputs",
        "yours is -2 times autograd's: the sign is wrong, and a constant factor of 2",
        "wrong shape: your db has shape (2,)",
    ):
        assert words in out, words
    assert out.count("gradients match autograd: FAIL") == 3


def test_default_derived_of_the_wrong_twin_fails(capsys):
    assert main(["check", "--file", str(WRONG)]) == 1
    assert "0/3 gradients match autograd: FAIL" in capsys.readouterr().out


def test_names_of_the_functions_can_be_chosen(tmp_path, capsys):
    lab = tmp_path / "renamed.py"
    lab.write_text(
        GOOD_LAB.replace("def loss", "def my_loss")
        .replace("def derived", "def mine")
        .replace("def inputs", "def examples")
    )
    assert main(["check", "--file", str(lab), "--loss", "my_loss", "--derived", "mine", "--inputs", "examples"]) == 0
    assert "mine against autograd of my_loss" in capsys.readouterr().out


@pytest.mark.parametrize(
    "source, words",
    [
        ("def loss(:\n", "line 1: SyntaxError"),
        ("import numpy as np\nraise RuntimeError('boom')\n", "line 2: failed to import: RuntimeError: boom"),
        (
            GOOD_LAB.replace("def derived", "def derive"),
            "the lab defines no 'derived'; it must be your derived gradient: a function of the same inputs returning "
            "NumPy arrays, one per input in wrt, in that order; functions defined: derive, inputs, loss",
        ),
        (GOOD_LAB.replace('return {"x": np.arange(3.0)}', "return 3"), "inputs() must return a dict"),
        (GOOD_LAB.replace('return {"x": np.arange(3.0)}', "return 1 / 0"), "inputs() raised ZeroDivisionError"),
        (GOOD_LAB.replace("return (x * x).sum()", "return x * x"), "must return a scalar"),
        (GOOD_LAB.replace("return (x * x).sum()", "return undefined_name"), "loss raised NameError"),
        (GOOD_LAB + "wrt = ['y']\n", "wrt names 'y', which is not an input"),
    ],
)
def test_unusable_lab_file_exits_2_with_one_line_and_no_traceback(tmp_path, capsys, source, words):
    lab = tmp_path / "lab.py"
    lab.write_text(source)
    assert main(["check", "--file", str(lab)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    assert captured.err.count("\n") == 1 and words in captured.err and str(lab) in captured.err


def test_missing_lab_file_exits_2(tmp_path, capsys):
    assert main(["check", "--file", str(tmp_path / "nope.py")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_check_without_file_still_runs_the_built_in_cases(capsys):
    assert main(["check"]) == 0
    assert "11/11 passed" in capsys.readouterr().out


def test_lab_options_without_file_are_an_error(capsys):
    assert main(["check", "--derived", "mine"]) == 2
    assert "need --file" in capsys.readouterr().err


def _shown_in_docs(marker):
    page = (ROOT / "docs" / "check_derivation.md").read_text()
    block = page.split(f"<!-- report:{marker} -->\n```text\n", 1)[1]
    return block.split("\n```", 1)[0]


def test_reports_shown_in_the_docs_are_the_commands_output(capsys):
    main(["check", "--file", str(LAB)])
    assert capsys.readouterr().out.rstrip("\n") == _shown_in_docs("pass")
    main(["check", "--file", str(WRONG), "--derived", "derived,derived_more,derived_worse"])
    assert capsys.readouterr().out.rstrip("\n") == _shown_in_docs("wrong")
