"""Run by test_wordnet.py under torchrun: each rank builds its RandomEmbedding(Bag) from a
*different* seed, so only DDP's broadcast of rank 0's buffers over gloo can make them agree.

    torchrun --nproc_per_node 2 ddp_buffer_check.py OUT_DIR
"""
import gc
import pathlib
import sys

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "python"))
from random_embeddings import RandomEmbedding, RandomEmbeddingBag  # noqa: E402


class Model(torch.nn.Module):
    def __init__(self, seed):
        super().__init__()
        generator = torch.Generator().manual_seed(seed)
        self.embedding = RandomEmbedding(1000, 24, padding_idx=0, generator=generator)
        self.bag = RandomEmbeddingBag(1000, 24, mode="sum", dtype=torch.float16,
                                      generator=generator)
        self.linear = torch.nn.Linear(24, 3)

    def forward(self, ids):
        return self.linear(self.embedding(ids).mean(1) + self.bag(ids).float())


def main(out_dir):
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    torch.manual_seed(rank)
    model = Model(seed=100 + rank)
    before = {n: b.clone() for n, b in model.named_buffers()}
    ddp = DistributedDataParallel(model)  # broadcasts rank 0's parameters and buffers
    after_init = {n: b.clone() for n, b in model.named_buffers()}
    ids = torch.randint(1000, (8, 5), generator=torch.Generator().manual_seed(rank))
    loss = ddp(ids).square().mean()
    loss.backward()
    try:  # the original module's bool rand_signs buffer could not be broadcast
        dist.broadcast(torch.zeros(2, dtype=torch.bool), 0)
        bool_error = ""
    except RuntimeError as error:
        bool_error = str(error)
    torch.save(dict(bool_error=bool_error, dtypes={n: str(b.dtype) for n, b in before.items()}, before=before,
                    after_init=after_init,
                    grads={n: p.grad for n, p in model.named_parameters()}),
               pathlib.Path(out_dir) / f"rank{rank}.pt")
    # Release DDP before the process group: in torch 1.13, when DDP's reducer drops the last
    # reference to a destroyed gloo group, its destructor can deadlock joining its threads.
    del ddp, loss
    gc.collect()
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1])
