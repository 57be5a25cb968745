"""The Python module against the SPEC oracle, the state_dict contract, shapes and errors."""
import copy
import io
import subprocess
import threading

import pytest
import torch

import random_embeddings
from random_embeddings import RandomEmbedding, create_random_circulant_embeddings
from spec_reference import SpecModule, bit_equal

SHAPES = [(1, 1), (1, 300), (5, 7), (7, 7), (10, 3), (1000, 1), (301, 300), (40, 17),
          (12345, 300)]


@pytest.mark.parametrize("n,d", SHAPES)
@pytest.mark.parametrize("c", [1, 0.25, 3.5])
def test_matches_spec_bit_for_bit(n, d, c):
    torch.manual_seed(n * 31 + d)
    spec = SpecModule(n, d, c)
    torch.manual_seed(n * 31 + d)
    ours = RandomEmbedding(n, d, c)
    assert bit_equal(ours.rand_weight, spec.rand_weight)
    assert torch.equal(ours.rand_signs, spec.rand_signs)
    ids = torch.randint(n, (3, 77))
    assert bit_equal(ours(ids), spec(ids))
    assert bit_equal(ours(ids.int()), spec(ids))
    weight = ours.weight
    assert bit_equal(weight, spec(torch.arange(n)))
    assert weight.norm(dim=1).double().mean().item() == pytest.approx(c, rel=1e-5)


def test_generator_is_used_instead_of_the_default():
    a = RandomEmbedding(50, 6, generator=torch.Generator().manual_seed(9))
    torch.manual_seed(1)
    b = RandomEmbedding(50, 6, generator=torch.Generator().manual_seed(9))
    assert torch.equal(a.weight, b.weight)
    spec = SpecModule(50, 6, generator=torch.Generator().manual_seed(9))
    assert bit_equal(a.weight, spec(torch.arange(50)))


def test_create_dense_matches_module():
    torch.manual_seed(3)
    dense = create_random_circulant_embeddings(23, 5, avg_embedding_norm=2)
    torch.manual_seed(3)
    assert bit_equal(dense, RandomEmbedding(23, 5, 2).weight)
    assert dense.shape == (23, 5) and dense.dtype == torch.float32


def test_state_dict_has_the_original_names_and_dtypes():
    emb = RandomEmbedding(100, 8)
    sd = emb.state_dict()
    assert list(sd) == ["rand_weight", "ind", "rand_signs"]
    assert sd["rand_weight"].dtype == torch.float32 and sd["rand_weight"].shape == (13, 8)
    assert sd["ind"].dtype == torch.int64 and torch.equal(sd["ind"], torch.arange(8))
    assert sd["rand_signs"].dtype == torch.bool and sd["rand_signs"].shape == (13, 8)
    # In memory the signs stay packed: one bit each.
    assert emb.packed_signs.dtype == torch.uint8 and emb.packed_signs.shape == (13, 1)


@pytest.mark.parametrize("n,d", [(10, 3), (301, 300), (1000, 1)])
def test_state_dict_loads_both_ways(n, d):
    original = SpecModule(n, d)
    ours = RandomEmbedding(n, d)
    ours.load_state_dict(original.state_dict())
    ids = torch.randint(n, (64,))
    assert bit_equal(ours(ids), original(ids))

    ours2 = RandomEmbedding(n, d, 2.0)
    original2 = SpecModule(n, d)
    original2.load_state_dict(ours2.state_dict())
    assert bit_equal(original2(ids), ours2(ids))


def test_state_dict_nested_and_strict():
    model = torch.nn.Sequential(RandomEmbedding(20, 4), torch.nn.Linear(4, 2))
    sd = model.state_dict()
    assert "0.rand_signs" in sd and "0.packed_signs" not in sd
    other = torch.nn.Sequential(RandomEmbedding(20, 4), torch.nn.Linear(4, 2))
    other.load_state_dict(sd)
    ids = torch.randint(20, (5,))
    assert torch.equal(other(ids), model(ids))
    with pytest.raises(RuntimeError, match="size mismatch"):
        RandomEmbedding(40, 4).load_state_dict(RandomEmbedding(20, 4).state_dict())


