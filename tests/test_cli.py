"""The command line as a hostile user drives it: every refusal is exit status 2 with one line on stderr
and no traceback, before any work; every default is in --help, and the examples there work as printed."""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

import pytest

from tinygrad_sm import cli
from tinygrad_sm.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "fashion-mnist-sample"


def require(module: str) -> None:
    try:
        __import__(module)
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail(f"{module} is not installed (CI is set, so this is a failure, not a skip)")
        pytest.skip(f"{module} is not installed")


def refused(argv: list[str], capsys) -> str:
    """Run the CLI, assert it refused (status 2, one line, no traceback, no work), return that line."""
    try:
        status = main(argv)
    except SystemExit as exit_:  # argparse's own errors
        status = exit_.code
    captured = capsys.readouterr()
    assert status == 2, (argv, status, captured.err)
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err, captured.err
    assert "epoch" not in captured.out and "wrote" not in captured.out, captured.out  # nothing was done
    return lines[0]


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a_file").write_text("not a folder")
    return tmp_path


BAD_FLAGS = [
    (["train", "--epochs", "0"], r"argument --epochs: expected an integer from 1 to"),
    (["train", "--epochs", "-2"], r"argument --epochs: .* got -2"),
    (["train", "--lr", "0"], r"argument --lr: expected a number in \(0, 1000\], got '0'"),
    (["train", "--lr", "nan"], r"argument --lr: .*'nan'"),
    (["train", "--batch-size", "0"], r"argument --batch-size: expected an integer from 1"),
    (["train", "--seed", "-1"], r"argument --seed: expected a non-negative integer"),
    (["train", "--seed", "1_0"], r"argument --seed: .*'1_0'"),
    (["check", "--batch", "3000000"], r"argument --batch: expected an integer from 1 to 2048, got 3000000"),
    (["check", "--batch", "2000", "--classes", "10"], r"batch Hessian would need 3\.0 GiB"),
    (["check", "--classes", "1"], r"argument --classes: expected an integer from 2"),
    (["train", "--model", "64-99999999999-10"], r"argument --model: .* would need 109\.1 TiB"),
    (["train", "--model", "64- 128-10"], r"argument --model: model must be .* got '64- 128-10'"),
    (["train", "--model", "1_28"], r"argument --model: .*'1_28'"),
    (["train", "--model", "+64-10"], r"argument --model: .*'\+64-10'"),
    (["train", "--model", "64--10"], r"argument --model: .*'64--10'"),
    (["train", "--model", "784-256-10"], r"--model 784-256-10 does not fit digits: it has 64 features"),
    (["train", "--data-dir", "."], r"--data-dir applies to --dataset fashion-mnist only"),
    (["train", "--download"], r"--download applies to --dataset fashion-mnist only"),
    (["train", "--dataset", "fashion-mnist", "--data-dir", "no/such/dir"], r"--data-dir no/such/dir does not exist"),
    (["train", "--dataset", "fashion-mnist", "--data-dir", "a_file"], r"--data-dir a_file is a file"),
    (["train", "--out", "a_file"], r"argument --out: a_file is a file, not a folder"),
    (["train", "--out", "/proc/x"], r"cannot write into output folder /proc/x"),
    (["train", "--out", "a_file/run"], r"cannot write into output folder a_file/run"),
    (["demo", "--out", "a_file"], r"argument --out: a_file is a file"),
    (["graph", "mlp", "--out", "."], r"argument --out: output path \. is a folder"),
    (["graph", "mlp", "--out", ""], r"argument --out: output path is empty"),
    (["graph", "mlp", "--out", "a_file/g.svg"], r"a_file is a file, not a folder"),
    (["graph", "mlp", "--out", "g.jpeg"], r"cannot tell the format of 'g\.jpeg'"),
    (["graph", "mlp", "--out", "/proc/g.svg"], r"cannot write into output folder /proc"),
    (["train", "--no-such-flag"], r"unrecognized arguments: --no-such-flag"),
]


@pytest.mark.parametrize("argv, message", BAD_FLAGS, ids=[" ".join(argv) for argv, _ in BAD_FLAGS])
def test_every_bad_flag_is_one_line_exit_2_before_any_work(in_tmp, capsys, argv, message):
    import re

    line = refused(argv, capsys)
    assert re.search(message, line), line
    assert line.startswith(f"python -m tinygrad_sm {argv[0]}")


def test_the_output_folder_is_created_before_training(in_tmp, capsys):
    require("sklearn")
    assert main(["train", "--model", "64-8-10", "--epochs", "1", "--out", "deep/er/run"]) == 0
    assert sorted(p.name for p in (in_tmp / "deep/er/run").iterdir()) == sorted(
        ["metrics.json", "model.npz", "confusion_matrix.txt", "learning_curve.png"]
    )


