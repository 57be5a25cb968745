#include "wordnet/wordnet_data.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <system_error>
#include <utility>

namespace random_embeddings::apps::wordnet {

const std::array<const char*, kNumLexFiles> kLexNames = {
    "adj.all",          "adj.pert",           "adv.all",
    "noun.Tops",        "noun.act",           "noun.animal",
    "noun.artifact",    "noun.attribute",     "noun.body",
    "noun.cognition",   "noun.communication", "noun.event",
    "noun.feeling",     "noun.food",          "noun.group",
    "noun.location",    "noun.motive",        "noun.object",
    "noun.person",      "noun.phenomenon",    "noun.plant",
    "noun.possession",  "noun.process",       "noun.quantity",
    "noun.relation",    "noun.shape",         "noun.state",
    "noun.substance",   "noun.time",          "verb.body",
    "verb.change",      "verb.cognition",     "verb.communication",
    "verb.competition", "verb.consumption",   "verb.contact",
    "verb.creation",    "verb.emotion",       "verb.motion",
    "verb.perception",  "verb.possession",    "verb.social",
    "verb.stative",     "verb.weather",       "adj.ppl"};

const char* split_name(Split split) {
  switch (split) {
    case Split::kTrain:
      return "train";
    case Split::kDev:
      return "dev";
    case Split::kTest:
      return "test";
  }
  return "?";
}

Split split_of(char pos, int64_t offset) {
  char key[32];
  const int length =
      std::snprintf(key, sizeof(key), "%c:%08lld", pos, static_cast<long long>(offset));
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (int i = 0; i < length; ++i) {
    hash = (hash ^ static_cast<unsigned char>(key[i])) * 0x100000001b3ULL;
  }
  const uint64_t bucket = hash % 10;
  return bucket < 8 ? Split::kTrain : (bucket == 8 ? Split::kDev : Split::kTest);
}

std::vector<std::string> tokenize(std::string_view text) {
  std::vector<std::string> tokens;
  std::string current;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 128 && std::isalnum(byte)) {
      current.push_back(static_cast<char>(std::tolower(byte)));
    } else if (!current.empty()) {
      tokens.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) tokens.push_back(std::move(current));
  return tokens;
}

namespace {

// Splits on runs of spaces, as wndb(5WN) fields are space-separated.
std::vector<std::string_view> split_fields(std::string_view text) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    const size_t start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (i > start) fields.push_back(text.substr(start, i - start));
  }
  return fields;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Parses the whole field as a number in `base`; false if it is not one.
bool parse_int(std::string_view s, int base, int64_t& value) {
  const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value, base);
  return error == std::errc() && end == s.data() + s.size();
}

std::string quoted(std::string_view s) { return "'" + std::string(s.substr(0, 40)) + "'"; }

}  // namespace

Synset parse_synset_line(std::string_view line, char pos, std::string_view ss_types) {
  // wndb(5WN): offset lex_filenum ss_type w_cnt (word lex_id)* p_cnt (ptr)* [frames] | gloss
  const size_t bar = line.find(" | ");
  if (bar == std::string_view::npos) throw std::invalid_argument("no ' | ' before the gloss");
  const std::vector<std::string_view> fields = split_fields(line.substr(0, bar));
  if (fields.size() < 4) {
    throw std::invalid_argument("expected at least 4 fields before the gloss, got " +
                                std::to_string(fields.size()));
  }
  Synset synset{pos, 0, 0, {}, Split::kTrain};
  if (fields[0].size() != 8 || !all_digits(fields[0]) || !parse_int(fields[0], 10, synset.offset)) {
    throw std::invalid_argument("synset offset must be 8 digits, got " + quoted(fields[0]));
  }
  int64_t label = -1;
  if (fields[1].size() != 2 || !all_digits(fields[1]) || !parse_int(fields[1], 10, label) ||
      label >= kNumLexFiles) {
    throw std::invalid_argument("lex_filenum must be 00.." + std::to_string(kNumLexFiles - 1) +
                                ", got " + quoted(fields[1]));
  }
  synset.label = static_cast<int>(label);
  if (fields[2].size() != 1 || ss_types.find(fields[2][0]) == std::string_view::npos) {
    throw std::invalid_argument("ss_type must be one of '" + std::string(ss_types) +
                                "' in this file, got " + quoted(fields[2]));
  }
  int64_t words = 0, pointers = 0;
  const size_t p_cnt_at = 4 + 2 * static_cast<size_t>(parse_int(fields[3], 16, words) ? words : 0);
  if (words < 1 || p_cnt_at >= fields.size() || !parse_int(fields[p_cnt_at], 10, pointers) ||
      fields.size() < p_cnt_at + 1 + 4 * static_cast<size_t>(pointers)) {
    throw std::invalid_argument("the word count " + quoted(fields[3]) +
                                " and pointer count do not fit the line");
  }
  std::string_view gloss = line.substr(bar + 3);
  while (!gloss.empty() && (gloss.back() == ' ' || gloss.back() == '\r')) gloss.remove_suffix(1);
  synset.gloss = std::string(gloss);
  synset.split = split_of(pos, synset.offset);
  return synset;
}

