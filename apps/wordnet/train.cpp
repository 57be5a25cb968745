// The only translation unit of the WordNet demo that includes torch: the embeddings, the
// classifier, batching and the training loop.
#include "wordnet/train.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <random>
#include <stdexcept>

#include "random_embeddings/random_embeddings.h"

namespace random_embeddings::apps::wordnet {

const char* variant_name(Variant variant) {
  switch (variant) {
    case Variant::kRandom:
      return "random";
    case Variant::kGaussian:
      return "gaussian";
    case Variant::kLearned:
      return "learned";
    case Variant::kFastText:
      return "fasttext";
  }
  return "?";
}

const char* variant_description(Variant variant) {
  switch (variant) {
    case Variant::kRandom:
      return "fixed RandomEmbedding (circulant)";
    case Variant::kGaussian:
      return "fixed dense Gaussian table";
    case Variant::kLearned:
      return "trainable torch::nn::Embedding";
    case Variant::kFastText:
      return "fixed fastText skipgram vectors";
  }
  return "?";
}

Variant parse_variant(const std::string& name) {
  for (Variant v : {Variant::kRandom, Variant::kGaussian, Variant::kLearned, Variant::kFastText}) {
    if (name == variant_name(v)) return v;
  }
  throw std::invalid_argument("unknown variant '" + name +
                              "': expected random, gaussian, learned or fasttext");
}

void set_torch_threads(int threads) { torch::set_num_threads(threads); }

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Rows scaled so that their mean L2 norm is `avg_norm`, then the padding row zeroed, as
// RandomEmbedding does (its mean is taken over all n rows, before padding_idx applies).
torch::Tensor scale_rows(torch::Tensor table, double avg_norm) {
  table.mul_(avg_norm / table.norm(2, {1}).mean().item<double>());
  table[Vocabulary::kPadding].zero_();
  return table;
}

torch::Tensor gaussian_table(int64_t rows, int64_t dim, double avg_norm) {
  return scale_rows(torch::randn({rows, dim}), avg_norm);
}

// fastText's vectors with the unknown-word row set to the mean word vector.
torch::Tensor pretrained_table(const std::vector<float>& vectors, int64_t rows, int64_t dim,
                               double avg_norm) {
  if (static_cast<int64_t>(vectors.size()) != rows * dim) {
    throw std::invalid_argument("pretrained table has " + std::to_string(vectors.size()) +
                                " values, expected " + std::to_string(rows * dim));
  }
  torch::Tensor table =
      torch::from_blob(const_cast<float*>(vectors.data()), {rows, dim}, torch::kFloat).clone();
  table[Vocabulary::kUnknown] = table.slice(0, 2).mean(0);
  return scale_rows(table, avg_norm);
}

torch::nn::AnyModule make_embedding(Variant variant, int64_t rows, const TrainConfig& config,
                                    const std::vector<float>* pretrained) {
  namespace nn = torch::nn;
  const int64_t dim = config.dim;
  switch (variant) {
    case Variant::kRandom:
      return nn::AnyModule(RandomEmbedding(RandomEmbeddingOptions(rows, dim)
                                               .avg_embedding_norm(config.avg_norm)
                                               .padding_idx(Vocabulary::kPadding)));
    case Variant::kGaussian:
      return nn::AnyModule(nn::Embedding::from_pretrained(
          gaussian_table(rows, dim, config.avg_norm),
          nn::EmbeddingFromPretrainedOptions().freeze(true).padding_idx(Vocabulary::kPadding)));
    case Variant::kLearned: {
      nn::Embedding embedding(nn::EmbeddingOptions(rows, dim).padding_idx(Vocabulary::kPadding));
      torch::NoGradGuard no_grad;
      embedding->weight.copy_(gaussian_table(rows, dim, config.avg_norm));
      return nn::AnyModule(embedding);
    }
    case Variant::kFastText:
      if (pretrained == nullptr) throw std::invalid_argument("fasttext needs its vectors");
      return nn::AnyModule(nn::Embedding::from_pretrained(
          pretrained_table(*pretrained, rows, dim, config.avg_norm),
          nn::EmbeddingFromPretrainedOptions().freeze(true).padding_idx(Vocabulary::kPadding)));
  }
  throw std::invalid_argument("unknown variant");
}

// Embeddings -> Conv1d over `width` tokens + ReLU -> max over the gloss -> Linear to the 45
// lexicographer files. With width 1 the convolution is a per-token Linear layer; it is written
// as a Conv1d because LibTorch runs that through oneDNN, and Linear through the system BLAS,
// which on a stock Debian is the reference one and about 20 times slower.
class GlossClassifierImpl : public torch::nn::Module {
 public:
  GlossClassifierImpl(torch::nn::AnyModule embedding, int64_t dim, int64_t channels, int64_t width)
      : embedding_(std::move(embedding)),
        conv_(register_module(
            "conv",
            torch::nn::Conv1d(torch::nn::Conv1dOptions(dim, channels, width).padding(width / 2)))),
        output_(register_module("output", torch::nn::Linear(channels, kNumLexFiles))) {
    register_module("embedding", embedding_.ptr());
  }

