"""nn.Embedding / nn.EmbeddingBag drop-in behaviour: options, bags, dtypes, TorchScript, devices."""
import copy
import io
import subprocess

import pytest
import torch
import torch.nn.functional as F

import random_embeddings
from random_embeddings import RandomEmbedding, RandomEmbeddingBag
from spec_reference import bit_equal

ops = random_embeddings.ops
DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16]


def test_signature_matches_the_issue():
    emb = RandomEmbedding(100, 8, avg_embedding_norm=2, padding_idx=None, max_norm=None,
                          norm_type=2.0, scale_grad_by_freq=True, sparse=True, dtype=None,
                          device="cpu", generator=torch.Generator().manual_seed(0))
    assert emb.scale_grad_by_freq and emb.sparse  # accepted, documented as no-ops
    assert emb(torch.tensor([1])).shape == (1, 8)


@pytest.mark.parametrize("padding_idx,normalized", [(0, 0), (7, 7), (-1, 99), (-100, 0)])
def test_padding_idx_row_is_zero(padding_idx, normalized):
    emb = RandomEmbedding(100, 8, padding_idx=padding_idx)
    assert emb.padding_idx == normalized
    ids = torch.tensor([[normalized, 5], [3, normalized]])
    out = emb(ids)
    assert torch.equal(out[0, 0], torch.zeros(8)) and torch.equal(out[1, 1], torch.zeros(8))
    assert torch.equal(emb.weight[normalized], torch.zeros(8))
    assert torch.equal(out, F.embedding(ids, emb.weight, padding_idx=normalized))


@pytest.mark.parametrize("padding_idx", [100, -101])
def test_padding_idx_out_of_range(padding_idx):
    with pytest.raises(ValueError, match=rf"padding_idx must be within \[-100, 100\), got {padding_idx}"):
        RandomEmbedding(100, 8, padding_idx=padding_idx)
    with pytest.raises(ValueError, match="padding_idx must be within"):
        RandomEmbeddingBag(100, 8, padding_idx=padding_idx)


@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.0, float("inf")])
def test_max_norm_matches_torch_and_leaves_parameters_fixed(norm_type):
    emb = RandomEmbedding(400, 16, max_norm=0.8, norm_type=norm_type)
    before = emb.weight
    ids = torch.randint(400, (5, 30))
    expected = F.embedding(ids, before.clone(), max_norm=0.8, norm_type=norm_type)
    torch.testing.assert_close(emb(ids), expected, rtol=1e-5, atol=1e-6)
    assert torch.equal(emb.weight, before)
    assert (emb(ids).norm(p=norm_type, dim=-1) <= 0.8 + 1e-5).all()


def test_max_norm_must_be_positive():
    with pytest.raises(ValueError, match="max_norm must be a number greater than 0, got -1"):
        RandomEmbedding(10, 3, max_norm=-1)


@pytest.mark.parametrize("dtype", DTYPES)
def test_output_dtypes_convert_the_float32_value_once(dtype):
    torch.manual_seed(0)
    typed = RandomEmbedding(300, 20, dtype=dtype)
    torch.manual_seed(0)
    plain = RandomEmbedding(300, 20)
    ids = torch.randint(300, (7, 9))
    out = typed(ids)
    assert out.dtype == dtype and typed.rand_weight.dtype == torch.float32
    assert torch.equal(out, plain(ids).to(dtype))
    assert typed.weight.dtype == dtype
    bag_typed = RandomEmbeddingBag(300, 20, mode="max", dtype=dtype)
    bag_plain = RandomEmbeddingBag(300, 20, mode="max")
    bag_plain.load_state_dict(bag_typed.state_dict())
    assert torch.equal(bag_typed(ids), bag_plain(ids).to(dtype))


def test_bad_dtype_is_a_type_error():
    with pytest.raises(TypeError, match="dtype must be float32, float64, float16 or bfloat16, got torch.int32"):
        RandomEmbedding(10, 3, dtype=torch.int32)


def test_module_casts_become_the_output_dtype():
    emb = RandomEmbedding(50, 4)
    ids = torch.tensor([1, 2])
    expected = emb(ids)
    assert torch.equal(emb.double()(ids), expected.double())
    assert emb.rand_weight.dtype == torch.float32  # the parameters keep every bit
    assert torch.equal(emb.half()(ids), expected.half())
    assert torch.equal(emb.float()(ids), expected)


