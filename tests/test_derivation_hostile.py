"""The autograder cannot be fooled: a learner's lab runs in a child process with a time limit and a
memory cap, and the verdict is computed here from the arrays it sends back; the usual mistake is
named at every batch size (issue 27)."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import tinygrad_sm.functional as F
from tinygrad_sm import Tensor, analytic, check_derivation
from tinygrad_sm.cli import build_parser, main
from tinygrad_sm.derivation import LabError, LabStopped
from tinygrad_sm.derivation_lab import check_lab, run_lab
from tinygrad_sm.testing import assert_derivation, assert_lab

ROOT = Path(__file__).resolve().parents[1]

LAB = """
import numpy as np
wrt = ["x"]
def loss(x):
    return (x * x).sum()
def derived(x):
    return 2 * x
def inputs():
    return {"x": np.arange(3.0)}
"""


def lab_with(tmp_path, extra, name="lab.py"):
    """The passing lab, with ``extra`` appended (a later ``def`` replaces the first)."""
    path = tmp_path / name
    path.write_text(LAB + textwrap.dedent(extra))
    return path


def run_check(path, *flags):
    """``check --file`` in a fresh interpreter, as a teacher's script runs it."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "tinygrad_sm", "check", "--file", str(path), *flags],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# ---------------------------------------------------------------- a pass that was never earned

ENDINGS = {
    "derived calls sys.exit(0)": ("def derived(x):\n    import sys\n    sys.exit(0)\n", "derived()"),
    "derived raises SystemExit": ("def derived(x):\n    raise SystemExit\n", "derived()"),
    "derived calls os._exit(0)": ("def derived(x):\n    import os\n    os._exit(0)\n", "derived()"),
    "loss calls sys.exit(0)": ("def loss(x):\n    import sys\n    sys.exit(0)\n", "loss()"),
    "loss calls os._exit(0)": ("def loss(x):\n    import os\n    os._exit(0)\n", "loss()"),
    "the module calls sys.exit(0)": ("import sys\nsys.exit(0)\n", "module import"),
    "the module calls os._exit(0)": ("import os\nos._exit(0)\n", "module import"),
    "derived kills its own process": (
        "def derived(x):\n    import os, signal\n    os.kill(os.getpid(), signal.SIGKILL)\n",
        "derived()",
    ),
    "derived exits at a random point only": (
        "calls = []\ndef derived(x):\n    calls.append(1)\n    if len(calls) == 3:\n        import os\n"
        "        os._exit(0)\n    return 2 * x\n",
        "derived() at random point 2",
    ),
}


@pytest.mark.parametrize("ending", list(ENDINGS), ids=list(ENDINGS))
def test_a_lab_that_ends_its_process_exits_2_naming_what_was_running(tmp_path, ending):
    source, running = ENDINGS[ending]
    done = run_check(lab_with(tmp_path, source))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "PASS" not in done.stdout and "Traceback" not in done.stderr
    first = done.stderr.splitlines()[0]
    assert first.startswith("error: ") and str(tmp_path / "lab.py") in first
    assert f"while running {running}" in first and "before every gradient was compared" in first


@pytest.mark.parametrize(
    "source, running",
    [
        ("def derived(x):\n    while True:\n        pass\n", "derived() at the given inputs"),
        ("def loss(x):\n    while True:\n        pass\n", "loss() at the given inputs"),
        ("while True:\n    pass\n", "module import"),
        ("def inputs():\n    import time\n    time.sleep(60)\n", "inputs()"),
    ],
    ids=["derived", "loss", "import", "inputs"],
)
def test_a_lab_that_loops_is_stopped_at_the_time_limit(tmp_path, source, running):
    done = run_check(lab_with(tmp_path, source), "--timeout", "2")
    assert done.returncode == 2
    assert f"{running} did not finish within the time limit of 2 s" in done.stderr


def test_a_lab_that_patches_the_report_and_prints_pass_still_fails(tmp_path):
    source = """
    import tinygrad_sm.derivation_report as report
    import tinygrad_sm.derivation as derivation
    report.DerivationReport.passed = property(lambda self: True)
    derivation.DerivationReport.__str__ = lambda self: "1/1 gradients match autograd: PASS"
    print("1/1 gradients match autograd: PASS")
    def derived(x):
        print("PASS")
        return 3 * x
    """
    done = run_check(lab_with(tmp_path, source))
    assert done.returncode == 1
    assert "0/1 gradients match autograd: FAIL" in done.stdout and "PASS" not in done.stdout
    assert "lab.py printed| PASS" in done.stderr  # what it printed is shown, marked as the lab's


