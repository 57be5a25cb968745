// The WordNet demo's torch-free data layer: parsing, the fixed split, the tokenizer, the
// vocabulary and the errors that name file and line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "wordnet/wordnet_data.h"

namespace wn = random_embeddings::apps::wordnet;

namespace {

constexpr const char* kNounLine =
    "00001740 03 n 01 entity 0 003 ~ 00001930 n 0000 ~ 00002137 n 0000 ~ 04424418 n 0000 | that "
    "which is perceived or known or inferred to have its own distinct existence (living or "
    "nonliving)  ";
// A verb line: four words, 2 pointers, then verb frames before the gloss.
constexpr const char* kVerbLine =
    "00001740 29 v 04 breathe 0 take_a_breath 0 respire 0 suspire 3 002 * 00005041 v 0000 ^ "
    "00004227 v 0103 02 + 02 00 + 08 00 | draw air into, and expel out of, the lungs; \"I can "
    "breathe better when the air is clean\"";

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no exception";
}

// A folder with the four data files; `lines[name]` replaces the default one-synset file.
std::filesystem::path make_wordnet_dir(
    const std::string& test, const std::vector<std::pair<std::string, std::string>>& files) {
  const auto dir = std::filesystem::temp_directory_path() / ("wordnet_test_" + test);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  for (const auto& [name, text] : files) std::ofstream(dir / ("data." + name)) << text;
  return dir;
}

const std::vector<std::pair<std::string, std::string>> kGoodFiles = {
    {"noun", "  1 This software and database is being provided\n" + std::string(kNounLine) + "\n"},
    {"verb", std::string(kVerbLine) + "\n"},
    {"adj",
     "00003553 00 s 02 emergent 0 emerging 0 001 & 00003356 a 0000 | coming into "
     "existence; \"an emergent republic\"\n"},
    {"adv", "00001740 02 r 01 a_cappella 0 000 | without musical accompaniment\n"}};

}  // namespace

TEST(WordNet, TokenizeKeepsLowerCasedLettersAndDigits) {
  EXPECT_EQ(wn::tokenize("A (usually) well-known 'thing'; e.g. 3D-printed"),
            (std::vector<std::string>{"a", "usually", "well", "known", "thing", "e", "g", "3d",
                                      "printed"}));
  EXPECT_TRUE(wn::tokenize(" ;-- ").empty());
  EXPECT_EQ(wn::tokenize("caf\xc3\xa9s"), (std::vector<std::string>{"caf", "s"}));
}

TEST(WordNet, SplitIsAFixedHashOfPosAndOffset) {
  // The same values as split_of in apps/wordnet_ddp.py.
  EXPECT_EQ(wn::split_of('n', 1740), wn::Split::kTrain);
  EXPECT_EQ(wn::split_of('a', 1740), wn::Split::kDev);
  EXPECT_EQ(wn::split_of('n', 2325), wn::Split::kTest);
  EXPECT_EQ(wn::split_of('v', 5041), wn::Split::kTest);
  EXPECT_EQ(wn::split_of('r', 1930), wn::Split::kDev);
  int counts[3] = {};
  for (int64_t offset = 0; offset < 100000; ++offset) {
    ++counts[static_cast<int>(wn::split_of('n', offset))];
  }
  EXPECT_NEAR(counts[0], 80000, 1000);
  EXPECT_NEAR(counts[1], 10000, 500);
  EXPECT_NEAR(counts[2], 10000, 500);
}

TEST(WordNet, ParsesNounAndVerbLines) {
  const wn::Synset noun = wn::parse_synset_line(kNounLine, 'n', "n");
  EXPECT_EQ(noun.offset, 1740);
  EXPECT_EQ(noun.label, 3);
  EXPECT_STREQ(wn::kLexNames[noun.label], "noun.Tops");
  EXPECT_EQ(noun.gloss,
            "that which is perceived or known or inferred to have its own distinct existence "
            "(living or nonliving)");
  const wn::Synset verb = wn::parse_synset_line(kVerbLine, 'v', "v");
  EXPECT_STREQ(wn::kLexNames[verb.label], "verb.body");
  EXPECT_EQ(verb.split, wn::split_of('v', 1740));
  EXPECT_EQ(verb.gloss.substr(0, 13), "draw air into");
}

