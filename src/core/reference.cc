// Scalar references: the SPEC formula, element by element, with nothing clever in it.
#include <algorithm>

#include "random_embeddings/core/circulant.h"

namespace random_embeddings::core {
namespace {

float element_ref(const CirculantView& view, int64_t i, int64_t k) {
  const int64_t d = view.embedding_dim;
  const int64_t q = i / d;
  const int64_t r = i % d;
  const float v = view.block_vectors[q * d + ((r - k) % d + d) % d];
  const bool positive = (view.packed_signs[q * view.sign_bytes() + k / 8] >> (k % 8)) & 1;
  return positive ? v : -v;
}

template <typename Index>
void lookup_rows_ref_impl(const CirculantView& view, const Index* indices, int64_t count,
                          float* out) {
  const int64_t d = view.embedding_dim;
  for (int64_t t = 0; t < count; ++t) {
    for (int64_t k = 0; k < d; ++k) out[t * d + k] = element_ref(view, indices[t], k);
  }
}

template <typename Index>
int64_t reduce_bag_ref_impl(const CirculantView& view, const Index* indices, int64_t count,
                            const float* weights, int64_t skip_index, bool max_mode, float* out) {
  const int64_t d = view.embedding_dim;
  std::fill(out, out + d, 0.0f);
  int64_t reduced = 0;
  for (int64_t t = 0; t < count; ++t) {
    if (indices[t] == skip_index) continue;
    for (int64_t k = 0; k < d; ++k) {
      const float value = element_ref(view, indices[t], k);
      if (max_mode) {
        out[k] = reduced == 0 ? value : std::max(out[k], value);
      } else {
        out[k] += (weights ? weights[t] : 1.0f) * value;
      }
    }
    ++reduced;
  }
  return reduced;
}

}  // namespace

void lookup_rows_ref(const CirculantView& view, const int64_t* indices, int64_t count, float* out) {
  lookup_rows_ref_impl(view, indices, count, out);
}
void lookup_rows_ref(const CirculantView& view, const int32_t* indices, int64_t count, float* out) {
  lookup_rows_ref_impl(view, indices, count, out);
}
int64_t reduce_bag_ref(const CirculantView& view, const int64_t* indices, int64_t count,
                       const float* weights, int64_t skip_index, bool max_mode, float* out) {
  return reduce_bag_ref_impl(view, indices, count, weights, skip_index, max_mode, out);
}
int64_t reduce_bag_ref(const CirculantView& view, const int32_t* indices, int64_t count,
                       const float* weights, int64_t skip_index, bool max_mode, float* out) {
  return reduce_bag_ref_impl(view, indices, count, weights, skip_index, max_mode, out);
}

}  // namespace random_embeddings::core
