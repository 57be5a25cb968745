// Skipgram vectors pre-trained with Debian's libfasttext on the training glosses: the stand-in
// for the pretrained vectors of Arora et al. Torch-free, in its own translation unit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace random_embeddings::apps::wordnet {

struct FastTextOptions {
  int dim = 128;
  int epochs = 5;
  int threads = 2;
  int seed = 0;
  // Character n-grams of 3..6 bytes, hashed into `buckets` rows, as `fasttext skipgram` does.
  int min_n = 3;
  int max_n = 6;
  int buckets = 200000;
};

// Whether this build links libfasttext (libfasttext-dev was found at configure time).
bool fasttext_available();

// Trains skipgram vectors on `lines` (one space-separated, tokenized text per line) and returns
// the vector of each of `words`, row-major (words.size() x options.dim). Throws
// std::runtime_error saying what failed, including when the build lacks libfasttext.
std::vector<float> train_fasttext_vectors(const std::vector<std::string>& lines,
                                          const std::vector<std::string>& words,
                                          const FastTextOptions& options);

}  // namespace random_embeddings::apps::wordnet
