"""The house keeps its table: every primitive carries its rule, and the ops index names it."""

import tinygrad_sm.ops as ops


def test_every_primitive_states_its_forward_and_vjp_in_latex():
    for family, name, forward, vjp in ops.rules():
        assert forward and vjp, f"{family}.{name} has no math = (forward, vjp)"


def test_the_ops_index_lists_every_primitive():
    for family, name, _, _ in ops.rules():
        assert f"`{name}`" in ops.__doc__, f"{name} ({family}) is missing from the table in ops/__init__.py"


def test_rules_cover_each_family_module():
    families = {family for family, *_ in ops.rules()}
    assert {"elementwise", "reduce", "linalg", "movement", "index", "fused", "window"} <= families
