"""Fixed random circulant embeddings: drop-ins for torch.nn.Embedding and torch.nn.EmbeddingBag
in about 33 bits per row."""
from ._ops import library_path, ops
from .modules import RandomEmbedding, RandomEmbeddingBag, create_random_circulant_embeddings

__all__ = ["RandomEmbedding", "RandomEmbeddingBag", "create_random_circulant_embeddings",
           "library_path", "ops"]
