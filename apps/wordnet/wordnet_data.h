// WordNet 3.0 glosses labelled with their lexicographer file: parsing, the fixed split, the
// tokenizer and the vocabulary. Torch-free, so it compiles fast and is easy to test.
#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace random_embeddings::apps::wordnet {

// The 45 lexicographer files of WordNet 3.0, by number (wninput(5WN), "lexnames").
inline constexpr int kNumLexFiles = 45;
extern const std::array<const char*, kNumLexFiles> kLexNames;

enum class Split { kTrain = 0, kDev = 1, kTest = 2 };
const char* split_name(Split split);

// One synset: the part of speech of its data file (n, v, a, r), its byte offset in that
// file, its lexicographer file (the label) and its gloss (definition and examples).
struct Synset {
  char pos;
  int64_t offset;
  int label;
  std::string gloss;
  Split split;
};

// A data file is missing or a line does not follow wndb(5WN); what() names file and line.
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// 80/10/10 by FNV-1a 64 of the key "<pos>:<8-digit offset>" (e.g. "n:00001740") modulo 10:
// 0-7 train, 8 dev, 9 test. Stable across runs, platforms and WordNet file orderings.
Split split_of(char pos, int64_t offset);

// Lower-cased runs of ASCII letters and digits; every other byte separates tokens.
std::vector<std::string> tokenize(std::string_view text);

// Parses one synset line of a data file whose synsets have one of `ss_types` (e.g. "as" for
// data.adj); throws std::invalid_argument saying what is wrong (without file and line).
Synset parse_synset_line(std::string_view line, char pos, std::string_view ss_types);

// Reads data.{noun,verb,adj,adv} from `wordnet_dir`; throws DataError naming file and line.
std::vector<Synset> load_wordnet(const std::string& wordnet_dir);

// Rows 0 (padding) and 1 (unknown word), then the training words seen at least min_count
// times, most frequent first (ties by spelling), so the numbering is reproducible.
class Vocabulary {
 public:
  static constexpr int64_t kPadding = 0;
  static constexpr int64_t kUnknown = 1;

  Vocabulary(const std::vector<const Synset*>& train, int64_t min_count);

  int64_t id(const std::string& word) const;
  int64_t size() const { return static_cast<int64_t>(words_.size()); }
  // words()[row]; rows 0 and 1 hold "<pad>" and "<unk>".
  const std::vector<std::string>& words() const { return words_; }

 private:
  std::vector<std::string> words_;
  std::unordered_map<std::string, int64_t> ids_;
};

// Glosses as rows of token ids, stored flat: example i is ids[offsets[i] .. offsets[i + 1]).
struct EncodedSplit {
  std::vector<int64_t> ids;
  std::vector<int64_t> offsets{0};
  std::vector<int64_t> labels;

  int64_t size() const { return static_cast<int64_t>(labels.size()); }
  int64_t length(int64_t i) const { return offsets[i + 1] - offsets[i]; }
};

// The first max_tokens tokens of each gloss (an empty gloss becomes one unknown word).
EncodedSplit encode(const std::vector<const Synset*>& synsets, const Vocabulary& vocabulary,
                    int64_t max_tokens);

}  // namespace random_embeddings::apps::wordnet
