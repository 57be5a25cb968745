// Operator schemas (one TORCH_LIBRARY for the project), the backend-free construction op, and the
// typed C++ entry points that call through the dispatcher.
#include "random_embeddings/torch/ops.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/library.h>

#include <cmath>

#include "random_embeddings/core/circulant.h"

namespace random_embeddings::ops {
namespace {

void check_construction_args(int64_t num_embeddings, int64_t embedding_dim,
                             double avg_embedding_norm) {
  TORCH_CHECK_VALUE(num_embeddings >= 1, "RandomEmbedding: num_embeddings must be at least 1, got ",
                    num_embeddings);
  TORCH_CHECK_VALUE(embedding_dim >= 1, "RandomEmbedding: embedding_dim must be at least 1, got ",
                    embedding_dim);
  TORCH_CHECK_VALUE(std::isfinite(avg_embedding_norm) && avg_embedding_norm > 0.0,
                    "RandomEmbedding: avg_embedding_norm must be a finite number greater than 0, "
                    "got ",
                    avg_embedding_norm);
}

// The draw order and the ops are those of the original module, so the same torch.manual_seed
// gives the same bits in Python and C++.
std::tuple<at::Tensor, at::Tensor> init_params_impl(int64_t num_embeddings, int64_t embedding_dim,
                                                    double avg_embedding_norm,
                                                    c10::optional<at::Generator> generator) {
  check_construction_args(num_embeddings, embedding_dim, avg_embedding_norm);
  const int64_t n = num_embeddings;
  const int64_t d = embedding_dim;
  const int64_t b = core::num_blocks(n, d);
  at::Tensor rand_weight = at::randn({b, d}, generator, at::TensorOptions().dtype(at::kFloat));
  const at::Tensor full_blocks_norm =
      at::sum(at::frobenius_norm(rand_weight.slice(0, 0, b - 1), {1}, false));
  const at::Tensor last_block_norm = at::frobenius_norm(rand_weight.select(0, b - 1), {}, false);
  const at::Tensor current_avg_norm =
      (full_blocks_norm * d + last_block_norm * (n - (b - 1) * d)) / n;
  rand_weight.mul_(avg_embedding_norm / current_avg_norm.item<double>());
  const at::Tensor rand_signs =
      at::randint(2, {b, d}, generator, at::TensorOptions().dtype(at::kBool));
  return {rand_weight, pack_signs(rand_signs)};
}

template <typename Signature>
c10::TypedOperatorHandle<Signature> find_op(const char* name) {
  return c10::Dispatcher::singleton().findSchemaOrThrow(name, "").typed<Signature>();
}

}  // namespace

const char* version() { return RANDOM_EMBEDDINGS_VERSION; }

std::tuple<at::Tensor, at::Tensor> init_params(int64_t num_embeddings, int64_t embedding_dim,
                                               double avg_embedding_norm,
                                               c10::optional<at::Generator> generator) {
  static const auto op = find_op<decltype(init_params)>("random_embeddings::init_params");
  return op.call(num_embeddings, embedding_dim, avg_embedding_norm, std::move(generator));
}

at::Tensor pack_signs(const at::Tensor& rand_signs) {
  static const auto op = find_op<decltype(pack_signs)>("random_embeddings::pack_signs");
  return op.call(rand_signs);
}

at::Tensor unpack_signs(const at::Tensor& packed_signs, int64_t embedding_dim) {
  static const auto op = find_op<decltype(unpack_signs)>("random_embeddings::unpack_signs");
  return op.call(packed_signs, embedding_dim);
}

at::Tensor embedding(const at::Tensor& rand_weight, const at::Tensor& packed_signs,
                     int64_t num_embeddings, const at::Tensor& indices,
                     c10::optional<int64_t> padding_idx, c10::optional<double> max_norm,
                     double norm_type, c10::optional<at::ScalarType> dtype) {
  static const auto op = find_op<decltype(embedding)>("random_embeddings::embedding");
  return op.call(rand_weight, packed_signs, num_embeddings, indices, padding_idx, max_norm,
                 norm_type, dtype);
}

at::Tensor embedding_bag(const at::Tensor& rand_weight, const at::Tensor& packed_signs,
                         int64_t num_embeddings, const at::Tensor& indices,
                         const c10::optional<at::Tensor>& offsets, c10::string_view mode,
                         const c10::optional<at::Tensor>& per_sample_weights,
                         bool include_last_offset, c10::optional<int64_t> padding_idx,
                         c10::optional<double> max_norm, double norm_type,
                         c10::optional<at::ScalarType> dtype) {
  static const auto op = find_op<decltype(embedding_bag)>("random_embeddings::embedding_bag");
  return op.call(rand_weight, packed_signs, num_embeddings, indices, offsets, mode,
                 per_sample_weights, include_last_offset, padding_idx, max_norm, norm_type, dtype);
}

}  // namespace random_embeddings::ops

TORCH_LIBRARY(random_embeddings, m) {
  m.def(
      "init_params(int num_embeddings, int embedding_dim, float avg_embedding_norm=1., "
      "Generator? generator=None) -> (Tensor rand_weight, Tensor packed_signs)",
      &random_embeddings::ops::init_params_impl);
  m.def("pack_signs(Tensor rand_signs) -> Tensor");
  m.def("unpack_signs(Tensor packed_signs, int embedding_dim) -> Tensor");
  m.def(
      "embedding(Tensor rand_weight, Tensor packed_signs, int num_embeddings, Tensor indices, "
      "int? padding_idx=None, float? max_norm=None, float norm_type=2., "
      "ScalarType? dtype=None) -> Tensor");
  m.def(
      "embedding_bag(Tensor rand_weight, Tensor packed_signs, int num_embeddings, Tensor indices, "
      "Tensor? offsets=None, str mode=\"mean\", Tensor? per_sample_weights=None, "
      "bool include_last_offset=False, int? padding_idx=None, float? max_norm=None, "
      "float norm_type=2., ScalarType? dtype=None) -> Tensor");
}
