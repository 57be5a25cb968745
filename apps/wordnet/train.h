// Trains and evaluates the gloss classifier on top of one embedding variant. The interface is
// torch-free so that only train.cpp compiles the (slow) torch headers.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "wordnet/wordnet_data.h"

namespace random_embeddings::apps::wordnet {

enum class Variant { kRandom, kGaussian, kLearned, kFastText };

// "random", "gaussian", "learned", "fasttext", and a one-line description of each.
const char* variant_name(Variant variant);
const char* variant_description(Variant variant);
// Throws std::invalid_argument for an unknown name.
Variant parse_variant(const std::string& name);

struct TrainConfig {
  int64_t dim = 128;
  int64_t channels = 256;  // convolution filters
  int64_t width = 1;       // tokens each filter sees (odd)
  int64_t batch_size = 128;
  int64_t epochs = 4;
  double learning_rate = 2e-3;
  // Mean L2 norm of the embedding rows, the same for every variant.
  double avg_norm = 11.3;
  uint64_t seed = 0;
};

struct Datasets {
  EncodedSplit train, dev, test;
  int64_t vocabulary_size = 0;
};

// What training reports while it runs: examples done of the total, and the loss so far.
struct Progress {
  int64_t epoch = 0, epochs = 0;
  int64_t done = 0, total = 0;  // examples in this run, all epochs together
  double seconds = 0;           // training time so far in this run
  double loss = 0;              // mean training loss of the epoch so far
};

struct EpochStats {
  double train_loss = 0;
  double dev_accuracy = 0;
  double test_accuracy = 0;
  double train_seconds = 0;
};

struct RunResult {
  Variant variant;
  uint64_t seed;
  std::vector<EpochStats> epochs;
  double test_accuracy = 0;        // at the epoch with the best dev accuracy
  int64_t best_epoch = 0;          // 1-based
  int64_t embedding_bytes = 0;     // nbytes of every tensor the embedding module holds
  int64_t trained_parameters = 0;  // elements of the parameters the optimizer updates
  double examples_per_second = 0;  // training examples over training time, all epochs
};

using ProgressCallback = std::function<void(const Progress&)>;
using EpochCallback = std::function<void(const RunResult& so_far)>;

// Builds the variant's embedding (`pretrained` is its vocabulary_size x dim table for
// kFastText, row-major; ignored otherwise), trains the model and evaluates it every epoch.
RunResult train_and_evaluate(Variant variant, const Datasets& data,
                             const std::vector<float>* pretrained, const TrainConfig& config,
                             const ProgressCallback& on_progress, const EpochCallback& on_epoch);

// Runs one untimed training step per gloss length up to max_tokens, so that the kernels oneDNN
// builds for each new shape are ready before the first timed run. It draws from torch's default
// generator, which train_and_evaluate reseeds.
void warm_up(const TrainConfig& config, int64_t max_tokens);

// Sets the number of intra-op threads torch uses.
void set_torch_threads(int threads);

}  // namespace random_embeddings::apps::wordnet
