// The LibTorch module and the functional forms; both call the registered operators.
#include "random_embeddings/torch/module.h"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <torch/utils.h>

#include "random_embeddings/core/circulant.h"
#include "random_embeddings/torch/functional.h"
#include "random_embeddings/torch/ops.h"

namespace random_embeddings {

namespace functional {

torch::Tensor random_embedding(const torch::Tensor& input, const torch::Tensor& rand_weight,
                               const torch::Tensor& packed_signs,
                               const RandomEmbeddingFuncOptions& options) {
  return ops::embedding(rand_weight, packed_signs, options.num_embeddings(), input,
                        options.padding_idx(), options.max_norm(), options.norm_type(),
                        options.dtype());
}

}  // namespace functional

torch::Tensor create_random_circulant_embeddings(int64_t num_embeddings, int64_t embedding_dim,
                                                 double avg_embedding_norm,
                                                 c10::optional<at::Generator> generator) {
  auto [rand_weight, packed_signs] =
      ops::init_params(num_embeddings, embedding_dim, avg_embedding_norm, std::move(generator));
  return ops::embedding(rand_weight, packed_signs, num_embeddings,
                        torch::arange(num_embeddings, torch::kLong));
}

RandomEmbeddingImpl::RandomEmbeddingImpl(RandomEmbeddingOptions options_)
    : options(std::move(options_)) {
  reset();
}

void RandomEmbeddingImpl::reset() {
  const int64_t n = options.num_embeddings();
  if (options.padding_idx().has_value()) {
    const int64_t p = *options.padding_idx();
    TORCH_CHECK_VALUE(p >= -n && p < n, "RandomEmbedding: padding_idx must be within [", -n, ", ",
                      n, "), got ", p);
    if (p < 0) options.padding_idx(p + n);
  }
  auto [weight, signs] = ops::init_params(n, options.embedding_dim(), options.avg_embedding_norm(),
                                          options.generator());
  rand_weight = register_buffer("rand_weight", weight);
  ind = register_buffer("ind", torch::arange(options.embedding_dim(), torch::kLong));
  packed_signs = register_buffer("packed_signs", signs);
}

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
  const auto all_rows = torch::arange(options.num_embeddings(),
                                      torch::TensorOptions(torch::kLong).device(rand_weight.device()));
  return functional::random_embedding(all_rows, rand_weight, packed_signs,
                                      func_options().max_norm(c10::nullopt));
}

void RandomEmbeddingImpl::save(torch::serialize::OutputArchive& archive) const {
  archive.write("rand_weight", rand_weight, /*is_buffer=*/true);
  archive.write("ind", ind, /*is_buffer=*/true);
  archive.write("rand_signs", ops::unpack_signs(packed_signs, options.embedding_dim()),
                /*is_buffer=*/true);
}

void RandomEmbeddingImpl::load(torch::serialize::InputArchive& archive) {
  torch::Tensor weight, indices, signs;
  archive.read("rand_weight", weight, /*is_buffer=*/true);
  archive.read("ind", indices, /*is_buffer=*/true);
  archive.read("rand_signs", signs, /*is_buffer=*/true);
  const int64_t b = core::num_blocks(options.num_embeddings(), options.embedding_dim());
  const std::vector<int64_t> expected{b, options.embedding_dim()};
  TORCH_CHECK_VALUE(weight.sizes() == expected && signs.sizes() == expected &&
                        indices.sizes() == torch::IntArrayRef{options.embedding_dim()},
                    "RandomEmbedding: the archive holds rand_weight ", weight.sizes(),
                    ", rand_signs ", signs.sizes(), " and ind ", indices.sizes(),
                    ", but num_embeddings=", options.num_embeddings(),
                    ", embedding_dim=", options.embedding_dim(), " needs (", b, ", ",
                    options.embedding_dim(), "), (", b, ", ", options.embedding_dim(), ") and (",
                    options.embedding_dim(), ")");
  torch::NoGradGuard no_grad;
  const torch::Tensor packed = ops::pack_signs(signs.to(torch::kCPU)).to(rand_weight.device());
  rand_weight.set_(weight.to(rand_weight.device(), torch::kFloat).contiguous());
  ind.set_(indices.to(ind.device(), torch::kLong).contiguous());
  packed_signs.set_(packed);
}

}  // namespace random_embeddings
