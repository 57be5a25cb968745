#!/usr/bin/python3
"""WordNet lexicographer-file classification on torch.distributed (DDP, gloo backend).

The same task as apps/wordnet (the C++ demo): predict a synset's lexicographer file (45
classes such as noun.animal) from the words of its gloss, with the same split, tokenizer and
vocabulary rules. The model is a fixed RandomEmbeddingBag (mean of the gloss's word vectors)
under a small trainable MLP. Every rank builds the table from the same seed, so its buffers agree
before DDP
broadcasts them; it has no parameters, so DDP's gradient all-reduce only carries the MLP.

One machine, two processes:
    torchrun --redirects 1 --tee 1 --nproc_per_node 2 apps/wordnet_ddp.py
Two machines (run on each, with --node_rank 0 on the one at MASTER_ADDR):
    torchrun --redirects 1 --tee 1 --nnodes 2 --nproc_per_node 2 --node_rank 0 \
        --master_addr 10.0.0.1 --master_port 29500 apps/wordnet_ddp.py
`--redirects 1 --tee 1` works around torchrun 1.13 under Python 3.11 (Debian 12), which fails
on those flags' default "0" with "'NoneType' object has no attribute 'get'". Ranks print their
output to the console and to log files. (`/usr/bin/python3 -m torch.distributed.run` is the
same launcher where torchrun is absent.)
"""
import argparse
import gc
import os
import pathlib
import re
import sys
import time

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

_ROOT = pathlib.Path(__file__).resolve().parents[1]
if (_ROOT / "python" / "random_embeddings").is_dir():
    sys.path.insert(0, str(_ROOT / "python"))  # the source-tree package, as the tests use it
import random_embeddings  # noqa: E402

# The 45 lexicographer files of WordNet 3.0, by number (wninput(5WN), "lexnames").
LEXNAMES = (
    "adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal", "noun.artifact",
    "noun.attribute", "noun.body", "noun.cognition", "noun.communication", "noun.event",
    "noun.feeling", "noun.food", "noun.group", "noun.location", "noun.motive", "noun.object",
    "noun.person", "noun.phenomenon", "noun.plant", "noun.possession", "noun.process",
    "noun.quantity", "noun.relation", "noun.shape", "noun.state", "noun.substance", "noun.time",
    "verb.body", "verb.change", "verb.cognition", "verb.communication", "verb.competition",
    "verb.consumption", "verb.contact", "verb.creation", "verb.emotion", "verb.motion",
    "verb.perception", "verb.possession", "verb.social", "verb.stative", "verb.weather",
    "adj.ppl")
# Data file -> the part-of-speech letter in the split key and the ss_types allowed in it.
DATA_FILES = (("noun", "n", "n"), ("verb", "v", "v"), ("adj", "a", "as"), ("adv", "r", "r"))
SPLITS = ("train", "dev", "test")
PAD, UNK = 0, 1  # vocabulary rows 0 and 1; words start at 2
_TOKEN = re.compile(r"[a-z0-9]+")


class WordNetFormatError(ValueError):
    """A data file line that does not follow wndb(5WN); the message names file and line."""


def split_of(pos, offset):
    """'train' (80%), 'dev' (10%) or 'test' (10%) by FNV-1a 64 of e.g. 'n:00001740'."""
    h = 0xCBF29CE484222325
    for byte in f"{pos}:{offset:08d}".encode():
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    bucket = h % 10
    return "train" if bucket < 8 else ("dev" if bucket == 8 else "test")


def tokenize(text):
    """Lower-cased runs of ASCII letters and digits; everything else separates tokens."""
    return _TOKEN.findall(text.lower())


def _parse_line(line, ss_types):
    # wndb(5WN): offset lex_filenum ss_type w_cnt (word lex_id)* p_cnt (ptr)* [frames] | gloss
    head, bar, gloss = line.partition(" | ")
    if not bar:
        raise ValueError("no ' | ' before the gloss")
    fields = head.split()
    if len(fields) < 4:
        raise ValueError(f"expected at least 4 fields before the gloss, got {len(fields)}")
    offset, lexfile, ss_type, w_cnt = fields[:4]
    if not (len(offset) == 8 and offset.isdigit()):
        raise ValueError(f"synset offset must be 8 digits, got '{offset}'")
    if not (len(lexfile) == 2 and lexfile.isdigit() and int(lexfile) < len(LEXNAMES)):
        raise ValueError(f"lex_filenum must be 00..{len(LEXNAMES) - 1}, got '{lexfile}'")
    if ss_type not in ss_types:
        raise ValueError(f"ss_type must be one of '{ss_types}' in this file, got '{ss_type}'")
    try:
        words = int(w_cnt, 16)
        p_cnt_at = 4 + 2 * words
        pointers = int(fields[p_cnt_at])
    except (ValueError, IndexError):
        raise ValueError("bad word or pointer count") from None
    if words < 1 or len(fields) < p_cnt_at + 1 + 4 * pointers:
        raise ValueError(f"{words} words and {pointers} pointers do not fit the line")
    return int(offset), int(lexfile), gloss.strip()


