"""tg.einsum (tinygrad_np/einsum.py): PyTorch's equation syntax and errors. Values and
gradients over many equations are the op registry's `einsum` entry; here, the syntax."""

import numpy as np
import pytest

import tinygrad_np as tg

rng = np.random.default_rng(0)


def operands(*shapes):
    return [rng.standard_normal(s) for s in shapes]


@pytest.mark.parametrize("equation, shapes", [
    ("ij,jk", [(2, 3), (3, 4)]),
    ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ("ii", [(3, 3)]),
    ("...ij,...jk", [(5, 2, 3), (3, 4)]),
    ("a...b,b...->...a", [(2, 3, 4), (4, 3)]),
    ("ab,cd,bc->ad", [(2, 3), (4, 5), (3, 4)]),
])
def test_einsum_agrees_with_numpys(equation, shapes):
    arrays = operands(*shapes)
    got = tg.einsum(equation, *map(tg.tensor, arrays)).numpy()
    np.testing.assert_allclose(got, np.einsum(equation, *arrays), rtol=1e-12, atol=1e-12)


def test_the_implicit_output_is_the_ellipsis_then_single_letters_in_ascii_order():
    assert tg.einsum("i...", tg.ones(2, 3, 4)).shape == (3, 4, 2)
    assert tg.einsum("Ba,aC", tg.ones(2, 3), tg.ones(3, 4)).shape == (2, 4)
    assert tg.einsum("ji", tg.ones(2, 3)).shape == (3, 2)


def test_ellipsis_dims_left_out_of_the_output_are_summed_as_pytorch():
    assert tg.einsum("i...->i", tg.ones(2, 3)).tolist() == [3.0, 3.0]


def test_operands_may_come_as_a_list_and_spaces_are_ignored():
    a, b = tg.ones(2, 3), tg.ones(3, 4)
    assert tg.einsum(" ij , jk -> ik ", [a, b]).tolist() == [[3.0] * 4] * 2


def test_a_letter_of_size_one_broadcasts():
    assert tg.einsum("bi,bi->b", tg.ones(1, 3), tg.ones(4, 3)).tolist() == [3.0] * 4


def test_integer_operands_give_an_integer_result():
    assert tg.einsum("i,i", tg.tensor([1, 2]), tg.tensor([3, 4])).item() == 11


def test_gradients_flow_to_every_operand():
    a = tg.tensor(operands((2, 3))[0], requires_grad=True)
    b = tg.tensor(operands((3, 4))[0], requires_grad=True)
    tg.einsum("ij,jk->", a, b).backward()
    np.testing.assert_allclose(a.grad.numpy(), np.ones((2, 4)) @ b.numpy().T)
    np.testing.assert_allclose(b.grad.numpy(), a.numpy().T @ np.ones((2, 4)))


@pytest.mark.parametrize("equation, shapes, message", [
    ("ij", [(2, 3), (3, 4)], "more operands were provided than specified"),
    ("ij,jk", [(2, 3)], "fewer operands were provided than specified"),
    ("ijk", [(2, 3)], r"number of subscripts in the equation \(3\) does not match the number of dimensions \(2\)"),
    ("ij,jk", [(2, 3), (2, 4)], "subscript j has size 2 for operand 1 which does not broadcast"),
    ("ij->k", [(2, 3)], "output subscript k does not appear in the equation"),
    ("ij->ii", [(2, 3)], "output subscript i appears more than once in the output"),
    ("ij,j1", [(2, 3), (3, 1)], "invalid subscript given at index 4"),
    ("i.j", [(2, 3)], "found '.' for operand 0 that is not part of any ellipsis"),
    ("...,...", [(2,), (3,)], "dimension 0 covered by ellipsis in operand 1 has size 3"),
])
def test_malformed_equations_raise_pytorchs_errors(equation, shapes, message):
    with pytest.raises(RuntimeError, match=message):
        tg.einsum(equation, *(tg.ones(*s) for s in shapes))


def test_operands_must_share_one_dtype():
    with pytest.raises(RuntimeError, match="expected scalar type float32 but found int64"):
        tg.einsum("i,i", tg.ones(2), tg.tensor([1, 2]))
