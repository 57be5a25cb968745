"""RandomEmbedding and RandomEmbeddingBag: torch.nn.Embedding and torch.nn.EmbeddingBag whose
table is a fixed random circulant matrix, stored in about 33 bits per row."""
import math
import numbers
from typing import Optional, Tuple

import torch
from torch import Tensor

from ._ops import ops

_OUTPUT_DTYPES = (torch.float32, torch.float64, torch.float16, torch.bfloat16)
_MODES = ("sum", "mean", "max")


def _check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"RandomEmbedding: {name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"RandomEmbedding: {name} must be at least 1, got {value}")
    return int(value)


def _check_avg_norm(value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"RandomEmbedding: avg_embedding_norm must be a number, got {type(value).__name__}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError("RandomEmbedding: avg_embedding_norm must be a finite number greater "
                         f"than 0, got {value}")
    return float(value)


def _check_padding_idx(padding_idx, num_embeddings):
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise ValueError(f"RandomEmbedding: padding_idx must be within [{-num_embeddings}, "
                         f"{num_embeddings}), got {padding_idx}")
    return int(padding_idx + num_embeddings if padding_idx < 0 else padding_idx)


def _check_max_norm(max_norm):
    if max_norm is None:
        return None
    if not (isinstance(max_norm, numbers.Real) and max_norm > 0):
        raise ValueError(f"RandomEmbedding: max_norm must be a number greater than 0, got {max_norm}")
    return float(max_norm)


def _check_dtype(dtype):
    if dtype is not None and dtype not in _OUTPUT_DTYPES:
        raise TypeError("RandomEmbedding: dtype must be float32, float64, float16 or bfloat16, "
                        f"got {dtype}")
    return None if dtype == torch.float32 else dtype


def create_random_circulant_embeddings(num_embeddings, embedding_dim, avg_embedding_norm=1,
                                       generator=None):
    """The dense n x d float32 matrix RandomEmbedding(n, d, c) draws from the same RNG state."""
    n = _check_positive_int("num_embeddings", num_embeddings)
    d = _check_positive_int("embedding_dim", embedding_dim)
    rand_weight, packed_signs = ops.init_params(n, d, _check_avg_norm(avg_embedding_norm),
                                                generator)
    return ops.embedding(rand_weight, packed_signs, n, torch.arange(n))


class _CirculantTable:
    """The buffers and module plumbing RandomEmbedding and RandomEmbeddingBag share."""

    __jit_unused_properties__ = ["weight", "rand_signs"]

    def _init_table(self, num_embeddings, embedding_dim, avg_embedding_norm, padding_idx,
                    max_norm, norm_type, scale_grad_by_freq, sparse, dtype, device, generator):
        torch.nn.Module.__init__(self)  # nn.Embedding's __init__ would allocate a dense weight
        self.num_embeddings = _check_positive_int("num_embeddings", num_embeddings)
        self.embedding_dim = _check_positive_int("embedding_dim", embedding_dim)
        self.avg_embedding_norm = _check_avg_norm(avg_embedding_norm)
        self.padding_idx = _check_padding_idx(padding_idx, self.num_embeddings)
        self.max_norm = _check_max_norm(max_norm)
        self.norm_type = float(norm_type)
        # Accepted for torch.nn compatibility: nothing is trained, so they do nothing.
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        self.dtype = _check_dtype(dtype)
        rand_weight, packed_signs = ops.init_params(self.num_embeddings, self.embedding_dim,
                                                    self.avg_embedding_norm, generator)
        self.register_buffer("rand_weight", rand_weight)
        self.register_buffer("ind", torch.arange(self.embedding_dim))
        self.register_buffer("packed_signs", packed_signs)
        self._register_state_dict_hook(_signs_to_state_dict)
        self._register_load_state_dict_pre_hook(_signs_from_state_dict)
        if device is not None:
            self.to(device)

    def _table(self) -> Tuple[Tensor, Tensor]:
        """(rand_weight, packed_signs)."""
        if torch.jit.is_scripting():
            return self.rand_weight, self.packed_signs
        # Eager: read the buffer dict directly; nn.Module.__getattr__ costs about 0.5 µs per
        # buffer, a quarter of a dense F.embedding call on a tiny batch.
        buffers = self._buffers
        return buffers["rand_weight"], buffers["packed_signs"]

    def reset_parameters(self):
        """Draws new parameters from torch's default generator."""
        rand_weight, packed_signs = ops.init_params(self.num_embeddings, self.embedding_dim,
                                                    self.avg_embedding_norm)
        device = self.rand_weight.device
        self.rand_weight = rand_weight.to(device)
        self.packed_signs = packed_signs.to(device)

    @property
    def weight(self):
        """The dense n x d matrix, materialized on each access (max_norm is not applied)."""
        rows = torch.arange(self.num_embeddings, device=self.rand_weight.device)
        return ops.embedding(self.rand_weight, self.packed_signs, self.num_embeddings, rows,
                             self.padding_idx, None, self.norm_type, self.dtype)

    @property
    def rand_signs(self):
        """The sign of each column of each block as bools (True = +1), unpacked on access."""
        return ops.unpack_signs(self.packed_signs, self.embedding_dim)

    def _apply(self, fn):
        # rand_weight stays float32 (its bits are the parameters); a cast of the module to
        # another floating dtype becomes the output dtype instead, as nn.Embedding's weight would.
        weight = self._buffers["rand_weight"]
        as_float32 = fn(torch.zeros(1, dtype=torch.float32, device=weight.device))
        as_float64 = fn(torch.zeros(1, dtype=torch.float64, device=weight.device))
        casts = as_float32.dtype != torch.float32 or as_float64.dtype != torch.float64
        self._buffers["rand_weight"] = None
        try:
            super()._apply(fn)
        finally:
            self._buffers["rand_weight"] = weight
        if casts:
            self.dtype = _check_dtype(as_float32.dtype)
            self._buffers["rand_weight"] = weight.to(as_float32.device)
        else:
            self._buffers["rand_weight"] = fn(weight)
        return self

    def _table_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}, avg_embedding_norm={self.avg_embedding_norm}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}, norm_type={self.norm_type}"
        if self.dtype is not None:
            s += f", dtype={self.dtype}"
        return s