def _bag_cases():
    for mode in ["sum", "mean", "max"]:
        for padding in [None, 4]:
            for int32 in [False, True]:
                yield mode, padding, int32


@pytest.mark.parametrize("mode,padding_idx,int32", list(_bag_cases()))
def test_bag_matches_dense_embedding_bag(mode, padding_idx, int32):
    bag = RandomEmbeddingBag(500, 33, mode=mode, padding_idx=padding_idx)
    ids = torch.randint(500, (150,))
    ids[::7] = 4
    offsets = torch.tensor([0, 3, 3, 60, 149])
    if int32:
        ids, offsets = ids.int(), offsets.int()
    expected = F.embedding_bag(ids, bag.weight, offsets, mode=mode, padding_idx=padding_idx)
    torch.testing.assert_close(bag(ids, offsets), expected, rtol=1e-5, atol=1e-6)
    ids2d = ids[:120].view(6, 20)
    torch.testing.assert_close(bag(ids2d),
                               F.embedding_bag(ids2d, bag.weight, mode=mode, padding_idx=padding_idx),
                               rtol=1e-5, atol=1e-6)


def test_bag_per_sample_weights_last_offset_and_max_norm():
    bag = RandomEmbeddingBag(300, 16, mode="sum", include_last_offset=True, max_norm=0.5)
    ids = torch.randint(300, (100,))
    offsets = torch.tensor([0, 10, 10, 55, 100])
    w = torch.rand(100)
    out = bag(ids, offsets, w)
    assert out.shape == (4, 16)
    expected = F.embedding_bag(ids, bag.weight.clone(), offsets, mode="sum", per_sample_weights=w,
                               include_last_offset=True, max_norm=0.5)
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-6)
    assert torch.equal(out[1], torch.zeros(16))  # an empty bag is zeros


@pytest.mark.parametrize("call,error,match", [
    (lambda b: b(torch.tensor([1, 2])), ValueError, "offsets must be given when input is 1-D"),
    (lambda b: b(torch.tensor([[1, 2]]), torch.tensor([0])), ValueError, "offsets must be None"),
    (lambda b: b(torch.tensor([1, 2]), torch.tensor([1])), ValueError, r"offsets\[0\] must be 0, got 1"),
    (lambda b: b(torch.tensor([1, 2]), torch.tensor([0, 3])), ValueError, "offsets must be non-decreasing and within"),
    (lambda b: b(torch.tensor([1, 50]), torch.tensor([0])), IndexError, r"index 50 is out of range: indices must be in \[0, 50\)"),
    (lambda b: b(torch.tensor([1.0]), torch.tensor([0])), TypeError, "got Float"),
    (lambda b: b(torch.tensor([1, 2]), torch.tensor([0]), torch.ones(2)), ValueError, "only supported for mode='sum'"),
    (lambda b: b(torch.zeros(2, 2, 2, dtype=torch.long)), ValueError, "input must be 1-D or 2-D, got 3-D"),
])
def test_bag_errors(call, error, match):
    with pytest.raises(error, match=match):
        call(RandomEmbeddingBag(50, 8, mode="mean"))


def test_bag_mode_is_checked():
    with pytest.raises(ValueError, match="mode must be 'sum', 'mean' or 'max', got 'median'"):
        RandomEmbeddingBag(50, 8, mode="median")


class _Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = RandomEmbedding(1000, 24, padding_idx=0)
        self.bag = RandomEmbeddingBag(1000, 24, mode="sum", dtype=torch.float64)

    def forward(self, ids: torch.Tensor, offsets: torch.Tensor):
        return self.emb(ids), self.bag(ids, offsets)


