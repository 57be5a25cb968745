// RandomEmbedding: a drop-in for torch::nn::Embedding whose n x d table is a fixed random
// circulant matrix stored in about 33 bits per row.
#pragma once

#include <torch/nn/cloneable.h>
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

}  // namespace random_embeddings
