// SIMD kernels for the circulant rows. Row i = q * d + r of block q is
//   out[0..r] = v[r], v[r-1], ..., v[0]   and   out[r+1..d) = v[d-1], ..., v[r+1],
// with out[k] negated where sign bit k of the block is clear. Each window of N = Lanes(float)
// outputs is a reversed vector load (or, where the wrap v[0] -> v[d-1] falls inside it, two
// table lookups and a blend), and the signs are applied with a mask loaded from the packed bits.
// Highway compiles this file once per SIMD target and dispatches at run time.

// reduce_bag must round w * x before adding it, as reduce_bag_ref does: no fused multiply-add.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#elif defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "random_embeddings/core/circulant.h"
#include "random_embeddings/core/dispatch.h"

#undef HWY_TARGET_INCLUDE
// foreach_target.h re-includes this file once per target; the path is relative to include/.
#define HWY_TARGET_INCLUDE "../src/core/lookup.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
// Must come after foreach_target.h.
#include "hwy/cache_control.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace random_embeddings::core {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DF = hn::ScalableTag<float>;
using DI = hn::RebindToSigned<DF>;
using VF = hn::Vec<DF>;

// How many indices ahead the block vector and signs are prefetched.
constexpr int64_t kPrefetchDistance = 8;
// Reductions with d up to this accumulate on the stack.
constexpr int64_t kStackAccumulatorFloats = 4096;
// Enough bytes for the mask bits of any vector (HWY_MAX_BYTES / sizeof(float) lanes).
constexpr size_t kMaxMaskBytes = HWY_MAX_BYTES / sizeof(float) / 8 + 1;

// Where row i lives: its block vector, its block's packed signs and its row inside the block.
struct Row {
  const float* v;
  const uint8_t* signs;
  int64_t r;
};

struct Shape {
  int64_t d;           // embedding_dim
  int64_t sign_bytes;  // packed sign bytes per block
};

// Lanes of a vector of tag D: a constant except on scalable targets (SVE, RVV).
template <class D>
HWY_INLINE HWY_MAYBE_UNUSED constexpr int64_t LanesOf(D d) {
#if HWY_HAVE_SCALABLE
  return static_cast<int64_t>(hn::Lanes(d));
#else
  return static_cast<int64_t>(hn::MaxLanes(d));
#endif
}

// N, the float lanes of a full vector.
HWY_INLINE constexpr int64_t VectorLanes() { return LanesOf(DF()); }

HWY_INLINE Row Locate(const CirculantView& view, const Shape& shape, int64_t i) {
  const int64_t q = i / shape.d;
  return {view.block_vectors + q * shape.d, view.packed_signs + q * shape.sign_bytes,
          i - q * shape.d};
}

HWY_INLINE void PrefetchRow(const Shape& shape, const Row& row) {
  const char* begin = reinterpret_cast<const char*>(row.v);
  const char* last = reinterpret_cast<const char*>(row.v + shape.d) - 1;
  for (const char* p = begin; p < last; p += 64) hwy::Prefetch(p);
  hwy::Prefetch(last);
  hwy::Prefetch(row.signs);
  hwy::Prefetch(row.signs + shape.sign_bytes - 1);
}

// Keeps the rows of the next kPrefetchDistance indices, located and prefetched.
template <typename Index>
class RowQueue {
 public:
  RowQueue(const CirculantView& view, const Shape& shape, const Index* indices, int64_t count,
           int64_t skip_index)
      : view_(view), shape_(shape), indices_(indices), count_(count), skip_index_(skip_index) {
    for (int64_t t = 0; t < std::min(count, kPrefetchDistance); ++t) Fetch(t);
  }

  // Row of indices[t]; call with t = 0, 1, 2, ... in order.
  HWY_INLINE Row Take(int64_t t) {
    const Row row = rows_[t % kPrefetchDistance];
    if (t + kPrefetchDistance < count_) Fetch(t + kPrefetchDistance);
    return row;
  }

