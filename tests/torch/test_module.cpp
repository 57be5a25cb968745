// The LibTorch module and operators against an independent torch-ops version of SPEC.md.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <sstream>
#include <thread>
#include <tuple>
#include <vector>

#include "random_embeddings/random_embeddings.h"

namespace re = random_embeddings;

namespace {

// SPEC.md, written with plain torch ops: draw order, scaling and the row formula.
struct SpecEmbedding {
  torch::Tensor v, s;
  int64_t n, d;

  SpecEmbedding(int64_t n_, int64_t d_, double c) : n(n_), d(d_) {
    const int64_t b = (n + d - 1) / d;
    v = torch::randn({b, d});
    const torch::Tensor norms = v.norm(2, {1});
    const torch::Tensor cur =
        (norms.slice(0, 0, b - 1).sum() * d + norms[b - 1] * (n - (b - 1) * d)) / n;
    v.mul_(c / cur.item<double>());
    s = torch::randint(2, {b, d}, torch::kBool);
  }

  torch::Tensor rows(const torch::Tensor& ids) const {
    const torch::Tensor i = ids.to(torch::kLong);
    const torch::Tensor q = i.div(d, "floor");
    const torch::Tensor cols = (i.remainder(d).unsqueeze(-1) - torch::arange(d)).remainder(d);
    return v.index({q.unsqueeze(-1), cols}) * (s.index({q}).to(torch::kFloat) * 2.0 - 1.0);
  }
};

bool bit_equal(const torch::Tensor& a, const torch::Tensor& b) {
  return a.sizes() == b.sizes() && a.dtype() == b.dtype() &&
         (a.numel() == 0 || torch::equal(a.view(torch::kInt32), b.view(torch::kInt32)));
}

template <typename Exception>
std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Exception& e) {
    return e.what_without_backtrace();
  }
  return "<no exception of the expected type>";
}

class Shapes : public ::testing::TestWithParam<std::tuple<int64_t, int64_t>> {};

TEST_P(Shapes, MatchesSpecBitForBit) {
  const auto [n, d] = GetParam();
  for (const double c : {1.0, 3.5}) {
    torch::manual_seed(n * 31 + d);
    const SpecEmbedding spec(n, d, c);
    torch::manual_seed(n * 31 + d);
    re::RandomEmbedding ours(re::RandomEmbeddingOptions(n, d).avg_embedding_norm(c));
    EXPECT_TRUE(bit_equal(ours->rand_weight, spec.v));
    EXPECT_TRUE(torch::equal(re::ops::unpack_signs(ours->packed_signs, d), spec.s));
    const torch::Tensor ids = torch::randint(n, {257}, torch::kLong);
    EXPECT_TRUE(bit_equal(ours(ids), spec.rows(ids)));
    EXPECT_TRUE(bit_equal(ours(ids.to(torch::kInt32)), spec.rows(ids)));
    const torch::Tensor weight = ours->weight();
    EXPECT_TRUE(bit_equal(weight, spec.rows(torch::arange(n))));
    // The mean row norm is c, to float32 rounding.
    EXPECT_NEAR(weight.norm(2, {1}).to(torch::kDouble).mean().item<double>(), c, 1e-5 * c);
  }
}

INSTANTIATE_TEST_SUITE_P(Spec, Shapes,
                         ::testing::Values(std::make_tuple(1, 1), std::make_tuple(1, 300),
                                           std::make_tuple(5, 7), std::make_tuple(7, 7),
                                           std::make_tuple(10, 3), std::make_tuple(1000, 1),
                                           std::make_tuple(301, 300), std::make_tuple(12345, 300),
                                           std::make_tuple(40, 17)));

TEST(RandomEmbedding, OptionsChainAndPrint) {
  re::RandomEmbeddingOptions options(10, 4);
  options.avg_embedding_norm(2.0).padding_idx(-1).max_norm(1.5);
  EXPECT_EQ(options.num_embeddings(), 10);
  EXPECT_EQ(options.embedding_dim(), 4);
  EXPECT_EQ(options.avg_embedding_norm(), 2.0);
  re::RandomEmbedding emb(options);
  EXPECT_EQ(*emb->options.padding_idx(), 9);
  std::ostringstream printed;
  printed << *emb;
  EXPECT_EQ(printed.str(),
            "random_embeddings::RandomEmbedding(num_embeddings=10, embedding_dim=4, "
            "avg_embedding_norm=2, padding_idx=9, max_norm=1.5, norm_type=2)");
}

