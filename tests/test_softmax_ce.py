"""Specification: autograd through softmax + cross-entropy reproduces the hand derivation (docs/softmax.md)."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_sm import Tensor, analytic, grad, gradcheck, jacobian
from tinygrad_sm import functional as F
from tinygrad_sm.compare import check_command, compare_gradients, run_standard_checks

REDUCTIONS = ("mean", "sum", "none")


def _random_logits(batch: int, classes: int, dtype=np.float64, scale: float = 3.0, seed: int = 0) -> np.ndarray:
    return (scale * np.random.default_rng(seed).standard_normal((batch, classes))).astype(dtype)


def _ce_grad(logits: np.ndarray, targets, loss=F.cross_entropy) -> tuple[Tensor, np.ndarray]:
    leaf = Tensor(logits.copy(), requires_grad=True)
    value = loss(leaf, targets)
    (gradient,) = grad(value, leaf)
    return value, gradient.detach().numpy()


# ---------------------------------------------------------------- dC/dz = (p - delta) / n


@pytest.mark.parametrize("batch,classes", [(1, 2), (7, 3), (1000, 10), (3, 1000), (64, 100)])
def test_autograd_gradient_equals_p_minus_delta_over_n_float64(batch, classes):
    logits = _random_logits(batch, classes, seed=batch * classes)
    labels = np.random.default_rng(1).integers(0, classes, size=batch)
    _, autograd_grad = _ce_grad(logits, labels)
    expected = analytic.cross_entropy_grad_logits(analytic.softmax(logits), labels)
    np.testing.assert_allclose(autograd_grad, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("batch,classes", [(1, 2), (1000, 10), (3, 1000)])
def test_autograd_gradient_equals_p_minus_delta_within_float32_rounding(batch, classes):
    logits = _random_logits(batch, classes, dtype=np.float32, seed=batch + classes)
    labels = np.random.default_rng(2).integers(0, classes, size=batch)
    _, autograd_grad = _ce_grad(logits, labels)
    assert autograd_grad.dtype == np.float32
    expected = analytic.cross_entropy_grad_logits(analytic.softmax(logits.astype(np.float64)), labels)
    np.testing.assert_allclose(autograd_grad, expected, rtol=0, atol=1e-6 / batch + 1e-7)


def test_soft_targets_give_p_minus_t_over_n():
    logits = _random_logits(5, 4)
    targets = np.random.default_rng(3).dirichlet(np.ones(4), size=5)
    _, autograd_grad = _ce_grad(logits, targets)
    np.testing.assert_allclose(autograd_grad, (analytic.softmax(logits) - targets) / 5, rtol=0, atol=1e-12)


# ---------------------------------------------------------------- two classes: the logistic case


def test_two_class_softmax_equals_logistic_of_logit_difference():
    logits = _random_logits(6, 2)
    probs = F.softmax(Tensor(logits), axis=-1).detach().numpy()
    difference = logits[:, 1] - logits[:, 0]
    np.testing.assert_allclose(probs[:, 1], 1 / (1 + np.exp(-difference)), rtol=1e-13, atol=1e-15)


def test_two_class_cross_entropy_equals_binary_cross_entropy_with_logits():
    logits = _random_logits(6, 2)
    labels = np.array([0, 1, 1, 0, 1, 0])
    multiclass = F.cross_entropy(Tensor(logits), labels).item()
    binary = F.binary_cross_entropy_with_logits(Tensor(logits[:, 1] - logits[:, 0]), labels.astype(np.float64)).item()
    assert multiclass == pytest.approx(binary, rel=1e-13, abs=1e-15)


# ---------------------------------------------------------------- stability


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", ["uniform_1e4", "minus_1e4_and_zero"])
def test_extreme_logits_give_finite_loss_and_analytic_gradient(dtype, kind):
    rng = np.random.default_rng(4)
    if kind == "uniform_1e4":
        logits = rng.uniform(-1e4, 1e4, size=(8, 6))
    else:
        logits = np.where(rng.random((8, 6)) < 0.5, -1e4, 0.0)
        logits[:, 0] = 0.0
    logits = logits.astype(dtype)
    labels = rng.integers(0, 6, size=8)
    loss, autograd_grad = _ce_grad(logits, labels)
    assert np.isfinite(loss.detach().numpy()).all() and np.isfinite(autograd_grad).all()
    expected = analytic.cross_entropy_grad_logits(analytic.softmax(logits.astype(np.float64)), labels)
    atol = 1e-12 if dtype == np.float64 else 1e-7
    np.testing.assert_allclose(autograd_grad, expected, rtol=0, atol=atol)


def test_naive_softmax_overflows_on_the_same_logits():
    logits = np.array([[1e4, 0.0, -1e4]])
    with np.errstate(all="ignore"):
        naive = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
    assert not np.isfinite(naive).all()
    assert np.isfinite(F.softmax(Tensor(logits)).detach().numpy()).all()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_confidently_wrong_prediction_gives_large_finite_loss(dtype):
    logits = np.array([[1e4, -1e4]], dtype=dtype)
    loss, autograd_grad = _ce_grad(logits, np.array([1]))
    assert np.isfinite(loss.item()) and loss.item() == pytest.approx(2e4, rel=1e-6)
    np.testing.assert_allclose(autograd_grad, [[1.0, -1.0]], atol=1e-12)


# ---------------------------------------------------------------- layer, Jacobian, Hessian, fused


def test_last_layer_formulas_agree_with_autograd():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((6, 3))
    weight = Tensor(rng.standard_normal((4, 3)), requires_grad=True)  # (out, in), as nn.Linear
    bias = Tensor(rng.standard_normal(4), requires_grad=True)
    labels = rng.integers(0, 4, size=6)
    F.cross_entropy(Tensor(x) @ weight.T + bias, labels).backward()
    probs = analytic.softmax(x @ weight.detach().numpy().T + bias.detach().numpy())
    ref_weight, ref_bias = analytic.last_layer_grads(x, probs, analytic.onehot(labels, 4))
    np.testing.assert_allclose(weight.grad.detach().numpy(), ref_weight, rtol=0, atol=1e-12)
    np.testing.assert_allclose(bias.grad.detach().numpy(), ref_bias, rtol=0, atol=1e-12)


def test_jacobian_of_softmax_equals_softmax_jacobian():
    row = _random_logits(1, 6)[0]
    autograd_jacobian = jacobian(lambda z: F.softmax(z, axis=-1), Tensor(row))
    np.testing.assert_allclose(autograd_jacobian, analytic.softmax_jacobian(analytic.softmax(row)), rtol=0, atol=1e-12)


def test_batched_softmax_jacobian_is_one_block_per_row():
    probs = analytic.softmax(_random_logits(3, 4))
    blocks = analytic.softmax_jacobian(probs)
    assert blocks.shape == (3, 4, 4)
    np.testing.assert_allclose(blocks[1], analytic.softmax_jacobian(probs[1]))


def test_hessian_by_double_backward_equals_diag_p_minus_ppT_over_n():
    batch, classes = 3, 4
    logits = _random_logits(batch, classes)
    labels = np.array([0, 3, 1])

    def gradient(z: Tensor) -> Tensor:
        (g,) = grad(F.cross_entropy(z, labels), z, create_graph=True)
        return g

    hessian = jacobian(gradient, Tensor(logits))
    blocks = analytic.cross_entropy_hessian_logits(analytic.softmax(logits)) / batch
    expected = np.zeros((batch, classes, batch, classes))
    for i in range(batch):
        expected[i, :, i, :] = blocks[i]
    np.testing.assert_allclose(hessian, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("targets_kind", ["labels", "soft"])
def test_fused_and_composed_give_same_loss_and_gradient(targets_kind):
    logits = _random_logits(5, 4)
    rng = np.random.default_rng(6)
    targets = rng.integers(0, 4, size=5) if targets_kind == "labels" else rng.dirichlet(np.ones(4), size=5)
    composed, composed_grad = _ce_grad(logits, targets)
    fused, fused_grad = _ce_grad(logits, targets, loss=F.softmax_cross_entropy_fused)
    assert fused.item() == pytest.approx(composed.item(), rel=1e-14, abs=1e-14)
    np.testing.assert_allclose(fused_grad, composed_grad, rtol=0, atol=1e-15)


# ---------------------------------------------------------------- finite differences


def test_gradcheck_cross_entropy_float64():
    labels = np.array([2, 0, 1])
    assert gradcheck(lambda z: F.cross_entropy(z, labels), _random_logits(3, 4), name="cross_entropy")


def test_gradcheck_cross_entropy_soft_targets_float64():
    targets = np.random.default_rng(7).dirichlet(np.ones(4), size=3)
    assert gradcheck(lambda z: F.cross_entropy(z, targets), _random_logits(3, 4), name="cross_entropy_soft")


def test_gradcheck_log_softmax_float64():
    assert gradcheck(lambda z: F.log_softmax(z, axis=-1), _random_logits(3, 4), name="log_softmax")


def test_gradcheck_softmax_float64():
    assert gradcheck(lambda z: F.softmax(z, axis=-1), _random_logits(3, 4), name="softmax")


def test_gradcheck_logsumexp_float64():
    assert gradcheck(lambda z: F.logsumexp(z, axis=-1), _random_logits(3, 4), name="logsumexp")


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_label_out_of_range_names_value_index_and_range(reduction):
    with pytest.raises(ValueError, match=r"label 7 at index 1.*0\.\.3"):
        F.cross_entropy(Tensor(_random_logits(3, 4)), np.array([0, 7, 1]), reduction=reduction)


def test_fused_label_out_of_range_names_value_index_and_range():
    with pytest.raises(ValueError, match=r"label -1 at index 2.*0\.\.3"):
        F.softmax_cross_entropy_fused(Tensor(_random_logits(3, 4)), np.array([0, 1, -1]))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_float_labels_raise_type_error(reduction):
    with pytest.raises(TypeError, match="integers"):
        F.cross_entropy(Tensor(_random_logits(3, 4)), np.array([0.0, 1.0, 2.0]), reduction=reduction)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_label_shape_mismatch_raises_value_error(reduction):
    with pytest.raises(ValueError, match=r"\(3,\)"):
        F.cross_entropy(Tensor(_random_logits(3, 4)), np.array([0, 1]), reduction=reduction)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_target_shape_mismatch_raises_value_error(reduction):
    with pytest.raises(ValueError, match="shape"):
        F.cross_entropy(Tensor(_random_logits(3, 4)), np.full((3, 5), 0.2), reduction=reduction)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_targets_not_distributions_raise_when_validated(reduction):
    with pytest.raises(ValueError, match="probability distributions"):
        F.cross_entropy(Tensor(_random_logits(3, 4)), np.full((3, 4), 0.5), reduction=reduction, validate=True)


def test_fused_soft_targets_not_distributions_raise_when_validated():
    with pytest.raises(ValueError, match="probability distributions"):
        F.softmax_cross_entropy_fused(Tensor(_random_logits(3, 4)), np.full((3, 4), 0.5), validate=True)


def test_analytic_onehot_rejects_out_of_range_and_float_labels():
    with pytest.raises(ValueError, match="label 5 at index 1"):
        analytic.onehot(np.array([0, 5]), 3)
    with pytest.raises(TypeError, match="integers"):
        analytic.onehot(np.array([0.0, 1.0]), 3)


# ---------------------------------------------------------------- masking (documented behaviour)


def test_all_minus_inf_row_logsumexp_is_minus_inf_with_zero_gradient():
    logits = Tensor(np.array([[-np.inf, -np.inf, -np.inf], [0.0, 1.0, 2.0]]), requires_grad=True)
    value = F.logsumexp(logits, axis=-1)
    assert value.detach().numpy()[0] == -np.inf and np.isfinite(value.detach().numpy()[1])
    (gradient,) = grad(value.sum(), logits)
    np.testing.assert_array_equal(gradient.detach().numpy()[0], 0.0)
    np.testing.assert_allclose(gradient.detach().numpy()[1], analytic.softmax(np.array([0.0, 1.0, 2.0])), atol=1e-15)


# ---------------------------------------------------------------- the comparison report


def test_mse_gradient_vanishes_where_cross_entropy_gradient_does_not():
    report = compare_gradients("mse-vs-ce")
    assert report.passed
    mse_row, ce_row = report
    assert "e-08" in mse_row.note and "-1.000e+00" in ce_row.note


def test_report_renders_table_and_dict():
    report = run_standard_checks(np.float64, seed=1, batch=2, classes=3)
    text = str(report)
    assert "tolerance" in text and "PASS" in text and "FAIL" not in text
    as_dict = report.to_dict()
    assert as_dict["passed"] and len(as_dict["rows"]) == len(report)


def test_unknown_case_raises_value_error():
    with pytest.raises(ValueError, match="unknown case"):
        compare_gradients("nope")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_check_command_returns_zero(dtype, capsys):
    assert check_command(dtype=dtype) == 0
    assert "passed" in capsys.readouterr().out


def test_constant_shift_of_logits_changes_neither_softmax_nor_its_gradient():
    logits = _random_logits(4, 5)
    labels = np.array([0, 4, 2, 1])
    _, gradient = _ce_grad(logits, labels)
    _, shifted_gradient = _ce_grad(logits + 1000.0, labels)
    np.testing.assert_allclose(
        F.softmax(Tensor(logits + 1000.0)).detach().numpy(), F.softmax(Tensor(logits)).detach().numpy(), atol=1e-12
    )
    np.testing.assert_allclose(shifted_gradient, gradient, rtol=0, atol=1e-12)