def test_a_huge_allocation_is_a_failure_of_derived_not_a_crash(tmp_path):
    source = "def derived(x):\n    import numpy as np\n    waste = np.ones(1 << 31)\n    return 2 * x\n"
    done = run_check(lab_with(tmp_path, source), "--memory", "256M")
    assert done.returncode == 1
    assert "derived raised MemoryError" in done.stdout


def test_a_lab_killing_its_parent_never_exits_0(tmp_path):
    source = "def derived(x):\n    import os, signal\n    os.kill(os.getppid(), signal.SIGKILL)\n    return 2 * x\n"
    done = run_check(lab_with(tmp_path, source))
    assert done.returncode != 0


def test_the_lab_never_runs_in_the_checking_process(tmp_path):
    path = lab_with(tmp_path, "import os\nMARK = os.getpid()\n")
    before = set(sys.modules)
    reports = check_lab(path)
    assert reports[0].passed
    assert not [name for name in set(sys.modules) - before if name.startswith("_tinygrad_sm_lab_")]


def test_run_lab_returns_the_childs_plain_arrays_and_what_ran(tmp_path):
    result = run_lab(
        lab_with(tmp_path, ""),
        options={"loss": "loss", "derived": "derived", "inputs": "inputs", "trials": 0, "seed": 0, "dtype": "float64"},
    )
    assert result.status == "done" and result.meta["names"] == ["x"]
    assert all(isinstance(array, np.ndarray) and array.dtype.kind in "biuf" for array in result.arrays.values())
    stopped = run_lab(lab_with(tmp_path, "import os\nos._exit(0)\n"))
    assert stopped.status == "exited" and stopped.running == "module import"


def test_timeout_and_memory_flags_are_checked():
    parser = build_parser()
    args = parser.parse_args(["check", "--file", "x.py", "--timeout", "5", "--memory", "512M"])
    assert args.timeout == 5.0 and args.memory == 512 << 20
    assert parser.parse_args(["check", "--memory", "none"]).memory is None
    for bad in (["--timeout", "0"], ["--timeout", "-1"], ["--memory", "lots"], ["--memory", "1K"]):
        with pytest.raises(SystemExit):
            parser.parse_args(["check", *bad])


# ---------------------------------------------------------------- assert_derivation and assert_lab


def _loss(x):
    return (x * x).sum()


def _exits(x):
    sys.exit(0)


def _exits_hard(x):
    os._exit(0)


def _loops(x):
    while True:
        pass


@pytest.mark.parametrize("derived", [_exits, _exits_hard, lambda x: os.kill(os.getpid(), signal.SIGKILL)])
def test_assert_derivation_fails_when_the_learners_code_ends_its_process(derived):
    with pytest.raises(AssertionError, match=r"while running .*\(\) at the given inputs, before every gradient"):
        assert_derivation(_loss, derived, x=np.arange(3.0))


def test_assert_derivation_stops_a_loop_at_the_time_limit():
    with pytest.raises(
        AssertionError, match="_loops\\(\\) at the given inputs did not finish within the time limit of 1 s"
    ):
        assert_derivation(_loss, _loops, x=np.arange(3.0), timeout=1)


def test_assert_derivation_still_passes_and_fails_on_the_gradient():
    assert assert_derivation(_loss, lambda x: 2 * x, x=np.arange(3.0)).passed
    with pytest.raises(AssertionError, match="yours is the negative of autograd's"):
        assert_derivation(_loss, lambda x: -2 * x, x=np.arange(3.0))
    assert assert_derivation(_loss, lambda x: 2 * x, x=np.arange(3.0), isolate=False).passed


