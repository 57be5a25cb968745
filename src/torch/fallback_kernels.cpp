// The operators written with torch ops, for every tensor the CPU kernels cannot serve: other
// devices (CUDA users get correct values without a kernel of ours) and meta tensors (shape
// inference). Registered for CompositeExplicitAutograd, so a backend kernel, where there is one,
// takes precedence; exposed as _*_torch_ops too so tests can run them on CPU.
#include <torch/library.h>

#include "checks.h"

namespace random_embeddings::detail {
namespace {

at::Tensor unpack_signs_torch_ops(const at::Tensor& packed_signs, int64_t embedding_dim) {
  TORCH_CHECK_TYPE(packed_signs.scalar_type() == at::kByte,
                   "RandomEmbedding: packed_signs must be uint8, got ", packed_signs.scalar_type());
  TORCH_CHECK_VALUE(
      packed_signs.dim() == 2 && packed_signs.size(1) == core::packed_sign_bytes(embedding_dim),
      "RandomEmbedding: packed_signs must have shape (blocks, ",
      core::packed_sign_bytes(embedding_dim), ") for embedding_dim=", embedding_dim, ", got ",
      packed_signs.sizes());
  const at::Tensor shifts = at::arange(8, packed_signs.options());
  return packed_signs.unsqueeze(-1)
      .bitwise_right_shift(shifts)
      .bitwise_and(1)
      .reshape({packed_signs.size(0), -1})
      .slice(1, 0, embedding_dim)
      .to(at::kBool);
}

at::Tensor pack_signs_torch_ops(const at::Tensor& rand_signs) {
  TORCH_CHECK_TYPE(rand_signs.scalar_type() == at::kBool,
                   "RandomEmbedding: rand_signs must be bool, got ", rand_signs.scalar_type());
  TORCH_CHECK_VALUE(rand_signs.dim() == 2, "RandomEmbedding: rand_signs must be 2-D, got shape ",
                    rand_signs.sizes());
  const int64_t rows = rand_signs.size(0), d = rand_signs.size(1);
  const int64_t bytes = core::packed_sign_bytes(d);
  const at::Tensor bits =
      at::constant_pad_nd(rand_signs.to(at::kByte), {0, bytes * 8 - d}).view({rows, bytes, 8});
  const at::Tensor weights = at::arange(8, rand_signs.options().dtype(at::kByte));
  return bits.bitwise_left_shift(weights).sum(-1, false, at::kByte);
}

void check_range_torch_ops(const at::Tensor& indices, int64_t num_embeddings) {
  if (indices.is_meta() || indices.numel() == 0) return;
  const at::Tensor bad = indices.lt(0).logical_or(indices.ge(num_embeddings));
  if (bad.any().item<bool>()) {
    throw_index_error(indices.masked_select(bad)[0].item<int64_t>(), num_embeddings);
  }
}

// Float32 rows, max_norm applied, padding not applied.
at::Tensor rows_torch_ops(const at::Tensor& rand_weight, const at::Tensor& packed_signs,
                          const at::Tensor& indices, c10::optional<double> max_norm,
                          double norm_type) {
  const int64_t d = rand_weight.size(1);
  const at::Tensor block = indices.div(d, "floor");
  const at::Tensor cols =
      (indices.remainder(d).unsqueeze(-1) - at::arange(d, indices.options())).remainder(d);
  const at::Tensor signs = unpack_signs_torch_ops(packed_signs, d).to(at::kFloat) * 2.0 - 1.0;
  at::Tensor rows = rand_weight.index({block.unsqueeze(-1), cols}) * signs.index({block});
  if (max_norm.has_value()) {
    const at::Tensor norms = rows.norm(norm_type, {-1}, /*keepdim=*/true);
    rows = rows * at::where(norms.gt(*max_norm), *max_norm / (norms + 1e-7), at::ones_like(norms));
  }
  return rows;
}

at::Tensor embedding_torch_ops(const at::Tensor& rand_weight, const at::Tensor& packed_signs,
                               int64_t num_embeddings, const at::Tensor& indices,
                               c10::optional<int64_t> padding_idx, c10::optional<double> max_norm,
                               double norm_type, c10::optional<at::ScalarType> dtype) {
  const auto [pad, out_dtype] =
      check_lookup_args(rand_weight, packed_signs, num_embeddings, indices, padding_idx, dtype);
  const at::Tensor idx = indices.to(at::kLong);
  check_range_torch_ops(idx, num_embeddings);
  at::Tensor rows = rows_torch_ops(rand_weight, packed_signs, idx, max_norm, norm_type);
  if (pad >= 0) rows = rows.masked_fill(idx.eq(pad).unsqueeze(-1), 0.0);
  return rows.to(out_dtype);
}

at::Tensor embedding_bag_torch_ops(const at::Tensor& rand_weight, const at::Tensor& packed_signs,
                                   int64_t num_embeddings, const at::Tensor& indices,
                                   const c10::optional<at::Tensor>& offsets,
                                   c10::string_view mode_name,
                                   const c10::optional<at::Tensor>& per_sample_weights,
                                   bool include_last_offset, c10::optional<int64_t> padding_idx,
                                   c10::optional<double> max_norm, double norm_type,
                                   c10::optional<at::ScalarType> dtype) {
  const auto [pad, out_dtype] =
      check_lookup_args(rand_weight, packed_signs, num_embeddings, indices, padding_idx, dtype);
  const BagMode mode = check_bag_args(mode_name, indices, per_sample_weights);
  const int64_t d = rand_weight.size(1);
  const bool has_weights = per_sample_weights.has_value() && per_sample_weights->defined();
  if (indices.is_meta()) {
    TORCH_CHECK_VALUE(indices.dim() == 1 || indices.dim() == 2,
                      "RandomEmbeddingBag: input must be 1-D or 2-D, got ", indices.dim(), "-D");
    const int64_t bags = indices.dim() == 2
                             ? indices.size(0)
                             : offsets.value().size(0) - (include_last_offset ? 1 : 0);
    return at::empty({bags, d}, rand_weight.options().dtype(out_dtype));
  }
  const std::vector<int64_t> starts = bag_starts(indices, offsets, include_last_offset);
  const at::Tensor idx = indices.to(at::kLong).reshape(-1);
  check_range_torch_ops(idx, num_embeddings);
  const int64_t count = idx.numel();
  // Rows in input order plus one zero row; padding positions point at the zero row, which
  // at::embedding_bag then skips as its own padding_idx.
  const at::Tensor rows =
      at::cat({rows_torch_ops(rand_weight, packed_signs, idx, max_norm, norm_type),
               at::zeros({1, d}, rand_weight.options())});
  at::Tensor positions = at::arange(count, idx.options());
  if (pad >= 0) positions = at::where(idx.eq(pad), at::full_like(positions, count), positions);
  const at::Tensor bag_offsets =
      at::tensor(std::vector<int64_t>(starts.begin(), starts.end() - 1), idx.options());
  const c10::optional<at::Tensor> weights =
      has_weights ? c10::optional<at::Tensor>(per_sample_weights->reshape(-1).to(at::kFloat))
                  : c10::nullopt;
  const int64_t mode_code = mode == BagMode::kSum ? 0 : mode == BagMode::kMean ? 1 : 2;
  at::Tensor out = std::get<0>(at::embedding_bag(rows, positions, bag_offsets, false, mode_code,
                                                 false, weights, false, count));
  return out.to(out_dtype);
}

}  // namespace
}  // namespace random_embeddings::detail

TORCH_LIBRARY_FRAGMENT(random_embeddings, m) {
  m.def("_embedding_torch_ops", &random_embeddings::detail::embedding_torch_ops);
  m.def("_embedding_bag_torch_ops", &random_embeddings::detail::embedding_bag_torch_ops);
}

TORCH_LIBRARY_IMPL(random_embeddings, CompositeExplicitAutograd, m) {
  m.impl("embedding", &random_embeddings::detail::embedding_torch_ops);
  m.impl("embedding_bag", &random_embeddings::detail::embedding_bag_torch_ops);
  m.impl("pack_signs", &random_embeddings::detail::pack_signs_torch_ops);
  m.impl("unpack_signs", &random_embeddings::detail::unpack_signs_torch_ops);
}

// Nothing here is differentiable; torch 1.13 has no autograd fallthrough for meta tensors.
TORCH_LIBRARY_IMPL(random_embeddings, AutogradMeta, m) {
  for (const char* name : {"embedding", "embedding_bag", "pack_signs", "unpack_signs"}) {
    m.impl(name, torch::CppFunction::makeFallthrough());
  }
}
