"""Fixed random circulant embeddings: a drop-in for torch.nn.Embedding in about 33 bits per row."""
from ._ops import library_path, ops
from .modules import RandomEmbedding, create_random_circulant_embeddings

__all__ = ["RandomEmbedding", "create_random_circulant_embeddings", "library_path", "ops"]