std::vector<Synset> load_wordnet(const std::string& wordnet_dir) {
  struct DataFile {
    const char* name;
    char pos;
    const char* ss_types;
  };
  static constexpr DataFile kFiles[] = {
      {"noun", 'n', "n"}, {"verb", 'v', "v"}, {"adj", 'a', "as"}, {"adv", 'r', "r"}};
  std::vector<Synset> synsets;
  for (const DataFile& file : kFiles) {
    const std::string path = wordnet_dir + "/data." + file.name;
    std::ifstream in(path);
    if (!in) {
      throw DataError("cannot open the WordNet data file " + path +
                      " (apt-get install wordnet-base, or pass --wordnet-dir)");
    }
    const size_t before = synsets.size();
    std::string line;
    for (int64_t number = 1; std::getline(in, line); ++number) {
      if (line.rfind("  ", 0) == 0) continue;  // the license header lines start with 2 spaces
      try {
        synsets.push_back(parse_synset_line(line, file.pos, file.ss_types));
      } catch (const std::invalid_argument& e) {
        throw DataError(path + ":" + std::to_string(number) + ": " + e.what());
      }
    }
    if (in.bad()) throw DataError("error reading " + path);
    if (synsets.size() == before) throw DataError(path + ": no synsets in the file");
  }
  return synsets;
}

Vocabulary::Vocabulary(const std::vector<const Synset*>& train, int64_t min_count) {
  std::unordered_map<std::string, int64_t> counts;
  for (const Synset* synset : train) {
    for (std::string& token : tokenize(synset->gloss)) ++counts[std::move(token)];
  }
  std::vector<std::pair<std::string, int64_t>> kept;
  for (auto& [word, count] : counts) {
    if (count >= min_count) kept.emplace_back(word, count);
  }
  std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  words_ = {"<pad>", "<unk>"};
  for (auto& [word, count] : kept) {
    ids_.emplace(word, size());
    words_.push_back(std::move(word));
  }
}

int64_t Vocabulary::id(const std::string& word) const {
  const auto it = ids_.find(word);
  return it == ids_.end() ? kUnknown : it->second;
}

EncodedSplit encode(const std::vector<const Synset*>& synsets, const Vocabulary& vocabulary,
                    int64_t max_tokens) {
  EncodedSplit encoded;
  for (const Synset* synset : synsets) {
    const std::vector<std::string> tokens = tokenize(synset->gloss);
    const int64_t kept = std::min<int64_t>(max_tokens, static_cast<int64_t>(tokens.size()));
    for (int64_t t = 0; t < kept; ++t) encoded.ids.push_back(vocabulary.id(tokens[t]));
    if (kept == 0) encoded.ids.push_back(Vocabulary::kUnknown);
    encoded.offsets.push_back(static_cast<int64_t>(encoded.ids.size()));
    encoded.labels.push_back(synset->label);
  }
  return encoded;
}

}  // namespace random_embeddings::apps::wordnet
