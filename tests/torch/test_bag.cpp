// RandomEmbeddingBag and the nn.Embedding options against torch's own ops on the dense weight.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sstream>

#include "random_embeddings/random_embeddings.h"

namespace re = random_embeddings;
namespace F = torch::nn::functional;

namespace {

TEST(RandomEmbeddingBag, MatchesDenseEmbeddingBagInEveryMode) {
  torch::manual_seed(1);
  const torch::Tensor ids = torch::randint(500, {120}, torch::kLong);
  const torch::Tensor offsets = torch::tensor({0, 4, 4, 60, 119});
  const std::vector<torch::nn::EmbeddingBagMode> modes{torch::kSum, torch::kMean, torch::kMax};
  for (const auto& mode : modes) {
    for (const c10::optional<int64_t> padding :
         {c10::optional<int64_t>(), c10::optional<int64_t>(ids[2].item<int64_t>())}) {
      re::RandomEmbeddingBag bag(
          re::RandomEmbeddingBagOptions(500, 33).mode(mode).padding_idx(padding));
      auto expected_options = F::EmbeddingBagFuncOptions().offsets(offsets).mode(mode);
      if (padding) expected_options.padding_idx(*padding);
      const torch::Tensor expected = F::embedding_bag(ids, bag->weight(), expected_options);
      EXPECT_TRUE(torch::allclose(bag(ids, offsets), expected, 1e-5, 1e-6));
      EXPECT_TRUE(torch::allclose(bag(ids.to(torch::kInt32), offsets.to(torch::kInt32)), expected,
                                  1e-5, 1e-6));
    }
  }
}

TEST(RandomEmbeddingBag, TwoDimensionalInputWeightsAndLastOffset) {
  re::RandomEmbeddingBag bag(re::RandomEmbeddingBagOptions(300, 16).mode(torch::kSum));
  const torch::Tensor ids = torch::randint(300, {6, 20}, torch::kLong);
  EXPECT_TRUE(torch::allclose(bag(ids), bag->weight().index({ids}).sum(1), 1e-5, 1e-6));
  const torch::Tensor flat = ids.flatten();
  const torch::Tensor w = torch::rand({120});
  const torch::Tensor offsets = torch::arange(0, 121, 20);
  re::RandomEmbeddingBag last(
      re::RandomEmbeddingBagOptions(300, 16).mode(torch::kSum).include_last_offset(true));
  const torch::Tensor expected = F::embedding_bag(flat, last->weight(),
                                                  F::EmbeddingBagFuncOptions()
                                                      .offsets(offsets)
                                                      .mode(torch::kSum)
                                                      .per_sample_weights(w)
                                                      .include_last_offset(true));
  EXPECT_TRUE(torch::allclose(last(flat, offsets, w), expected, 1e-5, 1e-6));
  EXPECT_EQ(last(flat, offsets, w).sizes(), (std::vector<int64_t>{6, 16}));
}

TEST(RandomEmbeddingBag, EmptyBagsAreZerosAndErrorsAreClear) {
  re::RandomEmbeddingBag bag(re::RandomEmbeddingBagOptions(50, 8).mode(torch::kMax));
  const torch::Tensor out = bag(torch::tensor({1, 2}), torch::tensor({0, 0, 2}));
  EXPECT_TRUE(torch::equal(out[0], torch::zeros({8})));
  EXPECT_TRUE(torch::equal(out[2], torch::zeros({8})));
  EXPECT_THROW(bag(torch::tensor({1, 50}), torch::tensor({0})), c10::IndexError);
  EXPECT_THROW(bag(torch::tensor({1, 2}), torch::tensor({1})), c10::ValueError);
  EXPECT_THROW(bag(torch::tensor({1, 2})), c10::ValueError);
  EXPECT_THROW(bag(torch::tensor({1, 2}), torch::tensor({0}), torch::ones({2})), c10::ValueError);
  std::ostringstream printed;
  printed << *bag;
  EXPECT_EQ(printed.str(),
            "random_embeddings::RandomEmbeddingBag(num_embeddings=50, embedding_dim=8, "
            "avg_embedding_norm=1, mode=\"max\")");
}

TEST(RandomEmbeddingBag, SaveLoadAndSequential) {
  re::RandomEmbeddingBag a(40, 5), b(40, 5);
  std::stringstream stream;
  torch::save(a, stream);
  torch::load(b, stream);
  EXPECT_TRUE(torch::equal(a->weight(), b->weight()));
  torch::nn::Sequential model(re::RandomEmbeddingBag(40, 5), torch::nn::Linear(5, 2));
  EXPECT_EQ(model->forward(torch::randint(40, {3, 4}, torch::kLong)).sizes(),
            (std::vector<int64_t>{3, 2}));
}

TEST(EmbeddingOptions, PaddingMaxNormAndDtypes) {
  torch::manual_seed(4);
  re::RandomEmbedding emb(re::RandomEmbeddingOptions(200, 12).padding_idx(-2).max_norm(0.3));
  const torch::Tensor ids = torch::randint(200, {50}, torch::kLong);
  ids[0] = 198;
  const torch::Tensor dense = emb->weight();
  EXPECT_TRUE(torch::equal(dense[198], torch::zeros({12})));
  const torch::Tensor expected =
      F::embedding(ids, dense.clone(), F::EmbeddingFuncOptions().padding_idx(198).max_norm(0.3));
  EXPECT_TRUE(torch::allclose(emb(ids), expected, 1e-6, 1e-7));
  EXPECT_TRUE(torch::equal(emb->weight(), dense));  // the parameters stay fixed
  for (const auto dtype : {torch::kFloat64, torch::kFloat16, torch::kBFloat16}) {
    re::RandomEmbedding typed(re::RandomEmbeddingOptions(200, 12).dtype(dtype));
    const torch::Tensor out = typed(ids);
    EXPECT_EQ(out.dtype(), dtype);
    EXPECT_TRUE(torch::equal(out, typed(ids.clone()).to(dtype)));
  }
}

TEST(Fallback, TorchOpsKernelsMatchTheCpuKernels) {
  auto [w, s] = re::ops::init_params(1000, 37);
  const torch::Tensor ids = torch::randint(1000, {3, 41}, torch::kLong);
  const torch::Tensor meta =
      re::ops::embedding(w.to(torch::kMeta), s.to(torch::kMeta), 1000, ids.to(torch::kMeta));
  EXPECT_EQ(meta.sizes(), (std::vector<int64_t>{3, 41, 37}));
  EXPECT_TRUE(meta.is_meta());
  const torch::Tensor bag =
      re::ops::embedding_bag(w.to(torch::kMeta), s.to(torch::kMeta), 1000, ids.to(torch::kMeta));
  EXPECT_EQ(bag.sizes(), (std::vector<int64_t>{3, 37}));
}

}  // namespace
