// Argument checks shared by every backend's kernels: each names the value and the allowed range.
#pragma once

#include <ATen/ATen.h>

#include "random_embeddings/core/circulant.h"

namespace random_embeddings::detail {

inline void check_params(const at::Tensor& rand_weight, const at::Tensor& packed_signs,
                         int64_t num_embeddings) {
  TORCH_CHECK_VALUE(num_embeddings >= 1, "RandomEmbedding: num_embeddings must be at least 1, got ",
                    num_embeddings);
  TORCH_CHECK_TYPE(rand_weight.scalar_type() == at::kFloat,
                   "RandomEmbedding: rand_weight must be float32, got ", rand_weight.scalar_type());
  TORCH_CHECK_VALUE(rand_weight.dim() == 2 && rand_weight.size(1) >= 1,
                    "RandomEmbedding: rand_weight must be 2-D (blocks, embedding_dim), got shape ",
                    rand_weight.sizes());
  const int64_t d = rand_weight.size(1);
  const int64_t b = core::num_blocks(num_embeddings, d);
  TORCH_CHECK_VALUE(rand_weight.size(0) == b, "RandomEmbedding: rand_weight must have ceil(",
                    num_embeddings, " / ", d, ") = ", b, " rows, got ", rand_weight.size(0));
  TORCH_CHECK_TYPE(packed_signs.scalar_type() == at::kByte,
                   "RandomEmbedding: packed_signs must be uint8, got ", packed_signs.scalar_type());
  TORCH_CHECK_VALUE(packed_signs.dim() == 2 && packed_signs.size(0) == b &&
                        packed_signs.size(1) == core::packed_sign_bytes(d),
                    "RandomEmbedding: packed_signs must have shape (", b, ", ",
                    core::packed_sign_bytes(d), "), got ", packed_signs.sizes());
  TORCH_CHECK(rand_weight.device() == packed_signs.device(),
              "RandomEmbedding: rand_weight and packed_signs must be on one device, got ",
              rand_weight.device(), " and ", packed_signs.device());
}

inline void check_index_dtype(const at::Tensor& indices) {
  TORCH_CHECK_TYPE(indices.scalar_type() == at::kLong || indices.scalar_type() == at::kInt,
                   "RandomEmbedding: indices must be an integer tensor (int64 or int32), got ",
                   indices.scalar_type());
}

// Returns padding_idx in [0, n), or -1 when there is none.
inline int64_t normalized_padding_idx(c10::optional<int64_t> padding_idx, int64_t num_embeddings) {
  if (!padding_idx.has_value()) return -1;
  const int64_t p = *padding_idx;
  TORCH_CHECK_VALUE(p >= -num_embeddings && p < num_embeddings,
                    "RandomEmbedding: padding_idx must be within [", -num_embeddings, ", ",
                    num_embeddings, "), got ", p);
  return p < 0 ? p + num_embeddings : p;
}

inline void check_output_dtype(at::ScalarType dtype) {
  TORCH_CHECK_TYPE(dtype == at::kFloat || dtype == at::kDouble || dtype == at::kHalf ||
                       dtype == at::kBFloat16,
                   "RandomEmbedding: dtype must be float32, float64, float16 or bfloat16, got ",
                   dtype);
}

}  // namespace random_embeddings::detail