TEST(RandomEmbedding, BuffersNoParametersNoGrad) {
  re::RandomEmbedding emb(100, 8);
  EXPECT_TRUE(emb->parameters().empty());
  const auto buffers = emb->named_buffers();
  ASSERT_EQ(buffers.size(), 3u);
  EXPECT_EQ(buffers["rand_weight"].sizes(), (std::vector<int64_t>{13, 8}));
  EXPECT_EQ(buffers["ind"].dtype(), torch::kLong);
  EXPECT_EQ(buffers["packed_signs"].sizes(), (std::vector<int64_t>{13, 1}));
  const torch::Tensor out = emb(torch::tensor({1, 2, 3}));
  EXPECT_FALSE(out.requires_grad());
  EXPECT_EQ(out.dtype(), torch::kFloat);
}

TEST(RandomEmbedding, GeneratorGivesReproducibleDraws) {
  auto gen_a = at::make_generator<at::CPUGeneratorImpl>(7);
  auto gen_b = at::make_generator<at::CPUGeneratorImpl>(7);
  re::RandomEmbedding a(re::RandomEmbeddingOptions(50, 6).generator(gen_a));
  torch::manual_seed(123);  // the default generator is not used
  re::RandomEmbedding b(re::RandomEmbeddingOptions(50, 6).generator(gen_b));
  EXPECT_TRUE(torch::equal(a->weight(), b->weight()));
  EXPECT_TRUE(
      torch::equal(a->weight(), re::create_random_circulant_embeddings(
                                    50, 6, 1.0, at::make_generator<at::CPUGeneratorImpl>(7))));
}

TEST(RandomEmbedding, CreateDenseMatchesModule) {
  torch::manual_seed(3);
  const torch::Tensor dense = re::create_random_circulant_embeddings(23, 5, 2.0);
  torch::manual_seed(3);
  re::RandomEmbedding emb(re::RandomEmbeddingOptions(23, 5).avg_embedding_norm(2.0));
  EXPECT_TRUE(bit_equal(dense, emb->weight()));
  EXPECT_EQ(dense.sizes(), (std::vector<int64_t>{23, 5}));
}

TEST(RandomEmbedding, AnyIndexShape) {
  re::RandomEmbedding emb(30, 4);
  EXPECT_EQ(emb(torch::tensor(int64_t{3})).sizes(), (std::vector<int64_t>{4}));
  EXPECT_EQ(emb(torch::empty({0}, torch::kLong)).sizes(), (std::vector<int64_t>{0, 4}));
  EXPECT_EQ(emb(torch::empty({2, 0}, torch::kInt32)).sizes(), (std::vector<int64_t>{2, 0, 4}));
  const torch::Tensor ids = torch::randint(30, {2, 3, 5}, torch::kLong);
  const torch::Tensor out = emb(ids);
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{2, 3, 5, 4}));
  EXPECT_TRUE(torch::equal(out, emb(ids.flatten()).view({2, 3, 5, 4})));
  // Non-contiguous indices read correctly.
  EXPECT_TRUE(torch::equal(emb(ids.transpose(0, 2)), out.transpose(0, 2)));
  EXPECT_TRUE(torch::equal(emb(torch::tensor(int64_t{3})), emb(torch::tensor({3}))[0]));
}

