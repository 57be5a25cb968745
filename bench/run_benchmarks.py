#!/usr/bin/python3
"""Runs the benchmarks and prints their results as Markdown tables ready for the README.

Three parts, all run by default (choose with --parts):

  speed   bench_lookup (Google Benchmark, --benchmark_format=json): GB/s of output for ours
          (random_embeddings::ops::embedding), dense (at::embedding on the dense n x d table),
          original (the original Python module's formula in C++ torch ops), floor (writing
          a T x d output once) and copy (at::embedding on the b x d parameter table itself:
          the same bytes from the same working set, without rotation or signs), per shape and
          thread count, with the ratios of ours to each.
  python  per-call time of tiny batches (T = 1 and 32, n = 30k, d = 300) from Python:
          random_embeddings.RandomEmbedding against torch.nn.functional.embedding and
          torch.nn.Embedding on the same dense matrix.
  memory  bench_memory once per table size, each in a fresh process (glibc keeps what a
          process freed): resident growth and peak while building RandomEmbedding(n, 300),
          against the 32 * d bits per row of a dense table (allocated and measured at n = 1M).

Build first (the op library for the Python part is placed beside the package by the build):
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build
Then, from the repository root:
  /usr/bin/python3 bench/run_benchmarks.py [--build-dir build] [--output bench-results.md]
  /usr/bin/python3 bench/run_benchmarks.py --parts memory
  /usr/bin/python3 bench/run_benchmarks.py --parts speed --repetitions 3 --benchmark-filter 2000000
Run it on an otherwise idle machine: the 2-thread rows mean nothing when another process holds
a core. The script says how many CPUs other processes kept busy while each part ran.
"""
import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
import timeit

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PARTS = ("speed", "python", "memory")
METHODS = ("ours", "dense", "original", "floor", "copy")
NAME = re.compile(r"^(?P<kind>lookup|bag)/(?P<method>\w+)/n:(?P<n>\d+)/d:(?P<d>\d+)"
                  r"/batch:(?P<batch>\d+)/threads:(?P<threads>\d+)(/|$)")
BUILD_HINT = ("build it with `cmake -S {repo} -B {repo}/build -G Ninja -DCMAKE_BUILD_TYPE=Release "
              "&& ninja -C {repo}/build`, or point --build-dir / --bench-binary / "
              "--memory-binary at an existing build")


class BenchError(RuntimeError):
    pass


def rows_label(n):
    """30000 -> 30k, 2000000 -> 2M."""
    for unit, size in (("M", 1_000_000), ("k", 1_000)):
        if n >= size and n % size == 0:
            return f"{n // size}{unit}"
    return str(n)


def markdown_table(header, rows, align):
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def require_binary(path, what):
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise BenchError(f"the {what} binary {path} does not exist; "
                         + BUILD_HINT.format(repo=REPO))
    return path


class OtherLoad:
    """How many CPUs other processes kept busy while a part ran: all busy time in /proc/stat
    less the CPU time of this process and its children."""

    def __init__(self):
        self.start = self._sample()

    @staticmethod
    def _sample():
        with open("/proc/stat") as stat:
            jiffies = [int(v) for v in stat.readline().split()[1:]]
        own = sum(getattr(resource.getrusage(who), field)
                  for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
                  for field in ("ru_utime", "ru_stime"))
        busy = (sum(jiffies) - jiffies[3] - jiffies[4]) / os.sysconf("SC_CLK_TCK")
        return time.monotonic(), busy, own

    def cpus(self):
        wall0, busy0, own0 = self.start
        wall1, busy1, own1 = self._sample()
        return max(0.0, (busy1 - busy0) - (own1 - own0)) / max(1e-9, wall1 - wall0)


def load_note(load, part):
    note = f"Other processes kept {load:.2f} CPUs busy on average while the {part} part ran"
    if load < 0.1:
        return note + "."
    which = ", above all the 2-thread ones," if part == "speed" else ""
    return (note + f" (of {os.cpu_count()}): they compete for the cores, so these numbers{which} "
            "are pessimistic; rerun on an idle machine.")


def environment_lines():
    import torch

    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return [f"Machine: {model}, {os.cpu_count()} logical CPUs; torch {torch.__version__}; "
            f"commit {commit}."]


# ---- speed: bench_lookup ----

