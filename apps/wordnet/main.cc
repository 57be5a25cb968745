// wordnet_demo: does a fixed random embedding come close to learned and pretrained ones?
// Predicts each WordNet 3.0 synset's lexicographer file (45 classes) from its gloss, with the
// same classifier on four embeddings, and reports accuracy, memory and speed.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "wordnet/fasttext_vectors.h"
#include "wordnet/report.h"
#include "wordnet/train.h"
#include "wordnet/wordnet_data.h"

namespace wn = random_embeddings::apps::wordnet;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string join_tokens(const std::string& gloss) {
  std::string line;
  for (const std::string& token : wn::tokenize(gloss)) {
    if (!line.empty()) line += ' ';
    line += token;
  }
  return line;
}

std::string default_python() {
  // Debian's python3-matplotlib lives with /usr/bin/python3, which PATH may not reach first.
  return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Train the same gloss classifier on WordNet 3.0 (predict a synset's lexicographer file from "
      "its gloss) on top of four embeddings: a fixed RandomEmbedding, a fixed dense Gaussian "
      "table, a trainable torch::nn::Embedding and fixed fastText vectors pre-trained on the "
      "training glosses. Writes results.csv, results.md, runs.csv, dev_curve.csv and "
      "dev_accuracy.png to the output folder."};
  std::string wordnet_dir = "/usr/share/wordnet", output_dir = "out/wordnet";
  std::vector<std::string> variant_names = {"random", "gaussian", "learned", "fasttext"};
  std::vector<uint64_t> seeds = {0, 1, 2};
  wn::TrainConfig config;
  config.epochs = 4;
  double avg_norm = 0;
  int64_t min_count = 2, max_tokens = 64, train_limit = 0, eval_limit = 0;
  int threads = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  wn::FastTextOptions fasttext_options;
  bool quick = false, no_plot = false;
  std::string python = default_python(), plot_script = RE_WORDNET_PLOT_SCRIPT;

  app.add_option("--wordnet-dir", wordnet_dir, "folder with data.{noun,verb,adj,adv}")
      ->capture_default_str();
  app.add_option("-o,--output-dir", output_dir, "where the results go")->capture_default_str();
  app.add_option("--variants", variant_names, "random, gaussian, learned, fasttext")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--seeds", seeds, "one run per seed per variant, e.g. 0,1,2")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("-e,--epochs", config.epochs, "training epochs")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("-d,--dim", config.dim, "embedding dimension")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--channels", config.channels, "convolution filters of the classifier")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--width", config.width, "tokens each filter sees (odd)")
      ->check(CLI::PositiveNumber)
      ->check([](const std::string& s) { return std::stoll(s) % 2 ? "" : "must be odd"; })
      ->capture_default_str();
  app.add_option("--avg-norm", avg_norm,
                 "mean L2 norm of the embedding rows, every variant (0: sqrt(dim))")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--batch-size", config.batch_size, "examples per step")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--lr", config.learning_rate, "Adam learning rate")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--min-count", min_count, "vocabulary: minimum count in the training glosses")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--max-tokens", max_tokens, "tokens kept per gloss")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--train-limit", train_limit, "use N evenly spaced training glosses (0: all)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--eval-limit", eval_limit, "use N evenly spaced dev and test glosses (0: all)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--fasttext-epochs", fasttext_options.epochs, "fastText skipgram epochs")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("-t,--threads", threads, "torch and fastText threads")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_flag("--quick", quick,
               "seconds, for tests: 3000 training and 1000 dev/test glosses (evenly spaced), 2 "
               "epochs, seed 0");
  app.add_flag("--no-plot", no_plot, "do not draw dev_accuracy.png");
  app.add_option("--python", python, "interpreter with matplotlib for the plot")
      ->capture_default_str();
  app.add_option("--plot-script", plot_script, "the plotting script")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  if (quick) {  // explicit flags still win over the quick settings
    if (!app.count("--train-limit")) train_limit = 3000;
    if (!app.count("--eval-limit")) eval_limit = 1000;
    if (!app.count("--epochs")) config.epochs = 2;
    if (!app.count("--seeds")) seeds = {0};
    if (!app.count("--fasttext-epochs")) fasttext_options.epochs = 1;
    fasttext_options.buckets = 20000;
  }
  config.avg_norm = avg_norm > 0 ? avg_norm : std::sqrt(static_cast<double>(config.dim));
  const auto total_start = std::chrono::steady_clock::now();
  try {
    if (seeds.empty() || variant_names.empty()) {
      throw std::invalid_argument("--seeds and --variants each need at least one value");
    }
    std::vector<wn::Variant> variants;
    for (const std::string& name : variant_names) variants.push_back(wn::parse_variant(name));
    wn::set_torch_threads(threads);

    const std::vector<wn::Synset> synsets = wn::load_wordnet(wordnet_dir);
    std::vector<const wn::Synset*> splits[3];
    for (const wn::Synset& synset : synsets)
      splits[static_cast<int>(synset.split)].push_back(&synset);
    const int64_t full_sizes[3] = {static_cast<int64_t>(splits[0].size()),
                                   static_cast<int64_t>(splits[1].size()),
                                   static_cast<int64_t>(splits[2].size())};
    // An evenly spaced sample, as the data files are ordered by lexicographer file in places.
    const auto limit = [](std::vector<const wn::Synset*>& split, int64_t n) {
      const auto size = static_cast<int64_t>(split.size());
      if (n <= 0 || size <= n) return;
      std::vector<const wn::Synset*> sample;
      for (int64_t i = 0; i < n; ++i) sample.push_back(split[i * size / n]);
      split = std::move(sample);
    };
    limit(splits[0], train_limit);
    limit(splits[1], eval_limit);
    limit(splits[2], eval_limit);
    const wn::Vocabulary vocabulary(splits[0], min_count);
    wn::Datasets data{wn::encode(splits[0], vocabulary, max_tokens),
                      wn::encode(splits[1], vocabulary, max_tokens),
                      wn::encode(splits[2], vocabulary, max_tokens), vocabulary.size()};
    fmt::print("WordNet: {} synsets in {}: train {}, dev {}, test {}\n", synsets.size(),
               wordnet_dir, full_sizes[0], full_sizes[1], full_sizes[2]);
    fmt::print("using train {}, dev {}, test {}; vocabulary {} rows (padding, unknown, {} words)\n",
               data.train.size(), data.dev.size(), data.test.size(), vocabulary.size(),
               vocabulary.size() - 2);
    fmt::print(
        "classifier: d={} -> Conv1d({} filters, width {}) + ReLU -> max over tokens -> "
        "Linear to {} classes; avg row norm {:.3f}; {} epochs, batch {}, Adam lr {}; {} "
        "threads\n",
        config.dim, config.channels, config.width, wn::kNumLexFiles, config.avg_norm, config.epochs,
        config.batch_size, config.learning_rate, threads);
    std::fflush(stdout);

    // Like the paper's pretrained vectors, the fastText table is one fixed artifact: trained once
    // (with the first seed), then shared by every seed's classifier.
    std::vector<float> pretrained;
    double fasttext_seconds = 0;
    if (std::find(variants.begin(), variants.end(), wn::Variant::kFastText) != variants.end()) {
      std::vector<std::string> fasttext_lines;
      for (const wn::Synset* synset : splits[0]) {
        fasttext_lines.push_back(join_tokens(synset->gloss));
      }
      fasttext_options.dim = static_cast<int>(config.dim);
      fasttext_options.threads = threads;
      fasttext_options.seed = static_cast<int>(seeds.front());
      const auto start = std::chrono::steady_clock::now();
      pretrained = wn::train_fasttext_vectors(fasttext_lines, vocabulary.words(), fasttext_options);
      fasttext_seconds = seconds_since(start);
      fmt::print(stderr,
                 "fastText: {} epochs of skipgram (d={}) on the training glosses in {:.1f} s\n",
                 fasttext_options.epochs, fasttext_options.dim, fasttext_seconds);
    }

    wn::warm_up(config, max_tokens);
    std::vector<wn::RunResult> runs;
    const size_t total_runs = seeds.size() * variants.size();
    for (const uint64_t seed : seeds) {
      for (const wn::Variant variant : variants) {
        config.seed = seed;
        wn::ProgressBar bar(fmt::format("[{}/{}] {} seed {}", runs.size() + 1, total_runs,
                                        wn::variant_name(variant), seed));
        runs.push_back(wn::train_and_evaluate(
            variant, data, variant == wn::Variant::kFastText ? &pretrained : nullptr, config,
            [&bar](const wn::Progress& p) { bar.update(p); },
            [&bar](const wn::RunResult& r) { bar.epoch_done(r); }));
      }
    }

    const std::vector<wn::Summary> summaries = wn::summarize(runs);
    const std::string setup = fmt::format(
        "WordNet 3.0 ({} synsets; train {}, dev {}, test {} used), vocabulary {} rows; d = {}, "
        "average row norm {:.3f} for every variant; classifier: Conv1d({} filters, width {}) + "
        "ReLU, max over tokens, Linear to {} classes; {} epochs, batch {}, Adam lr {}; test "
        "accuracy at the epoch with the best dev accuracy; {} threads. fastText pre-training "
        "({} skipgram epochs, once) took {:.1f} s. Total wall time {:.1f} s.",
        synsets.size(), data.train.size(), data.dev.size(), data.test.size(), vocabulary.size(),
        config.dim, config.avg_norm, config.channels, config.width, wn::kNumLexFiles, config.epochs,
        config.batch_size, config.learning_rate, threads, fasttext_options.epochs, fasttext_seconds,
        seconds_since(total_start));
    wn::write_results(output_dir, runs, summaries, vocabulary.size(), setup);
    fmt::print("\n{}\n", wn::markdown_table(summaries, vocabulary.size()));
    bool plotted = true;
    if (!no_plot) {
      plotted = wn::plot_dev_curves(python, plot_script, output_dir);
      if (!plotted) {
        fmt::print(stderr, "error: plotting with {} {} failed (is python3-matplotlib installed?)\n",
                   python, plot_script);
      }
    }
    fmt::print(
        "results in {}/ (results.csv, results.md, runs.csv, dev_curve.csv{}); total {:.1f} s\n",
        output_dir, no_plot ? "" : ", dev_accuracy.png", seconds_since(total_start));
    return plotted ? 0 : 3;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
}
