// Functional forms beside the module, as torch::nn::functional::embedding is beside Embedding.
#pragma once

#include <torch/types.h>

#include "random_embeddings/torch/options.h"

namespace random_embeddings {
namespace functional {

// Rows of the random circulant matrix held by (rand_weight, packed_signs).
// Example: functional::random_embedding(ids, w, s, RandomEmbeddingFuncOptions(n).padding_idx(0));
torch::Tensor random_embedding(const torch::Tensor& input, const torch::Tensor& rand_weight,
                               const torch::Tensor& packed_signs,
                               const RandomEmbeddingFuncOptions& options);

// Sum, mean or max of bags of rows, straight from the parameters.
// Example: functional::random_embedding_bag(ids, w, s,
//              RandomEmbeddingBagFuncOptions(n).offsets(offsets).mode(torch::kSum));
torch::Tensor random_embedding_bag(const torch::Tensor& input, const torch::Tensor& rand_weight,
                                   const torch::Tensor& packed_signs,
                                   const RandomEmbeddingBagFuncOptions& options);

}  // namespace functional

// The dense n x d float32 matrix that RandomEmbedding(n, d, c) would produce from the same
// generator state.
torch::Tensor create_random_circulant_embeddings(
    int64_t num_embeddings, int64_t embedding_dim, double avg_embedding_norm = 1.0,
    c10::optional<at::Generator> generator = c10::nullopt);

}  // namespace random_embeddings
