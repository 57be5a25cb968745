// Usage: run_scripted MODEL.pt INPUTS.pt OUTPUT.pt
// Loads a TorchScript model saved from Python (our operators are registered by linking the
// library), runs forward(ids, offsets) on the tensors in INPUTS.pt and writes what it returns.
#include <torch/script.h>
#include <torch/serialize.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <vector>

#include "random_embeddings/random_embeddings.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: run_scripted MODEL.pt INPUTS.pt OUTPUT.pt\n";
    return 2;
  }
  std::cerr << "random_embeddings " << random_embeddings::ops::version() << "\n";
  torch::jit::Module model = torch::jit::load(argv[1]);
  std::ifstream in(argv[2], std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
  const auto inputs = torch::pickle_load(bytes).toGenericDict();
  const torch::IValue out =
      model.forward({inputs.at("ids").toTensor(), inputs.at("offsets").toTensor()});
  const std::vector<char> written = torch::pickle_save(out);
  std::ofstream(argv[3], std::ios::binary)
      .write(written.data(), static_cast<std::streamsize>(written.size()));
  return 0;
}