  torch::Tensor forward(const torch::Tensor& ids) {
    const torch::Tensor rows = embedding_.forward(ids).transpose(1, 2);  // (B, d, L)
    const torch::Tensor features = torch::relu(conv_(rows));             // (B, channels, L)
    // ReLU features are >= 0, so zeroing the padding positions keeps them out of the max.
    const torch::Tensor real = (ids != Vocabulary::kPadding).unsqueeze(1).to(features.dtype());
    return output_(std::get<0>((features * real).max(2)));
  }

  std::shared_ptr<torch::nn::Module> embedding() const { return embedding_.ptr(); }

 private:
  torch::nn::AnyModule embedding_;
  torch::nn::Conv1d conv_;
  torch::nn::Linear output_;
};
TORCH_MODULE(GlossClassifier);

// Batches of example indices of similar length (less padding): shuffled, sorted by length
// within pools of 32 batches, then the batches themselves shuffled. rng == nullptr: by length.
std::vector<std::vector<int64_t>> make_batches(const EncodedSplit& split, int64_t batch_size,
                                               std::mt19937_64* rng) {
  std::vector<int64_t> order(split.size());
  std::iota(order.begin(), order.end(), 0);
  const auto by_length = [&](int64_t a, int64_t b) { return split.length(a) < split.length(b); };
  const int64_t pool = rng ? 32 * batch_size : split.size();
  if (rng) std::shuffle(order.begin(), order.end(), *rng);
  for (int64_t start = 0; start < split.size(); start += pool) {
    std::stable_sort(order.begin() + start, order.begin() + std::min(split.size(), start + pool),
                     by_length);
  }
  std::vector<std::vector<int64_t>> batches;
  for (int64_t start = 0; start < split.size(); start += batch_size) {
    batches.emplace_back(order.begin() + start,
                         order.begin() + std::min(split.size(), start + batch_size));
  }
  if (rng) std::shuffle(batches.begin(), batches.end(), *rng);
  return batches;
}

// (B, L) ids padded with the padding row, and (B,) labels.
std::pair<torch::Tensor, torch::Tensor> batch_tensors(const EncodedSplit& split,
                                                      const std::vector<int64_t>& batch) {
  int64_t longest = 1;
  for (int64_t i : batch) longest = std::max(longest, split.length(i));
  const auto count = static_cast<int64_t>(batch.size());
  torch::Tensor ids = torch::full({count, longest}, Vocabulary::kPadding, torch::kLong);
  torch::Tensor labels = torch::empty({count}, torch::kLong);
  int64_t* id_data = ids.data_ptr<int64_t>();
  int64_t* label_data = labels.data_ptr<int64_t>();
  for (int64_t row = 0; row < count; ++row) {
    const int64_t i = batch[row];
    std::copy(split.ids.begin() + split.offsets[i], split.ids.begin() + split.offsets[i + 1],
              id_data + row * longest);
    label_data[row] = split.labels[i];
  }
  return {ids, labels};
}

double accuracy(GlossClassifier& model, const EncodedSplit& split) {
  if (split.size() == 0) return 0;
  torch::NoGradGuard no_grad;
  model->eval();
  int64_t correct = 0;
  for (const auto& batch : make_batches(split, 1024, nullptr)) {
    const auto [ids, labels] = batch_tensors(split, batch);
    correct += model->forward(ids).argmax(1).eq(labels).sum().item<int64_t>();
  }
  model->train();
  return static_cast<double>(correct) / static_cast<double>(split.size());
}

}  // namespace

