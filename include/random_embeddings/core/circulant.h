// Torch-free view of a random circulant embedding and the kernels that read it.
//
// The n x d matrix E is made of b = ceil(n / d) blocks; block q is the circulant matrix of the
// block vector v[q] (d floats) with column k negated unless sign bit s[q, k] is set:
//   E[i, k] = v[i / d, (i % d - k) mod d] * (s[i / d, k] ? +1 : -1)
// Every output value is an exact copy of a stored float, possibly negated.
#pragma once

#include <cstddef>
#include <cstdint>

namespace random_embeddings::core {

// Number of d x d circulant blocks that cover n rows: ceil(n / d).
constexpr int64_t num_blocks(int64_t num_embeddings, int64_t embedding_dim) {
  return (num_embeddings + embedding_dim - 1) / embedding_dim;
}

// Bytes of packed sign bits per block: one bit per column, least significant bit first.
constexpr int64_t packed_sign_bytes(int64_t embedding_dim) { return (embedding_dim + 7) / 8; }

// Read-only view of the parameters; the memory belongs to the caller.
struct CirculantView {
  const float* block_vectors;   // b x d, row-major: v[q, j] = block_vectors[q * d + j]
  const uint8_t* packed_signs;  // b x packed_sign_bytes(d): bit k % 8 of byte k / 8 is s[q, k]
  int64_t num_embeddings;       // n >= 1
  int64_t embedding_dim;        // d >= 1

  int64_t blocks() const { return num_blocks(num_embeddings, embedding_dim); }
  int64_t sign_bytes() const { return packed_sign_bytes(embedding_dim); }
};

// Packs rows x d booleans (true = +1) into rows x packed_sign_bytes(d) bytes; padding bits are 0.
void pack_signs(const bool* signs, int64_t rows, int64_t embedding_dim, uint8_t* packed);
// Inverse of pack_signs.
void unpack_signs(const uint8_t* packed, int64_t rows, int64_t embedding_dim, bool* signs);

// Scalar reference, written from the formula above. It is the oracle the fast kernels are tested
// against, not a code path of the library. Indices must lie in [0, n); out holds count x d floats.
void lookup_rows_ref(const CirculantView& view, const int64_t* indices, int64_t count, float* out);
void lookup_rows_ref(const CirculantView& view, const int32_t* indices, int64_t count, float* out);

// Reference for one bag: out[0..d) = sum_t w_t * E[i_t] (w_t = 1 when weights is null) or, with
// max_mode, the elementwise max over the rows (zeros when no row is reduced). Indices equal to
// skip_index are ignored (pass -1 to skip none). Returns the number of rows reduced.
int64_t reduce_bag_ref(const CirculantView& view, const int64_t* indices, int64_t count,
                       const float* weights, int64_t skip_index, bool max_mode, float* out);
int64_t reduce_bag_ref(const CirculantView& view, const int32_t* indices, int64_t count,
                       const float* weights, int64_t skip_index, bool max_mode, float* out);

// Fast kernels (SIMD with runtime dispatch). Same contract as the references, single-threaded:
// callers split the work. out rows are contiguous (row t starts at out + t * d) and need no
// particular alignment.
void lookup_rows(const CirculantView& view, const int64_t* indices, int64_t count, float* out);
void lookup_rows(const CirculantView& view, const int32_t* indices, int64_t count, float* out);
int64_t reduce_bag(const CirculantView& view, const int64_t* indices, int64_t count,
                   const float* weights, int64_t skip_index, bool max_mode, float* out);
int64_t reduce_bag(const CirculantView& view, const int32_t* indices, int64_t count,
                   const float* weights, int64_t skip_index, bool max_mode, float* out);

}  // namespace random_embeddings::core
