// The registered operators, callable from C++ through the dispatcher. Python reaches the same
// kernels as torch.ops.random_embeddings.<name>; TorchScript records calls to them.
#pragma once

#include <ATen/ATen.h>
#include <c10/util/Optional.h>
#include <c10/util/string_view.h>

#include <tuple>

namespace random_embeddings::ops {

// The library's version. A program that reaches the operators only through TorchScript calls
// this (as torchvision's users call vision::cuda_version()) so that the linker keeps the library,
// whose loading registers the operators.
const char* version();

// Draws the parameters exactly as SPEC.md says: randn(b, d) scaled to average row norm c, then
// randint(2, (b, d), bool) packed to bits. Returns (rand_weight float32 b x d,
// packed_signs uint8 b x ceil(d / 8)). Throws c10::ValueError for n < 1, d < 1 or c not finite > 0.
std::tuple<at::Tensor, at::Tensor> init_params(
    int64_t num_embeddings, int64_t embedding_dim, double avg_embedding_norm = 1.0,
    c10::optional<at::Generator> generator = c10::nullopt);

// bool b x d <-> uint8 b x ceil(d / 8), least significant bit first.
at::Tensor pack_signs(const at::Tensor& rand_signs);
at::Tensor unpack_signs(const at::Tensor& packed_signs, int64_t embedding_dim);

// Rows of the n x d random circulant matrix for integer indices of any shape:
// output shape indices.shape + (d,). padding_idx (in [-n, n)) gives zero rows; rows whose
// norm_type-norm exceeds max_norm are scaled by max_norm / (norm + 1e-7); dtype converts the
// float32 values once (float32 by default).
at::Tensor embedding(const at::Tensor& rand_weight, const at::Tensor& packed_signs,
                     int64_t num_embeddings, const at::Tensor& indices,
                     c10::optional<int64_t> padding_idx = c10::nullopt,
                     c10::optional<double> max_norm = c10::nullopt, double norm_type = 2.0,
                     c10::optional<at::ScalarType> dtype = c10::nullopt);

// Sums, means or maxima of bags of rows, in one pass from the parameters (no dense table, no
// T x d intermediate). 2-D indices: each row is a bag (offsets must be empty). 1-D indices: bag b
// starts at offsets[b] (include_last_offset: offsets has one more entry, the end). mode is
// "sum", "mean" or "max"; per_sample_weights (mode "sum") scales each row; padding_idx rows are
// skipped (and not counted by "mean"); an empty bag is zeros. Output: (bags, d).
at::Tensor embedding_bag(const at::Tensor& rand_weight, const at::Tensor& packed_signs,
                         int64_t num_embeddings, const at::Tensor& indices,
                         const c10::optional<at::Tensor>& offsets = c10::nullopt,
                         c10::string_view mode = "mean",
                         const c10::optional<at::Tensor>& per_sample_weights = c10::nullopt,
                         bool include_last_offset = false,
                         c10::optional<int64_t> padding_idx = c10::nullopt,
                         c10::optional<double> max_norm = c10::nullopt, double norm_type = 2.0,
                         c10::optional<at::ScalarType> dtype = c10::nullopt);

}  // namespace random_embeddings::ops
