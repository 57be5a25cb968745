#include "wordnet/report.h"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <utility>

namespace random_embeddings::apps::wordnet {

namespace {

std::string duration(double seconds) {
  const auto total = static_cast<int64_t>(std::max(0.0, seconds) + 0.5);
  return fmt::format("{}:{:02d}", total / 60, total % 60);
}

double bits_per_row(int64_t bytes, int64_t rows) {
  return 8.0 * static_cast<double>(bytes) / static_cast<double>(rows);
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

ProgressBar::ProgressBar(std::string label)
    : label_(std::move(label)), terminal_(isatty(fileno(stderr)) != 0) {}

void ProgressBar::update(const Progress& progress) {
  const auto now = std::chrono::steady_clock::now();
  const bool finished = progress.done == progress.total;
  if (!terminal_ || (now - last_draw_ < std::chrono::milliseconds(100) && !finished)) return;
  last_draw_ = now;
  const double fraction =
      progress.total ? static_cast<double>(progress.done) / static_cast<double>(progress.total) : 1;
  const double rate =
      progress.seconds > 0 ? static_cast<double>(progress.done) / progress.seconds : 0;
  const double eta = rate > 0 ? static_cast<double>(progress.total - progress.done) / rate : 0;
  constexpr int kWidth = 24;
  const int filled = static_cast<int>(fraction * kWidth);
  const std::string line = fmt::format(
      "{} epoch {}/{} [{}{}] {:3.0f}% loss {:.3f} {:.0f} ex/s ETA {}", label_, progress.epoch,
      progress.epochs, std::string(filled, '#'), std::string(kWidth - filled, '.'), 100 * fraction,
      progress.loss, rate, duration(eta));
  fmt::print(stderr, "\r{}{}", line,
             std::string(drawn_width_ > line.size() ? drawn_width_ - line.size() : 0, ' '));
  drawn_width_ = line.size();
  std::fflush(stderr);
}

void ProgressBar::epoch_done(const RunResult& so_far) {
  const EpochStats& last = so_far.epochs.back();
  if (terminal_ && drawn_width_ > 0) fmt::print(stderr, "\r{}\r", std::string(drawn_width_, ' '));
  drawn_width_ = 0;
  fmt::print(stderr, "{} epoch {}: loss {:.4f}, dev accuracy {:.2f}%, {:.0f} examples/s\n", label_,
             so_far.epochs.size(), last.train_loss, 100 * last.dev_accuracy,
             so_far.examples_per_second);
  std::fflush(stderr);
}

std::vector<Summary> summarize(const std::vector<RunResult>& runs) {
  std::vector<Summary> summaries;
  std::map<Variant, std::vector<const RunResult*>> by_variant;
  std::vector<Variant> order;
  for (const RunResult& run : runs) {
    if (by_variant[run.variant].empty()) order.push_back(run.variant);
    by_variant[run.variant].push_back(&run);
  }
  for (Variant variant : order) {
    const auto& group = by_variant[variant];
    Summary s{variant};
    s.seeds = static_cast<int64_t>(group.size());
    s.accuracy_min = 1;
    for (const RunResult* run : group) {
      s.accuracy_mean += run->test_accuracy / static_cast<double>(s.seeds);
      s.accuracy_min = std::min(s.accuracy_min, run->test_accuracy);
      s.accuracy_max = std::max(s.accuracy_max, run->test_accuracy);
      s.examples_per_second += run->examples_per_second / static_cast<double>(s.seeds);
      s.embedding_bytes = std::max(s.embedding_bytes, run->embedding_bytes);
      s.trained_parameters = std::max(s.trained_parameters, run->trained_parameters);
    }
    double squares = 0;
    for (const RunResult* run : group) squares += std::pow(run->test_accuracy - s.accuracy_mean, 2);
    s.accuracy_std = s.seeds > 1 ? std::sqrt(squares / static_cast<double>(s.seeds - 1)) : 0;
    summaries.push_back(s);
  }
  return summaries;
}

std::string markdown_table(const std::vector<Summary>& summaries, int64_t vocabulary_size) {
  std::string table =
      "| variant | embedding | test accuracy % (mean ± std) | seeds | embedding bytes | bits per "
      "row | parameters trained | training examples/s |\n"
      "|---|---|---:|---:|---:|---:|---:|---:|\n";
  for (const Summary& s : summaries) {
    table += fmt::format("| {} | {} | {:.2f} ± {:.2f} | {} | {} | {:.1f} | {} | {:.0f} |\n",
                         variant_name(s.variant), variant_description(s.variant),
                         100 * s.accuracy_mean, 100 * s.accuracy_std, s.seeds, s.embedding_bytes,
                         bits_per_row(s.embedding_bytes, vocabulary_size), s.trained_parameters,
                         s.examples_per_second);
  }
  return table;
}

void write_results(const std::string& dir, const std::vector<RunResult>& runs,
                   const std::vector<Summary>& summaries, int64_t vocabulary_size,
                   const std::string& setup) {
  const std::filesystem::path out(dir);
  std::error_code error;
  std::filesystem::create_directories(out, error);
  if (error) throw std::runtime_error("cannot create " + dir + ": " + error.message());

  std::string csv =
      "variant,description,seeds,test_accuracy_mean,test_accuracy_std,test_accuracy_min,"
      "test_accuracy_max,embedding_bytes,embedding_bits_per_row,trained_parameters,"
      "examples_per_second\n";
  for (const Summary& s : summaries) {
    csv += fmt::format("{},{},{},{:.6f},{:.6f},{:.6f},{:.6f},{},{:.3f},{},{:.1f}\n",
                       variant_name(s.variant), variant_description(s.variant), s.seeds,
                       s.accuracy_mean, s.accuracy_std, s.accuracy_min, s.accuracy_max,
                       s.embedding_bytes, bits_per_row(s.embedding_bytes, vocabulary_size),
                       s.trained_parameters, s.examples_per_second);
  }
  write_file(out / "results.csv", csv);

  std::string per_run =
      "variant,seed,best_epoch,test_accuracy,embedding_bytes,trained_parameters,"
      "examples_per_second,train_seconds\n";
  std::string curve = "variant,seed,epoch,train_loss,dev_accuracy,test_accuracy,train_seconds\n";
  for (const RunResult& run : runs) {
    per_run += fmt::format("{},{},{},{:.6f},{},{},{:.1f},{:.3f}\n", variant_name(run.variant),
                           run.seed, run.best_epoch, run.test_accuracy, run.embedding_bytes,
                           run.trained_parameters, run.examples_per_second,
                           run.epochs.empty() ? 0.0 : run.epochs.back().train_seconds);
    for (size_t e = 0; e < run.epochs.size(); ++e) {
      const EpochStats& stats = run.epochs[e];
      curve += fmt::format("{},{},{},{:.6f},{:.6f},{:.6f},{:.3f}\n", variant_name(run.variant),
                           run.seed, e + 1, stats.train_loss, stats.dev_accuracy,
                           stats.test_accuracy, stats.train_seconds);
    }
  }
  write_file(out / "runs.csv", per_run);
  write_file(out / "dev_curve.csv", curve);
  write_file(out / "results.md", "# WordNet lexicographer-file classification\n\n" + setup +
                                     "\n\n" + markdown_table(summaries, vocabulary_size) +
                                     "\n![dev accuracy per epoch](dev_accuracy.png)\n");
}

bool plot_dev_curves(const std::string& python, const std::string& plot_script,
                     const std::string& dir) {
  const std::filesystem::path out(dir);
  const auto quote = [](const std::string& s) {
    std::string quoted = "'";
    for (char c : s) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
  };
  const std::string command = quote(python) + " " + quote(plot_script) + " " +
                              quote((out / "dev_curve.csv").string()) + " " +
                              quote((out / "dev_accuracy.png").string());
  std::fflush(stdout);
  return std::system(command.c_str()) == 0;
}

}  // namespace random_embeddings::apps::wordnet