 private:
  HWY_INLINE void Fetch(int64_t t) {
    const int64_t i = static_cast<int64_t>(indices_[t]);
    if (i == skip_index_) return;  // never located: it need not be a valid index
    rows_[t % kPrefetchDistance] = Locate(view_, shape_, i);
    PrefetchRow(shape_, rows_[t % kPrefetchDistance]);
  }

  const CirculantView& view_;
  const Shape& shape_;
  const Index* indices_;
  int64_t count_;
  int64_t skip_index_;
  Row rows_[kPrefetchDistance] = {};
};

template <class V, class M>
HWY_INLINE V ApplySigns(V x, M positive) {
  return hn::IfThenElse(positive, x, hn::Neg(x));
}

// Sign mask of the window out[k0, k0 + lanes) with k0 a multiple of the lanes and inside the row.
template <class D>
HWY_INLINE hn::Mask<D> SignMaskFull(D d, const uint8_t* signs, int64_t k0) {
  if (LanesOf(d) >= 8) return hn::LoadMaskBits(d, signs + k0 / 8);  // k0 % 8 == 0
  const uint8_t bits = static_cast<uint8_t>(signs[k0 / 8] >> (k0 % 8));
  return hn::LoadMaskBits(d, &bits);
}

// Sign mask of a window that may run past d; reads no byte past the block's signs.
template <class D>
HWY_INLINE hn::Mask<D> SignMaskTail(D d, const Shape& shape, const uint8_t* signs, int64_t k0) {
  if (LanesOf(d) >= 8) {
    const int64_t first = k0 / 8;
    const int64_t available = shape.sign_bytes - first;
    if (available * 8 >= LanesOf(d)) return hn::LoadMaskBits(d, signs + first);
    uint8_t bits[kMaxMaskBytes] = {};
    for (int64_t b = 0; b < available; ++b) bits[b] = signs[first + b];
    return hn::LoadMaskBits(d, bits);
  }
  return SignMaskFull(d, signs, k0);
}

// Generates row `row` for d >= N, window by window: sink.Full(k0, x) for out[k0, k0 + N) and
// sink.Tail(k0, x, valid) for a last window of which only `valid` lanes are in the row. Windows
// start at multiples of N. Reads only v[0, d) and the block's sign bytes.
template <class Sink>
HWY_INLINE void ForEachWindow(const Shape& shape, const Row& row, Sink& sink) {
  const DF df;
  const DI di;
  const int64_t n = VectorLanes();
  const int64_t d = shape.d;
  const int64_t r = row.r;
  const float* v = row.v;
  if (n == 1) {  // HWY_SCALAR: plain copies, without the window logic
    for (int64_t k = 0; k < d; ++k) {
      uint32_t bits;  // flip the sign bit without a branch on the (random) sign
      std::memcpy(&bits, v + (k <= r ? r - k : d + r - k), sizeof(bits));
      bits ^= (~static_cast<uint32_t>(row.signs[k / 8] >> (k % 8)) & 1u) << 31;
      float x;
      std::memcpy(&x, &bits, sizeof(x));
      sink.Full(k, hn::Set(df, x));
    }
    return;
  }
  const auto lane = hn::Iota(di, 0);
  const auto lane_mask = hn::Set(di, static_cast<int32_t>(n - 1));
  int64_t k0 = 0;
  // Windows inside out[0, r]: one backward run ending at v[0].
  for (; k0 + n <= r + 1; k0 += n) {
    const VF x = hn::Reverse(df, hn::LoadU(df, v + (r - k0 - n + 1)));
    sink.Full(k0, ApplySigns(x, SignMaskFull(df, row.signs, k0)));
  }
  if (k0 == d) return;
  {
    // The window holding the wrap: lanes j <= c take v[c - j], the others v[d + c - j], i.e.
    // lane (c - j) mod N of the first resp. last N floats of v.
    const int64_t c = r - k0;  // in [-1, N - 2]
    const auto idx = hn::IndicesFromVec(
        df, hn::And(hn::Sub(hn::Set(di, static_cast<int32_t>(c)), lane), lane_mask));
    const VF head = hn::TableLookupLanes(hn::LoadU(df, v), idx);
    const VF tail = hn::TableLookupLanes(hn::LoadU(df, v + (d - n)), idx);
    const VF x = hn::IfThenElse(hn::FirstN(df, static_cast<size_t>(c + 1)), head, tail);
    if (k0 + n > d) {
      sink.Tail(k0, ApplySigns(x, SignMaskTail(df, shape, row.signs, k0)), d - k0);
      return;
    }
    sink.Full(k0, ApplySigns(x, SignMaskFull(df, row.signs, k0)));
    k0 += n;
  }
  // Windows inside out[r + 1, d): one backward run ending at v[r + 1].
  for (; k0 + n <= d; k0 += n) {
    const VF x = hn::Reverse(df, hn::LoadU(df, v + (d + r - k0 - n + 1)));
    sink.Full(k0, ApplySigns(x, SignMaskFull(df, row.signs, k0)));
  }
  if (k0 < d) {
    // Lane j < d - k0 takes v[hi - j] >= v[r + 1]; the load is moved up to stay inside v.
    const int64_t hi = d + r - k0;
    const int64_t base = std::max<int64_t>(hi - n + 1, 0);
    const auto idx = hn::IndicesFromVec(
        df, hn::And(hn::Sub(hn::Set(di, static_cast<int32_t>(hi - base)), lane), lane_mask));
    const VF x = hn::TableLookupLanes(hn::LoadU(df, v + base), idx);
    sink.Tail(k0, ApplySigns(x, SignMaskTail(df, shape, row.signs, k0)), d - k0);
  }
}