void warm_up(const TrainConfig& config, int64_t max_tokens) {
  GlossClassifier model(torch::nn::AnyModule(torch::nn::Embedding(4, config.dim)), config.dim,
                        config.channels, config.width);
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-9));
  for (int64_t length = 1; length <= max_tokens; ++length) {
    torch::AutoGradMode enable(true);
    const torch::Tensor ids = torch::ones({config.batch_size, length}, torch::kLong);
    optimizer.zero_grad();
    torch::nn::functional::cross_entropy(model->forward(ids),
                                         torch::zeros({config.batch_size}, torch::kLong))
        .backward();
    optimizer.step();
  }
}

RunResult train_and_evaluate(Variant variant, const Datasets& data,
                             const std::vector<float>* pretrained, const TrainConfig& config,
                             const ProgressCallback& on_progress, const EpochCallback& on_epoch) {
  torch::manual_seed(config.seed);
  std::mt19937_64 rng(config.seed);
  RunResult result{variant, config.seed, {}};
  GlossClassifier model(make_embedding(variant, data.vocabulary_size, config, pretrained),
                        config.dim, config.channels, config.width);
  for (const auto& tensor : model->embedding()->buffers())
    result.embedding_bytes += tensor.nbytes();
  for (const auto& tensor : model->embedding()->parameters()) {
    result.embedding_bytes += tensor.nbytes();
  }
  std::vector<torch::Tensor> trained;
  for (const auto& parameter : model->parameters()) {
    if (parameter.requires_grad()) {
      trained.push_back(parameter);
      result.trained_parameters += parameter.numel();
    }
  }
  torch::optim::Adam optimizer(trained, torch::optim::AdamOptions(config.learning_rate));

  Progress progress;
  progress.epochs = config.epochs;
  progress.total = config.epochs * data.train.size();
  double train_seconds = 0;
  for (int64_t epoch = 1; epoch <= config.epochs; ++epoch) {
    progress.epoch = epoch;
    double loss_sum = 0;
    int64_t seen = 0;
    const auto start = Clock::now();
    for (const auto& batch : make_batches(data.train, config.batch_size, &rng)) {
      const auto [ids, labels] = batch_tensors(data.train, batch);
      optimizer.zero_grad();
      const torch::Tensor loss = torch::nn::functional::cross_entropy(model->forward(ids), labels);
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>() * static_cast<double>(batch.size());
      seen += static_cast<int64_t>(batch.size());
      progress.done += static_cast<int64_t>(batch.size());
      progress.seconds = train_seconds + seconds_since(start);
      progress.loss = loss_sum / static_cast<double>(seen);
      if (on_progress) on_progress(progress);
    }
    train_seconds += seconds_since(start);
    EpochStats stats;
    stats.train_loss = loss_sum / static_cast<double>(std::max<int64_t>(1, seen));
    stats.train_seconds = train_seconds;
    stats.dev_accuracy = accuracy(model, data.dev);
    stats.test_accuracy = accuracy(model, data.test);
    result.epochs.push_back(stats);
    if (result.best_epoch == 0 ||
        stats.dev_accuracy > result.epochs[result.best_epoch - 1].dev_accuracy) {
      result.best_epoch = epoch;
      result.test_accuracy = stats.test_accuracy;
    }
    result.examples_per_second = static_cast<double>(progress.done) / std::max(train_seconds, 1e-9);
    if (on_epoch) on_epoch(result);
  }
  return result;
}

}  // namespace random_embeddings::apps::wordnet