TEST(WordNet, MalformedLinesSayWhatIsWrong) {
  const auto parse = [](const char* line) {
    return error_of([&] { wn::parse_synset_line(line, 'n', "n"); });
  };
  EXPECT_EQ(parse("00001740 03 n 01 entity 0 000 no bar"), "no ' | ' before the gloss");
  EXPECT_EQ(parse("0001740 03 n 01 entity 0 000 | x"),
            "synset offset must be 8 digits, got '0001740'");
  EXPECT_EQ(parse("00001740 45 n 01 entity 0 000 | x"), "lex_filenum must be 00..44, got '45'");
  EXPECT_EQ(parse("00001740 03 v 01 entity 0 000 | x"),
            "ss_type must be one of 'n' in this file, got 'v'");
  EXPECT_EQ(parse("00001740 03 n 05 entity 0 000 | x"),
            "the word count '05' and pointer count do not fit the line");
  EXPECT_EQ(parse("00001740 03 | x"), "expected at least 4 fields before the gloss, got 2");
}

TEST(WordNet, LoadsAFolderAndNamesTheFileAndLineOfAnError) {
  const auto dir = make_wordnet_dir("good", kGoodFiles);
  const std::vector<wn::Synset> synsets = wn::load_wordnet(dir.string());
  ASSERT_EQ(synsets.size(), 4u);
  EXPECT_EQ(synsets[0].pos, 'n');
  EXPECT_EQ(synsets[2].pos, 'a');
  EXPECT_STREQ(wn::kLexNames[synsets[3].label], "adv.all");

  auto files = kGoodFiles;
  files[1].second += "00002325 29 v 01 respire 0 000 | breathe\n00002573 29 x 01 a 0 000 | b\n";
  const auto bad = make_wordnet_dir("bad", files);
  EXPECT_EQ(error_of([&] { wn::load_wordnet(bad.string()); }),
            (bad / "data.verb").string() + ":3: ss_type must be one of 'v' in this file, got 'x'");

  files = kGoodFiles;
  files.pop_back();
  const auto missing = make_wordnet_dir("missing", files);
  EXPECT_EQ(error_of([&] { wn::load_wordnet(missing.string()); }),
            "cannot open the WordNet data file " + (missing / "data.adv").string() +
                " (apt-get install wordnet-base, or pass --wordnet-dir)");

  files = kGoodFiles;
  files[2].second = "  1 only the license header\n";
  const auto empty = make_wordnet_dir("empty", files);
  EXPECT_EQ(error_of([&] { wn::load_wordnet(empty.string()); }),
            (empty / "data.adj").string() + ": no synsets in the file");
}

TEST(WordNet, VocabularyIsByCountThenSpellingWithPaddingAndUnknownFirst) {
  wn::Synset a{'n', 1, 0, "the cat and the dog", wn::Split::kTrain};
  wn::Synset b{'n', 2, 0, "The dog, the bird", wn::Split::kTrain};
  const wn::Vocabulary vocabulary({&a, &b}, 2);
  EXPECT_EQ(vocabulary.words(), (std::vector<std::string>{"<pad>", "<unk>", "the", "dog"}));
  EXPECT_EQ(vocabulary.id("the"), 2);
  EXPECT_EQ(vocabulary.id("cat"), wn::Vocabulary::kUnknown);

  wn::Synset empty{'n', 3, 7, "--", wn::Split::kDev};
  const wn::EncodedSplit encoded = wn::encode({&a, &b, &empty}, vocabulary, 3);
  EXPECT_EQ(encoded.ids, (std::vector<int64_t>{2, 1, 1, 2, 3, 2, 1}));
  EXPECT_EQ(encoded.offsets, (std::vector<int64_t>{0, 3, 6, 7}));
  EXPECT_EQ(encoded.labels, (std::vector<int64_t>{0, 0, 7}));
}
