// Options for RandomEmbedding, in the style of torch::nn::EmbeddingOptions.
#pragma once

#include <c10/util/Optional.h>
#include <torch/arg.h>
#include <torch/enum.h>
#include <torch/nn/options/embedding.h>
#include <torch/types.h>

namespace random_embeddings {

// Options for the RandomEmbedding module.
// Example:
//   RandomEmbedding emb(RandomEmbeddingOptions(10000, 300).avg_embedding_norm(2.0));
struct RandomEmbeddingOptions {
  RandomEmbeddingOptions(int64_t num_embeddings, int64_t embedding_dim)
      : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {}

  // The size of the vocabulary, n >= 1.
  TORCH_ARG(int64_t, num_embeddings);
  // The size of each embedding vector, d >= 1.
  TORCH_ARG(int64_t, embedding_dim);
  // The mean L2 norm of the n rows; a finite number greater than 0.
  TORCH_ARG(double, avg_embedding_norm) = 1.0;
  // That row of the output is all zeros; negative values count from the end.
  TORCH_ARG(c10::optional<int64_t>, padding_idx) = c10::nullopt;
  // Output rows whose norm exceeds max_norm are scaled to it; the parameters stay fixed.
  TORCH_ARG(c10::optional<double>, max_norm) = c10::nullopt;
  // The p of the p-norm for max_norm.
  TORCH_ARG(double, norm_type) = 2.;
  // Accepted for torch::nn::Embedding compatibility; nothing is trained, so they do nothing.
  TORCH_ARG(bool, scale_grad_by_freq) = false;
  TORCH_ARG(bool, sparse) = false;
  // Output dtype: float32 (default), float64, float16 or bfloat16.
  TORCH_ARG(c10::optional<torch::Dtype>, dtype) = c10::nullopt;
  // Draw from this generator instead of the default one.
  TORCH_ARG(c10::optional<at::Generator>, generator) = c10::nullopt;
};

// Options for the RandomEmbeddingBag module, in the style of torch::nn::EmbeddingBagOptions.
// Example:
//   RandomEmbeddingBag bag(RandomEmbeddingBagOptions(10000, 300).mode(torch::kSum));
struct RandomEmbeddingBagOptions {
  RandomEmbeddingBagOptions(int64_t num_embeddings, int64_t embedding_dim)
      : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {}

  TORCH_ARG(int64_t, num_embeddings);
  TORCH_ARG(int64_t, embedding_dim);
  TORCH_ARG(double, avg_embedding_norm) = 1.0;
  TORCH_ARG(c10::optional<double>, max_norm) = c10::nullopt;
  TORCH_ARG(double, norm_type) = 2.;
  // Accepted for torch::nn::EmbeddingBag compatibility; nothing is trained, so they do nothing.
  TORCH_ARG(bool, scale_grad_by_freq) = false;
  TORCH_ARG(bool, sparse) = false;
  // torch::kSum, torch::kMean (default) or torch::kMax.
  TORCH_ARG(torch::nn::EmbeddingBagMode, mode) = torch::kMean;
  // offsets has one more entry than there are bags: the end of the last bag.
  TORCH_ARG(bool, include_last_offset) = false;
  // Indices equal to padding_idx are left out of their bag; negative values count from the end.
  TORCH_ARG(c10::optional<int64_t>, padding_idx) = c10::nullopt;
  TORCH_ARG(c10::optional<torch::Dtype>, dtype) = c10::nullopt;
  TORCH_ARG(c10::optional<at::Generator>, generator) = c10::nullopt;
};

namespace functional {

// Options for functional::random_embedding: how to read existing parameters.
struct RandomEmbeddingFuncOptions {
  explicit RandomEmbeddingFuncOptions(int64_t num_embeddings) : num_embeddings_(num_embeddings) {}

  TORCH_ARG(int64_t, num_embeddings);
  TORCH_ARG(c10::optional<int64_t>, padding_idx) = c10::nullopt;
  TORCH_ARG(c10::optional<double>, max_norm) = c10::nullopt;
  TORCH_ARG(double, norm_type) = 2.;
  TORCH_ARG(c10::optional<torch::Dtype>, dtype) = c10::nullopt;
};

// Options for functional::random_embedding_bag.
struct RandomEmbeddingBagFuncOptions {
  explicit RandomEmbeddingBagFuncOptions(int64_t num_embeddings)
      : num_embeddings_(num_embeddings) {}

  TORCH_ARG(int64_t, num_embeddings);
  TORCH_ARG(torch::Tensor, offsets) = {};
  TORCH_ARG(c10::optional<double>, max_norm) = c10::nullopt;
  TORCH_ARG(double, norm_type) = 2.;
  TORCH_ARG(torch::nn::EmbeddingBagMode, mode) = torch::kMean;
  TORCH_ARG(torch::Tensor, per_sample_weights) = {};
  TORCH_ARG(bool, include_last_offset) = false;
  TORCH_ARG(c10::optional<int64_t>, padding_idx) = c10::nullopt;
  TORCH_ARG(c10::optional<torch::Dtype>, dtype) = c10::nullopt;
};

}  // namespace functional
}  // namespace random_embeddings
