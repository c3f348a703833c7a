"""Specification of 2-D convolution, pooling and padding, with PyTorch's semantics (NCHW).

F.pad, F.conv2d, F.max_pool2d, F.avg_pool2d and the layers nn.Conv2d, nn.MaxPool2d and
nn.AvgPool2d, checked against direct loop references written below in plain NumPy (one
Python loop iteration per output pixel, so the references are easy to read), by Hypothesis
property tests over strides, paddings, dilations and groups, by gradcheck/gradgradcheck in
float64, and by literal inputs whose outputs are worked out by hand in the comments.

PyTorch's rules that the references encode:
- conv2d is a cross-correlation (the kernel is not flipped); output size
  floor((H + 2p - d(k - 1) - 1) / s) + 1; groups split the input and output channels into
  `groups` consecutive blocks; padding="same" puts the odd extra pad on the right/bottom.
- max_pool2d pads with -inf; its gradient goes to the FIRST maximum of each window in
  row-major order (PyTorch CPU); `return_indices` gives flat positions h * W + w in the plane.
- avg_pool2d pads with zeros; count_include_pad=True divides by the window size,
  count_include_pad=False by the number of non-padding elements, divisor_override by itself.
- pad's tuple lists (left, right) pairs from the LAST dim backwards; negative widths crop.
"""

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import arrays

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.autograd import gradcheck, gradgradcheck
from tinygrad_np.nn import functional as F

# ====================================================================== loop references


def pair(value) -> tuple[int, int]:
    """An int or a pair, as PyTorch's _pair."""
    return (value, value) if isinstance(value, int) else tuple(value)


