// CPU kernels: check everything, then hand raw pointers to the torch-free core.
#include <ATen/Parallel.h>
#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>
#include <torch/library.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "checks.h"
#include "random_embeddings/core/circulant.h"

namespace random_embeddings::detail {
namespace {

// Below this many output floats per task the work stays on one thread.
constexpr int64_t kFloatsPerTask = 32768;
// Rows converted per step when the output dtype is not float32.
constexpr int64_t kConvertRows = 64;

core::CirculantView make_view(const at::Tensor& rand_weight, const at::Tensor& packed_signs,
                              int64_t num_embeddings) {
  return {rand_weight.data_ptr<float>(), packed_signs.data_ptr<uint8_t>(), num_embeddings,
          rand_weight.size(1)};
}

template <typename Index>
void check_range(const Index* indices, int64_t count, int64_t num_embeddings) {
  Index lo = 0, hi = 0;
  for (int64_t t = 0; t < count; ++t) {
    lo = std::min(lo, indices[t]);
    hi = std::max(hi, indices[t]);
  }
  if (lo >= 0 && hi < num_embeddings) return;
  const Index* bad = std::find_if(indices, indices + count, [&](Index i) {
    return i < 0 || static_cast<int64_t>(i) >= num_embeddings;
  });
  throw_index_error(static_cast<int64_t>(*bad), num_embeddings);
}

double row_norm(const float* row, int64_t d, double norm_type) {
  double acc = 0.0;
  if (std::isinf(norm_type)) {
    for (int64_t k = 0; k < d; ++k) acc = std::max(acc, std::fabs(static_cast<double>(row[k])));
    return acc;
  }
  if (norm_type == 0.0) {
    for (int64_t k = 0; k < d; ++k) acc += row[k] != 0.0f;
    return acc;
  }
  if (norm_type == 2.0) {
    for (int64_t k = 0; k < d; ++k) acc += static_cast<double>(row[k]) * row[k];
    return std::sqrt(acc);
  }
  for (int64_t k = 0; k < d; ++k)
    acc += std::pow(std::fabs(static_cast<double>(row[k])), norm_type);
  return std::pow(acc, 1.0 / norm_type);
}

struct RowOptions {
  int64_t padding_idx;  // -1: none
  c10::optional<double> max_norm;
  double norm_type;
};

// Fills count float32 rows for indices, then applies padding and max_norm in place.
template <typename Index>
void fill_rows(const core::CirculantView& view, const Index* indices, int64_t count,
               const RowOptions& options, float* out) {
  const int64_t d = view.embedding_dim;
  core::lookup_rows(view, indices, count, out);
  for (int64_t t = 0; t < count; ++t) {
    float* row = out + t * d;
    if (indices[t] == options.padding_idx) {
      std::fill(row, row + d, 0.0f);
    } else if (options.max_norm.has_value()) {
      const double norm = row_norm(row, d, options.norm_type);
      if (norm > *options.max_norm) {
        const float scale = static_cast<float>(*options.max_norm / (norm + 1e-7));
        for (int64_t k = 0; k < d; ++k) row[k] *= scale;
      }
    }
  }
}

template <typename Index, typename Out>
void fill_rows_as(const core::CirculantView& view, const Index* indices, int64_t count,
                  const RowOptions& options, Out* out) {
  const int64_t d = view.embedding_dim;
  std::vector<float> buffer(static_cast<size_t>(std::min(count, kConvertRows) * d));
  for (int64_t start = 0; start < count; start += kConvertRows) {
    const int64_t rows = std::min(kConvertRows, count - start);
    fill_rows(view, indices + start, rows, options, buffer.data());
    std::transform(buffer.begin(), buffer.begin() + rows * d, out + start * d,
                   [](float v) { return static_cast<Out>(v); });
  }
}

// float32 output needs no conversion buffer.
template <typename Index>
void fill_rows_as(const core::CirculantView& view, const Index* indices, int64_t count,
                  const RowOptions& options, float* out) {
  fill_rows(view, indices, count, options, out);
}

at::Tensor embedding_cpu(const at::Tensor& rand_weight, const at::Tensor& packed_signs,
                         int64_t num_embeddings, const at::Tensor& indices,
                         c10::optional<int64_t> padding_idx, c10::optional<double> max_norm,
                         double norm_type, c10::optional<at::ScalarType> dtype) {
  const LookupArgs args =
      check_lookup_args(rand_weight, packed_signs, num_embeddings, indices, padding_idx, dtype);
  const at::ScalarType out_dtype = args.out_dtype;
  const RowOptions options{args.padding_idx, max_norm, norm_type};
  const at::Tensor weight = rand_weight.contiguous();
  const at::Tensor signs = packed_signs.contiguous();
  const at::Tensor idx = indices.contiguous();
  const int64_t d = weight.size(1);
  std::vector<int64_t> out_sizes = indices.sizes().vec();
  out_sizes.push_back(d);
  at::Tensor out = at::empty(out_sizes, weight.options().dtype(out_dtype));
  const int64_t count = idx.numel();
  if (count == 0) return out;
  const core::CirculantView view = make_view(weight, signs, num_embeddings);
  const int64_t grain = std::max<int64_t>(1, kFloatsPerTask / d);
  AT_DISPATCH_INDEX_TYPES(idx.scalar_type(), "random_embeddings::embedding", [&] {
    const index_t* index_data = idx.data_ptr<index_t>();
    check_range(index_data, count, num_embeddings);
    AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, out_dtype, "embedding_out", [&] {
      scalar_t* out_data = out.data_ptr<scalar_t>();
      at::parallel_for(0, count, grain, [&](int64_t begin, int64_t end) {
        fill_rows_as(view, index_data + begin, end - begin, options, out_data + begin * d);
      });
    });
  });
  return out;
}

// One bag with max_norm: each row is renormed before it is reduced, as torch does to its table.
template <typename Index>
int64_t reduce_bag_renormed(const core::CirculantView& view, const Index* indices, int64_t count,
                            const float* weights, const RowOptions& options, bool max_mode,
                            float* row, float* out) {
  const int64_t d = view.embedding_dim;
  std::fill(out, out + d, 0.0f);
  int64_t reduced = 0;
  for (int64_t t = 0; t < count; ++t) {
    if (indices[t] == options.padding_idx) continue;
    fill_rows(view, indices + t, 1, options, row);
    for (int64_t k = 0; k < d; ++k) {
      out[k] = max_mode ? (reduced == 0 ? row[k] : std::max(out[k], row[k]))
                        : out[k] + (weights ? weights[t] : 1.0f) * row[k];
    }
    ++reduced;
  }
  return reduced;
}

at::Tensor embedding_bag_cpu(const at::Tensor& rand_weight, const at::Tensor& packed_signs,
                             int64_t num_embeddings, const at::Tensor& indices,
                             const c10::optional<at::Tensor>& offsets, c10::string_view mode_name,
                             const c10::optional<at::Tensor>& per_sample_weights,
                             bool include_last_offset, c10::optional<int64_t> padding_idx,
                             c10::optional<double> max_norm, double norm_type,
                             c10::optional<at::ScalarType> dtype) {
  const LookupArgs args =
      check_lookup_args(rand_weight, packed_signs, num_embeddings, indices, padding_idx, dtype);
  const at::ScalarType out_dtype = args.out_dtype;
  const BagMode mode = check_bag_args(mode_name, indices, per_sample_weights);
  const RowOptions options{args.padding_idx, max_norm, norm_type};
  const std::vector<int64_t> starts = bag_starts(indices, offsets, include_last_offset);
  const at::Tensor idx = indices.contiguous().view(-1);
  at::Tensor weights;
  if (per_sample_weights.has_value() && per_sample_weights->defined()) {
    weights = per_sample_weights->to(at::kCPU, at::kFloat).contiguous().view(-1);
  }
  const at::Tensor weight = rand_weight.contiguous();
  const at::Tensor signs = packed_signs.contiguous();
  const int64_t d = weight.size(1);
  const int64_t bags = static_cast<int64_t>(starts.size()) - 1;
  at::Tensor out = at::empty({bags, d}, weight.options().dtype(out_dtype));
  if (bags == 0) return out;
  const core::CirculantView view = make_view(weight, signs, num_embeddings);
  const int64_t count = idx.numel();
  const int64_t grain =
      std::max<int64_t>(1, kFloatsPerTask / (d * std::max<int64_t>(1, count / bags)));
  AT_DISPATCH_INDEX_TYPES(idx.scalar_type(), "random_embeddings::embedding_bag", [&] {
    const index_t* index_data = idx.data_ptr<index_t>();
    check_range(index_data, count, num_embeddings);
    const float* weight_data = weights.defined() ? weights.data_ptr<float>() : nullptr;
    AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, out_dtype, "embedding_bag_out", [&] {
      scalar_t* out_data = out.data_ptr<scalar_t>();
      at::parallel_for(0, bags, grain, [&](int64_t begin, int64_t end) {
        std::vector<float> acc(static_cast<size_t>(d)), row(static_cast<size_t>(d));
        for (int64_t b = begin; b < end; ++b) {
          const int64_t first = starts[b], size = starts[b + 1] - starts[b];
          const float* w = weight_data ? weight_data + first : nullptr;
          const int64_t reduced =
              max_norm.has_value()
                  ? reduce_bag_renormed(view, index_data + first, size, w, options,
                                        mode == BagMode::kMax, row.data(), acc.data())
                  : core::reduce_bag(view, index_data + first, size, w, options.padding_idx,
                                     mode == BagMode::kMax, acc.data());
          if (mode == BagMode::kMean && reduced > 1) {
            for (float& v : acc) v /= static_cast<float>(reduced);
          }
          std::transform(acc.begin(), acc.end(), out_data + b * d,
                         [](float v) { return static_cast<scalar_t>(v); });
        }
      });
    });
  });
  return out;
}

