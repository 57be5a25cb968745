#include "wordnet/fasttext_vectors.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#ifdef RE_HAVE_FASTTEXT
#include <fasttext/args.h>
#include <fasttext/fasttext.h>
#include <fasttext/vector.h>
#endif

namespace random_embeddings::apps::wordnet {

#ifdef RE_HAVE_FASTTEXT

bool fasttext_available() { return true; }

namespace {

// Removes the temporary training text however training ends.
struct TemporaryFile {
  std::filesystem::path path;
  ~TemporaryFile() {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
  }
};

}  // namespace

std::vector<float> train_fasttext_vectors(const std::vector<std::string>& lines,
                                          const std::vector<std::string>& words,
                                          const FastTextOptions& options) {
  // libfasttext reads its training text from a file, so the glosses go to a private one.
  TemporaryFile text{std::filesystem::temp_directory_path() /
                     ("wordnet_glosses_" + std::to_string(getpid()) + ".txt")};
  {
    std::ofstream out(text.path);
    for (const std::string& line : lines) out << line << '\n';
    if (!out) throw std::runtime_error("fastText: cannot write " + text.path.string());
  }
  fasttext::Args args;
  args.input = text.path.string();
  args.model = fasttext::model_name::sg;
  args.loss = fasttext::loss_name::ns;
  args.dim = options.dim;
  args.epoch = options.epochs;
  args.thread = options.threads;
  args.seed = options.seed;
  args.minCount = 1;  // every vocabulary word then has its own trained vector
  args.minn = options.min_n;
  args.maxn = options.max_n;
  args.bucket = options.max_n > 0 ? options.buckets : 0;
  args.verbose = 0;
  fasttext::FastText model;
  try {
    model.train(args);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("fastText training failed: ") + e.what());
  }
  std::vector<float> table(words.size() * static_cast<size_t>(options.dim));
  fasttext::Vector vector(options.dim);
  for (size_t row = 0; row < words.size(); ++row) {
    model.getWordVector(vector, words[row]);
    std::copy(vector.data(), vector.data() + options.dim, table.data() + row * options.dim);
  }
  return table;
}

#else  // built without libfasttext-dev

bool fasttext_available() { return false; }

std::vector<float> train_fasttext_vectors(const std::vector<std::string>&,
                                          const std::vector<std::string>&, const FastTextOptions&) {
  throw std::runtime_error(
      "the fasttext variant needs libfasttext, which this build did not find: apt-get install "
      "libfasttext-dev, re-run cmake, or leave fasttext out of --variants");
}

#endif

}  // namespace random_embeddings::apps::wordnet
