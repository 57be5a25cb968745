// RandomEmbedding: a drop-in for torch::nn::Embedding whose n x d table is a fixed random
// circulant matrix stored in about 33 bits per row.
#pragma once

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/common.h>
#include <torch/nn/modules/container/any_value.h>
#include <torch/nn/pimpl.h>
#include <torch/serialize/archive.h>
#include <torch/types.h>

#include <ostream>

#include "random_embeddings/torch/options.h"

namespace random_embeddings {

// Buffers: rand_weight (float32 b x d), ind (int64 d), packed_signs (uint8 b x ceil(d / 8)).
// save()/load() write and read rand_signs as bool b x d, as the original Python module does.
class RandomEmbeddingImpl : public torch::nn::Cloneable<RandomEmbeddingImpl> {
 public:
  RandomEmbeddingImpl(int64_t num_embeddings, int64_t embedding_dim)
      : RandomEmbeddingImpl(RandomEmbeddingOptions(num_embeddings, embedding_dim)) {}
  explicit RandomEmbeddingImpl(RandomEmbeddingOptions options_);

  // Checks the options and draws new parameters.
  void reset() override;

  // Prints `random_embeddings::RandomEmbedding(num_embeddings=n, embedding_dim=d, ...)`.
  void pretty_print(std::ostream& stream) const override;

  // int64 or int32 indices of any shape -> input.shape + (d,).
  torch::Tensor forward(const torch::Tensor& input);

  // The dense n x d matrix, materialized on each call.
  torch::Tensor weight() const;

  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;

  RandomEmbeddingOptions options;
  torch::Tensor rand_weight;
  torch::Tensor ind;
  torch::Tensor packed_signs;

 private:
  functional::RandomEmbeddingFuncOptions func_options() const;
};

// A ModuleHolder for RandomEmbeddingImpl; see torch::nn::ModuleHolder for its semantics.
TORCH_MODULE(RandomEmbedding);

// A drop-in for torch::nn::EmbeddingBag: sums, means or maxima of bags of fixed random circulant
// rows, computed in one pass from the parameters. Same buffers and archive as RandomEmbedding.
class RandomEmbeddingBagImpl : public torch::nn::Cloneable<RandomEmbeddingBagImpl> {
 public:
  RandomEmbeddingBagImpl(int64_t num_embeddings, int64_t embedding_dim)
      : RandomEmbeddingBagImpl(RandomEmbeddingBagOptions(num_embeddings, embedding_dim)) {}
  explicit RandomEmbeddingBagImpl(RandomEmbeddingBagOptions options_);

  void reset() override;
  void pretty_print(std::ostream& stream) const override;

  // input 2-D (bags, length) with no offsets, or 1-D with offsets; -> (bags, d).
  torch::Tensor forward(const torch::Tensor& input, const torch::Tensor& offsets = {},
                        const torch::Tensor& per_sample_weights = {});

  // The dense n x d matrix, materialized on each call.
  torch::Tensor weight() const;

  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;

  RandomEmbeddingBagOptions options;
  torch::Tensor rand_weight;
  torch::Tensor ind;
  torch::Tensor packed_signs;

 protected:
  FORWARD_HAS_DEFAULT_ARGS({1, torch::nn::AnyValue(torch::Tensor())},
                           {2, torch::nn::AnyValue(torch::Tensor())})
};

TORCH_MODULE(RandomEmbeddingBag);

}  // namespace random_embeddings
