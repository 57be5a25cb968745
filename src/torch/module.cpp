// The LibTorch modules and the functional forms; all of them call the registered operators.
#include "random_embeddings/torch/module.h"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <torch/utils.h>

#include "checks.h"
#include "random_embeddings/core/circulant.h"
#include "random_embeddings/torch/functional.h"
#include "random_embeddings/torch/ops.h"

namespace random_embeddings {
namespace {

const char* mode_name(const torch::nn::EmbeddingBagMode& mode) {
  if (c10::get_if<torch::enumtype::kSum>(&mode)) return "sum";
  if (c10::get_if<torch::enumtype::kMax>(&mode)) return "max";
  return "mean";
}

c10::optional<at::Tensor> optional_tensor(const torch::Tensor& t) {
  return t.defined() ? c10::optional<at::Tensor>(t) : c10::nullopt;
}

// padding_idx in [0, n), checked as the kernels check it.
c10::optional<int64_t> checked_padding_idx(c10::optional<int64_t> padding_idx, int64_t n) {
  if (!padding_idx.has_value()) return padding_idx;
  return detail::normalized_padding_idx(padding_idx, n);
}

// The buffers both modules hold, drawn and registered in the original module's order.
struct Table {
  torch::Tensor rand_weight, ind, packed_signs;
};

Table register_table(torch::nn::Module& module, int64_t n, int64_t d, double c,
                     const c10::optional<at::Generator>& generator) {
  auto [weight, signs] = ops::init_params(n, d, c, generator);
  Table table;
  table.rand_weight = module.register_buffer("rand_weight", weight);
  table.ind = module.register_buffer("ind", torch::arange(d, torch::kLong));
  table.packed_signs = module.register_buffer("packed_signs", signs);
  return table;
}

// Checks the options of either module and draws its table into it.
template <typename Impl>
void reset_table(Impl& module) {
  auto& options = module.options;
  options.padding_idx(checked_padding_idx(options.padding_idx(), options.num_embeddings()));
  Table table = register_table(module, options.num_embeddings(), options.embedding_dim(),
                               options.avg_embedding_norm(), options.generator());
  module.rand_weight = table.rand_weight;
  module.ind = table.ind;
  module.packed_signs = table.packed_signs;
}

torch::Tensor all_rows(int64_t n, const torch::Tensor& like) {
  return torch::arange(n, torch::TensorOptions(torch::kLong).device(like.device()));
}

// The archive holds the original module's names: rand_weight, ind and bool rand_signs.
void save_table(torch::serialize::OutputArchive& archive, const torch::Tensor& rand_weight,
                const torch::Tensor& ind, const torch::Tensor& packed_signs, int64_t d) {
  archive.write("rand_weight", rand_weight, /*is_buffer=*/true);
  archive.write("ind", ind, /*is_buffer=*/true);
  archive.write("rand_signs", ops::unpack_signs(packed_signs, d), /*is_buffer=*/true);
}

void load_table(torch::serialize::InputArchive& archive, torch::Tensor& rand_weight,
                torch::Tensor& ind, torch::Tensor& packed_signs, int64_t n, int64_t d) {
  torch::Tensor weight, indices, signs;
  archive.read("rand_weight", weight, /*is_buffer=*/true);
  archive.read("ind", indices, /*is_buffer=*/true);
  archive.read("rand_signs", signs, /*is_buffer=*/true);
  const int64_t b = core::num_blocks(n, d);
  const std::vector<int64_t> expected{b, d};
  TORCH_CHECK_VALUE(weight.sizes() == expected && signs.sizes() == expected &&
                        indices.sizes() == torch::IntArrayRef{d},
                    "RandomEmbedding: the archive holds rand_weight ", weight.sizes(),
                    ", rand_signs ", signs.sizes(), " and ind ", indices.sizes(),
                    ", but num_embeddings=", n, ", embedding_dim=", d, " needs (", b, ", ", d,
                    "), (", b, ", ", d, ") and (", d, ")");
  torch::NoGradGuard no_grad;
  const torch::Tensor packed = ops::pack_signs(signs.to(torch::kCPU)).to(rand_weight.device());
  rand_weight.set_(weight.to(rand_weight.device(), torch::kFloat).contiguous());
  ind.set_(indices.to(ind.device(), torch::kLong).contiguous());
  packed_signs.set_(packed);
}

}  // namespace

namespace functional {

torch::Tensor random_embedding(const torch::Tensor& input, const torch::Tensor& rand_weight,
                               const torch::Tensor& packed_signs,
                               const RandomEmbeddingFuncOptions& options) {
  return ops::embedding(rand_weight, packed_signs, options.num_embeddings(), input,
                        options.padding_idx(), options.max_norm(), options.norm_type(),
                        options.dtype());
}

torch::Tensor random_embedding_bag(const torch::Tensor& input, const torch::Tensor& rand_weight,
                                   const torch::Tensor& packed_signs,
                                   const RandomEmbeddingBagFuncOptions& options) {
  return ops::embedding_bag(rand_weight, packed_signs, options.num_embeddings(), input,
                            optional_tensor(options.offsets()), mode_name(options.mode()),
                            optional_tensor(options.per_sample_weights()),
                            options.include_last_offset(), options.padding_idx(),
                            options.max_norm(), options.norm_type(), options.dtype());
}

}  // namespace functional

torch::Tensor create_random_circulant_embeddings(int64_t num_embeddings, int64_t embedding_dim,
                                                 double avg_embedding_norm,
                                                 c10::optional<at::Generator> generator) {
  auto [rand_weight, packed_signs] =
      ops::init_params(num_embeddings, embedding_dim, avg_embedding_norm, std::move(generator));
  return ops::embedding(rand_weight, packed_signs, num_embeddings,
                        all_rows(num_embeddings, rand_weight));
}

// ---- RandomEmbedding ----

RandomEmbeddingImpl::RandomEmbeddingImpl(RandomEmbeddingOptions options_)
    : options(std::move(options_)) {
  reset();
}

void RandomEmbeddingImpl::reset() { reset_table(*this); }

void RandomEmbeddingImpl::pretty_print(std::ostream& stream) const {
  stream << "random_embeddings::RandomEmbedding(num_embeddings=" << options.num_embeddings()
         << ", embedding_dim=" << options.embedding_dim()
         << ", avg_embedding_norm=" << options.avg_embedding_norm();
  if (options.padding_idx().has_value()) stream << ", padding_idx=" << *options.padding_idx();
  if (options.max_norm().has_value()) {
    stream << ", max_norm=" << *options.max_norm() << ", norm_type=" << options.norm_type();
  }
  if (options.dtype().has_value()) stream << ", dtype=" << *options.dtype();
  stream << ")";
}

functional::RandomEmbeddingFuncOptions RandomEmbeddingImpl::func_options() const {
  return functional::RandomEmbeddingFuncOptions(options.num_embeddings())
      .padding_idx(options.padding_idx())
      .max_norm(options.max_norm())
      .norm_type(options.norm_type())
      .dtype(options.dtype());
}

torch::Tensor RandomEmbeddingImpl::forward(const torch::Tensor& input) {
  return functional::random_embedding(input, rand_weight, packed_signs, func_options());
}

torch::Tensor RandomEmbeddingImpl::weight() const {
  return functional::random_embedding(all_rows(options.num_embeddings(), rand_weight), rand_weight,
                                      packed_signs, func_options().max_norm(c10::nullopt));
}

void RandomEmbeddingImpl::save(torch::serialize::OutputArchive& archive) const {
  save_table(archive, rand_weight, ind, packed_signs, options.embedding_dim());
}

void RandomEmbeddingImpl::load(torch::serialize::InputArchive& archive) {
  load_table(archive, rand_weight, ind, packed_signs, options.num_embeddings(),
             options.embedding_dim());
}

// ---- RandomEmbeddingBag ----

RandomEmbeddingBagImpl::RandomEmbeddingBagImpl(RandomEmbeddingBagOptions options_)
    : options(std::move(options_)) {
  reset();
}

void RandomEmbeddingBagImpl::reset() { reset_table(*this); }

void RandomEmbeddingBagImpl::pretty_print(std::ostream& stream) const {
  stream << "random_embeddings::RandomEmbeddingBag(num_embeddings=" << options.num_embeddings()
         << ", embedding_dim=" << options.embedding_dim()
         << ", avg_embedding_norm=" << options.avg_embedding_norm() << ", mode=\""
         << mode_name(options.mode()) << "\"";
  if (options.include_last_offset()) stream << ", include_last_offset=true";
  if (options.padding_idx().has_value()) stream << ", padding_idx=" << *options.padding_idx();
  if (options.max_norm().has_value()) {
    stream << ", max_norm=" << *options.max_norm() << ", norm_type=" << options.norm_type();
  }
  if (options.dtype().has_value()) stream << ", dtype=" << *options.dtype();
  stream << ")";
}

torch::Tensor RandomEmbeddingBagImpl::forward(const torch::Tensor& input,
                                              const torch::Tensor& offsets,
                                              const torch::Tensor& per_sample_weights) {
  return functional::random_embedding_bag(
      input, rand_weight, packed_signs,
      functional::RandomEmbeddingBagFuncOptions(options.num_embeddings())
          .offsets(offsets)
          .max_norm(options.max_norm())
          .norm_type(options.norm_type())
          .mode(options.mode())
          .per_sample_weights(per_sample_weights)
          .include_last_offset(options.include_last_offset())
          .padding_idx(options.padding_idx())
          .dtype(options.dtype()));
}

torch::Tensor RandomEmbeddingBagImpl::weight() const {
  return functional::random_embedding(
      all_rows(options.num_embeddings(), rand_weight), rand_weight, packed_signs,
      functional::RandomEmbeddingFuncOptions(options.num_embeddings())
          .padding_idx(options.padding_idx())
          .dtype(options.dtype()));
}

void RandomEmbeddingBagImpl::save(torch::serialize::OutputArchive& archive) const {
  save_table(archive, rand_weight, ind, packed_signs, options.embedding_dim());
}

void RandomEmbeddingBagImpl::load(torch::serialize::InputArchive& archive) {
  load_table(archive, rand_weight, ind, packed_signs, options.num_embeddings(),
             options.embedding_dim());
}

}  // namespace random_embeddings