def run_speed(binary, min_time, repetitions, extra_args):
    command = [binary, "--benchmark_format=json"]
    if repetitions > 1:
        command.append(f"--benchmark_repetitions={repetitions}")
    if min_time is not None:
        command.append(f"--benchmark_min_time={min_time}")
    command += extra_args
    print("Running: " + " ".join(command), file=sys.stderr)
    result = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    if result.returncode != 0:
        raise BenchError(f"{' '.join(command)} exited with status {result.returncode}")
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError as error:
        raise BenchError(f"{binary} did not print JSON: {error}") from error
    return report


def collect_speed(report):
    """{kind: {(n, d, batch, threads): {method: (GB/s, us per batch) or error string}}}."""
    samples = {}
    for bench in report.get("benchmarks", []):
        if bench.get("run_type", "iteration") != "iteration":
            continue
        match = NAME.match(bench["name"])
        if not match:
            continue
        key = (match["kind"],) + tuple(int(match[g]) for g in ("n", "d", "batch", "threads"))
        entry = samples.setdefault(key, {}).setdefault(match["method"], [])
        if bench.get("error_occurred"):
            entry.append(bench.get("error_message", "error"))
            continue
        scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}[bench.get("time_unit", "ns")]
        entry.append((bench["bytes_per_second"] / 1e9, bench["real_time"] * scale))
    results = {"lookup": {}, "bag": {}}
    for (kind, *shape), methods in samples.items():
        row = results[kind].setdefault(tuple(shape), {})
        for method, entries in methods.items():
            errors = [e for e in entries if isinstance(e, str)]
            good = [e for e in entries if not isinstance(e, str)]
            if errors or not good:
                row[method] = errors[0] if errors else "no result"
            else:  # repetitions: the fastest, the one least disturbed by other processes
                row[method] = (max(g for g, _ in good), min(t for _, t in good))
    return results


def speed_tables(results, methods=METHODS, what="lookup"):
    def cell(value, index, fmt):
        return fmt.format(value[index]) if isinstance(value, tuple) else "error"

    def ratio(a, b):
        if isinstance(a, tuple) and isinstance(b, tuple) and b[0] > 0:
            return f"{a[0] / b[0]:.2f}"
        return "n/a"

    shape_header = ["n", "d", "bags T" if what == "bag" else "batch T", "threads"]
    gbps_rows, time_rows, notes = [], [], []
    for key in sorted(results, key=lambda k: (k[1] != 300, k[0], k[1], k[2], k[3])):
        n, d, batch, threads = key
        row = results[key]
        shape = [rows_label(n), d, batch, threads]
        values = [row.get(m, "missing") for m in methods]
        gbps_rows.append(shape + [cell(v, 0, "{:.2f}") for v in values] +
                         [ratio(values[0], v) for v in values[1:]])
        time_rows.append(shape + [cell(v, 1, "{:,.0f}") for v in values])
        for method, value in zip(methods, values):
            if isinstance(value, str) and value != "missing":
                notes.append(f"{what} {method} at n={n}, d={d}, T={batch}, threads={threads}: "
                             f"{value}")
        ours, dense = values[0], values[1]
        if isinstance(ours, tuple) and isinstance(dense, tuple) and ours[0] < dense[0]:
            notes.append(f"{what}: ours is slower than dense at n={rows_label(n)}, d={d}, "
                         f"T={batch}, {threads} thread(s): {ours[0]:.2f} against "
                         f"{dense[0]:.2f} GB/s")
    gbps = markdown_table(
        shape_header + [f"{m} GB/s" for m in methods] + [f"ours/{m}" for m in methods[1:]],
        gbps_rows, "r" * (4 + 2 * len(methods) - 1))
    times = markdown_table(shape_header + [f"{m} µs" for m in methods], time_rows,
                           "r" * (4 + len(methods)))
    return gbps, times, notes


# ---- python: per-call overhead of tiny batches ----

def best_us_per_call(func, repeats):
    func()  # warm up
    number, elapsed = 1, 0.0
    while elapsed < 0.02:  # about 20 ms per repeat
        number *= 2
        elapsed = timeit.timeit(func, number=number)
    return min(timeit.repeat(func, number=number, repeat=repeats)) / number * 1e6