at::Tensor pack_signs_cpu(const at::Tensor& rand_signs) {
  TORCH_CHECK_TYPE(rand_signs.scalar_type() == at::kBool,
                   "RandomEmbedding: rand_signs must be bool, got ", rand_signs.scalar_type());
  TORCH_CHECK_VALUE(rand_signs.dim() == 2, "RandomEmbedding: rand_signs must be 2-D, got shape ",
                    rand_signs.sizes());
  const at::Tensor signs = rand_signs.contiguous();
  const int64_t rows = signs.size(0), d = signs.size(1);
  at::Tensor packed =
      at::empty({rows, core::packed_sign_bytes(d)}, signs.options().dtype(at::kByte));
  core::pack_signs(signs.data_ptr<bool>(), rows, d, packed.data_ptr<uint8_t>());
  return packed;
}

at::Tensor unpack_signs_cpu(const at::Tensor& packed_signs, int64_t embedding_dim) {
  TORCH_CHECK_TYPE(packed_signs.scalar_type() == at::kByte,
                   "RandomEmbedding: packed_signs must be uint8, got ", packed_signs.scalar_type());
  TORCH_CHECK_VALUE(embedding_dim >= 1, "RandomEmbedding: embedding_dim must be at least 1, got ",
                    embedding_dim);
  TORCH_CHECK_VALUE(
      packed_signs.dim() == 2 && packed_signs.size(1) == core::packed_sign_bytes(embedding_dim),
      "RandomEmbedding: packed_signs must have shape (blocks, ",
      core::packed_sign_bytes(embedding_dim), ") for embedding_dim=", embedding_dim, ", got ",
      packed_signs.sizes());
  const at::Tensor packed = packed_signs.contiguous();
  at::Tensor signs = at::empty({packed.size(0), embedding_dim}, packed.options().dtype(at::kBool));
  core::unpack_signs(packed.data_ptr<uint8_t>(), packed.size(0), embedding_dim,
                     signs.data_ptr<bool>());
  return signs;
}

}  // namespace
}  // namespace random_embeddings::detail

TORCH_LIBRARY_IMPL(random_embeddings, CPU, m) {
  m.impl("embedding", &random_embeddings::detail::embedding_cpu);
  m.impl("embedding_bag", &random_embeddings::detail::embedding_bag_cpu);
  m.impl("pack_signs", &random_embeddings::detail::pack_signs_cpu);
  m.impl("unpack_signs", &random_embeddings::detail::unpack_signs_cpu);
}
