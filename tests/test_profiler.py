"""The per-op profiler: what it counts, what it leaves out, and that it leaves every op class as it found it."""

import re
import time
from collections import Counter

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np.autograd.node import Node
from tinygrad_np.profiler import ENGINE_SUMS, OUTSIDE_OPS, profile

MISSING = object()


def counts(prof: profile) -> dict[tuple[str, str], int]:
    """(op, phase) -> calls, without the time-outside-ops row."""
    return {(row.op, row.phase): row.calls for row in prof.rows if row.op != OUTSIDE_OPS}


def function_classes() -> list[type]:
    classes, stack = [], [Node]
    while stack:
        for cls in stack.pop().__subclasses__():
            if cls not in classes:
                classes.append(cls)
                stack.append(cls)
    return classes


def own_attributes() -> dict[tuple[type, str], object]:
    """What each Node subclass holds in its own __dict__ as apply and backward (MISSING if nothing)."""
    names = ("apply", "backward")
    return {(cls, name): cls.__dict__.get(name, MISSING) for cls in function_classes() for name in names}


def recorded_nodes(root: tg.Tensor) -> Counter:
    """How many nodes of each op the graph of `root` holds."""
    seen, stack = {root.grad_fn}, [root.grad_fn]
    while stack:
        for edge in stack.pop().next_edges:
            if isinstance(edge, Node) and edge not in seen:
                seen.add(edge)
                stack.append(edge)
    return Counter(type(node).__name__ for node in seen)


def table_cells(table: str) -> list[list[str]]:
    """The printed table's rows, split into cells (the cells hold single spaces at most)."""
    return [re.split(r"\s{2,}", line.strip()) for line in table.splitlines()[2:]]


class Square(Node):
    """x², defined here: a user's op."""

    save_inputs = True

    def forward(self, a):
        return a * a

    def backward(self, g):
        return g * self.inputs[0] * 2.0


class Failing(Node):
    def forward(self, a):
        raise ValueError("forward failed")


ORIGINAL_ATTRIBUTES = own_attributes()  # taken before any profile was entered


def vector(requires_grad: bool = True) -> tg.Tensor:
    return tg.tensor(np.array([1.0, 2.0, 3.0], dtype=np.float32), requires_grad=requires_grad)


def test_forward_counts_one_mul_and_one_add_for_x_times_y_plus_z():
    x, y, z = vector(), vector(), vector()
    with profile(print_table=False) as prof:
        x * y + z
    assert counts(prof) == {("Mul", "forward"): 1, ("Add", "forward"): 1}


def test_forward_counts_of_linear_are_the_primitives_of_f_linear():
    layer, x = tg.nn.Linear(4, 3), tg.randn(2, 4)
    with profile(print_table=False) as prof:
        layer(x)
    # x @ weight.T + bias: the transpose, the product, the bias expanded to (2, 3), the sum
    assert counts(prof) == {("Permute", "forward"): 1, ("MatMul", "forward"): 1, ("Expand", "forward"): 1,
                            ("Add", "forward"): 1}


def test_backward_counts_are_one_per_recorded_node():
    model = tg.nn.Sequential(tg.nn.Linear(4, 8), tg.nn.Tanh(), tg.nn.Linear(8, 3))
    loss = tg.nn.functional.cross_entropy(model(tg.randn(5, 4)), tg.tensor([0, 2, 1, 1, 0]))
    nodes = recorded_nodes(loss)
    with profile(print_table=False) as prof:
        loss.backward()
    backward = {op: calls for (op, phase), calls in counts(prof).items() if phase == "backward" and op != ENGINE_SUMS}
    assert backward == dict(nodes)


def test_ops_inside_backward_formulas_are_not_counted_as_forward():
    loss = (vector() * vector()).sum()  # Mul.backward applies Mul twice, Sum.backward Reshape and Expand
    with profile(print_table=False) as prof:
        loss.backward()
    assert counts(prof) == {("Mul", "backward"): 1, ("Sum", "backward"): 1}


@pytest.mark.parametrize("meeting_point", ["leaf", "non-leaf"])
def test_gradients_meeting_at_a_tensor_are_summed_in_the_engine_row(meeting_point):
    x = vector()
    used_twice = x if meeting_point == "leaf" else x.exp()
    loss = (used_twice * 2.0 + used_twice * 3.0).sum()
    with profile(print_table=False) as prof:
        loss.backward()
    assert counts(prof)[ENGINE_SUMS, "backward"] == 1
    assert ("Add", "forward") not in counts(prof)


