// Argument checks shared by every backend's kernels: each names the value and the allowed range.
#pragma once

#include <ATen/ATen.h>
#include <c10/util/string_view.h>

#include <string>
#include <vector>

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
  TORCH_CHECK_TYPE(
      dtype == at::kFloat || dtype == at::kDouble || dtype == at::kHalf || dtype == at::kBFloat16,
      "RandomEmbedding: dtype must be float32, float64, float16 or bfloat16, got ", dtype);
}

[[noreturn]] inline void throw_index_error(int64_t index, int64_t num_embeddings) {
  TORCH_CHECK_INDEX(false, "RandomEmbedding: index ", index,
                    " is out of range: indices must be in [0, ", num_embeddings,
                    ") for num_embeddings=", num_embeddings);
}

enum class BagMode { kSum, kMean, kMax };

inline BagMode parse_mode(c10::string_view mode) {
  if (mode == "sum") return BagMode::kSum;
  if (mode == "mean") return BagMode::kMean;
  TORCH_CHECK_VALUE(mode == "max", "RandomEmbeddingBag: mode must be 'sum', 'mean' or 'max', got '",
                    std::string(mode), "'");
  return BagMode::kMax;
}

// The checks every backend's embedding and embedding_bag kernel starts with.
struct LookupArgs {
  int64_t padding_idx;  // in [0, n), or -1 for none
  at::ScalarType out_dtype;
};

inline LookupArgs check_lookup_args(const at::Tensor& rand_weight, const at::Tensor& packed_signs,
                                    int64_t num_embeddings, const at::Tensor& indices,
                                    c10::optional<int64_t> padding_idx,
                                    c10::optional<at::ScalarType> dtype) {
  check_params(rand_weight, packed_signs, num_embeddings);
  check_index_dtype(indices);
  const at::ScalarType out_dtype = dtype.value_or(at::kFloat);
  check_output_dtype(out_dtype);
  return {normalized_padding_idx(padding_idx, num_embeddings), out_dtype};
}

// The bag's mode, and per_sample_weights (mode "sum" only, floating, shaped like indices).
inline BagMode check_bag_args(c10::string_view mode_name, const at::Tensor& indices,
                              const c10::optional<at::Tensor>& per_sample_weights) {
  const BagMode mode = parse_mode(mode_name);
  if (!per_sample_weights.has_value() || !per_sample_weights->defined()) return mode;
  TORCH_CHECK_VALUE(mode == BagMode::kSum,
                    "RandomEmbeddingBag: per_sample_weights is only supported for mode='sum', "
                    "got mode='",
                    std::string(mode_name), "'");
  TORCH_CHECK_TYPE(at::isFloatingType(per_sample_weights->scalar_type()),
                   "RandomEmbeddingBag: per_sample_weights must be floating point, got ",
                   per_sample_weights->scalar_type());
  TORCH_CHECK_VALUE(per_sample_weights->sizes() == indices.sizes(),
                    "RandomEmbeddingBag: per_sample_weights must have the shape of input ",
                    indices.sizes(), ", got ", per_sample_weights->sizes());
  return mode;
}

// Bag b covers indices [starts[b], starts[b + 1]).
inline std::vector<int64_t> bag_starts(const at::Tensor& indices,
                                       const c10::optional<at::Tensor>& offsets,
                                       bool include_last_offset) {
  const int64_t count = indices.numel();
  if (indices.dim() == 2) {
    TORCH_CHECK_VALUE(!offsets.has_value() || !offsets->defined(),
                      "RandomEmbeddingBag: offsets must be None when input is 2-D (each row is a "
                      "bag), got a tensor of shape ",
                      offsets->sizes());
    const int64_t bags = indices.size(0), length = indices.size(1);
    std::vector<int64_t> starts(static_cast<size_t>(bags + 1));
    for (int64_t b = 0; b <= bags; ++b) starts[b] = b * length;
    return starts;
  }
  TORCH_CHECK_VALUE(indices.dim() == 1, "RandomEmbeddingBag: input must be 1-D or 2-D, got ",
                    indices.dim(), "-D");
  TORCH_CHECK_VALUE(offsets.has_value() && offsets->defined(),
                    "RandomEmbeddingBag: offsets must be given when input is 1-D");
  TORCH_CHECK_VALUE(offsets->dim() == 1, "RandomEmbeddingBag: offsets must be 1-D, got shape ",
                    offsets->sizes());
  TORCH_CHECK_TYPE(offsets->scalar_type() == at::kLong || offsets->scalar_type() == at::kInt,
                   "RandomEmbeddingBag: offsets must be int64 or int32, got ",
                   offsets->scalar_type());
  const at::Tensor offs = offsets->to(at::kCPU, at::kLong).contiguous();
  const int64_t* o = offs.data_ptr<int64_t>();
  const int64_t m = offs.numel();
  TORCH_CHECK_VALUE(!include_last_offset || m >= 1,
                    "RandomEmbeddingBag: with include_last_offset, offsets needs at least 1 entry");
  std::vector<int64_t> starts(o, o + m);
  if (!include_last_offset) starts.push_back(count);
  if (m > 0) {
    TORCH_CHECK_VALUE(o[0] == 0, "RandomEmbeddingBag: offsets[0] must be 0, got ", o[0]);
  }
  for (size_t b = 0; b + 1 < starts.size(); ++b) {
    TORCH_CHECK_VALUE(starts[b] <= starts[b + 1] && starts[b + 1] <= count,
                      "RandomEmbeddingBag: offsets must be non-decreasing and within [0, ", count,
                      "], got offsets[", b + 1, "] = ", starts[b + 1], " after ", starts[b]);
  }
  return starts;
}

}  // namespace random_embeddings::detail