def test_check_derivation_isolated_reports_like_in_process():
    here = check_derivation(_loss, lambda x: 3 * x, x=np.arange(3.0))
    there = check_derivation(_loss, lambda x: 3 * x, x=np.arange(3.0), isolate=True)
    assert str(here) == str(there) and not there.passed
    with pytest.raises(LabStopped, match="_exits_hard\\(\\)"):
        check_derivation(_loss, _exits_hard, x=np.arange(3.0), isolate=True)
    with pytest.raises(LabError, match="<lambda> raised NameError"):
        check_derivation(lambda x: undefined_name, _exits, x=np.arange(3.0), isolate=True)  # noqa: F821
    with pytest.raises(ValueError, match="timeout= applies with isolate=True"):
        check_derivation(_loss, _exits, x=np.arange(3.0), timeout=5)


def test_assert_lab_passes_and_fails(tmp_path):
    assert assert_lab(lab_with(tmp_path, ""))[0].passed
    with pytest.raises(AssertionError, match="derived\\(\\)"):
        assert_lab(lab_with(tmp_path, "def derived(x):\n    raise SystemExit(0)\n"))
    with pytest.raises(AssertionError, match="0/1 gradients match autograd: FAIL"):
        assert_lab(lab_with(tmp_path, "def derived(x):\n    return x\n"))


# ---------------------------------------------------------------- what the lab is missing


THREE = """
import numpy as np
def loss(W, b, x):
    return ((x @ W.T + b) ** 2).sum()
def derived(W, b, x):
    r = 2 * (x @ W.T + b)
    return r.T @ x, r.sum(axis=0)
def inputs():
    return {"W": np.ones((2, 3)), "b": np.zeros(2), "x": np.arange(12.0).reshape(4, 3)}
"""


@pytest.mark.parametrize(
    "source, words",
    [
        (THREE, "the lab defines no wrt: it is not given, so every floating-point input is differentiated: W, b, x"),
        (
            LAB.replace("def loss", "def los"),
            "the lab defines no 'loss'; it must be the loss: a function of the inputs",
        ),
        (LAB.replace("def inputs", "def example"), "the lab defines no 'inputs'; it must be the example inputs"),
        (LAB.replace("def derived", "def d"), "the lab defines no 'derived'; it must be your derived gradient"),
        (LAB.replace('wrt = ["x"]', "wrt = 3"), "wrt is int; it must be a list of the input names whose gradients"),
    ],
    ids=["wrt", "loss", "inputs", "derived", "bad wrt"],
)
def test_check_file_names_what_the_lab_is_missing(tmp_path, capsys, source, words):
    path = tmp_path / "lab.py"
    path.write_text(source)
    status = main(["check", "--file", str(path)])
    captured = capsys.readouterr()
    assert words in captured.out + captured.err
    assert status == (1 if source is THREE else 2)


