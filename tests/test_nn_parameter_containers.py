"""ParameterList, ParameterDict and Unflatten, as PyTorch 2.x's: tensors become Parameters
(sharing memory) that the parent module finds and saves under PyTorch's keys; reprs and
errors are PyTorch's."""

import numpy as np
import pytest

import tinygrad_np as tg
from tinygrad_np import nn


class Mixture(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = nn.ParameterList([nn.Parameter(tg.ones(2, 3)), tg.zeros(2)])
        self.scales = nn.ParameterDict({"a": tg.ones(2), "b": tg.zeros(3, dtype=tg.float64)})


def test_parent_module_finds_and_saves_the_entries_under_pytorch_s_keys():
    model = Mixture()
    assert [name for name, _ in model.named_parameters()] == ["weights.0", "weights.1", "scales.a", "scales.b"]
    assert list(model.state_dict()) == ["weights.0", "weights.1", "scales.a", "scales.b"]


def test_a_tensor_put_in_a_parameter_list_becomes_a_parameter_sharing_its_memory():
    t = tg.zeros(2)
    params = nn.ParameterList([t])
    assert isinstance(params[0], nn.Parameter) and params[0].requires_grad
    params[0].data[0] = 5.0
    assert t.numpy()[0] == 5.0


def test_parameter_list_indexes_appends_extends_and_slices():
    params = nn.ParameterList([tg.ones(1)])
    params.append(tg.ones(2)).extend([tg.ones(3), tg.ones(4)])
    params += [tg.ones(5)]
    assert len(params) == 5 and params[-1].shape == (5,)
    assert isinstance(params[1:3], nn.ParameterList) and [p.shape for p in params[1:3]] == [(2,), (3,)]
    params[0] = tg.zeros(7)
    assert [p.shape[0] for p in params] == [7, 2, 3, 4, 5]


def test_parameter_list_index_out_of_range_raises_index_error():
    with pytest.raises(IndexError, match="index 5 is out of range"):
        nn.ParameterList([tg.ones(1)])[5]


def test_parameter_list_repr_is_pytorch_s():
    assert repr(Mixture().weights) == ("ParameterList(\n    (0): Parameter containing: [torch.float32 of size 2x3]\n"
                                       "    (1): Parameter containing: [torch.float32 of size 2]\n)")


def test_parameter_dict_repr_is_pytorch_s():
    assert repr(Mixture().scales) == ("ParameterDict(\n    (a): Parameter containing: [torch.FloatTensor of size 2]\n"
                                      "    (b): Parameter containing: [torch.DoubleTensor of size 3]\n)")


def test_parameter_dict_behaves_as_a_dict_in_insertion_order():
    scales = Mixture().scales
    scales["c"] = tg.ones(1)
    assert list(scales) == ["a", "b", "c"] and "a" in scales and len(scales) == 3
    assert scales.pop("a").shape == (2,) and list(scales.keys()) == ["b", "c"]
    assert scales.get("zz") is None and scales.setdefault("d", tg.ones(4)).shape == (4,)
    assert [k for k, _ in scales.items()] == ["b", "c", "d"] and len(scales.values()) == 3
    del scales["b"]
    assert list(scales.copy()) == ["c", "d"] and [n for n, _ in scales.named_parameters()] == ["c", "d"]
    scales.clear()
    assert len(scales) == 0 and list(scales.parameters()) == []


def test_parameter_dict_missing_key_raises_attribute_error_as_pytorch():
    with pytest.raises(AttributeError, match="no attribute 'zz'"):
        nn.ParameterDict()["zz"]


def test_optimizer_trains_parameters_in_a_parameter_list():
    params = nn.ParameterList([tg.ones(2)])
    optimizer = tg.optim.SGD(params.parameters(), lr=0.5)
    (params[0] * params[0]).sum().backward()
    optimizer.step()
    np.testing.assert_array_equal(params[0].numpy(), [0.0, 0.0])


def test_unflatten_splits_a_dim_with_an_inferred_size():
    assert nn.Unflatten(1, (2, 3))(tg.ones(4, 6)).shape == (4, 2, 3)
    assert nn.Unflatten(-1, (2, -1))(tg.ones(4, 6)).shape == (4, 2, 3)


def test_unflatten_with_sizes_that_do_not_multiply_up_raises_pytorch_s_error():
    with pytest.raises(RuntimeError, match=r"Provided sizes \[2, 3\] don't multiply up to the size of dim 1 \(5\)"):
        nn.Unflatten(1, (2, 3))(tg.ones(4, 5))


def test_unflatten_repr_is_pytorch_s():
    assert repr(nn.Unflatten(1, (2, 3))) == "Unflatten(dim=1, unflattened_size=(2, 3))"
