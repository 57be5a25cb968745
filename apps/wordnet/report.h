// The demo's outputs: a progress bar on stderr, and the results as CSV, Markdown and a plot.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "wordnet/train.h"

namespace random_embeddings::apps::wordnet {

// One line on stderr, redrawn with \r, when stderr is a terminal; a line per epoch always.
class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  void update(const Progress& progress);
  void epoch_done(const RunResult& so_far);

 private:
  std::string label_;
  bool terminal_;
  std::chrono::steady_clock::time_point last_draw_{};
  size_t drawn_width_ = 0;
};

// One variant over all its seeds.
struct Summary {
  Variant variant;
  int64_t seeds = 0;
  double accuracy_mean = 0, accuracy_std = 0, accuracy_min = 0, accuracy_max = 0;
  int64_t embedding_bytes = 0;
  int64_t trained_parameters = 0;
  double examples_per_second = 0;  // mean over seeds
};

std::vector<Summary> summarize(const std::vector<RunResult>& runs);

// The Markdown table of the summaries (accuracy in percent, mean ± sample std).
std::string markdown_table(const std::vector<Summary>& summaries, int64_t vocabulary_size);

// Writes results.csv, results.md, runs.csv and dev_curve.csv into `dir` (created if needed);
// `setup` is a Markdown paragraph put above the table. Throws std::runtime_error on failure.
void write_results(const std::string& dir, const std::vector<RunResult>& runs,
                   const std::vector<Summary>& summaries, int64_t vocabulary_size,
                   const std::string& setup);

// Runs `python plot_script dev_curve.csv dev_accuracy.png`; returns false if it failed.
bool plot_dev_curves(const std::string& python, const std::string& plot_script,
                     const std::string& dir);

}  // namespace random_embeddings::apps::wordnet