// Row for d <= Lanes(dv) in one vector of tag D; lanes >= d are unspecified. Reads only v[0, d)
// and the block's sign bytes.
template <class D>
HWY_INLINE hn::Vec<D> ShortRow(D dv, const Shape& shape, const Row& row) {
  const hn::RebindToSigned<D> di;
  const int64_t d = shape.d;
#if !HWY_MEM_OPS_MIGHT_FAULT || HWY_TARGET == HWY_AVX2  // AVX2 maskload of floats cannot fault
  const auto v = hn::MaskedLoad(hn::FirstN(dv, static_cast<size_t>(d)), dv, row.v);
#else
  HWY_ALIGN float copy[HWY_MAX_BYTES / sizeof(float)] = {};
  for (int64_t j = 0; j < d; ++j) copy[j] = row.v[j];
  const auto v = hn::Load(dv, copy);
#endif
  // Lane k takes v[(r - k) mod d].
  auto idx = hn::Sub(hn::Set(di, static_cast<int32_t>(row.r)), hn::Iota(di, 0));
  idx = hn::Add(
      idx, hn::IfThenElseZero(hn::Lt(idx, hn::Zero(di)), hn::Set(di, static_cast<int32_t>(d))));
  idx = hn::And(idx, hn::Set(di, static_cast<int32_t>(LanesOf(dv) - 1)));
  const auto x = hn::TableLookupLanes(v, hn::IndicesFromVec(dv, idx));
  return ApplySigns(x, SignMaskTail(dv, shape, row.signs, 0));
}

// Calls fn(tag) with the narrowest tag whose vectors hold a row of d < N floats, so that short
// rows are not written with needlessly wide (and overlapping) stores.
template <class Fn>
HWY_INLINE void WithShortRowTag(int64_t d, Fn&& fn) {
  const hn::CappedTag<float, 4> d4;
  const hn::CappedTag<float, 8> d8;
  if (d <= LanesOf(d4)) {
    fn(d4);
  } else if (d <= LanesOf(d8)) {
    fn(d8);
  } else {
    fn(DF());
  }
}

// ------------------------------ lookup

struct StoreSink {
  float* out;
  bool last_row;  // otherwise a tail window may spill into the next row, which overwrites it

  HWY_INLINE void Full(int64_t k0, VF x) const { hn::StoreU(x, DF(), out + k0); }
  HWY_INLINE void Tail(int64_t k0, VF x, int64_t valid) const {
    const DF df;
    if (last_row) {
      hn::BlendedStore(x, hn::FirstN(df, static_cast<size_t>(valid)), df, out + k0);
    } else {
      hn::StoreU(x, df, out + k0);
    }
  }
};