class RandomEmbedding(_CirculantTable, torch.nn.Embedding):
    """A fixed random n x d embedding in about 33 bits per row; a drop-in for nn.Embedding.

    Each d x d block of the matrix is the circulant matrix of one random vector with its
    columns' signs flipped; only those vectors (``rand_weight``) and one sign bit per column
    (``packed_signs``, shown as bool ``rand_signs`` in the state_dict) are stored. Nothing is
    trained: the module has no parameters, and ``weight`` is computed on access.
    """

    def __init__(self, num_embeddings, embedding_dim, avg_embedding_norm=1, padding_idx=None,
                 max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False,
                 dtype=None, device=None, generator=None):
        self._init_table(num_embeddings, embedding_dim, avg_embedding_norm, padding_idx,
                         max_norm, norm_type, scale_grad_by_freq, sparse, dtype, device, generator)

    def forward(self, input: Tensor) -> Tensor:
        rand_weight, packed_signs = self._table()
        return torch.ops.random_embeddings.embedding(
            rand_weight, packed_signs, self.num_embeddings, input, self.padding_idx,
            self.max_norm, self.norm_type, self.dtype)

    def extra_repr(self):
        return self._table_repr()


class RandomEmbeddingBag(_CirculantTable, torch.nn.EmbeddingBag):
    """Sums, means or maxima of bags of fixed random circulant rows; a drop-in for
    nn.EmbeddingBag, computed in one pass from the parameters (no dense table)."""

    def __init__(self, num_embeddings, embedding_dim, avg_embedding_norm=1, max_norm=None,
                 norm_type=2.0, scale_grad_by_freq=False, mode="mean", sparse=False,
                 include_last_offset=False, padding_idx=None, dtype=None, device=None,
                 generator=None):
        if mode not in _MODES:
            raise ValueError(f"RandomEmbeddingBag: mode must be 'sum', 'mean' or 'max', got {mode!r}")
        self._init_table(num_embeddings, embedding_dim, avg_embedding_norm, padding_idx,
                         max_norm, norm_type, scale_grad_by_freq, sparse, dtype, device, generator)
        self.mode = mode
        self.include_last_offset = bool(include_last_offset)

    def forward(self, input: Tensor, offsets: Optional[Tensor] = None,
                per_sample_weights: Optional[Tensor] = None) -> Tensor:
        rand_weight, packed_signs = self._table()
        return torch.ops.random_embeddings.embedding_bag(
            rand_weight, packed_signs, self.num_embeddings, input, offsets, self.mode,
            per_sample_weights, self.include_last_offset, self.padding_idx, self.max_norm,
            self.norm_type, self.dtype)

    def extra_repr(self):
        s = self._table_repr() + f", mode={self.mode!r}"
        if self.include_last_offset:
            s += ", include_last_offset=True"
        return s


def _signs_to_state_dict(module, state_dict, prefix, local_metadata):
    # The state_dict shows the original module's bool signs; memory keeps them packed.
    packed = state_dict.pop(prefix + "packed_signs")
    state_dict[prefix + "rand_signs"] = ops.unpack_signs(packed, module.embedding_dim)
    return state_dict


def _signs_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                           unexpected_keys, error_msgs):
    key = prefix + "rand_signs"
    if key in state_dict:
        state_dict[prefix + "packed_signs"] = ops.pack_signs(state_dict.pop(key))