def test_help_describes_the_lab_format_with_a_runnable_example(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    text = capsys.readouterr().out
    for words in ("loss(...)", "derived(...)", "inputs()", "wrt", "--timeout", "--memory", "child process"):
        assert words in text, words
    example = text.split("for example:\n", 1)[1].split("\nIt runs", 1)[0]
    path = tmp_path / "example.py"
    path.write_text(textwrap.dedent(example))
    assert main(["check", "--file", str(path)]) == 0


# ---------------------------------------------------------------- the named mistake at every batch size


def _softmax_layer(n, seed=0, square=False):
    rng = np.random.default_rng(seed + n)
    classes, features = 3, 3 if square else 4
    labels = rng.integers(0, classes, n)

    def loss(W, b, a_prev):  # the labels live in the closure: every input is differentiated
        return F.cross_entropy(a_prev @ W.T + b, labels)

    def delta(W, b, a_prev):
        return (analytic.softmax(a_prev @ W.T + b) - np.eye(classes)[labels]) / n

    inputs = (
        Tensor(rng.standard_normal((classes, features)), name="W"),
        Tensor(rng.standard_normal(classes), name="b"),
        Tensor(rng.standard_normal((n, features)), name="a_prev"),
    )
    return loss, delta, inputs


MISTAKES = {
    # name: (how the right (dW, db, da_prev) is spoiled, the failing input, tags, words)
    "transpose": (lambda d, W, a: (a.T @ d, d.sum(0), d @ W), "W", ["transpose"], "dW.T matches"),
    "sign": (lambda d, W, a: (d.T @ a, d.sum(0), -(d @ W)), "a_prev", ["sign"], "a sign error"),
    "missing 1/n": (
        lambda d, W, a: (d.T @ a, (d * len(a)).sum(0), d @ W),
        "b",
        ["factor"],
        "the 1/n of the mean over the batch is missing",
    ),
    "1/n twice": (lambda d, W, a: (d.T @ a / len(a), d.sum(0), d @ W), "W", ["factor"], "divided by n once too often"),
    "bias not summed": (lambda d, W, a: (d.T @ a, d, d @ W), "b", ["batch-axis"], "summed over the batch"),
    "zero": (lambda d, W, a: (d.T @ a, 0 * d.sum(0), d @ W), "b", ["zero"], "zero everywhere"),
    "stray axis": (lambda d, W, a: (d.T @ a, d.sum(0)[None, :], d @ W), "b", ["reshape"], "axis of length 1"),
    "sign and missing 1/n": (
        lambda d, W, a: (d.T @ a, -len(a) * d.sum(0), d @ W),
        "b",
        ["sign", "factor"],
        "the sign is wrong, and the 1/n of the mean over the batch is missing",
    ),
}
SKIP_AT_ONE = {"missing 1/n", "1/n twice", "sign and missing 1/n"}  # n = 1: the factor is 1, no mistake


@pytest.mark.parametrize("n", [1, 2, 3, 4, 8])
@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_each_named_mistake_is_named_at_every_batch_size(mistake, n):
    if n == 1 and mistake in SKIP_AT_ONE:
        return  # at n = 1 the "wrong" formula is right: it passes (checked below)
    spoil, name, tags, words = MISTAKES[mistake]
    if n == 1 and mistake == "stray axis":  # at n = 1 an axis of length 1 in front is the batch axis
        tags, words = ["batch-axis"], "length 1, the batch axis"
    loss, delta, inputs = _softmax_layer(n)

    def derived(W, b, a_prev):
        return spoil(delta(W, b, a_prev), W, a_prev)

    report = check_derivation(loss, derived, *inputs)
    failing = [row for row in report.rows if not row.passed]
    assert [row.name for row in failing] == [name], str(report)
    assert failing[0].mistakes == tags and words in failing[0].diagnosis, failing[0].diagnosis
    if "1/n" in mistake:
        assert f"n = {n}, the batch size" in failing[0].diagnosis


def test_the_mean_at_batch_size_one_is_no_mistake():
    loss, delta, inputs = _softmax_layer(1)
    assert check_derivation(
        loss, lambda W, b, a: (delta(W, b, a).T @ a, delta(W, b, a).sum(0), delta(W, b, a) @ W), *inputs
    ).passed


@pytest.mark.parametrize("n", [2, 4])
def test_missing_mean_is_named_even_where_n_is_another_plausible_factor(n):
    """n = 2 could be the 2 of d(x^2)/dx, n = 4 the 4 of a square's side: the mean is named first."""
    rng = np.random.default_rng(n)
    targets = rng.standard_normal(n)

    def loss(w, x):
        return ((x @ w - targets) ** 2).mean()  # a mean over the batch of squared errors

    def derived(w, x):  # the 1/n forgotten
        return 2 * x.T @ (x @ w - targets)

    report = check_derivation(loss, derived, w=rng.standard_normal(4), x=rng.standard_normal((n, 4)), wrt=["w"])
    assert report.rows[0].mistakes == ["factor"]
    assert f"n = {n}, the batch size): the 1/n of the mean over the batch is missing" in report.rows[0].diagnosis


def test_a_mean_over_all_elements_is_named_with_its_count():
    rng = np.random.default_rng(3)
    target = rng.standard_normal((4, 3))

    def loss(p):
        return ((p - target) ** 2).mean()

    report = check_derivation(loss, lambda p: 2 * (p - target), p=rng.standard_normal((4, 3)))
    assert "n = 12, the number of elements a mean in the loss averages" in report.rows[0].diagnosis
    assert "the 1/n of the mean over 12 elements is missing" in report.rows[0].diagnosis


def test_notebook_2_names_the_missing_mean():
    text = (ROOT / "docs" / "notebooks" / "2_last_layer.ipynb").read_text()
    assert "the 1/n of the mean over the batch is missing" in text
    assert "a constant factor of 4" not in text


# ---------------------------------------------------------------- more ways to end or confuse the child


def test_a_grandchild_holding_the_pipes_does_not_hang_the_check(tmp_path):
    source = """
    def derived(x):
        import subprocess, sys
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        import os
        os._exit(0)
    """
    started = __import__("time").monotonic()
    done = run_check(lab_with(tmp_path, source), "--timeout", "20")
    assert done.returncode == 2 and "while running derived()" in done.stderr
    assert __import__("time").monotonic() - started < 15


def test_garbage_written_to_the_result_pipe_is_not_a_result(tmp_path):
    source = """
    def derived(x):
        import os
        for fd in range(3, 64):
            try:
                os.write(fd, b"M" + (10**9).to_bytes(8, "big") + b"{}")
            except OSError:
                pass
        os._exit(0)
    """
    done = run_check(lab_with(tmp_path, source))
    assert done.returncode == 2 and "PASS" not in done.stdout


def test_a_lab_that_prints_without_end_is_cut_at_the_time_limit(tmp_path):
    source = "def derived(x):\n    while True:\n        print('PASS ' * 1000)\n"
    done = run_check(lab_with(tmp_path, source), "--timeout", "2")
    assert done.returncode == 2 and "did not finish within the time limit of 2 s" in done.stderr
    assert "more bytes" in done.stderr and len(done.stderr) < 200_000


def test_an_empty_wrt_is_refused(tmp_path, capsys):
    assert main(["check", "--file", str(lab_with(tmp_path, "wrt = []\n"))]) == 2
    assert "wrt names no input" in capsys.readouterr().err


def _layer_with_penalty(n):
    loss, delta, inputs = _softmax_layer(n, seed=10)
    lam = 0.1

    def penalised(W, b, a_prev):
        return {"cross_entropy": loss(W, b, a_prev), "l2": 0.5 * lam * (W * W).sum()}

    return penalised, delta, inputs, lam


@pytest.mark.parametrize("n", [1, 2, 3, 4, 8])
def test_a_missing_term_is_named_at_every_batch_size(n):
    loss, delta, inputs, _ = _layer_with_penalty(n)

    def derived(W, b, a_prev):
        d = delta(W, b, a_prev)
        return d.T @ a_prev, d.sum(0), d @ W  # the penalty's lam * W forgotten

    failing = [row for row in check_derivation(loss, derived, *inputs).rows if not row.passed]
    assert [row.name for row in failing] == ["W"]
    assert failing[0].mistakes == ["missing-term"] and "the term 'l2' is missing" in failing[0].diagnosis


@pytest.mark.parametrize("n", [2, 3, 4, 8])
def test_a_term_missing_its_mean_is_named_with_the_batch_size(n):
    loss, delta, inputs, lam = _layer_with_penalty(n)

    def derived(W, b, a_prev):
        d = delta(W, b, a_prev)
        return n * d.T @ a_prev + lam * W, d.sum(0), d @ W  # the data term's 1/n forgotten, the penalty right

    failing = [row for row in check_derivation(loss, derived, *inputs).rows if not row.passed]
    assert [row.name for row in failing] == ["W"] and failing[0].mistakes == ["term-factor"]
    assert f"'cross_entropy' enters n times its autograd gradient (n = {n}, the batch size)" in failing[0].diagnosis
    assert "the 1/n of the mean over the batch is missing" in failing[0].diagnosis


def test_a_dict_of_gradients_without_wrt_names_wrt(tmp_path, capsys):
    source = THREE.replace("return r.T @ x, r.sum(axis=0)", 'return {"W": r.T @ x, "b": r.sum(axis=0)}')
    path = tmp_path / "lab.py"
    path.write_text(source)
    assert main(["check", "--file", str(path)]) == 1
    out = capsys.readouterr().out
    assert "derived returned no gradient for x (a dict with keys ['W', 'b'])" in out
    assert "the lab defines no wrt" in out


@pytest.mark.parametrize("kind", ["a folder", "a FIFO (named pipe)", "a device"])
def test_a_lab_path_that_is_not_a_file_is_named(tmp_path, capsys, kind):
    path = tmp_path / "lab.py"
    {
        "a folder": path.mkdir,
        "a FIFO (named pipe)": lambda: os.mkfifo(path),
        "a device": lambda: path.symlink_to("/dev/zero"),
    }[kind]()
    assert main(["check", "--file", str(path), "--timeout", "10"]) == 2
    assert f"{path}: is {kind}, not a Python file" in capsys.readouterr().err