def load_wordnet(wordnet_dir="/usr/share/wordnet"):
    """All synsets as dicts {pos, offset, label, gloss, split}; errors name the file and line."""
    synsets = []
    for name, pos, ss_types in DATA_FILES:
        path = pathlib.Path(wordnet_dir) / f"data.{name}"
        if not path.is_file():
            raise FileNotFoundError(f"WordNet data file not found: {path} (apt-get install "
                                    "wordnet-base, or pass the folder that holds data.*)")
        with open(path, encoding="ascii", errors="strict") as f:
            for number, line in enumerate(f, 1):
                if line.startswith("  "):  # the license header
                    continue
                try:
                    offset, label, gloss = _parse_line(line.rstrip("\n"), ss_types)
                except ValueError as e:
                    raise WordNetFormatError(f"{path}:{number}: {e}") from None
                synsets.append(dict(pos=pos, offset=offset, label=label, gloss=gloss,
                                    split=split_of(pos, offset)))
        if not any(s["pos"] == pos for s in synsets):
            raise WordNetFormatError(f"{path}: no synsets in the file")
    return synsets


def evenly_spaced(items, limit):
    """limit items spread over the list (the data files are ordered by lexicographer file in
    places), as apps/wordnet's --train-limit picks them; all of them when limit is 0."""
    if limit <= 0 or len(items) <= limit:
        return items
    return [items[i * len(items) // limit] for i in range(limit)]


def build_vocabulary(train_glosses, min_count=2):
    """word -> row: words seen at least min_count times in training, by count then spelling."""
    counts = {}
    for gloss in train_glosses:
        for token in tokenize(gloss):
            counts[token] = counts.get(token, 0) + 1
    kept = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
    return {w: i + 2 for i, w in enumerate(kept)}


def encode(gloss, vocabulary, max_tokens=64):
    """Row ids of the gloss's first max_tokens tokens; unknown words map to UNK."""
    return [vocabulary.get(t, UNK) for t in tokenize(gloss)[:max_tokens]] or [UNK]


def pad_batch(sequences):
    """(B, L) int64 ids padded with PAD."""
    ids = torch.full((len(sequences), max(len(s) for s in sequences)), PAD, dtype=torch.long)
    for i, s in enumerate(sequences):
        ids[i, :len(s)] = torch.tensor(s)
    return ids


class BagClassifier(torch.nn.Module):
    """Mean of the gloss's word vectors -> Linear -> ReLU -> Linear to the 45 classes."""

    def __init__(self, embedding, hidden, classes):
        super().__init__()
        self.embedding = embedding
        self.mlp = torch.nn.Sequential(torch.nn.Linear(embedding.embedding_dim, hidden),
                                       torch.nn.ReLU(), torch.nn.Linear(hidden, classes))

    def forward(self, ids):
        # Each row of ids is a bag; padding_idx leaves PAD out of the mean.
        return self.mlp(self.embedding(ids))


def build_model(vocabulary_size, args):
    # Same seed on every rank: the fixed table is identical everywhere without communication.
    generator = torch.Generator().manual_seed(args.embedding_seed)
    embedding = random_embeddings.RandomEmbeddingBag(vocabulary_size, args.dim,
                                                     avg_embedding_norm=args.avg_norm or
                                                     args.dim ** 0.5,
                                                     mode="mean", padding_idx=PAD,
                                                     generator=generator)
    torch.manual_seed(args.seed)  # the MLP's init; DDP broadcasts rank 0's anyway
    return BagClassifier(embedding, args.hidden, len(LEXNAMES))


def accuracy(model, examples, batch_size=1024):
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(examples), batch_size):
            chunk = examples[start:start + batch_size]
            ids = pad_batch([x for x, _ in chunk])
            labels = torch.tensor([y for _, y in chunk])
            correct += int((model(ids).argmax(1) == labels).sum())
    model.train()
    return correct / max(1, len(examples))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 2)[2])
    p.add_argument("--wordnet-dir", default="/usr/share/wordnet", help="folder with data.*")
    p.add_argument("--dim", type=int, default=128, help="embedding dimension d")
    p.add_argument("--avg-norm", type=float, default=0.0,
                   help="the table's mean row norm (0: sqrt(dim), as apps/wordnet)")
    p.add_argument("--hidden", type=int, default=256, help="hidden units of the MLP")
    p.add_argument("--batch-size", type=int, default=128, help="examples per rank per step")
    p.add_argument("--lr", type=float, default=2e-3, help="Adam learning rate")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0: no)")
    p.add_argument("--train-limit", type=int, default=0,
                   help="use N evenly spaced training glosses (0: all)")
    p.add_argument("--eval-limit", type=int, default=0,
                   help="use N evenly spaced dev and test glosses (0: all)")
    p.add_argument("--min-count", type=int, default=2, help="vocabulary: minimum training count")
    p.add_argument("--seed", type=int, default=0, help="MLP init and data order")
    p.add_argument("--embedding-seed", type=int, default=0,
                   help="RandomEmbedding's seed (must be the same on every rank)")
    p.add_argument("--threads", type=int, default=1, help="torch threads per rank")
    p.add_argument("--dump-dir", default="", help="write rank<k>.pt (state, losses) here")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    if "RANK" not in os.environ:  # run without a launcher: a world of one
        os.environ.update(RANK="0", WORLD_SIZE="1", MASTER_ADDR="127.0.0.1",
                          MASTER_PORT=os.environ.get("MASTER_PORT", "29500"))
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    log = print if rank == 0 else (lambda *a, **k: None)

    synsets = load_wordnet(args.wordnet_dir)
    by_split = {s: [x for x in synsets if x["split"] == s] for s in SPLITS}
    for split, limit in (("train", args.train_limit), ("dev", args.eval_limit),
                         ("test", args.eval_limit)):
        by_split[split] = evenly_spaced(by_split[split], limit)
    vocabulary = build_vocabulary([x["gloss"] for x in by_split["train"]], args.min_count)
    data = {s: [(encode(x["gloss"], vocabulary), x["label"]) for x in xs]
            for s, xs in by_split.items()}
    log(f"{world} ranks (gloo); {len(synsets)} synsets: " +
        ", ".join(f"{s} {len(data[s])}" for s in SPLITS) + f"; vocabulary {len(vocabulary) + 2}")

    model = build_model(len(vocabulary) + 2, args)
    ddp = DistributedDataParallel(model)  # broadcasts rank 0's parameters and buffers
    trained = sum(p.numel() for p in ddp.parameters() if p.requires_grad)
    log(f"trainable parameters {trained} (the embedding has none: "
        f"{sum(1 for _ in model.embedding.parameters())} parameters, buffers "
        f"{[(n, str(b.dtype)) for n, b in model.embedding.named_buffers()]})")
    optimizer = torch.optim.Adam(ddp.parameters(), lr=args.lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    sampler = torch.utils.data.DistributedSampler(range(len(data["train"])), num_replicas=world,
                                                  rank=rank, shuffle=True, seed=args.seed)
    losses, step, start = [], 0, time.perf_counter()
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        order = list(sampler)
        for begin in range(0, len(order), args.batch_size):
            chunk = [data["train"][i] for i in order[begin:begin + args.batch_size]]
            ids = pad_batch([x for x, _ in chunk])
            labels = torch.tensor([y for _, y in chunk])
            loss = loss_fn(ddp(ids), labels)
            optimizer.zero_grad()
            loss.backward()  # DDP all-reduces the MLP's gradients here
            optimizer.step()
            losses.append(loss.item())
            step += 1
            if args.max_steps and step >= args.max_steps:
                break
        seen = step * args.batch_size * world
        log(f"epoch {epoch + 1}: step {step}, loss {sum(losses[-50:]) / len(losses[-50:]):.4f}, "
            f"dev accuracy {accuracy(model, data['dev']):.4f}, "
            f"{seen / (time.perf_counter() - start):.0f} examples/s over all ranks")
        if args.max_steps and step >= args.max_steps:
            break
    log(f"test accuracy {accuracy(model, data['test']):.4f}")
    if args.dump_dir:
        pathlib.Path(args.dump_dir).mkdir(parents=True, exist_ok=True)
        torch.save(dict(parameters={n: p.detach() for n, p in model.named_parameters()},
                        buffers={n: b for n, b in model.named_buffers()}, losses=losses,
                        world_size=world), pathlib.Path(args.dump_dir) / f"rank{rank}.pt")
    # Release DDP before the process group: in torch 1.13, when DDP's reducer drops the last
    # reference to a destroyed gloo group, its destructor can deadlock joining its threads.
    del ddp, optimizer
    gc.collect()
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