template <typename Index>
void LookupRowsImpl(const CirculantView& view, const Index* indices, int64_t count, float* out) {
  if (count <= 0) return;
  const Shape shape{view.embedding_dim, view.sign_bytes()};
  const int64_t d = shape.d;
  RowQueue<Index> queue(view, shape, indices, count, /*skip_index=*/-1);
  if (d >= VectorLanes()) {
    for (int64_t t = 0; t < count; ++t) {
      StoreSink sink{out + t * d, t + 1 == count};
      ForEachWindow(shape, queue.Take(t), sink);
    }
    return;
  }
  // Rows shorter than a vector: whole-vector stores while they stay inside out, since the next
  // row overwrites the spill, then masked ones.
  WithShortRowTag(d, [&](auto dv) HWY_ATTR {
    const int64_t whole = std::max<int64_t>(count - (LanesOf(dv) + d - 1) / d + 1, 0);
    int64_t t = 0;
    for (; t < whole; ++t) hn::StoreU(ShortRow(dv, shape, queue.Take(t)), dv, out + t * d);
    const auto first_d = hn::FirstN(dv, static_cast<size_t>(d));
    for (; t < count; ++t) {
      hn::BlendedStore(ShortRow(dv, shape, queue.Take(t)), first_d, dv, out + t * d);
    }
  });
}

void LookupRows64(const CirculantView& view, const int64_t* indices, int64_t count, float* out) {
  LookupRowsImpl(view, indices, count, out);
}
void LookupRows32(const CirculantView& view, const int32_t* indices, int64_t count, float* out) {
  LookupRowsImpl(view, indices, count, out);
}

// ------------------------------ reduce

enum class Reduction { kSum, kWeightedSum, kMax };

// acc combined with row x, as reduce_bag_ref does it: acc + x, acc + w * x (no FMA), or the max
// that keeps acc unless acc < x.
template <Reduction kMode, class V>
HWY_INLINE V Combine(V acc, V x, V weight) {
  if constexpr (kMode == Reduction::kSum) {
    (void)weight;
    return hn::Add(acc, x);
  } else if constexpr (kMode == Reduction::kWeightedSum) {
    return hn::Add(acc, hn::Mul(weight, x));
  } else {
    (void)weight;
    return hn::IfThenElse(hn::Lt(acc, x), x, acc);
  }
}

// Accumulates windows into a buffer padded to whole vectors. (No vector members: SVE vectors are
// sizeless.)
template <Reduction kMode>
struct AccumulateSink {
  float* acc;
  float weight;
  bool first;  // max: the first row is copied

  HWY_INLINE void Full(int64_t k0, VF x) const {
    const DF df;
    if (kMode == Reduction::kMax && first) {
      hn::StoreU(x, df, acc + k0);
    } else {
      hn::StoreU(Combine<kMode>(hn::LoadU(df, acc + k0), x, hn::Set(df, weight)), df, acc + k0);
    }
  }
  HWY_INLINE void Tail(int64_t k0, VF x, int64_t /*valid*/) const { Full(k0, x); }
};