def test_is_an_embedding_without_parameters():
    emb = RandomEmbedding(30, 4)
    assert isinstance(emb, torch.nn.Embedding)
    assert list(emb.parameters()) == []
    assert (emb.num_embeddings, emb.embedding_dim) == (30, 4)
    out = emb(torch.tensor([1, 2]))
    assert not out.requires_grad and out.dtype == torch.float32
    assert "weight" not in dict(emb.named_buffers())


@pytest.mark.parametrize("shape", [(), (0,), (2, 0), (7,), (2, 3, 5)])
@pytest.mark.parametrize("dtype", [torch.int64, torch.int32])
def test_any_index_shape(shape, dtype):
    emb = RandomEmbedding(30, 4)
    ids = torch.randint(30, shape, dtype=dtype)
    out = emb(ids)
    assert out.shape == shape + (4,)
    assert torch.equal(out, emb.weight[ids.long()])


def test_non_contiguous_indices():
    emb = RandomEmbedding(30, 4)
    ids = torch.randint(30, (4, 6))
    assert torch.equal(emb(ids.t()), emb.weight[ids.t()])


def test_index_errors_name_the_value_and_n():
    emb = RandomEmbedding(10, 3)
    with pytest.raises(IndexError, match=r"index 10 is out of range: indices must be in \[0, 10\)"):
        emb(torch.tensor([1, 10, 2]))
    with pytest.raises(IndexError, match="index -1 "):
        emb(torch.tensor([[0], [-1]], dtype=torch.int32))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bool, torch.uint8])
def test_non_integer_or_unsupported_input_is_a_type_error(dtype):
    with pytest.raises(TypeError, match="int64 or int32"):
        RandomEmbedding(10, 3)(torch.zeros(2, dtype=dtype))


@pytest.mark.parametrize("args,match", [
    ((0, 3), "num_embeddings must be at least 1, got 0"),
    ((4, -2), "embedding_dim must be at least 1, got -2"),
    ((4, 2, 0), "avg_embedding_norm must be a finite number greater than 0, got 0"),
    ((4, 2, -1.5), "avg_embedding_norm must be a finite number greater than 0, got -1.5"),
    ((4, 2, float("nan")), "avg_embedding_norm must be a finite number greater than 0, got nan"),
    ((4, 2, float("inf")), "avg_embedding_norm must be a finite number greater than 0, got inf"),
])
def test_bad_arguments_are_value_errors(args, match):
    with pytest.raises(ValueError, match=match):
        RandomEmbedding(*args)
    with pytest.raises(ValueError, match=match):
        create_random_circulant_embeddings(*args)


def test_the_operator_checks_its_arguments_too():
    with pytest.raises(ValueError, match="num_embeddings must be at least 1, got 0"):
        random_embeddings.ops.init_params(0, 3, 1.0)
    w, s = random_embeddings.ops.init_params(10, 3, 1.0)
    with pytest.raises(ValueError, match=r"rand_weight must have ceil\(20 / 3\) = 7 rows, got 4"):
        random_embeddings.ops.embedding(w, s, 20, torch.tensor([0]))


def test_forward_from_many_threads():
    emb = RandomEmbedding(5000, 64)
    ids = torch.randint(5000, (64, 33))
    expected = emb(ids)
    results = []

    def work():
        results.append(all(torch.equal(emb(ids), expected) for _ in range(20)))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 8


def test_same_seed_same_bits_in_cpp_and_python(build_dir, tmp_path):
    dumper = build_dir / "tests" / "torch" / "dump_embedding"
    for n, d, c, seed in [(10, 3, 1.0, 0), (301, 300, 2.5, 7), (12345, 300, 1.0, 42), (1, 1, 1.0, 3)]:
        path = tmp_path / f"{n}_{d}.pt"
        subprocess.run([str(dumper), str(n), str(d), repr(c), str(seed), str(path)], check=True)
        cpp = torch.load(path)
        torch.manual_seed(seed)
        ours = RandomEmbedding(n, d, c)
        assert bit_equal(cpp["rand_weight"], ours.rand_weight)
        assert torch.equal(cpp["rand_signs"], ours.rand_signs)
        assert bit_equal(cpp["rows"], ours(torch.arange(n - 1, -1, -1)))
        assert bit_equal(cpp["weight"], ours.weight)


def test_weight_is_computed_not_stored():
    emb = RandomEmbedding(1000, 10)
    assert emb.weight is not emb.weight
    with pytest.raises(AttributeError):
        emb.weight = torch.zeros(1000, 10)
