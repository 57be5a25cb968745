#include <cstring>

#include "random_embeddings/core/circulant.h"

namespace random_embeddings::core {

void pack_signs(const bool* signs, int64_t rows, int64_t embedding_dim, uint8_t* packed) {
  const int64_t bytes = packed_sign_bytes(embedding_dim);
  std::memset(packed, 0, static_cast<size_t>(rows * bytes));
  for (int64_t q = 0; q < rows; ++q) {
    const bool* row = signs + q * embedding_dim;
    uint8_t* out = packed + q * bytes;
    for (int64_t k = 0; k < embedding_dim; ++k) {
      out[k >> 3] |= static_cast<uint8_t>(row[k] ? 1u << (k & 7) : 0u);
    }
  }
}

void unpack_signs(const uint8_t* packed, int64_t rows, int64_t embedding_dim, bool* signs) {
  const int64_t bytes = packed_sign_bytes(embedding_dim);
  for (int64_t q = 0; q < rows; ++q) {
    const uint8_t* in = packed + q * bytes;
    bool* row = signs + q * embedding_dim;
    for (int64_t k = 0; k < embedding_dim; ++k) row[k] = (in[k >> 3] >> (k & 7)) & 1u;
  }
}

}  // namespace random_embeddings::core
