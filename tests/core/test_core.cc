// Core tests: packed signs, the scalar reference against the SPEC formula, and every dispatched
// SIMD target against the reference on many shapes (bit-exact for lookups).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#include <unistd.h>
#define RE_TEST_HAVE_MMAP 1
#endif

#include "random_embeddings/core/circulant.h"
#include "random_embeddings/core/dispatch.h"

namespace random_embeddings::core {
namespace {

const std::vector<int64_t> kDims = {1,  2,  3,  7,   8,   15,  16,  17,  31,   32,  33,
                                    63, 64, 65, 100, 127, 128, 300, 513, 1024, 4100};

// ------------------------------ helpers

// Parameters of an embedding, with random floats and random sign bytes (padding bits included,
// which the kernels must ignore).
struct Params {
  int64_t n;
  int64_t d;
  std::vector<float> v;
  std::vector<uint8_t> signs;

  Params(int64_t num_embeddings, int64_t embedding_dim, uint32_t seed)
      : n(num_embeddings), d(embedding_dim) {
    std::mt19937 gen(seed);
    std::normal_distribution<float> normal;
    std::uniform_int_distribution<int> byte(0, 255);
    v.resize(static_cast<size_t>(num_blocks(n, d) * d));
    signs.resize(static_cast<size_t>(num_blocks(n, d) * packed_sign_bytes(d)));
    for (float& x : v) x = normal(gen);
    for (uint8_t& s : signs) s = static_cast<uint8_t>(byte(gen));
  }
  CirculantView view() const { return {v.data(), signs.data(), n, d}; }
};

// Bit pattern that no kernel writes, to see what was left alone.
float Sentinel() {
  const uint32_t bits = 0x7fc0dead;
  float x;
  std::memcpy(&x, &bits, sizeof(x));
  return x;
}

bool SameBits(float a, float b) { return std::memcmp(&a, &b, sizeof(float)) == 0; }

// Every float of got equals want bit for bit; names the first row and column that differ.
::testing::AssertionResult SameFloats(const float* got, const float* want, int64_t count,
                                      int64_t d) {
  for (int64_t e = 0; e < count * d; ++e) {
    if (!SameBits(got[e], want[e])) {
      return ::testing::AssertionFailure() << "row " << e / d << " column " << e % d << ": got "
                                           << got[e] << ", want " << want[e];
    }
  }
  return ::testing::AssertionSuccess();
}

// Forces each available target in turn while fn runs, and the normal choice again afterwards.
void ForEachTarget(const std::function<void()>& fn) {
  struct Reset {
    ~Reset() { reset_target_for_test(); }
  } reset;
  for (const SimdTarget target : available_targets()) {
    force_target_for_test(target);
    SCOPED_TRACE(std::string("target ") + target_name(target));
    ASSERT_STREQ(active_target(), target_name(target));
    fn();
  }
}

// Output buffer with a sentinel float before and a vector's worth after out[0, size), and out
// deliberately not aligned to more than a float.
class GuardedOutput {
 public:
  explicit GuardedOutput(int64_t size) : size_(size), buffer_(size + 1 + kAfter, Sentinel()) {}
  float* out() { return buffer_.data() + 1; }
  ::testing::AssertionResult Untouched() const {
    if (!SameBits(buffer_[0], Sentinel())) {
      return ::testing::AssertionFailure() << "wrote before out";
    }
    for (int64_t e = 0; e < kAfter; ++e) {
      if (!SameBits(buffer_[size_ + 1 + e], Sentinel())) {
        return ::testing::AssertionFailure() << "wrote out[" << size_ + e << "], past the end";
      }
    }
    return ::testing::AssertionSuccess();
  }

