// Usage: dump_embedding N D C SEED OUT_FILE
// Seeds torch's default generator, builds RandomEmbedding(N, D, C) and writes a pickle that
// Python's torch.load reads: {rand_weight, rand_signs, rows, weight} (rows for ids 0..N-1
// reversed).
#include <torch/torch.h>

#include <fstream>
#include <iostream>
#include <string>

#include "random_embeddings/random_embeddings.h"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: dump_embedding N D C SEED OUT_FILE\n";
    return 2;
  }
  const int64_t n = std::stoll(argv[1]);
  const int64_t d = std::stoll(argv[2]);
  const double c = std::stod(argv[3]);
  torch::manual_seed(std::stoull(argv[4]));
  random_embeddings::RandomEmbedding embedding(
      random_embeddings::RandomEmbeddingOptions(n, d).avg_embedding_norm(c));
  const torch::Tensor ids = torch::arange(n - 1, -1, -1, torch::kLong);
  c10::Dict<std::string, torch::Tensor> out;
  out.insert("rand_weight", embedding->rand_weight);
  out.insert("rand_signs", random_embeddings::ops::unpack_signs(embedding->packed_signs, d));
  out.insert("rows", embedding(ids));
  out.insert("weight", embedding->weight());
  const std::vector<char> bytes = torch::pickle_save(c10::IValue(out));
  std::ofstream(argv[5], std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return 0;
}
