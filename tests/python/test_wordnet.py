"""The WordNet demo (apps/wordnet, C++) in quick mode on the real WordNet files, its errors,
and multi-process training with torch.distributed (apps/wordnet_ddp.py, gloo, 2 ranks)."""
import csv
import pathlib
import re
import shutil
import socket
import subprocess
import sys

import pytest
import torch

WORDNET = pathlib.Path("/usr/share/wordnet")
VARIANTS = ["random", "gaussian", "learned", "fasttext"]
ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "apps"))
import wordnet_ddp  # noqa: E402

pytestmark = pytest.mark.skipif(not (WORDNET / "data.noun").exists(),
                                reason="WordNet (Debian's wordnet-base) is not installed")


@pytest.fixture(scope="module")
def demo(build_dir):
    path = build_dir / "apps" / "wordnet" / "wordnet_demo"
    assert path.exists(), f"{path} was not built"
    return path


def run(command, **kwargs):
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, **kwargs)


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def quick_run(demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("wordnet_quick")
    result = run([demo, "--quick", "--threads", "2", "-o", out])
    assert result.returncode == 0, result.stderr
    return out, result


def test_quick_run_writes_well_formed_results(quick_run):
    out, result = quick_run
    summary = read_csv(out / "results.csv")
    assert [row["variant"] for row in summary] == VARIANTS
    by_variant = {row["variant"]: row for row in summary}
    for row in summary:
        assert 1 / 45 < float(row["test_accuracy_mean"]) <= 1, row  # better than chance
        assert float(row["examples_per_second"]) > 0
        assert int(row["seeds"]) == 1
    random, dense = by_variant["random"], by_variant["gaussian"]
    # The fixed random table is stored in about 33 bits per row, the dense ones in 32 * d.
    assert float(random["embedding_bits_per_row"]) < 40
    assert float(dense["embedding_bits_per_row"]) == pytest.approx(32 * 128, rel=1e-3)
    assert int(random["trained_parameters"]) == int(dense["trained_parameters"])
    assert int(by_variant["learned"]["trained_parameters"]) > int(dense["trained_parameters"])

    curve = read_csv(out / "dev_curve.csv")
    assert [(r["variant"], int(r["epoch"])) for r in curve] == [(v, e) for v in VARIANTS
                                                               for e in (1, 2)]
    assert all(0 <= float(r["dev_accuracy"]) <= 1 for r in curve)
    assert len(read_csv(out / "runs.csv")) == 4
    markdown = (out / "results.md").read_text()
    table = [line for line in markdown.splitlines() if line.startswith("|")]
    assert len(table) == 2 + 4 and "dev_accuracy.png" in markdown  # header, rule, 4 variants
    assert (out / "dev_accuracy.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "| random | fixed RandomEmbedding" in result.stdout


def test_cpp_demo_and_python_script_read_the_same_task(demo, tmp_path):
    # One quick epoch on the full training split, to print its vocabulary size.
    result = run([demo, "--variants", "random", "--epochs", "1", "--seeds", "0", "--eval-limit",
                  "200", "--no-plot", "--channels", "16", "-o", tmp_path])
    assert result.returncode == 0, result.stderr
    sizes = re.search(r"train (\d+), dev (\d+), test (\d+)\n", result.stdout)
    vocabulary = re.search(r"vocabulary (\d+) rows", result.stdout)
    synsets = wordnet_ddp.load_wordnet(WORDNET)
    counts = [sum(s["split"] == split for s in synsets) for split in wordnet_ddp.SPLITS]
    assert [int(g) for g in sizes.groups()] == counts
    train_glosses = [s["gloss"] for s in synsets if s["split"] == "train"]
    assert int(vocabulary.group(1)) == len(wordnet_ddp.build_vocabulary(train_glosses)) + 2
    assert len(synsets) == 117659  # WordNet 3.0


def test_help_lists_the_flags(demo):
    result = run([demo, "--help"])
    assert result.returncode == 0
    for flag in ["--quick", "--epochs", "--seeds", "--variants", "--output-dir", "--threads"]:
        assert flag in result.stdout


@pytest.fixture
def wordnet_copy(tmp_path):
    copy = tmp_path / "wordnet"
    copy.mkdir()
    for name in ["noun", "verb", "adj", "adv"]:
        shutil.copy(WORDNET / f"data.{name}", copy / f"data.{name}")
    return copy


def test_malformed_data_names_file_and_line(demo, wordnet_copy, tmp_path):
    lines = (wordnet_copy / "data.adv").read_text().splitlines(keepends=True)
    lines[99] = lines[99].replace(" | ", " ", 1)
    (wordnet_copy / "data.adv").write_text("".join(lines))
    result = run([demo, "--quick", "--wordnet-dir", wordnet_copy, "-o", tmp_path / "out"])
    assert result.returncode == 1
    assert f"error: {wordnet_copy}/data.adv:100: no ' | ' before the gloss" in result.stderr
    with pytest.raises(wordnet_ddp.WordNetFormatError, match=r"data.adv:100: no ' \| '"):
        wordnet_ddp.load_wordnet(wordnet_copy)


def test_missing_data_file_is_named(demo, wordnet_copy, tmp_path):
    (wordnet_copy / "data.verb").unlink()
    result = run([demo, "--quick", "--wordnet-dir", wordnet_copy, "-o", tmp_path / "out"])
    assert result.returncode == 1
    assert f"cannot open the WordNet data file {wordnet_copy}/data.verb" in result.stderr
    with pytest.raises(FileNotFoundError, match="data.verb"):
        wordnet_ddp.load_wordnet(wordnet_copy)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def torchrun(script, *args):
    # --redirects 1 --tee 1: torchrun 1.13 under Python 3.11 fails on the default "0" of both
    # flags (Std(0) is not a member of the IntFlag there), as the README says.
    command = [sys.executable, "-m", "torch.distributed.run", "--redirects", "1", "--tee", "1",
               "--nproc_per_node", "2",
               "--master_addr", "127.0.0.1", "--master_port", free_port(), script, *args]
    result = run(command, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_ddp_two_gloo_ranks_train_in_lockstep(tmp_path):
    result = torchrun(ROOT / "apps" / "wordnet_ddp.py", "--train-limit", "4000", "--eval-limit",
                      "300", "--batch-size", "32", "--epochs", "1", "--max-steps", "40",
                      "--lr", "5e-3", "--dump-dir", tmp_path)
    assert "2 ranks (gloo)" in result.stdout
    ranks = [torch.load(tmp_path / f"rank{r}.pt") for r in (0, 1)]
    assert all(r["world_size"] == 2 for r in ranks)
    for name, value in ranks[0]["parameters"].items():
        assert torch.equal(value, ranks[1]["parameters"][name]), name
    assert set(ranks[0]["buffers"]) == {"embedding.rand_weight", "embedding.ind",
                                        "embedding.packed_signs"}
    for name, value in ranks[0]["buffers"].items():
        assert torch.equal(value, ranks[1]["buffers"][name]), name
    for rank in ranks:
        losses = rank["losses"]
        assert len(losses) == 40
        assert sum(losses[-10:]) / 10 < 0.9 * sum(losses[:10]) / 10, losses


def test_ddp_broadcasts_our_buffers_over_gloo(tmp_path):
    torchrun(ROOT / "tests" / "python" / "ddp_buffer_check.py", tmp_path)
    ranks = [torch.load(tmp_path / f"rank{r}.pt") for r in (0, 1)]
    # Every buffer dtype goes over gloo: float32 parameters, int64 ind, uint8 packed signs.
    assert set(ranks[0]["dtypes"].values()) == {"torch.float32", "torch.int64", "torch.uint8"}
    # gloo rejects bool tensors, so the signs travel packed in uint8, not as bool.
    assert "Invalid scalar type" in ranks[0]["bool_error"]
    assert not torch.equal(ranks[0]["before"]["embedding.rand_weight"],
                           ranks[1]["before"]["embedding.rand_weight"])
    for name, value in ranks[0]["before"].items():
        assert torch.equal(ranks[1]["after_init"][name], value), name
    # Gradients were all-reduced: both ranks hold the same ones.
    for name, grad in ranks[0]["grads"].items():
        assert torch.equal(grad, ranks[1]["grads"][name]), name