template <Reduction kMode, typename Index>
int64_t ReduceBagMode(const Shape& shape, const CirculantView& view, const Index* indices,
                      int64_t count, const float* weights, int64_t skip_index, float* out) {
  const int64_t d = shape.d;
  RowQueue<Index> queue(view, shape, indices, count, skip_index);
  int64_t reduced = 0;
  if (d < VectorLanes()) {  // the sum or max fits in one register
    WithShortRowTag(d, [&](auto dv) HWY_ATTR {
      auto acc = hn::Zero(dv);
      for (int64_t t = 0; t < count; ++t) {
        const Row row = queue.Take(t);
        if (static_cast<int64_t>(indices[t]) == skip_index) continue;
        const auto x = ShortRow(dv, shape, row);
        const auto weight = hn::Set(dv, kMode == Reduction::kWeightedSum ? weights[t] : 1.0f);
        acc = (kMode == Reduction::kMax && reduced == 0) ? x : Combine<kMode>(acc, x, weight);
        ++reduced;
      }
      if (reduced == 0) acc = hn::Zero(dv);
      hn::BlendedStore(acc, hn::FirstN(dv, static_cast<size_t>(d)), dv, out);
    });
    return reduced;
  }
  const int64_t padded = (d + VectorLanes() - 1) / VectorLanes() * VectorLanes();
  HWY_ALIGN float stack_acc[kStackAccumulatorFloats];
  std::vector<float> heap_acc;
  float* acc = stack_acc;
  if (padded > kStackAccumulatorFloats) {
    heap_acc.resize(static_cast<size_t>(padded));
    acc = heap_acc.data();
  }
  std::fill(acc, acc + padded, 0.0f);
  for (int64_t t = 0; t < count; ++t) {
    const Row row = queue.Take(t);
    if (static_cast<int64_t>(indices[t]) == skip_index) continue;
    AccumulateSink<kMode> sink{acc, kMode == Reduction::kWeightedSum ? weights[t] : 1.0f,
                               reduced == 0};
    ForEachWindow(shape, row, sink);
    ++reduced;
  }
  if (reduced == 0) std::fill(acc, acc + d, 0.0f);
  std::memcpy(out, acc, static_cast<size_t>(d) * sizeof(float));
  return reduced;
}

template <typename Index>
int64_t ReduceBagImpl(const CirculantView& view, const Index* indices, int64_t count,
                      const float* weights, int64_t skip_index, bool max_mode, float* out) {
  const Shape shape{view.embedding_dim, view.sign_bytes()};
  if (max_mode) {
    return ReduceBagMode<Reduction::kMax>(shape, view, indices, count, weights, skip_index, out);
  }
  if (weights != nullptr) {
    return ReduceBagMode<Reduction::kWeightedSum>(shape, view, indices, count, weights, skip_index,
                                                  out);
  }
  return ReduceBagMode<Reduction::kSum>(shape, view, indices, count, weights, skip_index, out);
}

int64_t ReduceBag64(const CirculantView& view, const int64_t* indices, int64_t count,
                    const float* weights, int64_t skip_index, bool max_mode, float* out) {
  return ReduceBagImpl(view, indices, count, weights, skip_index, max_mode, out);
}
int64_t ReduceBag32(const CirculantView& view, const int32_t* indices, int64_t count,
                    const float* weights, int64_t skip_index, bool max_mode, float* out) {
  return ReduceBagImpl(view, indices, count, weights, skip_index, max_mode, out);
}

const char* ActiveTargetName() { return hwy::TargetName(HWY_TARGET); }

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace random_embeddings::core
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace random_embeddings::core {

HWY_EXPORT(LookupRows64);
HWY_EXPORT(LookupRows32);
HWY_EXPORT(ReduceBag64);
HWY_EXPORT(ReduceBag32);
HWY_EXPORT(ActiveTargetName);

void lookup_rows(const CirculantView& view, const int64_t* indices, int64_t count, float* out) {
  HWY_DYNAMIC_DISPATCH(LookupRows64)(view, indices, count, out);
}
void lookup_rows(const CirculantView& view, const int32_t* indices, int64_t count, float* out) {
  HWY_DYNAMIC_DISPATCH(LookupRows32)(view, indices, count, out);
}
int64_t reduce_bag(const CirculantView& view, const int64_t* indices, int64_t count,
                   const float* weights, int64_t skip_index, bool max_mode, float* out) {
  return HWY_DYNAMIC_DISPATCH(ReduceBag64)(view, indices, count, weights, skip_index, max_mode,
                                           out);
}
int64_t reduce_bag(const CirculantView& view, const int32_t* indices, int64_t count,
                   const float* weights, int64_t skip_index, bool max_mode, float* out) {
  return HWY_DYNAMIC_DISPATCH(ReduceBag32)(view, indices, count, weights, skip_index, max_mode,
                                           out);
}

const char* active_target() { return HWY_DYNAMIC_DISPATCH(ActiveTargetName)(); }

}  // namespace random_embeddings::core
#endif  // HWY_ONCE
