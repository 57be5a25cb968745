"""An independent, test-only implementation of ../shared/SPEC.md written with plain torch ops.

SpecModule has the original module's buffers and state_dict (rand_weight, ind, rand_signs), so
tests use it as a stand-in for the original when they check loading in both directions.
"""
import torch


class SpecModule(torch.nn.Module):
    def __init__(self, num_embeddings, embedding_dim, avg_embedding_norm=1, generator=None):
        super().__init__()
        n, d = num_embeddings, embedding_dim
        b = (n + d - 1) // d
        v = torch.randn(b, d, generator=generator)
        norms = v.norm(dim=1)
        cur = (d * norms[0:b - 1].sum() + (n - (b - 1) * d) * norms[b - 1]) / n
        v.mul_(avg_embedding_norm / cur.item())
        s = torch.randint(2, (b, d), dtype=torch.bool, generator=generator)
        self.num_embeddings, self.embedding_dim = n, d
        self.register_buffer("rand_weight", v)
        self.register_buffer("ind", torch.arange(d))
        self.register_buffer("rand_signs", s)

    def forward(self, input):
        d = self.embedding_dim
        q = torch.div(input, d, rounding_mode="floor").unsqueeze(-1)
        cols = torch.remainder(input.unsqueeze(-1) - self.ind, d)
        signs = self.rand_signs[torch.div(input, d, rounding_mode="floor")] * 2.0 - 1.0
        return self.rand_weight[q, cols] * signs


def bit_equal(a, b):
    return (a.shape == b.shape and a.dtype == b.dtype
            and torch.equal(a.reshape(-1).view(torch.uint8), b.reshape(-1).view(torch.uint8)))