def test_torchscript_round_trip_to_cpp(build_dir, tmp_path):
    model = _Model()
    scripted = torch.jit.script(model)
    ids = torch.randint(1000, (40,))
    offsets = torch.tensor([0, 10, 25])
    expected = model(ids, offsets)
    assert all(torch.equal(a, b) for a, b in zip(scripted(ids, offsets), expected))
    scripted.save(str(tmp_path / "model.pt"))
    reloaded = torch.jit.load(str(tmp_path / "model.pt"))
    assert all(torch.equal(a, b) for a, b in zip(reloaded(ids, offsets), expected))
    torch.save({"ids": ids, "offsets": offsets}, tmp_path / "inputs.pt")
    subprocess.run([str(build_dir / "tests" / "torch" / "run_scripted"), str(tmp_path / "model.pt"),
                    str(tmp_path / "inputs.pt"), str(tmp_path / "out.pt")], check=True)
    from_cpp = torch.load(tmp_path / "out.pt")
    assert len(from_cpp) == 2
    assert all(bit_equal(a, b) for a, b in zip(from_cpp, expected))


def test_fallback_forced_on_cpu_matches_the_kernels():
    emb = RandomEmbedding(1000, 37)
    w, s = emb.rand_weight, emb.packed_signs
    ids = torch.randint(1000, (4, 50))
    for pad in [None, int(ids[0, 0])]:
        for dtype in DTYPES:
            assert bit_equal(ops._embedding_torch_ops(w, s, 1000, ids, pad, None, 2.0, dtype),
                             ops.embedding(w, s, 1000, ids, pad, None, 2.0, dtype))
    torch.testing.assert_close(ops._embedding_torch_ops(w, s, 1000, ids, None, 0.6, 2.0, None),
                               ops.embedding(w, s, 1000, ids, None, 0.6, 2.0, None))
    flat, offsets = ids.view(-1), torch.tensor([0, 3, 3, 100])
    for mode in ["sum", "mean", "max"]:
        torch.testing.assert_close(
            ops._embedding_bag_torch_ops(w, s, 1000, flat, offsets, mode, None, False, int(flat[1]), None, 2.0, None),
            ops.embedding_bag(w, s, 1000, flat, offsets, mode, None, False, int(flat[1]), None, 2.0, None))
    with pytest.raises(IndexError, match=r"index 1000 is out of range"):
        ops._embedding_torch_ops(w, s, 1000, torch.tensor([1000]), None, None, 2.0, None)
    sb = torch.rand(33, 37) > 0.5
    packed = ops.pack_signs(sb)
    # The torch-ops pack/unpack serve any device; on meta they give shapes.
    assert ops.pack_signs(sb.to("meta")).shape == packed.shape
    assert torch.equal(ops.unpack_signs(packed, 37), sb)


def test_meta_tensors_give_shapes():
    emb = RandomEmbedding(1000, 37).to("meta")
    assert emb.rand_weight.is_meta and emb.packed_signs.is_meta
    out = emb(torch.randint(1000, (3, 5)).to("meta"))
    assert out.is_meta and out.shape == (3, 5, 37)
    bag = RandomEmbeddingBag(1000, 37).to("meta")
    assert bag(torch.zeros(4, 6, dtype=torch.long, device="meta")).shape == (4, 37)


def test_plumbing():
    emb = RandomEmbedding(60, 6, avg_embedding_norm=2, padding_idx=1)
    bag = RandomEmbeddingBag(60, 6, mode="max")
    assert isinstance(emb, torch.nn.Embedding) and isinstance(bag, torch.nn.EmbeddingBag)
    assert (bag.num_embeddings, bag.embedding_dim) == (60, 6)
    assert repr(emb) == "RandomEmbedding(60, 6, avg_embedding_norm=2.0, padding_idx=1)"
    assert repr(bag) == "RandomEmbeddingBag(60, 6, avg_embedding_norm=1.0, mode='max')"
    ids = torch.randint(60, (3, 4))
    for module in (emb, bag):
        clone = copy.deepcopy(module)
        assert torch.equal(clone(ids), module(ids))
        assert clone.packed_signs.data_ptr() != module.packed_signs.data_ptr()
        buf = io.BytesIO()
        torch.save(module, buf)
        buf.seek(0)
        loaded = torch.load(buf)
        assert type(loaded) is type(module) and torch.equal(loaded(ids), module(ids))
        assert list(loaded.state_dict()) == ["rand_weight", "ind", "rand_signs"]
    assert list(emb.parameters()) == [] and list(bag.parameters()) == []