def test_a_typed_value_is_never_replaced_by_a_default(in_tmp, capsys, monkeypatch):
    seen = {}
    monkeypatch.setattr("tinygrad_sm.train.train_command", lambda **kwargs: seen.update(kwargs))
    assert main(["train", "--epochs", "1", "--lr", "1e-9", "--out", "x"]) == 0
    assert seen["epochs"] == 1 and seen["lr"] == 1e-9
    assert main(["train", "--dataset", "fashion-mnist", "--data-dir", ".", "--out", "x"]) == 0
    assert (seen["model"], seen["lr"], seen["epochs"]) == ("784-256-10", 1e-3, 20)  # that data set's defaults


def test_an_error_during_the_work_is_one_line_too(in_tmp, capsys):
    line = refused(["train", "--dataset", "fashion-mnist", "--data-dir", ".", "--out", "x"], capsys)
    assert "Fashion-MNIST files missing" in line and "--download" in line


# ---------------------------------------------------------------- help and its examples


def subcommand_parsers() -> dict:
    parser = cli.build_parser()
    action = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return dict(action.choices)


@pytest.mark.parametrize("name", ["check", "graph", "train", "demo"])
def test_help_describes_every_option_and_shows_every_default(name):
    sub = subcommand_parsers()[name]
    text = sub.format_help()
    for action in sub._actions:
        if not action.option_strings or action.dest == "help":
            continue
        assert action.help, f"{name} {action.option_strings[0]} has no help"
        if action.default not in (None, False):
            assert f"(default: {action.default})" in text.replace("\n", " ").replace(
                "  ", " "
            ) or f"default: {action.default}" in " ".join(text.split()), (name, action.dest)
    if name == "train":  # the per-data-set defaults are spelled out
        flat = " ".join(text.split())
        for phrase in (
            "64-128-10 for digits",
            "784-256-10 for fashion-mnist",
            "0.005 for digits",
            "0.001 for fashion-mnist",
            "30 for digits",
            "20 for fashion-mnist",
        ):
            assert phrase in flat


def examples(name: str) -> list[list[str]]:
    epilog = subcommand_parsers()[name].epilog
    return [shlex.split(line.strip())[3:] for line in epilog.splitlines() if line.strip().startswith(cli.PROG)]


@pytest.mark.parametrize("name", ["check", "graph", "train", "demo"])
def test_every_example_in_help_passes_the_checks_before_work(in_tmp, name, capsys):
    (in_tmp / "data" / "fashion-mnist").mkdir(parents=True)
    (in_tmp / "examples" / "labs").mkdir(parents=True)
    (in_tmp / "examples" / "labs" / "softmax_ce_lab.py").write_text("")
    found = examples(name)
    assert found, f"{name} --help has no examples"
    for argv in found:
        args = cli.build_parser().parse_args(argv)
        if getattr(args, "validate", None):
            args.validate(args)


def test_the_digits_check_and_graph_examples_run_as_printed(in_tmp, capsys, monkeypatch):
    require("sklearn")
    require("matplotlib")
    monkeypatch.chdir(ROOT)  # the check examples name files of the repository and write nothing
    for argv in examples("check"):
        assert main(argv) == 0, (argv, capsys.readouterr().err)
    monkeypatch.chdir(in_tmp)
    for argv in examples("train")[:2]:
        assert main(argv) == 0, (argv, capsys.readouterr().err)
    assert (in_tmp / "runs" / "digits" / "model.npz").is_file()
    if shutil.which("dot") is None and not os.environ.get("CI"):
        pytest.skip("Graphviz dot is not installed")
    for argv in examples("graph"):
        assert main(argv) == 0, (argv, capsys.readouterr().err)
    assert (in_tmp / "softmax_ce.svg").is_file() and (in_tmp / "mlp_forward.png").is_file()


def test_the_fashion_example_with_data_dir_runs_on_the_sample(in_tmp, capsys, monkeypatch):
    if not SAMPLE_DIR.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"shared test data not found at {SAMPLE_DIR}")
        pytest.skip(f"shared test data not found at {SAMPLE_DIR}")
    shutil.copytree(SAMPLE_DIR, in_tmp / "data" / "fashion-mnist")
    argv = next(a for a in examples("train") if "--data-dir" in a)
    argv = [*argv[: argv.index("--epochs")], "--epochs", "1", "--model", "784-16-10", "--out", "runs/f"]
    assert main(argv) == 0, capsys.readouterr().err


def test_graph_draws_the_forward_pass_as_well_as_the_backward_one():
    require("graphviz")
    from tinygrad_sm.viz import example_graph

    forward, backward = example_graph("mlp", backward=False), example_graph("mlp", backward=True)
    assert "#c0392b" in backward.source and "#c0392b" not in forward.source  # red gradient edges only backward