def test_accumulating_into_an_existing_grad_is_an_engine_sum():
    x = vector()
    (x * 2.0).sum().backward()
    loss = (x * 3.0).sum()
    with profile(print_table=False) as prof:
        loss.backward()
    assert counts(prof)[ENGINE_SUMS, "backward"] == 1


def test_subclass_calling_its_parents_backward_is_counted_once_under_its_own_name():
    class Child(Square):
        def backward(self, g):
            return super().backward(g)

    x = vector()
    with profile(print_table=False) as prof:
        Child.apply(x).sum().backward()
    assert counts(prof) == {("Child", "forward"): 1, ("Child", "backward"): 1, ("Sum", "forward"): 1,
                            ("Sum", "backward"): 1}


def test_user_defined_function_is_profiled():
    x = vector()
    with profile(print_table=False) as prof:
        Square.apply(x).sum().backward()
    assert counts(prof)[Square.__name__, "forward"] == 1
    assert counts(prof)[Square.__name__, "backward"] == 1


def test_op_classes_are_wrapped_inside_the_block_and_exactly_restored_after():
    with profile(print_table=False):
        during = own_attributes()
    after = own_attributes()
    assert all(during[key] is not original for key, original in ORIGINAL_ATTRIBUTES.items())
    assert all(after[key] is original for key, original in ORIGINAL_ATTRIBUTES.items())


def test_op_classes_are_exactly_restored_after_an_exception_in_the_block():
    with pytest.raises(ZeroDivisionError), profile(print_table=False):
        vector() * vector()
        1 / 0  # noqa: B018
    after = own_attributes()
    assert all(after[key] is original for key, original in ORIGINAL_ATTRIBUTES.items())


def test_a_profile_can_be_entered_after_one_left_by_an_exception():
    with pytest.raises(ZeroDivisionError), profile(print_table=False):
        1 / 0  # noqa: B018
    x = vector()
    with profile(print_table=False) as prof:
        x * x
    assert counts(prof) == {("Mul", "forward"): 1}


def test_nested_profile_raises_runtime_error():
    with profile(print_table=False), pytest.raises(RuntimeError, match="already active"):
        with profile(print_table=False):
            pass


def test_ops_after_an_op_that_raised_are_still_counted():
    x = vector()
    with profile(print_table=False) as prof:
        with pytest.raises(ValueError, match="forward failed"):
            Failing.apply(x)
        x * x
    assert counts(prof)[("Mul", "forward")] == 1


def test_ops_after_a_backward_that_raised_are_counted_as_forward():
    x = vector()
    loss = (x * x).sum()
    loss.backward()
    with profile(print_table=False) as prof:
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            loss.backward()
        x * x
    assert counts(prof)[("Mul", "forward")] == 1
    assert (ENGINE_SUMS, "backward") not in counts(prof)


def test_table_is_printed_on_exit_sorted_by_total_time(capsys):
    x = vector()
    with profile() as prof:
        (x.exp() * x).sum().backward()
        assert capsys.readouterr().out == ""
    assert capsys.readouterr().out == prof.table() + "\n"
    milliseconds = [float(cells[3]) for cells in table_cells(prof.table())]
    assert len(milliseconds) == 8  # Exp, Mul, Sum forward and backward, the sum at x, the time outside ops
    assert milliseconds == sorted(milliseconds, reverse=True)


def test_print_table_false_prints_nothing(capsys):
    with profile(print_table=False):
        vector() * vector()
    assert capsys.readouterr().out == ""


def test_percentages_sum_to_100():
    x = vector()
    with profile(print_table=False) as prof:
        for _ in range(20):
            (x.tanh() * x).sum().backward()
    percentages = [float(cells[4]) for cells in table_cells(prof.table())]
    assert sum(percentages) == pytest.approx(100, abs=0.05 * len(percentages))
    assert sum(row.total_seconds for row in prof.rows) == pytest.approx(prof.total_seconds)


def test_time_outside_ops_has_its_own_row():
    with profile(print_table=False) as prof:
        vector() * vector()
        time.sleep(0.02)
    first = prof.rows[0]
    assert first.op == OUTSIDE_OPS
    assert first.total_seconds >= 0.02