def python_overhead(batches, repeats):
    sys.path.insert(0, os.path.join(REPO, "python"))
    try:
        import torch
        import torch.nn.functional as F
        import random_embeddings
    except ImportError as error:
        raise BenchError(f"cannot import random_embeddings from {REPO}/python ({error}); "
                         + BUILD_HINT.format(repo=REPO)) from error
    torch.set_num_threads(1)
    n, d = 30_000, 300
    torch.manual_seed(0)
    ours = random_embeddings.RandomEmbedding(n, d)
    weight = ours.weight
    dense = torch.nn.Embedding.from_pretrained(weight)
    generator = torch.Generator().manual_seed(1234)
    rows = []
    for batch in batches:
        idx = torch.randint(n, (batch,), generator=generator)
        if not torch.equal(ours(idx), F.embedding(idx, weight)):
            raise BenchError("RandomEmbedding and F.embedding on its weight disagree")
        calls = {
            "ours": lambda: ours(idx),
            "op": lambda: random_embeddings.ops.embedding(ours.rand_weight, ours.packed_signs, n,
                                                          idx),
            "module": lambda: dense(idx),
            "functional": lambda: F.embedding(idx, weight),
        }
        us = {name: best_us_per_call(call, repeats) for name, call in calls.items()}
        rows.append([rows_label(n), d, batch, f"{us['ours']:.2f}", f"{us['op']:.2f}",
                     f"{us['module']:.2f}", f"{us['functional']:.2f}",
                     f"{us['ours'] / us['functional']:.2f}", f"{us['ours'] / us['module']:.2f}"])
    return markdown_table(
        ["n", "d", "batch T", "RandomEmbedding µs", "ops.embedding µs", "nn.Embedding µs",
         "F.embedding µs", "ours/F.embedding", "ours/nn.Embedding"], rows, "rrr" + "r" * 6)


# ---- memory: bench_memory, one process per table ----

def run_memory(binary, sizes, dim, dense_max_rows):
    results = []
    for n in sizes:
        command = [binary, "-n", str(n), "-d", str(dim), "--json"]
        if n <= dense_max_rows:
            command.append("--dense")
        print("Running: " + " ".join(command), file=sys.stderr)
        result = subprocess.run(command, stdout=subprocess.PIPE, text=True)
        if result.returncode != 0:
            raise BenchError(f"{' '.join(command)} exited with status {result.returncode}")
        results.append(json.loads(result.stdout.strip().splitlines()[-1]))
    return results


