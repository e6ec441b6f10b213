"""check_derivation: a learner's hand-derived gradient against autograd, the usual mistakes named.

Three functions (a softmax-CE last layer, a tanh MLP with an L2 penalty, a function of two inputs),
each with a correct NumPy derivation; every mistake is made on each of them, and the report must
name exactly that mistake, never another one."""

import json

import numpy as np
import pytest

import tinygrad_sm.functional as F
from tinygrad_sm import Tensor, check_derivation
from tinygrad_sm.testing import assert_derivation

RNG = np.random.default_rng(7)
N = 4  # batch size in every case


def _softmax(z):
    shifted = np.exp(z - z.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


# --- 1. softmax + cross-entropy last layer, W of shape (out, in), logits = x @ W.T + b ---------------
def layer_loss(W, b, x, labels):
    return F.cross_entropy(x @ W.T + b, labels)


def layer_derived(W, b, x, labels, lam=None):
    delta = (_softmax(x @ W.T + b) - np.eye(W.shape[0])[labels]) / len(labels)
    return {"W": delta.T @ x, "b": delta.sum(axis=0)}, {"b": delta}


LAYER = dict(
    loss=layer_loss,
    derived=layer_derived,
    wrt=("W", "b"),
    matrix="W",
    vector="b",
    terms=None,
    inputs=dict(
        W=RNG.standard_normal((3, 5)),
        b=RNG.standard_normal(3),
        x=RNG.standard_normal((N, 5)),
        labels=RNG.integers(0, 3, N),
    ),
)


# --- 2. tanh MLP with an L2 penalty, the loss as named terms ---------------------------------------
LAM = 0.05


def mlp_loss(W1, b1, W2, b2, x, labels):
    hidden = (x @ W1.T + b1).tanh()
    data = F.cross_entropy(hidden @ W2.T + b2, labels)
    return {"data": data, "l2": 0.5 * LAM * ((W1 * W1).sum() + (W2 * W2).sum())}


def mlp_derived(W1, b1, W2, b2, x, labels, lam=LAM):
    hidden = np.tanh(x @ W1.T + b1)
    delta2 = (_softmax(hidden @ W2.T + b2) - np.eye(W2.shape[0])[labels]) / len(labels)
    delta1 = (delta2 @ W2) * (1 - hidden**2)
    grads = {
        "W1": delta1.T @ x + lam * W1,
        "b1": delta1.sum(axis=0),
        "W2": delta2.T @ hidden + lam * W2,
        "b2": delta2.sum(axis=0),
    }
    return grads, {"b1": delta1, "b2": delta2}


MLP = dict(
    loss=mlp_loss,
    derived=mlp_derived,
    wrt=("W1", "b1", "W2", "b2"),
    matrix="W1",
    vector="b2",
    terms="l2",
    inputs=dict(
        W1=RNG.standard_normal((4, 3)),
        b1=RNG.standard_normal(4),
        W2=RNG.standard_normal((2, 4)),
        b2=RNG.standard_normal(2),
        x=RNG.standard_normal((N, 3)),
        labels=RNG.integers(0, 2, N),
    ),
)


# --- 3. a function of two inputs: U (n, 3) rows, v (3,); mean of softplus(U v) plus a penalty on U ----
def pair_loss(U, v):
    scores = U @ v
    return {"fit": (1 + scores.exp()).log().mean(), "penalty": 0.1 * (U * U).sum()}


def pair_derived(U, v, lam=0.1):
    weights = 1 / (1 + np.exp(-(U @ v))) / len(U)  # d mean(softplus) / d score
    per_row = weights[:, None] * U  # each row's contribution to dv
    return {"U": np.outer(weights, v) + 2 * lam * U, "v": per_row.sum(axis=0)}, {"v": per_row}


PAIR = dict(
    loss=pair_loss,
    derived=pair_derived,
    wrt=("U", "v"),
    matrix="U",
    vector="v",
    terms="penalty",
    inputs=dict(U=RNG.standard_normal((N, 3)), v=RNG.standard_normal(3)),
    options=dict(batch_size=N),
)  # every input is differentiated: the batch size cannot be inferred

CASES = {"softmax-ce-layer": LAYER, "tanh-mlp-l2": MLP, "two-inputs": PAIR}


def with_mistake(case, name, change, **derived_options):
    """The case's correct derivation with the gradient of ``name`` replaced by ``change(grads, per_example)``."""

    def derived(**arrays):
        grads, per_example = case["derived"](**arrays, **derived_options)
        if name is not None:
            grads[name] = change(grads[name], per_example.get(name))
        return tuple(grads[key] for key in case["wrt"])

    derived.__name__ = "derived"
    return derived


def check(case, derived, **options):
    return check_derivation(
        case["loss"], derived, wrt=case["wrt"], **case["inputs"], **case.get("options", {}), **options
    )


def row(report, name):
    return next(r for r in report.rows if r.name == name)


def only_failure(report, name):
    """The one failing row, asserting it is ``name`` and every other gradient passed."""
    failing = [r for r in report.rows if not r.passed]
    assert [r.name for r in failing] == [name], str(report)
    return failing[0]


@pytest.fixture(params=list(CASES), ids=list(CASES))
def case(request):
    return CASES[request.param]


def test_correct_derivation_passes_with_finite_differences_agreeing(case):
    report = check(case, with_mistake(case, None, None))
    assert report.passed, str(report)
    assert len(report.points) == 4 and report.points[0] == "the given inputs"
    assert all(r.fd_agrees and r.fd_error < 1e-6 and r.max_abs_error < 1e-12 for r in report.rows)
    assert "PASS" in str(report) and "FAIL" not in str(report)


def test_transposed_matrix_gradient_is_named_with_its_shapes(case):
    name = case["matrix"]
    failed = only_failure(check(case, with_mistake(case, name, lambda g, _: g.T)), name)
    assert failed.mistakes == ["transpose"]
    rows, cols = case["inputs"][name].shape
    assert f"your d{name} has shape {(cols, rows)}; autograd's is {(rows, cols)}; d{name}.T matches" in failed.diagnosis


def test_sign_error_is_named(case):
    name = case["vector"]
    failed = only_failure(check(case, with_mistake(case, name, lambda g, _: -g)), name)
    assert failed.mistakes == ["sign"] and "negative" in failed.diagnosis


@pytest.mark.parametrize("factor, words", [(2.0, "factor of 2"), (0.5, "factor of 1/2"), (N, "n = 4")])
def test_constant_factor_is_named_and_n_as_the_missing_mean(case, factor, words):
    name = case["matrix"]
    failed = only_failure(check(case, with_mistake(case, name, lambda g, _: factor * g)), name)
    assert failed.mistakes == ["factor"] and words in failed.diagnosis
    if factor == N:
        assert "1/n of the mean over the batch is missing" in failed.diagnosis


def test_one_over_n_too_many_is_named(case):
    name = case["vector"]
    failed = only_failure(check(case, with_mistake(case, name, lambda g, _: g / N)), name)
    assert failed.mistakes == ["factor"] and "1/n times" in failed.diagnosis


def test_bias_gradient_not_summed_over_the_batch_is_named(case):
    name = case["vector"]
    failed = only_failure(check(case, with_mistake(case, name, lambda g, rows: rows)), name)
    assert failed.mistakes == ["batch-axis"]
    assert f"(length {N}, the batch axis)" in failed.diagnosis and f"d{name}.sum(axis=0) matches" in failed.diagnosis


def test_per_example_bias_without_the_mean_is_named_as_both(case):
    name = case["vector"]
    failed = only_failure(check(case, with_mistake(case, name, lambda g, rows: N * rows)), name)
    assert failed.mistakes == ["batch-axis", "factor"] and "n = 4" in failed.diagnosis


@pytest.mark.parametrize("key", ["tanh-mlp-l2", "two-inputs"])
def test_missing_term_is_named_when_the_loss_is_a_sum_of_named_terms(key):
    case = CASES[key]
    lam_zero = with_mistake(case, None, None, lam=0.0)
    report = check(case, lam_zero)
    penalised = [r for r in report.rows if not r.passed]
    assert penalised, str(report)  # every input the penalty touches fails, the others pass
    for failed in penalised:
        assert failed.mistakes == ["missing-term"], str(report)
        assert f"the term {case['terms']!r} is missing" in failed.diagnosis


def test_a_term_with_the_wrong_factor_is_named():
    case = MLP
    report = check(case, with_mistake(case, None, None, lam=LAM / 2))  # forgot the 2 of d(w^2)/dw
    for failed in (r for r in report.rows if not r.passed):
        assert failed.mistakes == ["term-factor"] and "'l2' enters 1/2 times" in failed.diagnosis
    assert {r.name for r in report.rows if not r.passed} == {"W1", "W2"}


def test_sign_error_with_factor_two_is_reported_as_both_never_as_one(case):
    for name in (case["matrix"], case["vector"]):
        failed = only_failure(check(case, with_mistake(case, name, lambda g, _: -2 * g)), name)
        assert set(failed.mistakes) >= {"sign", "factor"} or failed.mistakes == ["first-index"]
        assert "-2 times" in failed.diagnosis


def test_transpose_and_sign_together_are_named_together(case):
    name = case["matrix"]
    failed = only_failure(check(case, with_mistake(case, name, lambda g, _: -g.T)), name)
    assert failed.mistakes == ["transpose", "sign"]


def test_unexplained_error_falls_back_to_the_first_differing_index_with_three_values(case):
    name = case["matrix"]

    def off_by_one_element(g, _):
        g = g.copy()
        g[1, 2] += 0.5
        return g

    failed = only_failure(check(case, with_mistake(case, name, off_by_one_element)), name)
    assert failed.mistakes == ["first-index"]
    assert f"d{name}[1, 2] at the given inputs" in failed.diagnosis
    assert "yours" in failed.diagnosis and "autograd" in failed.diagnosis and "finite differences" in failed.diagnosis


@pytest.mark.parametrize(
    "wrong",
    [lambda g, _: g[:-1], lambda g, _: g.reshape(-1)[:-1], lambda g, _: np.zeros((7,)), lambda g, _: np.float64(1.0)],
)
def test_wrong_shape_no_rule_explains_is_reported_not_raised(case, wrong):
    name = case["matrix"]
    failed = only_failure(check(case, with_mistake(case, name, wrong)), name)
    assert failed.mistakes == ["shape"] and "wrong shape" in failed.diagnosis


def test_gradient_that_is_not_numbers_is_reported_not_raised(case):
    name = case["vector"]
    failed = only_failure(check(case, with_mistake(case, name, lambda g, _: None)), name)
    assert failed.mistakes == ["error"] and "not an array" in failed.diagnosis


def test_derived_function_that_raises_or_returns_too_few_fails_the_report():
    def raises(W, b, x, labels):
        return x @ W, b  # a transposed formula that NumPy rejects

    report = check(LAYER, raises)
    assert not report.passed and "raised ValueError" in report.notes[0] and "matmul" in report.notes[0]
    report = check(LAYER, lambda W, b, x, labels: (W,))
    assert not report.passed and "returned 1 value; expected 2: dW, db in that order" in report.notes[0]


def test_gradients_may_come_as_a_dict_or_a_bare_array():
    def as_dict(W, b, x, labels):
        return layer_derived(W, b, x, labels)[0]

    assert check(LAYER, as_dict).passed
    bare = check_derivation(
        layer_loss, lambda W, b, x, labels: layer_derived(W, b, x, labels)[0]["b"], wrt="b", **LAYER["inputs"]
    )
    assert bare.passed and [r.name for r in bare.rows] == ["b"]


def test_names_come_from_keywords_tensor_names_or_parameters():
    inputs = LAYER["inputs"]
    W = Tensor(inputs["W"], name="weight")
    report = check_derivation(
        lambda weight, b, x, labels: layer_loss(weight, b, x, labels),
        lambda *arrays: tuple(layer_derived(*arrays)[0].values()),
        W,
        inputs["b"],
        inputs["x"],
        inputs["labels"],
        wrt=[0, "b"],
    )
    assert report.passed and [r.name for r in report.rows] == ["weight", "b"]


def test_default_wrt_is_every_floating_point_input():
    def loss(U, v):
        return pair_loss(U, v)

    report = check_derivation(
        loss, lambda U, v: tuple(pair_derived(U, v)[0].values()), PAIR["inputs"]["U"], PAIR["inputs"]["v"]
    )
    assert report.passed and [r.name for r in report.rows] == ["U", "v"]


def test_finite_differences_are_an_independent_third_opinion():
    def hides_a_dependency(x):  # autograd sees d/dx (x * c) = c, the function's true slope is 2x
        return (x * x.detach()).sum()

    x = RNG.standard_normal(5)
    report = check_derivation(hides_a_dependency, lambda x: x.copy(), x=x)
    failed = only_failure(report, "x")
    assert failed.mistakes == ["autograd-vs-fd"] and not failed.fd_agrees and "DIFFERS" in str(report)


def test_float32_autograd_is_checked_against_float64_differences():
    report = check(LAYER, with_mistake(LAYER, None, None), dtype=np.float32)
    assert report.passed and report.dtype == "float32", str(report)


def test_relu_at_zero_in_the_given_inputs_is_reported_and_skipped():
    w = np.array([0.0, 1.5, -2.0, 0.7])

    def loss(w):
        return (w.relu() * np.array([1.0, 2.0, 3.0, 4.0])).sum()

    def derived(w):  # the learner's convention relu'(0) = 1 differs from autograd's 0: both are subgradients
        return (w >= 0) * np.array([1.0, 2.0, 3.0, 4.0])

    report = check_derivation(loss, derived, w=w)
    assert report.passed, str(report)
    assert "the given inputs" not in report.points and len(report.points) == 4
    assert any("the given inputs skipped: w[0] sits on a kink" in note for note in report.notes)


def test_tie_in_max_is_reported_and_random_points_stay_off_kinks():
    x = np.array([1.0, 3.0, 3.0, -1.0])

    def derived(x):
        return (np.arange(4) == np.argmax(x)).astype(float)

    report = check_derivation(lambda x: x.max(), derived, x=x, trials=5)
    assert report.passed and len(report.points) == 6, str(report)
    assert [n for n in report.notes if "kink" in n] == [n for n in report.notes if "the given inputs" in n]


def test_to_dict_is_json_and_says_what_the_table_says():
    report = check(MLP, with_mistake(MLP, "W1", lambda g, _: g.T))
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data["passed"] is False and data["dtype"] == "float64" and len(data["points"]) == 4
    w1 = next(r for r in data["rows"] if r["name"] == "W1")
    assert w1["shape"] == [4, 3] and w1["your_shape"] == [3, 4] and w1["mistakes"] == ["transpose"]


def test_bad_loss_raises_a_clear_error():
    with pytest.raises(ValueError, match="must return a scalar; 'loss' has shape"):
        check_derivation(lambda x: x * 2, lambda x: x, x=np.ones(3))
    with pytest.raises(TypeError, match="built from tinygrad_sm ops"):
        check_derivation(lambda x: np.sum(x.detach().numpy()), lambda x: x, x=np.ones(3))
    with pytest.raises(ValueError, match="not an input"):
        check_derivation(lambda x: x.sum(), lambda x: x, x=np.ones(3), wrt="y")
    with pytest.raises(TypeError, match="cannot differentiate with respect to 'labels'"):
        check_derivation(layer_loss, layer_derived, wrt="labels", **LAYER["inputs"])


def test_assert_derivation_raises_with_the_report_as_message():
    assert assert_derivation(LAYER["loss"], with_mistake(LAYER, None, None), wrt=LAYER["wrt"], **LAYER["inputs"]).passed
    with pytest.raises(AssertionError) as raised:
        assert_derivation(
            LAYER["loss"], with_mistake(LAYER, "W", lambda g, _: g.T), wrt=LAYER["wrt"], **LAYER["inputs"]
        )
    assert "dW.T matches" in str(raised.value) and "FAIL" in str(raised.value)


def test_transpose_of_a_square_matrix_is_named_though_the_shapes_agree():
    inputs = dict(LAYER["inputs"], W=RNG.standard_normal((3, 3)), x=RNG.standard_normal((N, 3)))
    case = dict(LAYER, inputs=inputs)
    failed = only_failure(check(case, with_mistake(case, "W", lambda g, _: g.T)), "W")
    assert failed.mistakes == ["transpose"] and "square" in failed.diagnosis


def test_stray_axis_of_length_one_is_named_as_a_reshape(case):
    name = case["vector"]
    failed = only_failure(check(case, with_mistake(case, name, lambda g, _: g[None, :])), name)
    assert failed.mistakes == ["reshape"] and "axis of length 1" in failed.diagnosis
    failed = only_failure(check(case, with_mistake(case, name, lambda g, _: -g[:, None])), name)
    assert failed.mistakes == ["reshape", "sign"]


def test_nan_in_your_gradient_is_reported_at_its_first_index(case):
    name = case["matrix"]

    def with_nan(g, _):
        g = g.copy()
        g[0, 1] = np.nan
        return g

    failed = only_failure(check(case, with_mistake(case, name, with_nan)), name)
    assert (
        failed.mistakes == ["first-index"]
        and f"yours holds nan or inf; first differing element d{name}[0, 1]" in failed.diagnosis
    )


def test_points_where_the_loss_is_not_finite_are_skipped_and_reported():
    def loss(x):  # log of a perturbed positive input: some random points leave the domain
        return x.log().sum()

    report = check_derivation(loss, lambda x: 1 / x, x=np.array([0.2, 0.05, 0.3]), trials=3)
    assert report.passed, str(report)
    assert any("the loss is nan there" in note for note in report.notes), report.notes


def test_large_inputs_are_checked_along_random_directions(monkeypatch):
    import tinygrad_sm.derivation as derivation

    monkeypatch.setattr(derivation, "FD_ELEMENTS", 10)  # W (3, 5) is now "large", b (3,) is not
    report = check(LAYER, with_mistake(LAYER, None, None))
    assert report.passed and all(r.fd_agrees and r.fd_error < 1e-6 for r in report.rows), str(report)
    failed = only_failure(check(LAYER, with_mistake(LAYER, "W", lambda g, _: g + 1e-3)), "W")
    assert "finite differences n/a" in failed.diagnosis

    def hides_a_dependency(W, b, x, labels):
        return layer_loss(W * W.detach() / W.detach(), b, x, labels) + (W * W.detach()).sum()

    report = check_derivation(
        hides_a_dependency, lambda W, b, x, labels: (np.zeros((3, 5)), np.zeros(3)), wrt=("W", "b"), **LAYER["inputs"]
    )
    assert not row(report, "W").fd_agrees


def test_a_loss_that_leaves_the_graph_is_blamed_not_your_formula():
    def escapes(x):  # the square is taken in NumPy: autograd sees a constant
        return Tensor(np.asarray(np.sum(x.detach().numpy() ** 2))) + 0 * x.sum()

    x = RNG.standard_normal(3)
    failed = only_failure(check_derivation(escapes, lambda x: 2 * x, x=x), "x")
    assert failed.mistakes == ["autograd-vs-fd"] and "yours matches finite differences" in failed.diagnosis


def test_relu_mlp_with_a_preactivation_a_rounding_error_from_zero_is_skipped_at_the_given_inputs():
    W1, x, W2 = RNG.standard_normal((4, 3)), RNG.standard_normal((N, 3)), RNG.standard_normal((2, 4))
    b1 = RNG.standard_normal(4)
    b1[0] = -(x[0] @ W1[0])  # hidden unit 0 of example 0 sits (up to rounding) at relu's kink
    labels = RNG.integers(0, 2, N)

    def loss(W1, b1, W2, x, labels):
        return F.cross_entropy((x @ W1.T + b1).relu() @ W2.T, labels)

    def derived(W1, b1, W2, x, labels):
        pre = x @ W1.T + b1
        delta2 = (_softmax(np.maximum(pre, 0) @ W2.T) - np.eye(2)[labels]) / N
        delta1 = (delta2 @ W2) * (pre > 0)
        return delta1.T @ x, delta1.sum(axis=0), delta2.T @ np.maximum(pre, 0)

    report = check_derivation(loss, derived, W1=W1, b1=b1, W2=W2, x=x, labels=labels, wrt=("W1", "b1", "W2"))
    assert report.passed, str(report)
    assert report.points[0] != "the given inputs" and "sits on a kink" in report.notes[0]


def test_a_failure_at_the_given_inputs_still_shows_autograd_and_finite_differences():
    report = check(LAYER, lambda W, b, x, labels: (x @ W, b))
    assert report.points == ["the given inputs"] and "raised ValueError at the given inputs" in report.notes[0]
    assert all(
        r.shape == LAYER["inputs"][r.name].shape and r.fd_agrees and r.mistakes == ["error"] for r in report.rows
    )
    json.dumps(report.to_dict(), allow_nan=False)


@pytest.mark.parametrize("transposed", [False, True], ids=["plain", "transposed"])
@pytest.mark.parametrize("factor", [-1.0, 2.0, -2.0, float(N), -1 / N, 3.0])
def test_combined_mistakes_are_named_exactly_never_partly(case, transposed, factor):
    name = case["matrix"]

    def change(g, _):
        return factor * (g.T if transposed else g)

    failed = only_failure(check(case, with_mistake(case, name, change)), name)
    expected = (
        (["transpose"] if transposed else [])
        + (["sign"] if factor < 0 else [])
        + (["factor"] if abs(factor) != 1 else [])
    )
    assert failed.mistakes == expected, failed.diagnosis