 private:
  static constexpr int64_t kAfter = 64;
  int64_t size_;
  std::vector<float> buffer_;
};

template <typename Index>
void ExpectLookupMatches(const CirculantView& view, const std::vector<int64_t>& rows) {
  const std::vector<Index> indices(rows.begin(), rows.end());
  const int64_t count = static_cast<int64_t>(rows.size());
  std::vector<float> want(static_cast<size_t>(count * view.embedding_dim));
  lookup_rows_ref(view, indices.data(), count, want.data());
  ForEachTarget([&] {
    GuardedOutput got(count * view.embedding_dim);
    lookup_rows(view, indices.data(), count, got.out());
    EXPECT_TRUE(SameFloats(got.out(), want.data(), count, view.embedding_dim));
    EXPECT_TRUE(got.Untouched());
  });
}

void ExpectLookupMatchesBothIndexTypes(const CirculantView& view,
                                       const std::vector<int64_t>& rows) {
  {
    SCOPED_TRACE("int64 indices");
    ExpectLookupMatches<int64_t>(view, rows);
  }
  if (view.num_embeddings <= INT32_MAX) {
    SCOPED_TRACE("int32 indices");
    ExpectLookupMatches<int32_t>(view, rows);
  }
}

enum class Weights { kNone, kPowersOfTwo, kRandom };

// reduce_bag against reduce_bag_ref for one bag: bit-exact unless the weights are arbitrary
// floats (then within float32 rounding, should a compiler fuse the reference's multiply-add).
template <typename Index>
void ExpectBagMatches(const CirculantView& view, const std::vector<int64_t>& rows,
                      Weights weight_kind, int64_t skip_index, bool max_mode, uint32_t seed) {
  const int64_t d = view.embedding_dim;
  const std::vector<Index> indices(rows.begin(), rows.end());
  const int64_t count = static_cast<int64_t>(rows.size());
  std::mt19937 gen(seed);
  std::vector<float> weights(rows.size());
  for (float& w : weights) {
    w = weight_kind == Weights::kRandom
            ? std::uniform_real_distribution<float>(-2.0f, 2.0f)(gen)
            : std::ldexp(1.0f, std::uniform_int_distribution<int>(-3, 3)(gen)) *
                  (std::uniform_int_distribution<int>(0, 1)(gen) ? 1.0f : -1.0f);
  }
  const float* w = weight_kind == Weights::kNone ? nullptr : weights.data();
  std::vector<float> want(static_cast<size_t>(d));
  const int64_t want_reduced =
      reduce_bag_ref(view, indices.data(), count, w, skip_index, max_mode, want.data());
  // Bound on the rounding difference a fused multiply-add in the reference could make.
  std::vector<double> magnitude(static_cast<size_t>(d), 0.0);
  if (weight_kind == Weights::kRandom) {
    std::vector<float> row(static_cast<size_t>(d));
    for (int64_t t = 0; t < count; ++t) {
      lookup_rows_ref(view, &indices[t], 1, row.data());
      for (int64_t k = 0; k < d; ++k) magnitude[k] += std::fabs(double(weights[t]) * row[k]);
    }
  }
  ForEachTarget([&] {
    GuardedOutput got(d);
    const int64_t reduced =
        reduce_bag(view, indices.data(), count, w, skip_index, max_mode, got.out());
    EXPECT_EQ(reduced, want_reduced);
    if (weight_kind == Weights::kRandom && !max_mode) {
      for (int64_t k = 0; k < d; ++k) {
        EXPECT_NEAR(got.out()[k], want[k], 1e-6 * magnitude[k]) << "column " << k;
      }
    } else {
      EXPECT_TRUE(SameFloats(got.out(), want.data(), 1, d));
    }
    EXPECT_TRUE(got.Untouched());
  });
}

void ExpectBagsMatch(const CirculantView& view, const std::vector<int64_t>& rows, uint32_t seed) {
  const int64_t skip = rows.empty() ? -1 : rows[rows.size() / 2];
  for (const bool max_mode : {false, true}) {
    for (const Weights weights : {Weights::kNone, Weights::kPowersOfTwo, Weights::kRandom}) {
      for (const int64_t skip_index : {int64_t{-1}, skip}) {
        SCOPED_TRACE(::testing::Message()
                     << "bag of " << rows.size() << ", max " << max_mode << ", weights "
                     << static_cast<int>(weights) << ", skip " << skip_index);
        ExpectBagMatches<int64_t>(view, rows, weights, skip_index, max_mode, seed);
        if (view.num_embeddings <= INT32_MAX) {
          ExpectBagMatches<int32_t>(view, rows, weights, skip_index, max_mode, seed);
        }
      }
    }
  }
}

// Rows first, first + 1, ..., first + size - 1 (one block or part of it): all of them, or the
// two ends and a random sample when there are many.
void AddBlockRows(int64_t first, int64_t size, std::mt19937& gen, std::vector<int64_t>& rows) {
  if (size <= 1024) {
    for (int64_t r = 0; r < size; ++r) rows.push_back(first + r);
    return;
  }
  for (int64_t r = 0; r < 70; ++r) rows.push_back(first + r);
  for (int64_t r = size - 70; r < size; ++r) rows.push_back(first + r);
  std::uniform_int_distribution<int64_t> any(0, size - 1);
  for (int t = 0; t < 200; ++t) rows.push_back(first + any(gen));
}

// Rows to look up in an n-row embedding: all of them when few, else every row (every r) of the
// first and last blocks, the rows near n - 1 and random ones; shuffled, then row n - 1.
std::vector<int64_t> RowsToCheck(int64_t n, int64_t d, std::mt19937& gen) {
  std::vector<int64_t> rows;
  if (n * d <= (int64_t{1} << 20)) {
    for (int64_t i = 0; i < n; ++i) rows.push_back(i);
  } else {
    const int64_t last_block = (num_blocks(n, d) - 1) * d;
    AddBlockRows(0, std::min(n, d), gen, rows);
    AddBlockRows(last_block, n - last_block, gen, rows);
    for (int64_t i = std::max<int64_t>(n - 70, 0); i < n; ++i) rows.push_back(i);
  }
  std::uniform_int_distribution<int64_t> any(0, n - 1);
  for (int t = 0; t < 64; ++t) rows.push_back(any(gen));
  std::shuffle(rows.begin(), rows.end(), gen);
  rows.push_back(n - 1);  // last row of the output, last row of the table
  return rows;
}

std::vector<int64_t> NumEmbeddingsFor(int64_t d) {
  std::vector<int64_t> ns = {1, d, d + 1, 2 * d + d / 2 + 1, 3 * d + 1};
  if (d > 1) ns.push_back(d - 1);
  if (d <= 64) ns.push_back(200 * d + 7);
  std::sort(ns.begin(), ns.end());
  ns.erase(std::unique(ns.begin(), ns.end()), ns.end());
  return ns;
}

// ------------------------------ packed signs

TEST(Signs, PackUnpackRoundTrip) {
  std::mt19937 gen(1);
  for (const int64_t d : kDims) {
    const int64_t rows = 3;
    std::vector<uint8_t> bools(static_cast<size_t>(rows * d));
    for (uint8_t& b : bools) b = static_cast<uint8_t>(gen() & 1);
    std::unique_ptr<bool[]> signs(new bool[rows * d]);
    for (int64_t e = 0; e < rows * d; ++e) signs[e] = bools[e] != 0;
    std::vector<uint8_t> packed(static_cast<size_t>(rows * packed_sign_bytes(d)), 0xff);
    pack_signs(signs.get(), rows, d, packed.data());
    for (int64_t q = 0; q < rows; ++q) {
      for (int64_t k = 0; k < packed_sign_bytes(d) * 8; ++k) {
        const bool bit = (packed[q * packed_sign_bytes(d) + k / 8] >> (k % 8)) & 1;
        EXPECT_EQ(bit, k < d && signs[q * d + k]) << "d " << d << " block " << q << " bit " << k;
      }
    }
    std::unique_ptr<bool[]> unpacked(new bool[rows * d]);
    unpack_signs(packed.data(), rows, d, unpacked.get());
    for (int64_t e = 0; e < rows * d; ++e) EXPECT_EQ(unpacked[e], signs[e]) << "d " << d;
  }
}

TEST(Signs, BitOrderIsLeastSignificantFirst) {
  bool signs[10] = {true, false, false, true, false, false, false, false, false, true};
  uint8_t packed[2];
  pack_signs(signs, 1, 10, packed);
  EXPECT_EQ(packed[0], 0x09);
  EXPECT_EQ(packed[1], 0x02);
}

// ------------------------------ reference against the SPEC

TEST(Reference, HandWorkedExample) {
  // n = 5, d = 3: two blocks, the second cut after its second row.
  const float v[] = {1, 2, 3, 4, 5, 6};
  const bool s[] = {true, false, true, false, true, true};
  uint8_t packed[2];
  pack_signs(s, 2, 3, packed);
  const CirculantView view{v, packed, 5, 3};
  // E[i, k] = v[q, (r - k) mod 3] * (s[q, k] ? 1 : -1), worked out by hand.
  const float expected[5][3] = {{1, -3, 2}, {2, -1, 3}, {3, -2, 1}, {-4, 6, 5}, {-5, 4, 6}};
  const int64_t all[] = {0, 1, 2, 3, 4};
  float got[15];
  lookup_rows_ref(view, all, 5, got);
  for (int i = 0; i < 5; ++i) {
    for (int k = 0; k < 3; ++k) EXPECT_EQ(got[i * 3 + k], expected[i][k]) << i << "," << k;
  }

  const int64_t bag[] = {0, 3, 4};
  const float weights[] = {2.0f, 0.5f, 1.0f};
  float out[3];
  EXPECT_EQ(reduce_bag_ref(view, bag, 3, nullptr, -1, false, out), 3);
  EXPECT_EQ(std::vector<float>(out, out + 3), (std::vector<float>{-8, 7, 13}));
  EXPECT_EQ(reduce_bag_ref(view, bag, 3, weights, -1, false, out), 3);
  EXPECT_EQ(std::vector<float>(out, out + 3), (std::vector<float>{-5, 1, 12.5}));
  EXPECT_EQ(reduce_bag_ref(view, bag, 3, nullptr, -1, true, out), 3);
  EXPECT_EQ(std::vector<float>(out, out + 3), (std::vector<float>{1, 6, 6}));
  EXPECT_EQ(reduce_bag_ref(view, bag, 3, nullptr, 3, false, out), 2);
  EXPECT_EQ(std::vector<float>(out, out + 3), (std::vector<float>{-4, 1, 8}));
  const int64_t skipped[] = {3, 3};
  EXPECT_EQ(reduce_bag_ref(view, skipped, 2, nullptr, 3, true, out), 0);
  EXPECT_EQ(std::vector<float>(out, out + 3), (std::vector<float>{0, 0, 0}));
}

TEST(Reference, MatchesSpecFormula) {
  for (const int64_t d : {1, 2, 3, 5, 8, 9, 17}) {
    for (const int64_t n : {int64_t{1}, d, 3 * d - 1, 4 * d + 2}) {
      const Params p(n, d, static_cast<uint32_t>(n * 31 + d));
      std::vector<float> got(static_cast<size_t>(n * d));
      std::vector<int64_t> all(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) all[i] = i;
      lookup_rows_ref(p.view(), all.data(), n, got.data());
      for (int64_t i = 0; i < n; ++i) {
        const int64_t q = i / d;
        const int64_t r = i % d;
        for (int64_t k = 0; k < d; ++k) {
          const int64_t j = ((r - k) % d + d) % d;
          const bool s = (p.signs[q * packed_sign_bytes(d) + k / 8] >> (k % 8)) & 1;
          const float spec = p.v[q * d + j] * (s ? 1.0f : -1.0f);
          EXPECT_TRUE(SameBits(got[i * d + k], spec)) << "n " << n << " d " << d << " i " << i;
        }
      }
    }
  }
}

// ------------------------------ dispatch

TEST(Dispatch, ListsAndForcesTargets) {
  const std::vector<SimdTarget> compiled = compiled_targets();
  const std::vector<SimdTarget> available = available_targets();
  ASSERT_FALSE(compiled.empty());
  ASSERT_FALSE(available.empty());
  for (const SimdTarget t : available) {
    EXPECT_NE(std::find(compiled.begin(), compiled.end(), t), compiled.end()) << target_name(t);
  }
  EXPECT_STREQ(active_target(), target_name(available.front()));
  std::string names;
  for (const SimdTarget t : compiled) names += std::string(" ") + target_name(t);
  std::cout << "compiled:" << names << "; active: " << active_target() << "\n";

  force_target_for_test(available.back());
  EXPECT_STREQ(active_target(), target_name(available.back()));
  EXPECT_EQ(available_targets(), std::vector<SimdTarget>{available.back()});
  reset_target_for_test();
  EXPECT_STREQ(active_target(), target_name(available.front()));
  EXPECT_THROW(force_target_for_test(0), std::invalid_argument);
  EXPECT_THROW(force_target_for_test(available.front() | available.back() | (int64_t{1} << 62)),
               std::invalid_argument);
  EXPECT_STREQ(active_target(), target_name(available.front()));
}

// ------------------------------ kernels against the reference, on every target

TEST(Kernels, LookupMatchesReference) {
  std::mt19937 gen(7);
  for (const int64_t d : kDims) {
    for (const int64_t n : NumEmbeddingsFor(d)) {
      SCOPED_TRACE(::testing::Message() << "n " << n << " d " << d);
      const Params p(n, d, static_cast<uint32_t>(n + 1000 * d));
      ExpectLookupMatchesBothIndexTypes(p.view(), RowsToCheck(n, d, gen));
      ExpectLookupMatchesBothIndexTypes(p.view(), {n - 1});
    }
  }
}

TEST(Kernels, LookupOfNothingWritesNothing) {
  const Params p(10, 4, 3);
  ForEachTarget([&] {
    GuardedOutput got(0);
    lookup_rows(p.view(), static_cast<const int64_t*>(nullptr), 0, got.out());
    EXPECT_TRUE(got.Untouched());
  });
}

TEST(Kernels, ReduceMatchesReference) {
  std::mt19937 gen(11);
  for (const int64_t d : kDims) {
    for (const int64_t n : {d, 3 * d + 1}) {
      SCOPED_TRACE(::testing::Message() << "n " << n << " d " << d);
      const Params p(n, d, static_cast<uint32_t>(n + 1000 * d));
      std::uniform_int_distribution<int64_t> any(0, n - 1);
      for (const int length : {0, 1, 2, 5, 33}) {
        std::vector<int64_t> bag(static_cast<size_t>(length));
        for (int64_t& i : bag) i = any(gen);
        if (length >= 5) bag[1] = bag[3];  // a repeated row, so that skipping drops two
        ExpectBagsMatch(p.view(), bag, static_cast<uint32_t>(gen()));
      }
    }
  }
}

TEST(Kernels, ReduceKeepsTheSignOfZeroAsTheReference) {
  // Rows of +0 and -0: the sum starts from +0, the max keeps the first row on ties.
  const float v[] = {0.0f, -0.0f, 0.0f, -0.0f};
  const uint8_t signs[] = {0x05};  // columns 0 and 2 positive
  const CirculantView view{v, signs, 4, 4};
  for (const bool max_mode : {false, true}) {
    ExpectBagMatches<int64_t>(view, {0, 1, 2, 3}, Weights::kNone, -1, max_mode, 1);
    ExpectBagMatches<int64_t>(view, {3, 2, 1}, Weights::kPowersOfTwo, -1, max_mode, 2);
  }
}

#ifdef RE_TEST_HAVE_MMAP

// Anonymous memory whose `bytes` either end right before, or start right after, a page that
// faults on any access; `noreserve` maps huge sizes whose untouched pages read as zero.
class Mapping {
 public:
  Mapping(size_t bytes, bool flush_with_end, bool noreserve = false) {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    const size_t span = (bytes + page - 1) / page * page;
    size_ = span + 2 * page;
    void* base = mmap(nullptr, size_, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | (noreserve ? MAP_NORESERVE : 0), -1, 0);
    if (base == MAP_FAILED) return;
    base_ = static_cast<char*>(base);
    mprotect(base_, page, PROT_NONE);
    mprotect(base_ + page + span, page, PROT_NONE);
    data_ = flush_with_end ? base_ + page + span - bytes : base_ + page;
  }
  ~Mapping() {
    if (base_ != nullptr) munmap(base_, size_);
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;

  bool ok() const { return base_ != nullptr; }
  template <typename T>
  T* as() const {
    return reinterpret_cast<T*>(data_);
  }

 private:
  char* base_ = nullptr;
  char* data_ = nullptr;
  size_t size_ = 0;
};

// The parameters copied into memory that faults just past (or just before) them, read through
// the rows of the first and last blocks, with the output flush against a faulting page too.
TEST(Kernels, ReadAndWriteOnlyInsideTheArrays) {
  std::mt19937 gen(5);
  for (const int64_t d : kDims) {
    for (const int64_t n : {d, 2 * d - 1, 3 * d + 1}) {
      for (const bool flush_with_end : {true, false}) {
        SCOPED_TRACE(::testing::Message()
                     << "n " << n << " d " << d << (flush_with_end ? " end" : " start"));
        const Params p(n, d, static_cast<uint32_t>(d * 7 + n));
        Mapping v(p.v.size() * sizeof(float), flush_with_end);
        Mapping signs(p.signs.size(), flush_with_end);
        ASSERT_TRUE(v.ok() && signs.ok());
        std::copy(p.v.begin(), p.v.end(), v.as<float>());
        std::copy(p.signs.begin(), p.signs.end(), signs.as<uint8_t>());
        const CirculantView view{v.as<float>(), signs.as<uint8_t>(), n, d};
        std::vector<int64_t> rows;
        const int64_t last_block = (num_blocks(n, d) - 1) * d;
        AddBlockRows(0, std::min(n, d), gen, rows);
        if (last_block > 0) AddBlockRows(last_block, n - last_block, gen, rows);
        std::shuffle(rows.begin(), rows.end(), gen);
        const int64_t count = static_cast<int64_t>(rows.size());
        std::vector<float> want(static_cast<size_t>(count * d));
        lookup_rows_ref(view, rows.data(), count, want.data());
        Mapping out(want.size() * sizeof(float), /*flush_with_end=*/true);
        Mapping bag_out(static_cast<size_t>(d) * sizeof(float), /*flush_with_end=*/true);
        ASSERT_TRUE(out.ok() && bag_out.ok());
        ForEachTarget([&] {
          lookup_rows(view, rows.data(), count, out.as<float>());
          EXPECT_TRUE(SameFloats(out.as<float>(), want.data(), count, d));
          for (const bool max_mode : {false, true}) {
            std::vector<float> want_bag(static_cast<size_t>(d));
            reduce_bag_ref(view, rows.data(), count, nullptr, -1, max_mode, want_bag.data());
            reduce_bag(view, rows.data(), count, nullptr, -1, max_mode, bag_out.as<float>());
            EXPECT_TRUE(SameFloats(bag_out.as<float>(), want_bag.data(), 1, d));
          }
        });
      }
    }
  }
}

// Views of more than 2^31 (and 2^32) rows whose block offsets pass 2^31 bytes: the memory is
// mapped without reserving it and only the blocks that are read are filled.
void ExpectHugeViewMatches(int64_t n, int64_t d, const std::vector<int64_t>& starts) {
  SCOPED_TRACE(::testing::Message() << "n " << n << " d " << d);
  const int64_t b = num_blocks(n, d);
  const int64_t sign_bytes = packed_sign_bytes(d);
  Mapping v(static_cast<size_t>(b * d) * sizeof(float), true, /*noreserve=*/true);
  Mapping signs(static_cast<size_t>(b * sign_bytes), true, /*noreserve=*/true);
  if (!v.ok() || !signs.ok()) GTEST_SKIP() << "cannot map " << b * d * 4 << " bytes";
  std::mt19937 gen(static_cast<uint32_t>(d));
  std::normal_distribution<float> normal;
  std::vector<int64_t> rows;
  for (const int64_t start : starts) {
    const int64_t first = std::max<int64_t>(start, 0);
    const int64_t last = std::min(start + 3 * d + 40, n);
    for (int64_t q = first / d; q <= (last - 1) / d; ++q) {
      for (int64_t j = 0; j < d; ++j) v.as<float>()[q * d + j] = normal(gen);
      for (int64_t j = 0; j < sign_bytes; ++j)
        signs.as<uint8_t>()[q * sign_bytes + j] = static_cast<uint8_t>(gen());
    }
    for (int64_t i = first; i < last; ++i) rows.push_back(i);
  }
  std::shuffle(rows.begin(), rows.end(), gen);
  rows.push_back(n - 1);
  const CirculantView view{v.as<float>(), signs.as<uint8_t>(), n, d};
  ExpectLookupMatchesBothIndexTypes(view, rows);
  ExpectBagsMatch(view, std::vector<int64_t>(rows.begin(), rows.begin() + 40), 3);
}

TEST(Kernels, HugeViews) {
  const int64_t two31 = int64_t{1} << 31;
  const int64_t two32 = int64_t{1} << 32;
  // 2^32 + 12345 rows of 300: 17 GB of block vectors.
  ExpectHugeViewMatches(two32 + 12345, 300, {two31 - 500, two32 - 300, two32 + 12345 - 700});
  // One float per block, indices past 2^32.
  ExpectHugeViewMatches(two32 + 3, 1, {two31 - 20, two32 - 50});
  // int32 indices up to INT32_MAX - 1, block offsets past 2^33 bytes.
  ExpectHugeViewMatches(two31 - 1, 3, {two31 - 1 - 100});
}

#endif  // RE_TEST_HAVE_MMAP

}  // namespace
}  // namespace random_embeddings::core