def memory_table(results):
    rows, notes = [], []
    for r in results:
        peak = f"{r['peak_bits_per_row']:.2f}" if r["peak_bytes"] >= 0 else "n/a"
        how = "measured" if r["dense_measured"] else "32 * d"
        dense = f"{r['dense_bits_per_row']:,.2f} ({how})"
        rows.append([f"{r['n']:,}", r["d"], f"{r['resident_bytes']:,}",
                     f"{r['bits_per_row']:.2f}", peak, dense,
                     f"{r['dense_bits_per_row'] / r['bits_per_row']:.0f}x"])
        if r["n"] == 100_000_000 and r["d"] == 300:
            for label, value, target in (("resident", r["bits_per_row"], 34),
                                         ("peak while building", r["peak_bits_per_row"], 48)):
                verdict = "meets" if 0 <= value <= target else "MISSES"
                notes.append(f"n = 100M, d = 300: {label} {value:.2f} bits per row {verdict} the "
                             f"target of at most {target}.")
    table = markdown_table(
        ["n", "d", "resident bytes", "bits per row", "peak bits per row while building",
         "torch::nn::Embedding bits per row", "dense / ours"], rows, "rrrrrrr")
    return table, notes


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", default=os.path.join(REPO, "build"),
                        help="CMake build directory holding bench/ (default: %(default)s)")
    parser.add_argument("--bench-binary",
                        help="bench_lookup (default: BUILD_DIR/bench/bench_lookup)")
    parser.add_argument("--memory-binary",
                        help="bench_memory (default: BUILD_DIR/bench/bench_memory)")
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS),
                        help="what to run (default: all)")
    parser.add_argument("--min-time", help="passed to bench_lookup as --benchmark_min_time")
    parser.add_argument("--repetitions", type=int, default=1,
                        help="run each benchmark this many times and keep the fastest")
    parser.add_argument("--benchmark-filter", help="passed to bench_lookup as --benchmark_filter")
    parser.add_argument("--python-repeats", type=int, default=20,
                        help="timeit repeats per Python measurement; the best is kept")
    parser.add_argument("--memory-rows", type=int, nargs="+",
                        default=[1_000_000, 10_000_000, 100_000_000],
                        help="table sizes n for the memory part")
    parser.add_argument("--memory-dim", type=int, default=300, help="d for the memory part")
    parser.add_argument("--dense-max-rows", type=int, default=1_000_000,
                        help="allocate and measure a dense table only up to this many rows")
    parser.add_argument("--output", help="also write the Markdown to this file")
    args = parser.parse_args()
    bench_binary = args.bench_binary or os.path.join(args.build_dir, "bench", "bench_lookup")
    memory_binary = args.memory_binary or os.path.join(args.build_dir, "bench", "bench_memory")

    sections = []
    try:
        if "speed" in args.parts:
            require_binary(bench_binary, "bench_lookup")
        if "memory" in args.parts:
            require_binary(memory_binary, "bench_memory")
        sections.append("\n".join(environment_lines()))
        if "speed" in args.parts:
            extra = [f"--benchmark_filter={args.benchmark_filter}"] if args.benchmark_filter else []
            load = OtherLoad()
            report = run_speed(bench_binary, args.min_time, args.repetitions, extra)
            notes = [load_note(load.cpus(), "speed")]
            results = collect_speed(report)
            gbps, times, lookup_notes = speed_tables(results["lookup"])
            notes += lookup_notes
            build_type = report.get("context", {}).get("library_build_type")
            best = f" Best of {args.repetitions} runs." if args.repetitions > 1 else ""
            intro = ("### Lookup speed (C++, float32 output, uniformly random int64 indices)\n\n"
                     "GB/s of output (10^9 bytes of T x d float32 per second); the ratios divide "
                     "ours by each: above 1, ours is faster. floor only allocates and writes the "
                     "output once; copy gathers the rows of the b x d parameter table itself "
                     "(the block of each index), which reads and writes the same bytes as ours "
                     "from the same working set: the memory hierarchy's ceiling for this "
                     "layout." + best)
            section = [intro, gbps, "Time per batch:", times]
            if results["bag"]:
                bag_gbps, bag_times, bag_notes = speed_tables(results["bag"], ("ours", "dense"),
                                                              "bag")
                section += ["### Bags of 20 rows, mode mean (C++)\n\n"
                            "ours: random_embeddings::ops::embedding_bag; dense: at::embedding_bag "
                            "on the dense table. GB/s of the rows reduced (T x 20 x d float32 "
                            "per second).", bag_gbps, "Time per batch of T bags:", bag_times]
                notes += bag_notes
            if build_type == "debug":
                notes.append("the Google Benchmark library itself was built as debug (the "
                             "distribution package); that does not touch the timed code.")
            if notes:
                section.append("Notes:\n" + "\n".join(f"- {note}" for note in notes))
            sections.append("\n\n".join(section))
        if "python" in args.parts:
            load = OtherLoad()
            table = python_overhead([1, 32], args.python_repeats)
            table += "\n\n" + load_note(load.cpus(), "python")
            sections.append("### Python per-call time, tiny batches (1 thread)\n\n"
                            f"Best of {args.python_repeats} timeit repeats. ops.embedding is "
                            "torch.ops.random_embeddings.embedding called directly; nn.Embedding "
                            "and F.embedding read the same matrix, dense.\n\n" + table)
        if "memory" in args.parts:
            table, notes = memory_table(run_memory(memory_binary, args.memory_rows,
                                                   args.memory_dim, args.dense_max_rows))
            section = ("### Resident memory of RandomEmbedding(n, d)\n\n"
                       "Growth of VmRSS, and of VmHWM while building, each table in a fresh "
                       "process after a warm-up.\n\n" + table)
            if notes:
                section += "\n\n" + "\n".join(notes)
            sections.append(section)
    except BenchError as error:
        print(f"run_benchmarks.py: {error}", file=sys.stderr)
        return 2
    text = "\n\n".join(sections) + "\n"
    print(text)
    if args.output:
        with open(args.output, "w") as out:
            out.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
