"""detect_anomaly: backward (and optionally forward) nan/inf is reported with the op, the shapes and the
user's line; grad mode is per thread."""

import threading

import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import AnomalyError, Tensor, detect_anomaly, no_grad


def test_sqrt_at_zero_backward_inf_names_op_shapes_and_user_line():
    x = Tensor(np.array([0.0, 1.0, 4.0]), requires_grad=True)
    with detect_anomaly():
        y = x.sqrt().sum()
        with pytest.raises(AnomalyError) as info:
            y.backward()
    message = str(info.value)
    assert "'sqrt'" in message
    assert "(3,)" in message
    assert "test_anomaly.py" in message
    assert "x.sqrt()" in message  # the source line of the forward op


def test_log_at_zero_backward_raises():
    x = Tensor(np.array([[0.0, 1.0]]), requires_grad=True)
    with detect_anomaly():
        with np.errstate(all="ignore"):
            y = (x.log() * 0.5).sum()
        with pytest.raises(AnomalyError, match="'log'") as info:
            y.backward()
    assert "(1, 2)" in str(info.value)
    assert "test_anomaly.py" in str(info.value)


def test_forward_check_names_op():
    x = Tensor(np.array([-1.0, 2.0]), requires_grad=True)
    with detect_anomaly(check_forward=True), np.errstate(all="ignore"):
        with pytest.raises(AnomalyError, match="forward of op 'log'.*nan"):
            x.log()


def test_forward_not_checked_by_default():
    x = Tensor(np.array([-1.0, 2.0]), requires_grad=True)
    with detect_anomaly(), np.errstate(all="ignore"):
        y = x.log()
    assert np.isnan(y.detach().numpy()[0])


def test_no_error_outside_context():
    x = Tensor(np.array([0.0, 1.0]), requires_grad=True)
    with np.errstate(all="ignore"):
        x.sqrt().sum().backward()
    assert np.isinf(x.grad.detach().numpy()[0])


def test_context_restores_state_after_error():
    x = Tensor(np.array([0.0]), requires_grad=True)
    with pytest.raises(AnomalyError), detect_anomaly():
        x.sqrt().sum().backward()
    with np.errstate(all="ignore"):
        x.sqrt().sum().backward()  # no longer checked
    assert np.isinf(x.grad.detach().numpy()[0])


def _run_together(*targets) -> None:
    """Run each target in its own thread, all at once, and wait (at most 10 s each) for them to end."""
    threads = [threading.Thread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)


def test_no_grad_in_one_thread_does_not_affect_another():
    inside_no_grad = threading.Event()
    other_done = threading.Event()
    results = {}

    def disabled():
        with no_grad():
            inside_no_grad.set()
            assert other_done.wait(5)
            results["disabled_enabled"] = tg.is_grad_enabled()
            results["disabled_requires_grad"] = (Tensor([1.0], requires_grad=True) * 2).requires_grad

    def recording():
        assert inside_no_grad.wait(5)  # the other thread is inside no_grad right now
        results["other_enabled"] = tg.is_grad_enabled()
        x = Tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()
        results["other_requires_grad"] = y.requires_grad
        y.backward()
        results["other_grad"] = x.grad.detach().numpy().tolist()
        other_done.set()

    _run_together(disabled, recording)
    assert results == {
        "disabled_enabled": False,
        "disabled_requires_grad": False,
        "other_enabled": True,
        "other_requires_grad": True,
        "other_grad": [2.0, 4.0],
    }
    assert tg.is_grad_enabled()


def test_detect_anomaly_is_per_thread():
    entered, checked = threading.Event(), threading.Event()
    results = {}

    def anomalous():
        with detect_anomaly():
            entered.set()
            assert checked.wait(5)

    def plain():
        assert entered.wait(5)
        x = Tensor(np.array([0.0]), requires_grad=True)
        with np.errstate(all="ignore"):
            x.sqrt().sum().backward()  # must not raise: anomaly mode is on only in the other thread
        results["grad"] = float(x.grad.detach().numpy()[0])
        checked.set()

    _run_together(anomalous, plain)
    assert results["grad"] == np.inf


def test_the_users_line_is_found_by_the_package_folder_not_by_a_folder_name(tmp_path):
    # a learner's checkout may sit in a folder called tinygrad_sm; its files are still the user's
    from tinygrad_sm import ops
    from tinygrad_sm.anomaly import in_package

    assert in_package(ops.__file__) and in_package(tg.__file__)
    assert in_package(tg.nn.conv.__file__)  # subpackages too (a test of the last two path parts missed them)
    assert not in_package(str(tmp_path / "tinygrad_sm" / "tests" / "test_x.py"))
    assert not in_package(__file__)
    script = tmp_path / "tinygrad_sm" / "lab.py"  # run a user script from there: the report names its line
    script.parent.mkdir()
    script.write_text("def make(x):\n    return x.sqrt().sum()  # the user's line\n")
    namespace: dict = {}
    exec(compile(script.read_text(), str(script), "exec"), namespace)
    x = Tensor(np.array([0.0, 1.0]), requires_grad=True)
    with detect_anomaly(), np.errstate(all="ignore"):
        y = namespace["make"](x)
        with pytest.raises(AnomalyError, match=r"lab\.py:2: return x\.sqrt\(\)\.sum\(\)"):
            y.backward()
