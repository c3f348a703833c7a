"""Specification of `summary(model, input_shape)`, the Keras/torchinfo-style model summary.

Parameter totals (shared parameters once, frozen ones non-trainable), the rows (call order,
depth, output shapes, each parameter counted once so the column sums to the total), the text
table (one golden string, so format changes are deliberate), and that the summary leaves the
model as it found it: no `forward` instance attributes, the same training flags and BatchNorm
statistics, the same random state, also when the forward pass fails.
"""

import copy

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn
from tinygrad_np.nn.summary import ModelSummary, summary


def mlp():
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10))


def cnn():
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(16 * 6 * 6, 10))


class Block(nn.Module):
    """A module with its own parameter (scale) and children."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.act = nn.ReLU()
        self.scale = nn.Parameter(np.ones(4, dtype=np.float32))

    def forward(self, x):
        return self.act(self.fc(x)) * self.scale


class Tied(nn.Module):
    """Nested blocks whose Linear layers share one weight: 42 distinct parameters, 58 by module."""

    def __init__(self):
        super().__init__()
        self.encoder = Block()
        self.decoder = Block()
        self.decoder.fc.weight = self.encoder.fc.weight
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        return self.head(self.decoder(self.encoder(x)))


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())


def column(result: ModelSummary):
    return [(row.label, row.depth, row.params) for row in result.rows]


# ------------------------------------------------------------------ totals


def test_total_params_of_an_mlp_are_the_sum_over_its_parameters():
    model = mlp()
    assert summary(model, (128, 784)).total_params == parameter_count(model) == 407_050


def test_total_params_of_a_cnn_are_the_sum_over_its_parameters():
    model = cnn()
    assert summary(model, (2, 1, 28, 28)).total_params == parameter_count(model) == 7_018


def test_a_parameter_shared_by_two_nested_modules_is_counted_once():
    model = Tied()
    result = summary(model, (2, 4))
    assert result.total_params == parameter_count(model) == 42
    assert sum(row.params for row in result.rows) == 42


def test_a_frozen_layer_counts_as_non_trainable():
    model = mlp()
    model[0].requires_grad_(False)
    result = summary(model, (1, 784))
    assert (result.total_params, result.trainable_params, result.non_trainable_params) == (407_050, 5_130, 401_920)
    assert [row.trainable_params for row in result.rows] == [0, 0, 0, 5_130]


def test_params_size_counts_the_bytes_of_each_parameters_dtype():
    model = mlp().double()
    result = summary(model, (1, 784))
    assert result.param_bytes == 8 * 407_050
    assert result.params_size_mb == pytest.approx(3.2564)


# ------------------------------------------------------------------ rows


def test_cnn_rows_give_each_layers_output_shape_on_a_batch_of_two_28x28_images():
    result = summary(cnn(), (2, 1, 28, 28))
    assert [(row.label, row.output_shapes) for row in result.rows] == [
        ("Sequential", ((2, 10),)),
        ("0: Conv2d", ((2, 8, 28, 28),)),
        ("1: ReLU", ((2, 8, 28, 28),)),
        ("2: MaxPool2d", ((2, 8, 14, 14),)),
        ("3: Conv2d", ((2, 16, 12, 12),)),
        ("4: ReLU", ((2, 16, 12, 12),)),
        ("5: MaxPool2d", ((2, 16, 6, 6),)),
        ("6: Flatten", ((2, 576),)),
        ("7: Linear", ((2, 10),)),
    ]
    assert (result.input_shapes, result.output_shapes) == (((2, 1, 28, 28),), ((2, 10),))


def test_each_row_counts_only_the_modules_own_parameters():
    assert column(summary(Tied(), (2, 4))) == [
        ("Tied", 0, 0),
        ("encoder: Block", 1, 4),
        ("fc: Linear", 2, 20),
        ("act: ReLU", 2, 0),
        ("decoder: Block", 1, 4),
        ("fc: Linear", 2, 4),  # the weight was counted in encoder.fc
        ("act: ReLU", 2, 0),
        ("head: Linear", 1, 10),
    ]


def test_rows_follow_the_call_order_not_the_registration_order():
    class Reversed(nn.Module):
        def __init__(self):
            super().__init__()
            self.second = nn.Linear(4, 2)
            self.first = nn.Linear(3, 4)

        def forward(self, x):
            return self.second(self.first(x))

    assert [row.name for row in summary(Reversed(), (1, 3)).rows] == ["", "first", "second"]


def test_a_module_called_twice_gets_a_row_per_call_and_its_params_count_once():
    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3)

        def forward(self, x):
            return self.fc(self.fc(x))

    result = summary(Twice(), (1, 3))
    assert column(result) == [("Twice", 0, 0), ("fc: Linear", 1, 12), ("fc: Linear (call 2)", 1, 0)]
    assert "  fc: Linear (call 2)" in str(result)


def test_a_module_with_parameters_that_forward_never_calls_gets_a_not_called_row():
    class UnusedHead(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Linear(3, 4)
            self.heads = nn.ModuleDict({"used": nn.Linear(4, 2), "spare": nn.Linear(4, 5)})

        def forward(self, x):
            return self.heads["used"](self.body(x))

    model = UnusedHead()
    result = summary(model, (1, 3))
    assert [(row.label, row.called, row.params) for row in result.rows[-1:]] == [("heads.spare: Linear", False, 25)]
    assert sum(row.params for row in result.rows) == result.total_params == parameter_count(model)
    assert "heads.spare: Linear    (not called)" in str(result)


def test_depth_hides_deeper_calls_and_counts_their_params_in_the_shown_ancestor():
    result = summary(Tied(), (2, 4), depth=1)
    assert column(result) == [("Tied", 0, 0), ("encoder: Block", 1, 24), ("decoder: Block", 1, 8),
                              ("head: Linear", 1, 10)]


def test_depth_zero_shows_the_model_alone_with_every_parameter():
    assert column(summary(Tied(), (2, 4), depth=0)) == [("Tied", 0, 42)]


def test_a_list_of_shapes_calls_the_model_with_one_zero_tensor_per_input():
    class TwoInputs(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(3, 2), nn.Linear(5, 2)

        def forward(self, x, y):
            return self.a(x) + self.b(y)

    result = summary(TwoInputs(), [(2, 3), (2, 5)])
    assert result.input_shapes == ((2, 3), (2, 5))
    assert [row.input_shapes for row in result.rows] == [((2, 3), (2, 5)), ((2, 3),), ((2, 5),)]
    assert "Input shape: (2, 3), (2, 5)" in str(result)


def test_a_module_returning_a_tuple_lists_each_output_shape():
    result = summary(nn.Sequential(nn.MaxPool2d(2, return_indices=True)), (1, 1, 4, 4))
    assert result.rows[1].output_shapes == ((1, 1, 2, 2), (1, 1, 2, 2))
    assert "(1, 1, 2, 2), (1, 1, 2, 2)" in str(result)


def test_dtype_sets_the_input_dtype_so_an_embedding_gets_integer_indices():
    model = nn.Sequential(nn.Embedding(10, 3), nn.Flatten())
    assert summary(model, (2, 5), dtype=tg.int64).output_shapes == ((2, 15),)


def test_the_pass_records_no_graph():
    seen = []

    class Probe(nn.Module):
        def forward(self, x):
            seen.append(tg.is_grad_enabled())
            return x

    summary(Probe(), (1, 2))
    assert seen == [False]


# ------------------------------------------------------------------ no state left behind


def forward_attributes(model):
    return [name for name, module in model.named_modules() if "forward" in vars(module)]


def test_the_model_forward_is_restored_after_the_summary():
    model = Tied()
    summary(model, (2, 4))
    assert forward_attributes(model) == []


def test_the_model_forward_is_restored_after_a_failing_forward():
    model = Tied()
    with pytest.raises(tg.ShapeError):
        summary(model, (2, 5))
    assert forward_attributes(model) == []
    assert model(tg.zeros(2, 4)).shape == (2, 2)


def test_a_forward_set_on_the_instance_before_the_summary_is_put_back():
    model = mlp()
    replacement = model[1].forward
    model[1].forward = replacement
    summary(model, (1, 784))
    assert forward_attributes(model) == ["1"]
    assert vars(model[1])["forward"] is replacement


def mixed_mode_model():
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Dropout(0.5), nn.Linear(4, 2))
    model.train()
    model[2].eval()
    return model


def test_every_modules_training_flag_is_unchanged():
    model = mixed_mode_model()
    summary(model, (8, 3))
    assert [module.training for module in model.modules()] == [True, True, True, False, True]


def test_training_flags_are_unchanged_after_a_failing_forward():
    model = mixed_mode_model()
    with pytest.raises(tg.ShapeError):
        summary(model, (8, 5))
    assert [module.training for module in model.modules()] == [True, True, True, False, True]


def test_batchnorm_running_statistics_are_unchanged():
    model = mixed_mode_model()
    before = {name: buffer.numpy().copy() for name, buffer in model.named_buffers()}
    control = copy.deepcopy(model)
    control(tg.zeros(8, 3))  # a forward pass in training mode would change them
    assert not np.array_equal(control[1].running_var.numpy(), before["1.running_var"])
    summary(model, (8, 3))
    assert all(np.array_equal(buffer.numpy(), before[name]) for name, buffer in model.named_buffers())


def test_a_dropout_model_draws_no_random_numbers():
    model = nn.Sequential(nn.Linear(3, 4), nn.Dropout(0.5))
    tg.manual_seed(0)
    summary(model, (8, 3))
    after = tg.rand(3).numpy()
    tg.manual_seed(0)
    assert np.array_equal(after, tg.rand(3).numpy())


# ------------------------------------------------------------------ errors


def test_a_bad_input_shape_reraises_the_models_error_with_a_note_naming_the_failing_layer():
    with pytest.raises(tg.ShapeError, match="expects 784") as caught:
        summary(mlp(), (2, 783))
    assert caught.value.__notes__ == ["summary: the forward pass failed in layer '0' (Linear) with input shape "
                                      "(2, 783); the model's input shape was (2, 783)"]


def test_the_note_names_the_innermost_failing_layer():
    with pytest.raises(tg.ShapeError) as caught:
        summary(Tied(), (2, 4, 3))
    assert "layer 'encoder.fc' (Linear) with input shape (2, 4, 3)" in caught.value.__notes__[0]


def test_an_error_in_the_models_own_forward_is_attributed_to_the_model():
    class Broken(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3)

        def forward(self, x):
            return self.fc(x).reshape(7)

    with pytest.raises(tg.ShapeError) as caught:
        summary(Broken(), (2, 3))
    assert "failed in the model's own forward (Broken) with input shape (2, 3)" in caught.value.__notes__[0]


@pytest.mark.parametrize("input_shape", ["2x3", 5, (2, "3"), [(2, 3), 4]])
def test_an_input_shape_that_is_not_a_shape_or_list_of_shapes_raises_type_error(input_shape):
    with pytest.raises(TypeError, match="input_shape"):
        summary(mlp(), input_shape)


def test_a_negative_dimension_raises_value_error():
    with pytest.raises(ValueError, match="non-negative"):
        summary(mlp(), (-1, 784))


def test_a_dtype_list_of_the_wrong_length_raises_value_error():
    with pytest.raises(ValueError, match="2 dtypes given for 1 inputs"):
        summary(mlp(), (1, 784), dtype=[tg.float32, tg.float32])


# ------------------------------------------------------------------ text table


def test_the_text_table_shows_each_layer_and_the_totals():
    text = str(summary(mlp(), (128, 784)))
    for expected in ["  0: Linear", "(128, 512)", "401,920", "  1: ReLU", "  2: Linear", "5,130",
                     "Total params: 407,050", "Trainable params: 407,050", "Non-trainable params: 0",
                     "Params size (MB): 1.63", "Input shape: (128, 784)", "Output shape: (128, 10)"]:
        assert expected in text


def test_repr_is_the_text_table_so_a_repl_shows_it():
    result = summary(mlp(), (1, 784))
    assert repr(result) == str(result)


def test_the_table_of_a_tiny_nested_model_is_exactly_this():
    class Tiny(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(3, 4), nn.ReLU())
            self.head = nn.Linear(4, 2)
            self.head.requires_grad_(False)

        def forward(self, x):
            return self.head(self.body(x))

    assert str(summary(Tiny(), (2, 3))) == "\n".join([
        "=============================================",
        "Layer (type)          Output Shape    Param #",
        "=============================================",
        "Tiny                  (2, 2)               --",
        "  body: Sequential    (2, 4)               --",
        "    0: Linear         (2, 4)               16",
        "    1: ReLU           (2, 4)               --",
        "  head: Linear        (2, 2)               10",
        "=============================================",
        "Input shape: (2, 3)",
        "Output shape: (2, 2)",
        "Total params: 26",
        "Trainable params: 16",
        "Non-trainable params: 10",
        "Params size (MB): 0.00",
        "=============================================",
    ])
