// The demo: a RandomEmbedding the size of a large pretrained vector file (2,000,000 x 300), one
// batch looked up, and the resident memory it takes next to a dense torch::nn::Embedding.
#include <fmt/core.h>
#include <torch/torch.h>

#include <CLI/CLI.hpp>
#include <chrono>

#include "common/process_memory.h"
#include "random_embeddings/random_embeddings.h"

namespace apps = random_embeddings::apps;

int main(int argc, char** argv) {
  CLI::App app{
      "Build a RandomEmbedding, look up a batch, and compare its memory with a dense "
      "torch::nn::Embedding of the same shape."};
  int64_t n = 2'000'000, d = 300, batch = 4096;
  int threads = 2;
  bool skip_dense = false;
  app.add_option("-n,--num-embeddings", n, "rows (vocabulary size)")->check(CLI::PositiveNumber);
  app.add_option("-d,--embedding-dim", d, "columns")->check(CLI::PositiveNumber);
  app.add_option("-b,--batch", batch, "indices looked up")->check(CLI::PositiveNumber);
  app.add_option("-t,--threads", threads, "torch threads")->check(CLI::PositiveNumber);
  app.add_flag("--skip-dense", skip_dense, "do not build the dense table for comparison");
  CLI11_PARSE(app, argc, argv);
  torch::set_num_threads(threads);
  torch::manual_seed(0);
  // Warm up torch so its one-time allocations are not counted against the table.
  random_embeddings::RandomEmbedding(1000, d)(torch::arange(10));

  const int64_t rss_before = apps::resident_bytes();
  apps::reset_peak_resident();
  const auto start = std::chrono::steady_clock::now();
  random_embeddings::RandomEmbedding embedding(n, d);
  const double build_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const int64_t ours = apps::resident_bytes() - rss_before;
  const int64_t ours_peak = apps::peak_resident_bytes() - rss_before;

  const torch::Tensor ids = torch::randint(n, {batch}, torch::kLong);
  const auto lookup_start = std::chrono::steady_clock::now();
  const torch::Tensor rows = embedding(ids);
  const double lookup_us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - lookup_start)
          .count();
  const double mean_norm = rows.norm(2, {1}).mean().item<double>();

  fmt::print("{}\n", c10::str(*embedding));
  fmt::print("built in {:.2f} s; looked up {} rows in {:.0f} us; their mean L2 norm is {:.4f}\n",
             build_s, batch, lookup_us, mean_norm);
  fmt::print("\n| table ({} x {}) | resident bytes | bits per row |\n|---|---:|---:|\n", n, d);
  fmt::print("| RandomEmbedding | {} | {:.2f} |\n", ours, 8.0 * ours / n);
  fmt::print("| RandomEmbedding, peak while building | {} | {:.2f} |\n", ours_peak,
             8.0 * ours_peak / n);
  if (!skip_dense) {
    const int64_t rss_dense_before = apps::resident_bytes();
    torch::nn::Embedding dense(n, d);
    const int64_t dense_bytes = apps::resident_bytes() - rss_dense_before;
    fmt::print("| torch::nn::Embedding | {} | {:.2f} |\n", dense_bytes, 8.0 * dense_bytes / n);
    fmt::print("\nRandomEmbedding takes {:.1f}x less memory than the dense table.\n",
               static_cast<double>(dense_bytes) / static_cast<double>(ours));
  }
  return 0;
}
