// Resident memory of one random_embeddings::RandomEmbedding(n, d), measured in this process:
// its growth of VmRSS, and the growth of VmHWM (reset through /proc/self/clear_refs) while it
// is built. Run it once per table: glibc keeps memory a process has freed, so a fresh process
// per measurement is the honest one. bench/run_benchmarks.py --parts memory does that.
//   bench_memory -n 100000000 -d 300            # Markdown table with one row
//   bench_memory -n 1000000 -d 300 --dense      # also allocate and measure torch::nn::Embedding
//   bench_memory -n 1000000 -d 300 --json       # one JSON object, for the script
#include <fmt/core.h>
#include <torch/torch.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <string>

#include "../apps/common/process_memory.h"
#include "random_embeddings/random_embeddings.h"

namespace apps = random_embeddings::apps;

namespace {

double bits_per_row(int64_t bytes, int64_t rows) {
  return 8.0 * static_cast<double>(bytes) / static_cast<double>(rows);
}

// Builds each kind of module once, so that torch's one-time allocations are not counted.
void warm_up() {
  random_embeddings::RandomEmbedding warm(1000, 8);
  const torch::Tensor rows = warm(torch::arange(10));
  torch::nn::Embedding dense_warm(10, 8);
  (void)dense_warm(torch::arange(10)).sum().item<float>();
  (void)rows.sum().item<float>();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Resident memory of one RandomEmbedding(n, d), against a dense torch::nn::Embedding."};
  int64_t n = 100'000'000, d = 300;
  bool dense = false, json = false;
  app.add_option("-n,--num-embeddings", n, "rows")->check(CLI::PositiveNumber);
  app.add_option("-d,--embedding-dim", d, "columns")->check(CLI::PositiveNumber);
  app.add_flag("--dense", dense,
               "also allocate a dense torch::nn::Embedding(n, d) and measure it (32 * d bits per "
               "row otherwise: 120 GB at n = 100M, d = 300)");
  app.add_flag("--json", json, "print one JSON object instead of a Markdown table");
  CLI11_PARSE(app, argc, argv);
  torch::manual_seed(0);
  warm_up();

  const int64_t rss_before = apps::resident_bytes();
  const bool peak_known = apps::reset_peak_resident();
  const auto start = std::chrono::steady_clock::now();
  random_embeddings::RandomEmbedding embedding(n, d);
  const double build_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const int64_t peak = peak_known ? apps::peak_resident_bytes() - rss_before : -1;
  const int64_t resident = apps::resident_bytes() - rss_before;

  int64_t dense_bytes = -1;
  if (dense) {
    const int64_t rss_dense_before = apps::resident_bytes();
    torch::nn::Embedding table(n, d);
    dense_bytes = apps::resident_bytes() - rss_dense_before;
  }
  const double dense_bits = dense ? bits_per_row(dense_bytes, n) : 32.0 * static_cast<double>(d);
  const double peak_bits = peak_known ? bits_per_row(peak, n) : -1.0;

  if (json) {
    fmt::print(
        "{{\"n\": {}, \"d\": {}, \"resident_bytes\": {}, \"bits_per_row\": {:.3f}, "
        "\"peak_bytes\": {}, \"peak_bits_per_row\": {:.3f}, \"dense_bytes\": {}, "
        "\"dense_bits_per_row\": {:.3f}, \"dense_measured\": {}, \"build_s\": {:.3f}}}\n",
        n, d, resident, bits_per_row(resident, n), peak, peak_bits, dense_bytes, dense_bits,
        dense ? "true" : "false", build_s);
    return 0;
  }
  fmt::print(
      "| n | d | resident bytes | bits per row | peak bits per row while building | "
      "torch::nn::Embedding bits per row |\n|---:|---:|---:|---:|---:|---:|\n");
  fmt::print("| {} | {} | {} | {:.2f} | {} | {:.2f} ({}) |\n", n, d, resident,
             bits_per_row(resident, n), peak_known ? fmt::format("{:.2f}", peak_bits) : "n/a",
             dense_bits, dense ? "measured" : "32 * d");
  return 0;
}
