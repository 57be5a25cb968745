"""RandomEmbedding: torch.nn.Embedding whose table is a fixed random circulant matrix."""
import math
import numbers

import torch

from ._ops import ops

_OUTPUT_DTYPES = (torch.float32, torch.float64, torch.float16, torch.bfloat16)


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
    return padding_idx + num_embeddings if padding_idx < 0 else padding_idx


def _check_dtype(dtype):
    if dtype is not None and dtype not in _OUTPUT_DTYPES:
        raise TypeError("RandomEmbedding: dtype must be float32, float64, float16 or bfloat16, "
                        f"got {dtype}")
    return dtype


def create_random_circulant_embeddings(num_embeddings, embedding_dim, avg_embedding_norm=1,
                                       generator=None):
    """The dense n x d float32 matrix RandomEmbedding(n, d, c) draws from the same RNG state."""
    n = _check_positive_int("num_embeddings", num_embeddings)
    d = _check_positive_int("embedding_dim", embedding_dim)
    rand_weight, packed_signs = ops.init_params(n, d, _check_avg_norm(avg_embedding_norm),
                                                generator)
    return ops.embedding(rand_weight, packed_signs, n, torch.arange(n))


class RandomEmbedding(torch.nn.Embedding):
    """A fixed random n x d embedding in about 33 bits per row.

    Each d x d block of the matrix is the circulant matrix of one random vector with its
    columns' signs flipped; only those vectors (``rand_weight``) and one sign bit per column
    (``packed_signs``, shown as bool ``rand_signs`` in the state_dict) are stored. Nothing is
    trained: the module has no parameters, and ``weight`` is computed on access.
    """

    def __init__(self, num_embeddings, embedding_dim, avg_embedding_norm=1, padding_idx=None,
                 max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False,
                 dtype=None, device=None, generator=None):
        torch.nn.Module.__init__(self)  # nn.Embedding.__init__ would allocate a dense weight
        self.num_embeddings = _check_positive_int("num_embeddings", num_embeddings)
        self.embedding_dim = _check_positive_int("embedding_dim", embedding_dim)
        self.avg_embedding_norm = _check_avg_norm(avg_embedding_norm)
        self.padding_idx = _check_padding_idx(padding_idx, self.num_embeddings)
        self.max_norm = max_norm
        self.norm_type = norm_type
        # Accepted for nn.Embedding compatibility: nothing is trained, so they do nothing.
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

    def forward(self, input):
        return ops.embedding(self.rand_weight, self.packed_signs, self.num_embeddings, input,
                             self.padding_idx, self.max_norm, float(self.norm_type), self.dtype)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}, avg_embedding_norm={self.avg_embedding_norm}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}, norm_type={self.norm_type}"
        if self.dtype is not None:
            s += f", dtype={self.dtype}"
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
        signs = state_dict.pop(key)
        state_dict[prefix + "packed_signs"] = ops.pack_signs(signs.cpu())