def output_size(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """floor((size + 2p - d(k - 1) - 1) / s) + 1; Python's // floors negative numerators too."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def pad_reference(x: np.ndarray, pad, value: float = 0.0) -> np.ndarray:
    """Constant padding, one loop iteration per output element: pad = (left, right) pairs
    from the last dim backwards; output element o takes input element o - left (per dim) if
    that is inside the input, else `value`. A negative width crops."""
    pairs = [(pad[i], pad[i + 1]) for i in range(0, len(pad), 2)]  # last dim first
    widths = [(0, 0)] * (x.ndim - len(pairs)) + pairs[::-1]  # first dim first
    shape = tuple(size + left + right for size, (left, right) in zip(x.shape, widths))
    out = np.full(shape, value, dtype=x.dtype)
    for index in np.ndindex(shape):
        source = tuple(o - left for o, (left, _) in zip(index, widths))
        if all(0 <= s < size for s, size in zip(source, x.shape)):
            out[index] = x[source]
    return out


def conv2d_reference(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> np.ndarray:
    """Cross-correlation, one loop iteration per output pixel:
    out[n, o, i, j] = bias[o] + sum over c, p, q of
        x_padded[n, g * C_in/groups + c, i * sh + p * dh, j * sw + q * dw] * weight[o, c, p, q]
    with g = o // (C_out / groups), the group of output channel o."""
    (sh, sw), (ph, pw), (dh, dw) = pair(stride), pair(padding), pair(dilation)
    n, c_in, h, w = x.shape
    c_out, c_per_group, kh, kw = weight.shape
    out_per_group = c_out // groups
    padded = np.zeros((n, c_in, h + 2 * ph, w + 2 * pw))
    padded[:, :, ph:ph + h, pw:pw + w] = x
    oh, ow = output_size(h, kh, sh, ph, dh), output_size(w, kw, sw, pw, dw)
    out = np.zeros((n, c_out, oh, ow))
    for b, o, i, j in np.ndindex(out.shape):
        g = o // out_per_group
        total = 0.0 if bias is None else bias[o]
        for c in range(c_per_group):
            for p in range(kh):
                for q in range(kw):
                    total += padded[b, g * c_per_group + c, i * sh + p * dh, j * sw + q * dw] * weight[o, c, p, q]
        out[b, o, i, j] = total
    return out


def windows_overlap_the_input(size: int, kernel: int, stride: int, padding: int, dilation: int) -> bool:
    """Every window has a tap inside the input (not only padding). With dilation a window can
    straddle the input (size 1, kernel 2, dilation 2, padding 1: taps at -1 and 1), where
    PyTorch's max pool returns -inf and a meaningless index; the tests do not go there."""
    return all(any(0 <= i * stride - padding + t * dilation < size for t in range(kernel))
               for i in range(output_size(size, kernel, stride, padding, dilation)))


def same_padding(kernel: int, dilation: int) -> tuple[int, int]:
    """padding="same": d(k - 1) in total, the odd one on the right/bottom (as PyTorch)."""
    total = dilation * (kernel - 1)
    return total // 2, total - total // 2


def max_pool2d_reference(x, kernel_size, stride=None, padding=0, dilation=1):
    """(output, indices), one loop iteration per output pixel. The input is padded with -inf;
    the window's taps are visited in row-major order and only a strictly greater value
    replaces the maximum, so ties keep the FIRST maximum; indices are flat positions
    h * W + w of that maximum in the (unpadded) input plane."""
    (kh, kw), (ph, pw), (dh, dw) = pair(kernel_size), pair(padding), pair(dilation)
    sh, sw = pair(kernel_size if stride is None else stride)
    n, c, h, w = x.shape
    padded = np.full((n, c, h + 2 * ph, w + 2 * pw), -np.inf)
    padded[:, :, ph:ph + h, pw:pw + w] = x
    shape = (n, c, output_size(h, kh, sh, ph, dh), output_size(w, kw, sw, pw, dw))
    out, indices = np.empty(shape), np.empty(shape, dtype=np.int64)
    for b, ch, i, j in np.ndindex(shape):
        best, best_index = -np.inf, -1
        for p in range(kh):
            for q in range(kw):
                r, s = i * sh + p * dh, j * sw + q * dw  # in padded coordinates
                if padded[b, ch, r, s] > best:
                    best, best_index = padded[b, ch, r, s], (r - ph) * w + (s - pw)
        out[b, ch, i, j], indices[b, ch, i, j] = best, best_index
    return out, indices


def max_pool2d_reference_grad(x, grad_output, kernel_size, stride=None, padding=0, dilation=1) -> np.ndarray:
    """The gradient of max_pool2d: each output's upstream gradient is added at the position of
    its window's first maximum (and nowhere else)."""
    _, indices = max_pool2d_reference(x, kernel_size, stride, padding, dilation)
    n, c, h, w = x.shape
    grad = np.zeros((n, c, h * w))
    for b, ch, i, j in np.ndindex(indices.shape):
        grad[b, ch, indices[b, ch, i, j]] += grad_output[b, ch, i, j]
    return grad.reshape(x.shape)


def avg_pool2d_reference(x, kernel_size, stride=None, padding=0, count_include_pad=True, divisor_override=None):
    """Window sums over the zero-padded input, one loop iteration per output pixel, divided by
    divisor_override if given; else by the window size (clipped to the padded input, as
    PyTorch) with count_include_pad; else by the number of non-padding elements in the window."""
    (kh, kw), (ph, pw) = pair(kernel_size), pair(padding)
    sh, sw = pair(kernel_size if stride is None else stride)
    n, c, h, w = x.shape
    padded = np.zeros((n, c, h + 2 * ph, w + 2 * pw))
    padded[:, :, ph:ph + h, pw:pw + w] = x
    out = np.empty((n, c, output_size(h, kh, sh, ph, 1), output_size(w, kw, sw, pw, 1)))
    for b, ch, i, j in np.ndindex(out.shape):
        r0, s0 = i * sh, j * sw  # the window's corner in padded coordinates
        total = padded[b, ch, r0:r0 + kh, s0:s0 + kw].sum()
        if divisor_override is not None:
            divisor = divisor_override
        elif count_include_pad:
            divisor = (min(r0 + kh, h + 2 * ph) - r0) * (min(s0 + kw, w + 2 * pw) - s0)
        else:
            rows = sum(1 for r in range(r0, r0 + kh) if ph <= r < ph + h)
            cols = sum(1 for s in range(s0, s0 + kw) if pw <= s < pw + w)
            divisor = rows * cols
        out[b, ch, i, j] = total / divisor
    return out


# ====================================================================== helpers and strategies


def leaf(array) -> tg.Tensor:
    return tg.tensor(np.asarray(array, dtype=np.float64), requires_grad=True)


def assert_close(actual, expected, rtol=1e-10, atol=1e-12):
    """Same shape, and equal up to rounding (atol absorbs cancellation to ~0 in sums)."""
    actual = actual.numpy() if isinstance(actual, tg.Tensor) else np.asarray(actual)
    assert actual.shape == np.shape(expected)
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


def assert_message_names(error, *words):
    message = str(error.value).lower()
    for word in words:
        assert str(word).lower() in message, f"{word!r} not in the message {message!r}"


def ints_or_pairs(low: int, high: int):
    """An int or an (int, int) tuple, the two forms PyTorch accepts for stride/padding/dilation."""
    return st.one_of(st.integers(low, high), st.tuples(st.integers(low, high), st.integers(low, high)))


def distinct_values(shape):
    """A random permutation of evenly spaced values: no ties, so max pooling is smooth."""
    size = math.prod(shape)
    return st.permutations(list(range(size))).map(
        lambda order: (np.array(order, dtype=np.float64).reshape(shape) - size / 2) * 0.25)


@st.composite
def conv_cases(draw, max_batch=2, max_channels=4, max_side=7, max_kernel=3):
    """(x, weight, bias or None, kwargs) with a valid output size; channels divisible by groups."""
    groups = draw(st.integers(1, max_channels))
    in_per_group = draw(st.integers(1, max_channels // groups))
    out_per_group = draw(st.integers(1, max_channels // groups))
    n, h, w = draw(st.integers(1, max_batch)), draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    kh, kw = draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel))
    stride, padding, dilation = draw(ints_or_pairs(1, 3)), draw(ints_or_pairs(0, 2)), draw(ints_or_pairs(1, 2))
    (sh, sw), (ph, pw), (dh, dw) = pair(stride), pair(padding), pair(dilation)
    assume(output_size(h, kh, sh, ph, dh) >= 1 and output_size(w, kw, sw, pw, dw) >= 1)
    x = draw(arrays((n, groups * in_per_group, h, w)))
    weight = draw(arrays((groups * out_per_group, in_per_group, kh, kw)))
    bias = draw(st.none() | arrays((groups * out_per_group,)))
    return x, weight, bias, dict(stride=stride, padding=padding, dilation=dilation, groups=groups)


@st.composite
def pool_geometry(draw, max_batch=2, max_channels=4, max_side=7, dilation=True):
    """(input shape, kwargs): kernel, stride (None = kernel), padding <= kernel // 2 per dim
    (PyTorch's limit), dilation (max pool only), with a valid output size."""
    kernel = draw(ints_or_pairs(1, 3))
    stride = draw(st.none() | ints_or_pairs(1, 3))
    padding = draw(ints_or_pairs(0, 1))
    kwargs = dict(kernel_size=kernel, stride=stride, padding=padding)
    if dilation:
        kwargs["dilation"] = draw(ints_or_pairs(1, 2))
    (kh, kw), (ph, pw), (dh, dw) = pair(kernel), pair(padding), pair(kwargs.get("dilation", 1))
    sh, sw = pair(kernel if stride is None else stride)
    assume(ph <= kh // 2 and pw <= kw // 2)
    n, c = draw(st.integers(1, max_batch)), draw(st.integers(1, max_channels))
    h, w = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    assume(output_size(h, kh, sh, ph, dh) >= 1 and output_size(w, kw, sw, pw, dw) >= 1)
    assume(windows_overlap_the_input(h, kh, sh, ph, dh) and windows_overlap_the_input(w, kw, sw, pw, dw))
    return (n, c, h, w), kwargs


@st.composite
def avg_pool_options(draw):
    return dict(count_include_pad=draw(st.booleans()), divisor_override=draw(st.none() | st.integers(1, 5)))


@st.composite
def pad_cases(draw, max_dims=4, max_side=4):
    """(x, pad): 1 to ndim (left, right) pairs, each width in [-2, 2], every output dim >= 1 and
    the crops together no longer than the dim (PyTorch crops first, and raises if they are)."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=max_dims, min_side=1, max_side=max_side))
    pairs = draw(st.integers(1, len(shape)))
    pad = tuple(draw(st.lists(st.integers(-2, 2), min_size=2 * pairs, max_size=2 * pairs)))
    for k in range(pairs):
        size, left, right = shape[-1 - k], pad[2 * k], pad[2 * k + 1]
        assume(size + left + right >= 1 and size + min(left, 0) + min(right, 0) >= 0)
    return draw(arrays(shape)), pad


# ====================================================================== the references, by hand
# (these pin the references to worked examples, so a wrong reference cannot hide a wrong op)


def test_conv2d_reference_of_a_1x1_kernel_is_a_matmul_over_channels():
    rng = np.random.default_rng(0)
    x, weight = rng.standard_normal((2, 3, 4, 5)), rng.standard_normal((4, 3, 1, 1))
    assert_close(conv2d_reference(x, weight), np.einsum("oc,nchw->nohw", weight[:, :, 0, 0], x))


def test_max_pool2d_reference_of_a_ramp_takes_each_window_s_bottom_right():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    out, indices = max_pool2d_reference(x, 2)
    assert_close(out, [[[[5.0, 7.0], [13.0, 15.0]]]])
    assert indices.tolist() == [[[[5, 7], [13, 15]]]]


def test_avg_pool2d_reference_of_a_ramp_averages_each_window():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    assert_close(avg_pool2d_reference(x, 2), [[[[2.5, 4.5], [10.5, 12.5]]]])


def test_pad_reference_pads_the_last_dim_first_and_crops_with_negative_widths():
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert_close(pad_reference(x, (1, -1, 0, 1), value=9.0), [[9.0, 1.0, 2.0], [9.0, 4.0, 5.0], [9.0, 9.0, 9.0]])


# ====================================================================== F.pad


def test_pad_pairs_start_from_the_last_dim():
    x = tg.tensor(np.ones((2, 3)))
    assert F.pad(x, (1, 2)).shape == (2, 6)
    assert F.pad(x, (1, 2, 3, 0)).shape == (5, 6)


def test_pad_fills_with_the_given_value():
    x = tg.tensor(np.array([[1.0, 2.0]]))
    assert_close(F.pad(x, (1, 0, 0, 1), value=-3.5), [[-3.5, 1.0, 2.0], [-3.5, -3.5, -3.5]])


def test_pad_fills_with_zeros_by_default():
    x = tg.tensor(np.array([1.0, 2.0]))
    assert_close(F.pad(x, (2, 1)), [0.0, 0.0, 1.0, 2.0, 0.0])


def test_pad_with_a_negative_width_crops():
    x = tg.tensor(np.arange(12.0).reshape(3, 4))
    assert_close(F.pad(x, (-1, -1, 1, -1), "constant", 7.0), [[7.0, 7.0], [1.0, 2.0], [5.0, 6.0]])


@given(pad_cases(), st.floats(-2, 2))
def test_pad_matches_the_loop_reference(case, value):
    x, pad = case
    assert_close(F.pad(tg.tensor(x), pad, value=value), pad_reference(x, pad, value))


@pytest.mark.parametrize("pad", [(1,), (1, 2, 3)])
def test_pad_tuple_of_odd_length_raises_value_error(pad):
    with pytest.raises(ValueError):
        F.pad(tg.tensor(np.ones((2, 3))), pad)


@given(pad_cases(max_dims=3, max_side=3))
def test_pad_gradient_matches_finite_differences(case):
    x, pad = case
    assert gradcheck(lambda t: F.pad(t, pad, value=0.5), (leaf(x),))


def test_pad_second_derivative_matches_finite_differences():
    x = np.random.default_rng(1).standard_normal((2, 3, 3))
    assert gradgradcheck(lambda t: F.pad(t, (1, -1, 2, 0), value=0.5), (leaf(x),))


# ====================================================================== F.conv2d: forward


def test_conv2d_is_a_cross_correlation_without_kernel_flip():
    # out[i, j] = x[i, j] - x[i + 1, j + 1] = -5 on the ramp x[i, j] = 4i + j
    x = tg.tensor(np.arange(16.0).reshape(1, 1, 4, 4))
    weight = tg.tensor(np.array([[[[1.0, 0.0], [0.0, -1.0]]]]))
    assert_close(F.conv2d(x, weight), np.full((1, 1, 3, 3), -5.0))


def test_conv2d_with_a_1x1_kernel_is_a_matmul_over_channels():
    rng = np.random.default_rng(2)
    x, weight = rng.standard_normal((2, 3, 4, 5)), rng.standard_normal((4, 3, 1, 1))
    expected = np.einsum("oc,nchw->nohw", weight[:, :, 0, 0], x)
    assert_close(F.conv2d(tg.tensor(x), tg.tensor(weight)), expected)


def test_conv2d_adds_the_bias_to_each_output_channel():
    x, weight = np.zeros((1, 2, 3, 3)), np.ones((3, 2, 2, 2))
    bias = np.array([1.0, -2.0, 0.5])
    out = F.conv2d(tg.tensor(x), tg.tensor(weight), tg.tensor(bias))
    assert_close(out, np.broadcast_to(bias[None, :, None, None], (1, 3, 2, 2)))


@given(conv_cases())
def test_conv2d_matches_the_loop_reference(case):
    x, weight, bias, kwargs = case
    out = F.conv2d(tg.tensor(x), tg.tensor(weight), None if bias is None else tg.tensor(bias), **kwargs)
    assert_close(out, conv2d_reference(x, weight, bias, **kwargs))


@given(conv_cases())
def test_conv2d_accepts_an_unbatched_input(case):
    x, weight, bias, kwargs = case
    out = F.conv2d(tg.tensor(x[0]), tg.tensor(weight), None if bias is None else tg.tensor(bias), **kwargs)
    assert_close(out, conv2d_reference(x, weight, bias, **kwargs)[0])


def test_conv2d_padding_valid_is_no_padding():
    rng = np.random.default_rng(3)
    x, weight = rng.standard_normal((1, 2, 5, 4)), rng.standard_normal((3, 2, 3, 2))
    assert_close(F.conv2d(tg.tensor(x), tg.tensor(weight), padding="valid"), conv2d_reference(x, weight))


@given(st.integers(1, 3), st.integers(1, 3), ints_or_pairs(1, 2), st.integers(1, 7), st.integers(1, 7), st.data())
def test_conv2d_padding_same_keeps_the_size_with_the_odd_pad_on_the_right_and_bottom(kh, kw, dilation, h, w, data):
    x, weight = data.draw(arrays((1, 2, h, w))), data.draw(arrays((3, 2, kh, kw)))
    (top, bottom), (left, right) = same_padding(kh, pair(dilation)[0]), same_padding(kw, pair(dilation)[1])
    expected = conv2d_reference(pad_reference(x, (left, right, top, bottom)), weight, dilation=dilation)
    assert expected.shape == (1, 3, h, w)
    assert_close(F.conv2d(tg.tensor(x), tg.tensor(weight), padding="same", dilation=dilation), expected)


def test_conv2d_padding_same_with_a_stride_raises():
    with pytest.raises((ValueError, RuntimeError)):
        F.conv2d(tg.tensor(np.ones((1, 1, 5, 5))), tg.tensor(np.ones((1, 1, 3, 3))), stride=2, padding="same")


def test_conv2d_unknown_padding_string_raises():
    with pytest.raises((ValueError, RuntimeError)):
        F.conv2d(tg.tensor(np.ones((1, 1, 5, 5))), tg.tensor(np.ones((1, 1, 3, 3))), padding="full")


# ====================================================================== F.conv2d: gradients


@given(conv_cases(max_batch=1, max_channels=2, max_side=4))
def test_conv2d_gradient_matches_finite_differences(case):
    x, weight, bias, kwargs = case
    bias = np.linspace(-1.0, 1.0, weight.shape[0]) if bias is None else bias  # all three require grad
    assert gradcheck(lambda a, b, c: F.conv2d(a, b, c, **kwargs), (leaf(x), leaf(weight), leaf(bias)))


CONV_SECOND_ORDER = [
    ((1, 2, 4, 4), (3, 2, 2, 2), {}),
    ((1, 2, 5, 5), (2, 2, 2, 2), dict(stride=2, padding=1, dilation=2)),
    ((1, 4, 3, 3), (4, 2, 2, 2), dict(groups=2, padding=(0, 1), stride=(1, 2))),
]


@pytest.mark.parametrize("x_shape, weight_shape, kwargs", CONV_SECOND_ORDER, ids=["plain", "strided-dilated", "groups"])
def test_conv2d_second_derivative_matches_finite_differences(x_shape, weight_shape, kwargs):
    rng = np.random.default_rng(4)
    x, weight = rng.standard_normal(x_shape), rng.standard_normal(weight_shape)
    bias = rng.standard_normal(weight_shape[0])
    assert gradgradcheck(lambda a, b, c: F.conv2d(a, b, c, **kwargs), (leaf(x), leaf(weight), leaf(bias)))


# ====================================================================== F.conv2d: errors


def test_conv2d_input_smaller_than_the_kernel_raises_shape_error():
    with pytest.raises(tg.ShapeError) as error:
        F.conv2d(tg.tensor(np.ones((1, 1, 2, 4))), tg.tensor(np.ones((1, 1, 3, 3))))
    assert_message_names(error, "conv2d")


def test_conv2d_input_smaller_than_the_dilated_kernel_raises_shape_error():
    # the 3x3 kernel with dilation 2 spans 5 pixels; the input has 4
    with pytest.raises(tg.ShapeError):
        F.conv2d(tg.tensor(np.ones((1, 1, 4, 4))), tg.tensor(np.ones((1, 1, 3, 3))), dilation=2)


def test_conv2d_input_as_small_as_the_padded_kernel_is_fine():
    out = F.conv2d(tg.tensor(np.ones((1, 1, 1, 1))), tg.tensor(np.ones((1, 1, 3, 3))), padding=1)
    assert_close(out, [[[[1.0]]]])


@pytest.mark.parametrize("x_shape, weight_shape, groups", [
    ((1, 3, 5, 5), (2, 2, 3, 3), 1),  # 3 input channels, the weight expects 2
    ((1, 4, 5, 5), (2, 1, 3, 3), 2),  # 4 input channels, the weight expects 1 * 2 groups
])
def test_conv2d_input_channels_other_than_weight_channels_times_groups_raise_shape_error(x_shape, weight_shape, groups):
    with pytest.raises(tg.ShapeError) as error:
        F.conv2d(tg.tensor(np.ones(x_shape)), tg.tensor(np.ones(weight_shape)), groups=groups)
    assert_message_names(error, "conv2d")


def test_conv2d_output_channels_not_divisible_by_groups_raise_shape_error():
    with pytest.raises(tg.ShapeError):
        F.conv2d(tg.tensor(np.ones((1, 2, 5, 5))), tg.tensor(np.ones((3, 1, 3, 3))), groups=2)


@pytest.mark.parametrize("x_shape", [(5, 5), (1, 1, 1, 5, 5)], ids=["2d", "5d"])
def test_conv2d_input_that_is_not_3d_or_4d_raises_shape_error(x_shape):
    with pytest.raises(tg.ShapeError):
        F.conv2d(tg.tensor(np.ones(x_shape)), tg.tensor(np.ones((1, 1, 3, 3))))


# ====================================================================== F.max_pool2d


def test_max_pool2d_of_a_ramp_takes_each_window_s_maximum():
    x = tg.tensor(np.arange(16.0).reshape(1, 1, 4, 4))
    assert_close(F.max_pool2d(x, 2), [[[[5.0, 7.0], [13.0, 15.0]]]])


def test_max_pool2d_stride_defaults_to_the_kernel_size():
    x = np.random.default_rng(5).standard_normal((1, 2, 6, 7))
    assert_close(F.max_pool2d(tg.tensor(x), (2, 3)), max_pool2d_reference(x, (2, 3), stride=(2, 3))[0])
    assert_close(F.max_pool2d(tg.tensor(x), 3, stride=None), max_pool2d_reference(x, 3, stride=3)[0])


def test_max_pool2d_pads_with_minus_infinity_not_zero():
    # every window of the padded all -1 input holds a real -1 and some padding
    x = tg.tensor(-np.ones((1, 1, 2, 2)))
    assert_close(F.max_pool2d(x, 2, stride=1, padding=1), -np.ones((1, 1, 3, 3)))


@given(pool_geometry(), st.data())
def test_max_pool2d_matches_the_loop_reference(geometry, data):
    shape, kwargs = geometry
    x = data.draw(arrays(shape))
    assert_close(F.max_pool2d(tg.tensor(x), **kwargs), max_pool2d_reference(x, **kwargs)[0])


@given(pool_geometry(), st.data())
def test_max_pool2d_accepts_an_unbatched_input(geometry, data):
    shape, kwargs = geometry
    x = data.draw(arrays(shape))
    assert_close(F.max_pool2d(tg.tensor(x[0]), **kwargs), max_pool2d_reference(x, **kwargs)[0][0])


def test_max_pool2d_return_indices_gives_flat_positions_of_the_first_maximum_in_each_plane():
    x = np.array([[[[1.0, 3.0, 3.0, 0.0],
                    [3.0, 2.0, 0.0, 4.0],
                    [5.0, 5.0, 7.0, 7.0],
                    [5.0, 5.0, 7.0, 7.0]]]])
    out, indices = F.max_pool2d(tg.tensor(x), 2, return_indices=True)
    assert_close(out, [[[[3.0, 4.0], [5.0, 7.0]]]])
    assert indices.numpy().dtype == np.int64
    assert indices.numpy().tolist() == [[[[1, 7], [8, 10]]]]


@given(pool_geometry(), st.data())
def test_max_pool2d_return_indices_match_the_loop_reference(geometry, data):
    shape, kwargs = geometry
    x = data.draw(hnp.arrays(np.float64, shape, elements=st.integers(0, 2).map(float)))  # many ties
    _, indices = F.max_pool2d(tg.tensor(x), **kwargs, return_indices=True)
    np.testing.assert_array_equal(indices.numpy(), max_pool2d_reference(x, **kwargs)[1])


# ---------------------------------------------------------------------- the tie rule


def test_max_pool2d_tie_sends_the_whole_gradient_to_the_first_maximum():
    x = leaf(np.ones((1, 1, 2, 2)))
    F.max_pool2d(x, 2).sum().backward()
    assert_close(x.grad, [[[[1.0, 0.0], [0.0, 0.0]]]])


def test_max_pool2d_tie_rule_takes_the_first_maximum_in_row_major_order():
    # the maximum 3 is at (0, 1) and (1, 0): row-major order visits (0, 1) first
    x = leaf([[[[0.0, 3.0], [3.0, 1.0]]]])
    F.max_pool2d(x, 2).sum().backward()
    assert_close(x.grad, [[[[0.0, 1.0], [0.0, 0.0]]]])


def test_max_pool2d_tie_in_overlapping_windows_accumulates_each_window_s_gradient_at_its_first_maximum():
    # 2x2 windows at stride 1 over a constant 3x3 input: each window's first maximum is its
    # top-left element, so the four windows send their upstream gradients to (0,0), (0,1), (1,0), (1,1)
    x = leaf(np.full((1, 1, 3, 3), 2.0))
    upstream = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    F.max_pool2d(x, 2, stride=1).backward(tg.tensor(upstream))
    assert_close(x.grad, [[[[1.0, 2.0, 0.0], [3.0, 4.0, 0.0], [0.0, 0.0, 0.0]]]])


@given(pool_geometry(), st.data())
def test_max_pool2d_gradient_with_ties_matches_the_reference_gradient(geometry, data):
    shape, kwargs = geometry
    x = data.draw(hnp.arrays(np.float64, shape, elements=st.integers(0, 2).map(float)))  # many ties
    t = leaf(x)
    out = F.max_pool2d(t, **kwargs)
    upstream = data.draw(arrays(out.shape))
    out.backward(tg.tensor(upstream))
    assert_close(t.grad, max_pool2d_reference_grad(x, upstream, **kwargs))


# ---------------------------------------------------------------------- gradients and errors


@given(pool_geometry(max_channels=2, max_side=5), st.data())
def test_max_pool2d_gradient_matches_finite_differences(geometry, data):
    shape, kwargs = geometry
    x = data.draw(distinct_values(shape))
    assert gradcheck(lambda t: F.max_pool2d(t, **kwargs), (leaf(x),))


@pytest.mark.parametrize("kwargs", [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=1, padding=1),
    dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1), dilation=(2, 1)),
], ids=["plain", "padded", "dilated"])
def test_max_pool2d_second_derivative_matches_finite_differences(kwargs):
    x = np.random.default_rng(6).permutation(40).reshape(1, 2, 4, 5) * 0.25
    assert gradgradcheck(lambda t: F.max_pool2d(t, **kwargs), (leaf(x),))


@pytest.mark.parametrize("kernel_size, padding", [(2, 2), (3, 2), ((3, 2), (1, 2))])
def test_max_pool2d_padding_over_half_the_kernel_raises(kernel_size, padding):
    with pytest.raises((ValueError, RuntimeError), match="half"):
        F.max_pool2d(tg.tensor(np.ones((1, 1, 6, 6))), kernel_size, padding=padding)


def test_max_pool2d_input_smaller_than_the_kernel_raises_shape_error():
    with pytest.raises(tg.ShapeError):
        F.max_pool2d(tg.tensor(np.ones((1, 1, 1, 3))), 2)


def test_max_pool2d_input_smaller_than_the_dilated_kernel_raises_shape_error():
    with pytest.raises(tg.ShapeError):
        F.max_pool2d(tg.tensor(np.ones((1, 1, 4, 4))), 3, dilation=2)


# ====================================================================== F.avg_pool2d


def test_avg_pool2d_of_a_ramp_averages_each_window():
    x = tg.tensor(np.arange(16.0).reshape(1, 1, 4, 4))
    assert_close(F.avg_pool2d(x, 2), [[[[2.5, 4.5], [10.5, 12.5]]]])


def test_avg_pool2d_stride_defaults_to_the_kernel_size():
    x = np.random.default_rng(7).standard_normal((1, 2, 6, 7))
    assert_close(F.avg_pool2d(tg.tensor(x), (2, 3)), avg_pool2d_reference(x, (2, 3), stride=(2, 3)))


def test_avg_pool2d_counts_padding_zeros_in_the_divisor_by_default():
    # each 3x3 window of the padded 2x2 all-ones input holds 4 ones: 4/9
    x = tg.tensor(np.ones((1, 1, 2, 2)))
    assert_close(F.avg_pool2d(x, 3, stride=1, padding=1), np.full((1, 1, 2, 2), 4 / 9))


def test_avg_pool2d_without_count_include_pad_divides_by_the_non_padding_elements():
    x = tg.tensor(np.ones((1, 1, 2, 2)))
    assert_close(F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False), np.ones((1, 1, 2, 2)))


def test_avg_pool2d_without_count_include_pad_on_a_corner_window():
    # window at the top-left corner of the padded 3x3 ramp covers x[0:2, 0:2] = 0, 1, 3, 4: 8/4
    x = tg.tensor(np.arange(9.0).reshape(1, 1, 3, 3))
    out = F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)
    assert_close(out, [[[[2.0, 3.0], [5.0, 6.0]]]])


def test_avg_pool2d_divisor_override_replaces_the_divisor():
    x = tg.tensor(np.ones((1, 1, 2, 2)))
    assert_close(F.avg_pool2d(x, 2, divisor_override=3), [[[[4 / 3]]]])
    assert_close(F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False, divisor_override=2),
                 np.full((1, 1, 2, 2), 2.0))


@given(pool_geometry(dilation=False), avg_pool_options(), st.data())
def test_avg_pool2d_matches_the_loop_reference(geometry, options, data):
    shape, kwargs = geometry
    x = data.draw(arrays(shape))
    assert_close(F.avg_pool2d(tg.tensor(x), **kwargs, **options), avg_pool2d_reference(x, **kwargs, **options))


@given(pool_geometry(dilation=False), st.data())
def test_avg_pool2d_accepts_an_unbatched_input(geometry, data):
    shape, kwargs = geometry
    x = data.draw(arrays(shape))
    assert_close(F.avg_pool2d(tg.tensor(x[0]), **kwargs), avg_pool2d_reference(x, **kwargs)[0])


@given(pool_geometry(max_channels=2, max_side=5, dilation=False), avg_pool_options(), st.data())
def test_avg_pool2d_gradient_matches_finite_differences(geometry, options, data):
    shape, kwargs = geometry
    x = data.draw(arrays(shape))
    assert gradcheck(lambda t: F.avg_pool2d(t, **kwargs, **options), (leaf(x),))


@pytest.mark.parametrize("kwargs", [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=1, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(kernel_size=(2, 3), padding=(1, 1), divisor_override=4),
], ids=["plain", "padded", "count-exclude-pad", "divisor-override"])
def test_avg_pool2d_second_derivative_matches_finite_differences(kwargs):
    x = np.random.default_rng(8).standard_normal((1, 2, 4, 5))
    assert gradgradcheck(lambda t: F.avg_pool2d(t, **kwargs), (leaf(x),))


def test_avg_pool2d_padding_over_half_the_kernel_raises():
    with pytest.raises((ValueError, RuntimeError)):
        F.avg_pool2d(tg.tensor(np.ones((1, 1, 6, 6))), 2, padding=2)


def test_avg_pool2d_input_smaller_than_the_kernel_raises_shape_error():
    with pytest.raises(tg.ShapeError):
        F.avg_pool2d(tg.tensor(np.ones((1, 1, 3, 1))), 2)


@pytest.mark.parametrize("pool", ["max_pool2d", "avg_pool2d"])
@pytest.mark.parametrize("x_shape", [(6, 6), (1, 1, 1, 6, 6)], ids=["2d", "5d"])
def test_pooling_an_input_that_is_not_3d_or_4d_raises_shape_error(pool, x_shape):
    with pytest.raises(tg.ShapeError):
        getattr(F, pool)(tg.tensor(np.ones(x_shape)), 2)


# ====================================================================== float32 stays float32


def test_float32_conv2d_gives_float32_output_and_gradients():
    rng = np.random.default_rng(9)
    x, weight, bias = rng.standard_normal((2, 2, 5, 5)), rng.standard_normal((4, 1, 3, 3)), rng.standard_normal(4)
    tensors = [tg.tensor(a.astype(np.float32), requires_grad=True) for a in (x, weight, bias)]
    out = F.conv2d(*tensors, stride=2, padding=1, groups=2)
    assert out.dtype == np.float32
    assert_close(out, conv2d_reference(x, weight, bias, stride=2, padding=1, groups=2), rtol=1e-5, atol=1e-5)
    out.sum().backward()
    assert [t.grad.dtype for t in tensors] == [np.float32] * 3


@pytest.mark.parametrize("call", [
    lambda t: F.max_pool2d(t, 3, stride=1, padding=1),
    lambda t: F.avg_pool2d(t, 3, stride=1, padding=1, count_include_pad=False),
    lambda t: F.avg_pool2d(t, 2, divisor_override=3),
    lambda t: F.pad(t, (1, 2, -1, 1), value=0.5),
], ids=["max_pool2d", "avg_pool2d", "avg_pool2d-divisor-override", "pad"])
def test_float32_pooling_and_padding_give_float32_output_and_gradient(call):
    x = tg.tensor(np.random.default_rng(10).standard_normal((1, 2, 4, 4)).astype(np.float32), requires_grad=True)
    out = call(x)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32


# ====================================================================== nn.Conv2d


@pytest.mark.parametrize("args, kwargs, weight_shape", [
    ((3, 8, 3), {}, (8, 3, 3, 3)),
    ((4, 6, (3, 2)), dict(groups=2), (6, 2, 3, 2)),
    ((4, 4, 1), dict(groups=4), (4, 1, 1, 1)),
])
def test_conv2d_layer_weight_is_out_by_in_over_groups_by_kernel_and_bias_is_out(args, kwargs, weight_shape):
    m = nn.Conv2d(*args, **kwargs)
    assert m.weight.shape == weight_shape
    assert m.bias.shape == (weight_shape[0],)


def test_conv2d_layer_parameters_are_float32_leaves_that_require_grad():
    m = nn.Conv2d(2, 3, 3)
    for param in (m.weight, m.bias):
        assert param.dtype == np.float32 and param.requires_grad and param.is_leaf


def test_conv2d_layer_state_dict_keys_are_weight_and_bias():
    assert list(nn.Conv2d(2, 3, 3).state_dict()) == ["weight", "bias"]


def test_conv2d_layer_without_bias_has_only_a_weight():
    m = nn.Conv2d(2, 3, 3, bias=False)
    assert m.bias is None
    assert list(m.state_dict()) == ["weight"]
    assert [name for name, _ in m.named_parameters()] == ["weight"]


def test_conv2d_layer_default_init_is_bounded_by_one_over_sqrt_fan_in_per_group():
    tg.manual_seed(0)
    m = nn.Conv2d(8, 16, 3, groups=2)  # fan_in = 8/2 * 3 * 3 = 36
    bound = np.float32(1 / math.sqrt(36))
    assert np.abs(m.weight.numpy()).max() <= bound
    assert np.abs(m.bias.numpy()).max() <= bound
    assert np.abs(m.weight.numpy()).max() > 0.99 * bound  # the whole interval is used


def test_conv2d_layer_bias_default_init_fills_its_bound():
    tg.manual_seed(1)
    m = nn.Conv2d(4, 400, 3, groups=2)  # fan_in = 4/2 * 3 * 3 = 18
    bound = np.float32(1 / math.sqrt(18))
    bias = np.abs(m.bias.numpy())
    assert bias.max() <= bound
    assert bias.max() > 0.95 * bound


# (the constructor call, as text, and what PyTorch prints for it)
CONV_REPRS = [
    ("nn.Conv2d(1, 32, 3)", "Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1))"),
    ("nn.Conv2d(1, 32, 3, padding=1)", "Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"),
    ("nn.Conv2d(1, 32, 3, stride=(2, 1))", "Conv2d(1, 32, kernel_size=(3, 3), stride=(2, 1))"),
    ("nn.Conv2d(4, 4, 3, groups=2)", "Conv2d(4, 4, kernel_size=(3, 3), stride=(1, 1), groups=2)"),
    ("nn.Conv2d(2, 2, 3, dilation=2)", "Conv2d(2, 2, kernel_size=(3, 3), stride=(1, 1), dilation=(2, 2))"),
    ("nn.Conv2d(2, 2, 3, bias=False)", "Conv2d(2, 2, kernel_size=(3, 3), stride=(1, 1), bias=False)"),
    ("nn.Conv2d(4, 8, (3, 5), stride=2, padding=(1, 2), dilation=2, groups=2, bias=False)",
     "Conv2d(4, 8, kernel_size=(3, 5), stride=(2, 2), padding=(1, 2), dilation=(2, 2), groups=2, bias=False)"),
]


@pytest.mark.parametrize("call, torch_text", CONV_REPRS, ids=[call for call, _ in CONV_REPRS])
def test_conv2d_layer_repr_equals_pytorchs(call, torch_text):
    assert repr(eval(call, {"nn": nn})) == torch_text


def test_conv2d_layer_forward_is_functional_conv2d_with_its_parameters():
    tg.manual_seed(2)
    m = nn.Conv2d(4, 6, 3, stride=2, padding=1, dilation=(1, 2), groups=2)
    x = np.random.default_rng(11).standard_normal((2, 4, 7, 8)).astype(np.float32)
    out = m(tg.tensor(x))
    kwargs = dict(stride=2, padding=1, dilation=(1, 2), groups=2)
    assert_close(out, F.conv2d(tg.tensor(x), m.weight, m.bias, **kwargs).numpy(), rtol=1e-6, atol=1e-6)
    expected = conv2d_reference(x.astype(np.float64), m.weight.numpy().astype(np.float64),
                                m.bias.numpy().astype(np.float64), **kwargs)
    assert_close(out, expected, rtol=1e-5, atol=1e-5)


def test_conv2d_layer_backward_reaches_weight_and_bias():
    m = nn.Conv2d(2, 3, 2)
    m(tg.tensor(np.ones((1, 2, 3, 3), np.float32))).sum().backward()
    assert m.weight.grad.shape == (3, 2, 2, 2) and m.bias.grad.shape == (3,)
    assert_close(m.bias.grad, np.full(3, 4.0))  # 2x2 output pixels per channel


def test_conv2d_layer_with_padding_same_keeps_the_spatial_size():
    m = nn.Conv2d(2, 3, (2, 3), padding="same")
    assert m(tg.tensor(np.ones((1, 2, 5, 6), np.float32))).shape == (1, 3, 5, 6)


@pytest.mark.parametrize("in_channels, out_channels", [(3, 4), (4, 3)])
def test_conv2d_layer_with_channels_not_divisible_by_groups_raises_shape_error(in_channels, out_channels):
    with pytest.raises(tg.ShapeError):
        nn.Conv2d(in_channels, out_channels, 3, groups=2)


# ====================================================================== nn.MaxPool2d, nn.AvgPool2d


POOL_REPRS = [
    ("nn.MaxPool2d(2)", "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"),
    ("nn.MaxPool2d((2, 3))", "MaxPool2d(kernel_size=(2, 3), stride=(2, 3), padding=0, dilation=1, ceil_mode=False)"),
    ("nn.MaxPool2d(3, stride=1, padding=1, dilation=2)",
     "MaxPool2d(kernel_size=3, stride=1, padding=1, dilation=2, ceil_mode=False)"),
    ("nn.AvgPool2d(2)", "AvgPool2d(kernel_size=2, stride=2, padding=0)"),
    ("nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)", "AvgPool2d(kernel_size=3, stride=1, padding=1)"),
]


@pytest.mark.parametrize("call, torch_text", POOL_REPRS, ids=[call for call, _ in POOL_REPRS])
def test_pool_layer_repr_equals_pytorchs(call, torch_text):
    assert repr(eval(call, {"nn": nn})) == torch_text


@pytest.mark.parametrize("make", [lambda: nn.MaxPool2d(2), lambda: nn.AvgPool2d(2)], ids=["MaxPool2d", "AvgPool2d"])
def test_pool_layers_have_no_parameters(make):
    m = make()
    assert list(m.parameters()) == [] and m.state_dict() == {}


def test_max_pool2d_layer_forward_is_functional_max_pool2d():
    x = np.random.default_rng(12).standard_normal((2, 3, 7, 6))
    kwargs = dict(stride=(2, 1), padding=1, dilation=(1, 2))
    out = nn.MaxPool2d(3, **kwargs)(tg.tensor(x))
    assert_close(out, F.max_pool2d(tg.tensor(x), 3, **kwargs).numpy())
    assert_close(out, max_pool2d_reference(x, 3, **kwargs)[0])


def test_max_pool2d_layer_with_return_indices_returns_output_and_indices():
    x = np.random.default_rng(13).standard_normal((1, 2, 4, 4))
    out, indices = nn.MaxPool2d(2, return_indices=True)(tg.tensor(x))
    expected, expected_indices = max_pool2d_reference(x, 2)
    assert_close(out, expected)
    np.testing.assert_array_equal(indices.numpy(), expected_indices)


def test_avg_pool2d_layer_forward_is_functional_avg_pool2d():
    x = np.random.default_rng(14).standard_normal((2, 3, 7, 6))
    kwargs = dict(stride=2, padding=(1, 0), count_include_pad=False, divisor_override=None)
    out = nn.AvgPool2d((3, 2), **kwargs)(tg.tensor(x))
    assert_close(out, F.avg_pool2d(tg.tensor(x), (3, 2), **kwargs).numpy())
    assert_close(out, avg_pool2d_reference(x, (3, 2), **kwargs))


def test_avg_pool2d_layer_divisor_override_is_passed_on():
    x = np.ones((1, 1, 4, 4))
    assert_close(nn.AvgPool2d(2, divisor_override=1)(tg.tensor(x)), np.full((1, 1, 2, 2), 4.0))
