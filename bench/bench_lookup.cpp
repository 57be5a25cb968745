// Lookup speed, side by side for each shape (n, d, batch T) and torch thread count:
//   ours      random_embeddings::ops::embedding, the registered op called through the dispatcher;
//   dense     at::embedding on the dense n x d float32 table that users replace;
//   original  the original Python module's forward, written with the same torch ops in C++;
//   floor     allocating the T x d float32 output and writing each element once;
//   copy      at::embedding on the b x d parameter table itself, with the block of each index:
//             the same bytes read from the same working set and written out, without rotation
//             or signs. It is what the memory hierarchy lets any kernel with this layout reach.
// Bytes processed are output bytes (T * d * 4), so the GB/s of all four compare directly.
// T bags of 20 rows each (mode "mean") are timed too, ours against at::embedding_bag on the dense
// table; their bytes processed are those of the rows reduced (T * 20 * d * 4).
// bench/run_benchmarks.py runs this with --benchmark_format=json and prints the README tables.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>
#include <torch/version.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <tuple>

#include "random_embeddings/torch/ops.h"

namespace {

namespace ops = random_embeddings::ops;

struct Shape {
  int64_t n;      // rows
  int64_t d;      // columns
  int64_t batch;  // indices looked up per call
  bool operator==(const Shape& other) const {
    return n == other.n && d == other.d && batch == other.batch;
  }
};

// From a small vocabulary to the size of large pretrained vector files.
constexpr Shape kShapes[] = {{30'000, 300, 4096},
                             {400'000, 300, 4096},
                             {2'000'000, 300, 4096},
                             {400'000, 64, 65536},
                             {10'000'000, 128, 16384}};
constexpr int kThreads[] = {1, 2};
constexpr uint64_t kSeed = 1234;
// Short enough that the whole binary runs in about a minute on 2 cores.
constexpr double kMinTimeS = 0.25;
constexpr int64_t kBagSize = 20;

// The original module's forward:
//   input_us = input.unsqueeze(-1)
//   self.rand_weight[input_us // d, (input_us - self.ind) % d] *
//       (self.rand_signs[input // d, :] * 2.0 - 1.0)
at::Tensor original_forward(const at::Tensor& rand_weight, const at::Tensor& rand_signs,
                            const at::Tensor& ind, const at::Tensor& input) {
  const int64_t d = rand_weight.size(1);
  const at::Tensor input_us = input.unsqueeze(-1);
  return rand_weight.index({at::div(input_us, d, "floor"), (input_us - ind).remainder(d)}) *
         (rand_signs.index({at::div(input, d, "floor")}) * 2.0 - 1.0);
}

// The parameters and indices of one shape; the dense table and the original's buffers are built
// on first use. Only one shape is alive at a time: the 10M x 128 dense table alone is 5.1 GB.
class ShapeTables {
 public:
  explicit ShapeTables(const Shape& shape) : shape_(shape) {
    at::Generator generator = at::detail::createCPUGenerator(kSeed);
    std::tie(rand_weight_, packed_signs_) = ops::init_params(shape.n, shape.d, 1.0, generator);
    indices_ = at::randint(shape.n, {shape.batch}, generator, at::kLong);
    bag_indices_ = at::randint(shape.n, {shape.batch * kBagSize}, generator, at::kLong);
    bag_offsets_ = at::arange(0, shape.batch * kBagSize, kBagSize);
    block_indices_ = at::div(indices_, shape.d, "floor");
    expected_ = ops::embedding(rand_weight_, packed_signs_, shape.n, indices_);
  }

  const Shape& shape() const { return shape_; }
  const at::Tensor& rand_weight() const { return rand_weight_; }
  const at::Tensor& packed_signs() const { return packed_signs_; }
  const at::Tensor& indices() const { return indices_; }
  // indices() / d: the block of each index.
  const at::Tensor& block_indices() const { return block_indices_; }
  // ours on indices(): every other method must return exactly these rows.
  const at::Tensor& expected() const { return expected_; }
  // batch bags of kBagSize indices: 1-D indices and the offsets where each bag starts.
  const at::Tensor& bag_indices() const { return bag_indices_; }
  const at::Tensor& bag_offsets() const { return bag_offsets_; }

  // The same n x d matrix, materialized.
  const at::Tensor& dense() {
    if (!dense_.defined()) {
      const int threads = at::get_num_threads();
      at::set_num_threads(static_cast<int>(std::thread::hardware_concurrency()));
      dense_ = ops::embedding(rand_weight_, packed_signs_, shape_.n, at::arange(shape_.n));
      at::set_num_threads(threads);
    }
    return dense_;
  }

  // The original module's buffers: bool signs and ind = arange(d).
  const at::Tensor& rand_signs() {
    if (!rand_signs_.defined()) rand_signs_ = ops::unpack_signs(packed_signs_, shape_.d);
    return rand_signs_;
  }
  const at::Tensor& ind() {
    if (!ind_.defined()) ind_ = at::arange(shape_.d);
    return ind_;
  }

 private:
  Shape shape_;
  at::Tensor rand_weight_, packed_signs_, indices_, block_indices_, bag_indices_, bag_offsets_,
      expected_;
  at::Tensor dense_, rand_signs_, ind_;
};

ShapeTables& tables_for(const Shape& shape) {
  static std::unique_ptr<ShapeTables> current;
  if (!current || !(current->shape() == shape)) {
    current.reset();  // free the previous shape's tables before building this one's
    current = std::make_unique<ShapeTables>(shape);
  }
  return *current;
}

enum class Method { kOurs, kDense, kOriginal, kFloor, kCopy, kOursBag, kDenseBag };

bool is_bag(Method method) { return method == Method::kOursBag || method == Method::kDenseBag; }

const char* method_name(Method method) {
  switch (method) {
    case Method::kOurs:
      return "ours";
    case Method::kDense:
      return "dense";
    case Method::kOriginal:
      return "original";
    case Method::kFloor:
      return "floor";
    case Method::kCopy:
      return "copy";
    case Method::kOursBag:
      return "ours";
    case Method::kDenseBag:
      return "dense";
  }
  return "?";
}

// What the first call of a timed function must return: nothing checked, exactly these rows
// (single rows are copies of stored floats), or these up to rounding (bag means).
struct Expected {
  at::Tensor output;
  bool exact = true;
};

// Times lookup(), which reads rows_per_call rows of d floats.
template <typename Lookup>
void measure(benchmark::State& state, const Shape& shape, int64_t rows_per_call,
             const Expected& expected, Lookup lookup) {
  if (expected.output.defined()) {
    const at::Tensor first = lookup();
    const bool same = first.sizes() == expected.output.sizes() &&
                      (expected.exact ? at::equal(first, expected.output)
                                      : at::allclose(first, expected.output, 1e-5, 1e-6));
    if (!same) {
      state.SkipWithError("the output differs from random_embeddings::ops's");
      return;
    }
  }
  for (auto _ : state) {
    at::Tensor out = lookup();
    benchmark::DoNotOptimize(out.data_ptr());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * rows_per_call * shape.d *
                          static_cast<int64_t>(sizeof(float)));
  state.SetItemsProcessed(state.iterations() * rows_per_call);
}

void run_bags(benchmark::State& state, Method method, ShapeTables& tables) {
  const Shape& shape = tables.shape();
  const at::Tensor& indices = tables.bag_indices();
  const at::Tensor& offsets = tables.bag_offsets();
  const auto ours = [&] {
    return ops::embedding_bag(tables.rand_weight(), tables.packed_signs(), shape.n, indices,
                              offsets, "mean");
  };
  if (method == Method::kOursBag) {
    measure(state, shape, shape.batch * kBagSize, Expected{}, ours);
    return;
  }
  const at::Tensor& dense = tables.dense();
  constexpr int64_t kMean = 1;  // at::embedding_bag's mode code
  measure(state, shape, shape.batch * kBagSize, Expected{ours(), false},
          [&] { return std::get<0>(at::embedding_bag(dense, indices, offsets, false, kMean)); });
}

void run(benchmark::State& state, Method method, Shape shape, int threads) {
  ShapeTables& tables = tables_for(shape);
  at::set_num_threads(threads);
  const at::Tensor& indices = tables.indices();
  const Expected expected{tables.expected(), true};
  const Expected none;
  switch (method) {
    case Method::kOurs:
      measure(state, shape, shape.batch, none, [&] {
        return ops::embedding(tables.rand_weight(), tables.packed_signs(), shape.n, indices);
      });
      break;
    case Method::kDense: {
      const at::Tensor& dense = tables.dense();
      measure(state, shape, shape.batch, expected, [&] { return at::embedding(dense, indices); });
      break;
    }
    case Method::kOriginal: {
      const at::Tensor& rand_signs = tables.rand_signs();
      const at::Tensor& ind = tables.ind();
      measure(state, shape, shape.batch, expected,
              [&] { return original_forward(tables.rand_weight(), rand_signs, ind, indices); });
      break;
    }
    case Method::kFloor:
      measure(state, shape, shape.batch, none, [&] {
        return at::empty({shape.batch, shape.d}, at::kFloat).fill_(1.0f);
      });
      break;
    case Method::kCopy:
      measure(state, shape, shape.batch, none, [&] {
        return at::embedding(tables.rand_weight(), tables.block_indices());
      });
      break;
    case Method::kOursBag:
    case Method::kDenseBag:
      run_bags(state, method, tables);
      break;
  }
}

std::string benchmark_name(Method method, const Shape& shape, int threads) {
  return std::string(is_bag(method) ? "bag/" : "lookup/") + method_name(method) +
         "/n:" + std::to_string(shape.n) + "/d:" + std::to_string(shape.d) +
         "/batch:" + std::to_string(shape.batch) + "/threads:" + std::to_string(threads);
}

constexpr Method kMethods[] = {Method::kOurs, Method::kDense,   Method::kOriginal, Method::kFloor,
                               Method::kCopy, Method::kOursBag, Method::kDenseBag};

}  // namespace

int main(int argc, char** argv) {
  // A --benchmark_min_time on the command line replaces the short default.
  bool min_time_given = false;
  for (int i = 1; i < argc; ++i) {
    min_time_given |= std::strncmp(argv[i], "--benchmark_min_time", 20) == 0;
  }
  const int default_threads = at::get_num_threads();
  // Grouped by shape, so each shape's tables are built once and freed before the next.
  for (const Shape& shape : kShapes) {
    for (const int threads : kThreads) {
      for (const Method method : kMethods) {
        auto* b = benchmark::RegisterBenchmark(
            benchmark_name(method, shape, threads).c_str(),
            [=](benchmark::State& state) { run(state, method, shape, threads); });
        b->UseRealTime()->Unit(benchmark::kMicrosecond);
        if (!min_time_given) b->MinTime(kMinTimeS);
      }
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("torch_version", TORCH_VERSION);
  benchmark::AddCustomContext("torch_default_threads", std::to_string(default_threads));
  benchmark::AddCustomContext("index_seed", std::to_string(kSeed));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
