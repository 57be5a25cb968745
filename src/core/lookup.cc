// Portable single-threaded kernels; replaced by the Highway SIMD version.
#include <algorithm>
#include <cstring>

#include "random_embeddings/core/circulant.h"

namespace random_embeddings::core {
namespace {

// Writes row r of block q: out[k] = v[(r - k) mod d], negated where the sign bit is clear.
void write_row(const CirculantView& view, int64_t i, float* out) {
  const int64_t d = view.embedding_dim;
  const int64_t q = i / d;
  const int64_t r = i - q * d;
  const float* v = view.block_vectors + q * d;
  const uint8_t* bits = view.packed_signs + q * view.sign_bytes();
  for (int64_t k = 0; k <= r; ++k) out[k] = v[r - k];
  for (int64_t k = r + 1; k < d; ++k) out[k] = v[d + r - k];
  for (int64_t k = 0; k < d; ++k) {
    uint32_t word;
    std::memcpy(&word, out + k, sizeof(word));
    word ^= static_cast<uint32_t>(((bits[k >> 3] >> (k & 7)) & 1u) ^ 1u) << 31;
    std::memcpy(out + k, &word, sizeof(word));
  }
}

template <typename Index>
void lookup_rows_impl(const CirculantView& view, const Index* indices, int64_t count, float* out) {
  for (int64_t t = 0; t < count; ++t) write_row(view, indices[t], out + t * view.embedding_dim);
}

template <typename Index>
int64_t reduce_bag_impl(const CirculantView& view, const Index* indices, int64_t count,
                        const float* weights, int64_t skip_index, bool max_mode, float* out) {
  const int64_t d = view.embedding_dim;
  std::fill(out, out + d, 0.0f);
  float row[4096];
  float* scratch = d <= 4096 ? row : new float[d];
  int64_t reduced = 0;
  for (int64_t t = 0; t < count; ++t) {
    if (indices[t] == skip_index) continue;
    write_row(view, indices[t], scratch);
    const float w = weights ? weights[t] : 1.0f;
    for (int64_t k = 0; k < d; ++k) {
      out[k] = max_mode ? (reduced == 0 ? scratch[k] : std::max(out[k], scratch[k]))
                        : out[k] + w * scratch[k];
    }
    ++reduced;
  }
  if (scratch != row) delete[] scratch;
  return reduced;
}

}  // namespace

void lookup_rows(const CirculantView& view, const int64_t* indices, int64_t count, float* out) {
  lookup_rows_impl(view, indices, count, out);
}
void lookup_rows(const CirculantView& view, const int32_t* indices, int64_t count, float* out) {
  lookup_rows_impl(view, indices, count, out);
}
int64_t reduce_bag(const CirculantView& view, const int64_t* indices, int64_t count,
                   const float* weights, int64_t skip_index, bool max_mode, float* out) {
  return reduce_bag_impl(view, indices, count, weights, skip_index, max_mode, out);
}
int64_t reduce_bag(const CirculantView& view, const int32_t* indices, int64_t count,
                   const float* weights, int64_t skip_index, bool max_mode, float* out) {
  return reduce_bag_impl(view, indices, count, weights, skip_index, max_mode, out);
}

}  // namespace random_embeddings::core