TEST(RandomEmbedding, ErrorsNameTheValueAndRange) {
  re::RandomEmbedding emb(10, 3);
  EXPECT_EQ(message_of<c10::IndexError>([&] {
              emb(torch::tensor({1, 10, 2}));
            }),
            "RandomEmbedding: index 10 is out of range: indices must be in [0, 10) for "
            "num_embeddings=10");
  EXPECT_NE(message_of<c10::IndexError>([&] { emb(torch::tensor({-1})); }).find("index -1"),
            std::string::npos);
  EXPECT_NE(message_of<c10::TypeError>([&] { emb(torch::tensor({1.0})); }).find("Float"),
            std::string::npos);
  EXPECT_NE(message_of<c10::ValueError>([] {
              re::RandomEmbedding(0, 3);
            }).find("num_embeddings must be at least 1, got 0"),
            std::string::npos);
  EXPECT_NE(message_of<c10::ValueError>([] {
              re::RandomEmbedding(4, -2);
            }).find("embedding_dim must be at least 1, got -2"),
            std::string::npos);
  for (const double c : {0.0, -1.0, std::nan(""), HUGE_VAL}) {
    EXPECT_NE(message_of<c10::ValueError>([&] {
                re::RandomEmbedding(re::RandomEmbeddingOptions(4, 2).avg_embedding_norm(c));
              }).find("avg_embedding_norm must be a finite number greater than 0"),
              std::string::npos);
  }
  EXPECT_NE(message_of<c10::ValueError>([] {
              re::RandomEmbedding(re::RandomEmbeddingOptions(4, 2).padding_idx(4));
            }).find("padding_idx must be within [-4, 4), got 4"),
            std::string::npos);
}

TEST(RandomEmbedding, SaveWritesOriginalNamesAndLoadRestores) {
  torch::manual_seed(5);
  re::RandomEmbedding saved(41, 6);
  std::stringstream stream;
  torch::save(saved, stream);

  torch::serialize::InputArchive archive;
  stream.seekg(0);
  archive.load_from(stream);
  torch::Tensor signs;
  ASSERT_TRUE(archive.try_read("rand_signs", signs, /*is_buffer=*/true));
  EXPECT_EQ(signs.dtype(), torch::kBool);
  EXPECT_EQ(signs.sizes(), (std::vector<int64_t>{7, 6}));

  re::RandomEmbedding loaded(41, 6);
  EXPECT_FALSE(torch::equal(loaded->weight(), saved->weight()));
  stream.seekg(0);
  torch::load(loaded, stream);
  EXPECT_TRUE(bit_equal(loaded->weight(), saved->weight()));

  re::RandomEmbedding wrong_shape(50, 6);  // 9 blocks, not 7
  stream.seekg(0);
  EXPECT_THROW(torch::load(wrong_shape, stream), c10::ValueError);
}

TEST(RandomEmbedding, CloneIsDeep) {
  re::RandomEmbedding emb(20, 4);
  auto copy = std::dynamic_pointer_cast<re::RandomEmbeddingImpl>(emb->clone());
  ASSERT_TRUE(copy);
  EXPECT_TRUE(torch::equal(copy->weight(), emb->weight()));
  EXPECT_NE(copy->rand_weight.data_ptr(), emb->rand_weight.data_ptr());
}

TEST(RandomEmbedding, ForwardIsThreadSafe) {
  re::RandomEmbedding emb(5000, 64);
  const torch::Tensor ids = torch::randint(5000, {64, 33}, torch::kLong);
  const torch::Tensor expected = emb(ids);
  std::vector<std::thread> threads;
  std::vector<int> ok(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      bool same = true;
      for (int rep = 0; rep < 20; ++rep) same = same && torch::equal(emb(ids), expected);
      ok[t] = same;
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < 8; ++t) EXPECT_TRUE(ok[t]) << "thread " << t;
}

TEST(RandomEmbedding, InsideSequentialLikeBuiltins) {
  torch::nn::Sequential model(re::RandomEmbedding(100, 16), torch::nn::Linear(16, 2));
  const torch::Tensor out = model->forward(torch::randint(100, {4, 7}, torch::kLong));
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{4, 7, 2}));
  EXPECT_EQ(model->parameters().size(), 2u);  // only the Linear's
}

TEST(Ops, MultiThreadedKernelMatchesSingleThreaded) {
  torch::manual_seed(11);
  auto [w, s] = re::ops::init_params(400000, 300);
  const torch::Tensor ids = torch::randint(400000, {4096}, torch::kLong);
  at::set_num_threads(1);
  const torch::Tensor one = re::ops::embedding(w, s, 400000, ids);
  at::set_num_threads(2);
  const torch::Tensor two = re::ops::embedding(w, s, 400000, ids);
  at::set_num_threads(1);
  EXPECT_TRUE(bit_equal(one, two));
}

}  // namespace
