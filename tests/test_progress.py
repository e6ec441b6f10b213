"""Training progress: one line per epoch where stderr is a log file (a tqdm bar would write a line
per redraw there); in Jupyter and terminals one ``tqdm.auto`` bar for the whole run."""

import numpy as np

from tinygrad_sm import nn
from tinygrad_sm.data import Dataset
from tinygrad_sm.train import fit


def tiny_data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 5)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    return Dataset(x[:48], y[:48], x[48:], y[48:], ["neg", "pos"], "tiny")


def test_fit_writes_one_line_per_epoch_to_a_log_file(capsys):
    fit(nn.MLP([5, 4, 2], generator=np.random.default_rng(0)), tiny_data(), batch_size=8, epochs=3)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 3 and all(line.startswith(f"epoch {k}/3: train loss ") for k, line in enumerate(lines, 1))
    assert "\r" not in "".join(lines)


def test_fit_is_silent_without_progress(capsys):
    fit(nn.MLP([5, 4, 2], generator=np.random.default_rng(0)), tiny_data(), batch_size=8, epochs=2, progress=False)
    assert capsys.readouterr().err == ""


def test_fit_in_a_notebook_uses_one_bar_for_the_whole_run(monkeypatch):
    import tinygrad_sm.train as train

    made = []

    class FakeBar:
        def __init__(self, total, desc, leave):
            made.append(self)
            self.total, self.updates, self.closed = total, 0, False

        def update(self, n):
            self.updates += n

        def set_description(self, text):
            self.description = text

        def set_postfix(self, **values):
            pass

        def close(self):
            self.closed = True

    import tqdm.auto

    monkeypatch.setattr(tqdm.auto, "tqdm", FakeBar)
    monkeypatch.setattr(train, "_in_notebook", lambda: True)
    fit(nn.MLP([5, 4, 2], generator=np.random.default_rng(0)), tiny_data(), batch_size=8, epochs=3)
    (bar,) = made
    assert bar.total == bar.updates == 18 and bar.closed and bar.description == "epoch 3/3"


def test_the_train_command_logs_each_epoch_once_and_records_compile(tmp_path, capsys, monkeypatch):
    # progress on, stderr a log file: fit's own line and the command's line used to both appear
    import json

    import tinygrad_sm.train as train

    monkeypatch.setattr(train, "load_dataset", lambda *args, **kwargs: tiny_data())
    train.train_command(dataset="digits", model="5-4-2", epochs=3, batch_size=8, out=str(tmp_path), compile=True)
    captured = capsys.readouterr()
    printed = (captured.out + captured.err).splitlines()
    epoch_lines = [line for line in printed if line.lstrip().startswith("epoch")]
    assert [line.split()[1] for line in epoch_lines] == ["1", "2", "3"]
    assert "compile=on" in printed[0]
    assert json.loads((tmp_path / "metrics.json").read_text())["settings"]["compile"] is True
