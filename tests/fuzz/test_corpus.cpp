// Replays the fuzzers' kept corpus (tests/fuzz/corpus/<target>/, rewritten by each merge) and
// their past findings (tests/fuzz/regressions/<target>/, kept by hand) through the same entry
// points in the normal build: each input must parse or end in InputError, nothing else.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fuzz_entries.h"

namespace fs = std::filesystem;

namespace {

// Feeds every file of the target's corpus and regressions to entry; returns
// {files, files accepted at least once}.
template <class Entry>
std::pair<int, int> replay(const std::string& target, Entry entry) {
  int files = 0, accepted = 0;
  for (const char* kind : {"corpus", "regressions"}) {
    const fs::path dir = fs::path(MLTEMP_SOURCE_DIR) / "tests/fuzz" / kind / target;
    if (!fs::exists(dir)) continue;
    for (const auto& f : fs::directory_iterator(dir)) {
      std::ifstream in(f.path(), std::ios::binary);
      std::stringstream buf;
      buf << in.rdbuf();
      ++files;
      try {
        accepted += entry(buf.str()) > 0 ? 1 : 0;
      } catch (const std::exception& e) {
        ADD_FAILURE() << f.path() << ": " << e.what();
      }
    }
  }
  return {files, accepted};
}

}  // namespace

TEST(FuzzCorpus, ConfigInputsParseOrThrowInputError) {
  const auto [files, accepted] = replay("config", mltemp::fuzz::config_entry);
  EXPECT_GE(files, 7);             // at least the seeds (the shipped examples)
  EXPECT_GE(accepted, 7);          // which parse
  EXPECT_LT(accepted, files + 1);  // (sanity)
}

TEST(FuzzCorpus, CsvInputsParseOrThrowInputError) {
  const auto [files, accepted] = replay("csv", mltemp::fuzz::csv_entry);
  EXPECT_GE(files, 4);
  EXPECT_GE(accepted, 4);
}

// The entries themselves: a good input is accepted, a bad one is refused (not thrown through).
TEST(FuzzCorpus, EntriesAcceptAndRefuse) {
  using namespace std::string_literals;
  EXPECT_EQ(mltemp::fuzz::config_entry("[mc]\nparticles = 5\n\0mc.seed=3\nmc.threads=-1\nnope"s), 2);
  EXPECT_EQ(mltemp::fuzz::config_entry("[mc\n"), 0);
  EXPECT_EQ(mltemp::fuzz::csv_entry("a,y\n1,2\n3,5\n"), 2);
  EXPECT_EQ(mltemp::fuzz::csv_entry("a,b\n1,2\n3,5\n"), 1);  // no column "y"
  EXPECT_EQ(mltemp::fuzz::csv_entry("a,y\n1,\"2\n"), 0);
}
