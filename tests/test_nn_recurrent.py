"""nn.RNN, nn.LSTM, nn.GRU and their cells beyond the registry's checks (gradcheck, gradgradcheck
and NumPy forward values over drawn configurations, in nn_registry.py): PyTorch's parameter
names, shapes and order, gate order, dropout between layers, unbatched and batch_first inputs,
relu RNNs, initialisation, reprs and error cases (messages as PyTorch 2.x's)."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from recurrent_cases import layer_cases, numpy_layer

import tinygrad_np as tg
from tinygrad_np import nn


def f64(values) -> tg.Tensor:
    return tg.tensor(np.array(values, dtype=np.float64))


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def load(module, arrays) -> None:
    for param, array in zip(module.parameters(), arrays):
        param.data[...] = array


# --------------------------------------------------------------------- parameters


def test_bidirectional_lstm_with_projections_has_pytorchs_state_dict_keys_shapes_and_order():
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2)
    expected = []
    for layer, size in ((0, 3), (1, 4)):
        for suffix in ("", "_reverse"):
            expected += [(f"weight_ih_l{layer}{suffix}", (16, size)), (f"weight_hh_l{layer}{suffix}", (16, 2)),
                         (f"bias_ih_l{layer}{suffix}", (16,)), (f"bias_hh_l{layer}{suffix}", (16,)),
                         (f"weight_hr_l{layer}{suffix}", (2, 4))]
    assert [(name, tuple(t.shape)) for name, t in lstm.state_dict().items()] == expected
    assert [name for name, _ in lstm.named_parameters()] == [name for name, _ in expected]


def test_gru_without_bias_has_only_weights_three_gate_blocks_high():
    gru = nn.GRU(3, 5, num_layers=2, bias=False)
    assert [(name, tuple(t.shape)) for name, t in gru.state_dict().items()] == [
        ("weight_ih_l0", (15, 3)), ("weight_hh_l0", (15, 5)), ("weight_ih_l1", (15, 5)), ("weight_hh_l1", (15, 5))]


@pytest.mark.parametrize("cell, gates", [(nn.RNNCell, 1), (nn.LSTMCell, 4), (nn.GRUCell, 3)])
def test_cells_have_pytorchs_parameter_names_and_shapes(cell, gates):
    assert [(name, tuple(p.shape)) for name, p in cell(3, 2).named_parameters()] == [
        ("weight_ih", (2 * gates, 3)), ("weight_hh", (2 * gates, 2)), ("bias_ih", (2 * gates,)),
        ("bias_hh", (2 * gates,))]
    assert cell(3, 2, bias=False).bias_ih is None


@pytest.mark.parametrize("module", [nn.LSTM(3, 16, 2), nn.GRU(2, 16, bidirectional=True), nn.RNNCell(4, 16)],
                         ids=["LSTM", "GRU", "RNNCell"])
def test_every_parameter_starts_uniform_within_one_over_root_hidden_size(module):
    bound = 1 / math.sqrt(16)
    for param in module.parameters():
        values = param.numpy()
        assert np.abs(values).max() <= bound and values.std() > bound / 4


def test_all_weights_lists_each_layer_and_directions_parameters_and_flatten_parameters_does_nothing():
    gru = nn.GRU(3, 4, num_layers=2, bidirectional=True)
    assert gru.flatten_parameters() is None
    assert [[p.shape for p in group] for group in gru.all_weights] == \
        [[(12, 3), (12, 4), (12,), (12,)]] * 2 + [[(12, 8), (12, 4), (12,), (12,)]] * 2
    assert gru.all_weights[3][1] is gru.weight_hh_l1_reverse


@pytest.mark.parametrize("module, text", [
    (nn.LSTM(3, 4, 2, batch_first=True, dropout=0.5, bidirectional=True),
     "LSTM(3, 4, num_layers=2, batch_first=True, dropout=0.5, bidirectional=True)"),
    (nn.LSTM(3, 4, proj_size=2), "LSTM(3, 4, proj_size=2)"),
    (nn.RNN(3, 4, nonlinearity="relu"), "RNN(3, 4)"),
    (nn.GRU(3, 4, bias=False), "GRU(3, 4, bias=False)"),
    (nn.RNNCell(3, 4, nonlinearity="relu"), "RNNCell(3, 4, nonlinearity=relu)"),
    (nn.GRUCell(3, 4, bias=False), "GRUCell(3, 4, bias=False)"),
    (nn.LSTMCell(3, 4), "LSTMCell(3, 4)"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_repr_is_pytorchs(module, text):
    assert repr(module) == text


def test_positional_arguments_follow_pytorchs_order():
    rnn = nn.RNN(3, 4, 2, "relu", False, True, 0.0, True)
    assert (rnn.num_layers, rnn.nonlinearity, rnn.bias, rnn.batch_first, rnn.bidirectional) == (2, "relu", False,
                                                                                                  True, True)
    lstm = nn.LSTM(3, 4, 2, True, True, 0.0, False, 2)
    assert (lstm.num_layers, lstm.batch_first, lstm.proj_size) == (2, True, 2)
    assert nn.RNNBase("GRU", 3, 4).mode == "GRU"


# --------------------------------------------------------------------- gate equations


def test_lstm_gates_are_in_pytorchs_order_input_forget_cell_output():
    lstm = nn.LSTM(1, 1).double()
    pre = [0.3, -1.2, 0.7, 2.0]  # i, f, g, o pre-activations from the bias alone
    load(lstm, [[[0.0]] * 4, [[0.0]] * 4, pre, [0.0] * 4])
    c0 = 0.9
    out, (h, c) = lstm(f64([[5.0]]), (f64([[0.0]]), f64([[c0]])))
    i, f, g, o = sigmoid(pre[0]), sigmoid(pre[1]), math.tanh(pre[2]), sigmoid(pre[3])
    expected_c = f * c0 + i * g
    np.testing.assert_allclose(c.numpy(), [[expected_c]], rtol=1e-12)
    np.testing.assert_allclose(h.numpy(), [[o * math.tanh(expected_c)]], rtol=1e-12)


def test_gru_gates_are_reset_update_new_with_the_hidden_bias_of_n_inside_the_reset_product():
    gru = nn.GRUCell(1, 1).double()
    b_ih, b_hh = [0.4, -0.3, 0.2], [0.1, 0.5, -0.8]
    load(gru, [[[0.0]] * 3, [[0.0]] * 3, b_ih, b_hh])
    h0 = 0.6
    h = gru(f64([[1.0]]), f64([[h0]]))
    r, z = sigmoid(b_ih[0] + b_hh[0]), sigmoid(b_ih[1] + b_hh[1])
    n = math.tanh(b_ih[2] + r * b_hh[2])
    np.testing.assert_allclose(h.numpy(), [[(1 - z) * n + z * h0]], rtol=1e-12)


@given(layer_cases("RNN", nonlinearity="relu"))
def test_relu_rnn_matches_the_numpy_reference(case):
    module = nn.RNN(case.kwargs["input_size"], case.kwargs["hidden_size"], case.kwargs["num_layers"], "relu",
                    case.kwargs["bias"], case.kwargs["batch_first"], 0.0, case.kwargs["bidirectional"]).double()
    count = 1 if case.kwargs["state"] else 0
    x, states, params = case.arrays[0], case.arrays[1:1 + count], case.arrays[1 + count:]
    load(module, params)
    output, h_n = module(tg.tensor(x), tg.tensor(states[0]) if states else None)
    expected = numpy_layer(x, *states, *params, **case.kwargs)
    np.testing.assert_allclose(np.concatenate([output.numpy().ravel(), h_n.numpy().ravel()]), expected,
                               rtol=1e-10, atol=1e-12)


# --------------------------------------------------------------------- layouts


@pytest.mark.parametrize("layer", [nn.RNN, nn.LSTM, nn.GRU])
def test_batch_first_output_is_the_time_first_output_transposed(layer):
    tg.manual_seed(0)
    time_first = layer(3, 4, num_layers=2, bidirectional=True)
    batch_first = layer(3, 4, num_layers=2, bidirectional=True, batch_first=True)
    batch_first.load_state_dict(time_first.state_dict())
    x = tg.randn(5, 2, 3)
    out, state = time_first(x)
    out_bf, state_bf = batch_first(x.transpose(0, 1))
    np.testing.assert_allclose(out_bf.numpy(), out.numpy().transpose(1, 0, 2), rtol=1e-6)
    for a, b in zip(state if isinstance(state, tuple) else (state,), state_bf if isinstance(state_bf, tuple)
                    else (state_bf,)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)  # h_n is (layers, N, H) either way


def test_unbatched_lstm_gives_the_batch_of_one_result_without_the_batch_dim():
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2)
    x, h0, c0 = tg.randn(5, 3), tg.randn(4, 2), tg.randn(4, 4)
    out, (h, c) = lstm(x, (h0, c0))
    out1, (h1, c1) = lstm(x.unsqueeze(1), (h0.unsqueeze(1), c0.unsqueeze(1)))
    assert out.shape == (5, 4) and h.shape == (4, 2) and c.shape == (4, 4)
    np.testing.assert_allclose(out.numpy(), out1.numpy()[:, 0], rtol=1e-6)
    np.testing.assert_allclose(c.numpy(), c1.numpy()[:, 0], rtol=1e-6)


@pytest.mark.parametrize("cell", [nn.RNNCell, nn.LSTMCell, nn.GRUCell])
def test_unbatched_cell_gives_the_batch_of_one_result_without_the_batch_dim(cell):
    module = cell(3, 2)
    x = tg.randn(3)
    out, batched = module(x), module(x.unsqueeze(0))
    out, batched = (out if isinstance(out, tuple) else (out,)), (batched if isinstance(batched, tuple) else (batched,))
    for a, b in zip(out, batched):
        assert a.shape == (2,)
        np.testing.assert_allclose(a.numpy(), b.numpy()[0], rtol=1e-6)


def test_the_last_step_of_a_one_way_output_is_h_n_and_the_first_of_the_reverse_half_its_final_state():
    gru = nn.GRU(2, 3, bidirectional=True)
    out, h_n = gru(tg.randn(4, 2, 2))
    np.testing.assert_array_equal(out.numpy()[-1, :, :3], h_n.numpy()[0])
    np.testing.assert_array_equal(out.numpy()[0, :, 3:], h_n.numpy()[1])


def test_a_zero_batch_gives_empty_outputs_of_the_right_shapes():
    out, (h, c) = nn.LSTM(3, 4)(tg.randn(5, 0, 3))
    assert out.shape == (5, 0, 4) and h.shape == (1, 0, 4) and c.shape == (1, 0, 4)


# --------------------------------------------------------------------- dropout


def test_dropout_applies_between_layers_in_training_only_and_never_after_the_last():
    tg.manual_seed(0)
    rnn = nn.RNN(2, 3, num_layers=2, dropout=1.0)  # everything dropped between the layers
    x = tg.randn(4, 2, 2)
    out_a, _ = rnn(x)
    out_b, _ = rnn(x * 5)
    np.testing.assert_array_equal(out_a.numpy(), out_b.numpy())  # layer 1 sees zeros whatever x is
    assert np.abs(out_a.numpy()).min() > 0  # the last layer's output is not dropped
    rnn.eval()
    reference = nn.RNN(2, 3, num_layers=2)
    reference.load_state_dict(rnn.state_dict())
    np.testing.assert_array_equal(rnn(x)[0].numpy(), reference(x)[0].numpy())


def test_dropout_draws_from_the_library_generator():
    lstm = nn.LSTM(2, 3, num_layers=3, dropout=0.5)
    x = tg.randn(3, 2, 2)
    tg.manual_seed(7)
    first = lstm(x)[0].numpy()
    tg.manual_seed(7)
    np.testing.assert_array_equal(lstm(x)[0].numpy(), first)


def test_dropout_with_a_single_layer_warns_as_pytorch():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1, but got dropout=0.5 "
                                         "and num_layers=1"):
        nn.GRU(2, 3, dropout=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.GRU(2, 3, num_layers=2, dropout=0.5)


# --------------------------------------------------------------------- errors


@pytest.mark.parametrize("make, error, message", [
    (lambda: nn.LSTM(3, 4, dropout=1.5), ValueError, "dropout should be a number in range"),
    (lambda: nn.LSTM(3, 4, dropout=True), ValueError, "dropout should be a number in range"),
    (lambda: nn.LSTM(0, 4), ValueError, "input_size must be greater than zero"),
    (lambda: nn.LSTM(3, 0), ValueError, "hidden_size must be greater than zero"),
    (lambda: nn.LSTM(3, 4.0), TypeError, "hidden_size should be of type int, got: float"),
    (lambda: nn.LSTM(3, 4, 0), ValueError, "num_layers must be greater than zero"),
    (lambda: nn.LSTM(3, 4, proj_size=4), ValueError, "proj_size has to be smaller than hidden_size"),
    (lambda: nn.LSTM(3, 4, proj_size=-1), ValueError, "proj_size should be a positive integer or zero"),
    (lambda: nn.GRU(3, 4, proj_size=1), ValueError, "proj_size argument is only supported for LSTM"),
    (lambda: nn.RNN(3, 4, nonlinearity="sigmoid"), ValueError, "Unknown nonlinearity 'sigmoid'"),
    (lambda: nn.RNNBase("CELL", 3, 4), ValueError, "Unrecognized RNN mode: CELL"),
], ids=lambda v: "" if callable(v) or isinstance(v, type) else v)
def test_invalid_options_raise_pytorchs_errors(make, error, message):
    with pytest.raises(error, match=message):
        make()


LSTM = nn.LSTM(3, 4)
GRU2 = nn.GRU(3, 4, num_layers=2)


@pytest.mark.parametrize("call, error, message", [
    (lambda: LSTM(tg.randn(5, 2, 3, 1)), ValueError, "LSTM: Expected input to be 2D or 3D, got 4D instead"),
    (lambda: LSTM(tg.randn(5, 2, 2)), RuntimeError, "must be equal to input_size. Expected 3, got 2"),
    (lambda: LSTM(tg.randn(0, 2, 3)), RuntimeError, "Expected sequence length to be larger than 0"),
    (lambda: LSTM(tg.randn(5, 2, 3).double()), ValueError, "RNN input dtype \\(float64\\) does not match weight dtype"),
    (lambda: LSTM(tg.randn(5, 2, 3), (tg.randn(1, 3, 4), tg.randn(1, 2, 4))), RuntimeError,
     "Expected hidden\\[0\\] size \\(1, 2, 4\\), got \\[1, 3, 4\\]"),
    (lambda: LSTM(tg.randn(5, 2, 3), (tg.randn(1, 2, 4), tg.randn(1, 2, 5))), RuntimeError,
     "Expected hidden\\[1\\] size \\(1, 2, 4\\), got \\[1, 2, 5\\]"),
    (lambda: LSTM(tg.randn(5, 3), (tg.randn(1, 2, 4), tg.randn(1, 2, 4))), RuntimeError,
     "For unbatched 2-D input, hx and cx should also be 2-D but got \\(3-D, 3-D\\) tensors"),
    (lambda: LSTM(tg.randn(5, 2, 3), tg.randn(1, 2, 4)), TypeError, "hx must be a tuple"),
    (lambda: LSTM(tg.randn(5, 2, 3), (tg.randn(1, 2, 4),) * 3), RuntimeError, "lstm expects two hidden states"),
    (lambda: GRU2(tg.randn(5, 2, 3), tg.randn(1, 2, 4)), RuntimeError,
     "Expected hidden size \\(2, 2, 4\\), got \\[1, 2, 4\\]"),
    (lambda: GRU2(tg.randn(5, 2, 3), tg.randn(2, 4)), RuntimeError,
     "For batched 3-D input, hx should also be 3-D but got 2-D tensor"),
    (lambda: GRU2((tg.randn(5, 2, 3), [2, 2, 1, 1]),), TypeError, "PackedSequence inputs are not supported"),
], ids=lambda v: "" if callable(v) or isinstance(v, type) else v[:40])
def test_invalid_inputs_raise_pytorchs_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("call, error, message", [
    (lambda: nn.LSTMCell(3, 4)(tg.randn(2, 2, 3)), ValueError, "LSTMCell: Expected input to be 1D or 2D, got 3D"),
    (lambda: nn.RNNCell(3, 4)(tg.randn(2, 2)), RuntimeError, "input has inconsistent input_size: got 2 expected 3"),
    (lambda: nn.GRUCell(3, 4)(tg.randn(2, 3), tg.randn(3, 4)), RuntimeError,
     "Input batch size 2 doesn't match hidden0 batch size 3"),
    (lambda: nn.LSTMCell(3, 4)(tg.randn(2, 3), (tg.randn(2, 4), tg.randn(2, 5))), RuntimeError,
     "hidden1 has inconsistent hidden_size: got 5, expected 4"),
    (lambda: nn.LSTMCell(3, 4)(tg.randn(2, 3), (tg.randn(1, 2, 4), tg.randn(2, 4))), ValueError,
     "LSTMCell: Expected hx\\[0\\] to be 1D or 2D, got 3D instead"),
    (lambda: nn.RNNCell(3, 4)(tg.randn(2, 3), tg.randn(1, 2, 4)), ValueError,
     "RNNCell: Expected hidden to be 1D or 2D, got 3D instead"),
    (lambda: nn.RNNCell(3, 4, nonlinearity="x")(tg.randn(2, 3)), RuntimeError, "Unknown nonlinearity: x"),
    (lambda: nn.RNNCell(3, 4)(tg.randn(2, 3).double()), RuntimeError, "same dtype"),
], ids=lambda v: "" if callable(v) or isinstance(v, type) else v[:40])
def test_invalid_cell_inputs_raise_pytorchs_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


@given(st.integers(1, 3), st.integers(1, 3))
def test_a_cell_run_over_a_sequence_is_the_one_layer_module(steps, batch):
    lstm = nn.LSTM(2, 3).double()
    cell = nn.LSTMCell(2, 3).double()
    cell.load_state_dict({name[:-len("_l0")]: value for name, value in lstm.state_dict().items()})
    x = tg.randn(steps, batch, 2, dtype=tg.float64)
    out, (h_n, c_n) = lstm(x)
    h, c = None, None
    for t in range(steps):
        h, c = cell(x[t], None if h is None else (h, c))
        np.testing.assert_allclose(h.numpy(), out.numpy()[t], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(c.numpy(), c_n.numpy()[0], rtol=1e-12, atol=1e-15)
