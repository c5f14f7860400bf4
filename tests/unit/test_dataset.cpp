// Datasets: CSV as R and pandas write it (RFC 4180 quoting, row names, CRLF, BOM); CSV errors
// name file, line and column; standardization; the real diabetes file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dataset.h"
#include "errors.h"
#include "test_util.h"

using namespace mltemp;

namespace {
std::string csv_error(const std::string& text, const std::string& target = "") {
  return test::input_error_of([&] { parse_csv(text, "d.csv", target); });
}

// The same data in two files must give the same bits.
void expect_same(const Dataset& a, const Dataset& b, const std::string& what) {
  ASSERT_EQ(a.X.rows(), b.X.rows()) << what;
  ASSERT_EQ(a.X.cols(), b.X.cols()) << what;
  EXPECT_EQ(std::memcmp(a.X.data(), b.X.data(), sizeof(double) * a.X.size()), 0) << what;
  EXPECT_EQ(std::memcmp(a.y.data(), b.y.data(), sizeof(double) * a.y.size()), 0) << what;
  EXPECT_EQ(a.feature_names, b.feature_names) << what;
  EXPECT_EQ(a.target_name, b.target_name) << what;
}

// Replaces every "\n" with "\r\n".
std::string crlf(const std::string& s) {
  std::string o;
  for (char c : s) o += c == '\n' ? std::string("\r\n") : std::string(1, c);
  return o;
}

std::string temp_file(const std::string& name, const std::string& text) {
  const auto dir = std::filesystem::temp_directory_path() / ("mltemp_ds_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string p = (dir / name).string();
  std::ofstream(p, std::ios::binary) << text;
  return p;
}
}  // namespace

TEST(Csv, ReadsWhatRAndPandasWrite) {
  const Dataset plain = parse_csv("a,b,target\n0.5,1.25,3\n-2,4e-3,7\n", "d.csv", "target");
  // R: write.csv(df) quotes the header and the row names; the unnamed first column is dropped.
  const std::string r = "\"\",\"a\",\"b\",\"target\"\n\"1\",0.5,1.25,3\n\"2\",-2,0.004,7\n";
  expect_same(plain, parse_csv(r, "d.csv", "target"), "R write.csv");
  expect_same(plain, parse_csv(crlf(r), "d.csv", "target"), "R write.csv on Windows (CRLF)");
  // pandas: to_csv() with its index, QUOTE_ALL and QUOTE_NONNUMERIC.
  expect_same(plain, parse_csv(",a,b,target\n0,0.5,1.25,3\n1,-2,0.004,7\n", "d.csv", "target"), "pandas");
  expect_same(plain,
              parse_csv("\"\",\"a\",\"b\",\"target\"\n\"0\",\"0.5\",\"1.25\",\"3\"\n\"1\",\"-2\",\"0.004\",\"7\"\n",
                        "d.csv", "target"),
              "pandas QUOTE_ALL");
  expect_same(plain, parse_csv("\"\",\"a\",\"b\",\"target\"\n0,0.5,1.25,3.0\n1,-2.0,0.004,7.0\n", "d.csv", "target"),
              "pandas QUOTE_NONNUMERIC");
  // A UTF-8 byte-order mark (Excel's "CSV UTF-8"), no final line end, blank lines.
  expect_same(plain,
              parse_csv("\xEF\xBB\xBF"
                        "a,b,target\n\n0.5,1.25,3\n-2,4e-3,7",
                        "d.csv", "target"),
              "BOM");
  expect_same(plain, parse_csv("a,b,target\r0.5,1.25,3\r-2,4e-3,7\r", "d.csv", "target"), "CR only");
  EXPECT_EQ(plain.feature_names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(plain.y[1], 7.0);
  EXPECT_EQ(plain.X(1, 1), 4e-3);
}

TEST(Csv, QuotedNamesKeepCommasQuotesAndLineEnds) {
  const Dataset d = parse_csv("\"dose, mg\",\"say \"\"hi\"\"\",\"two\nlines\",y\n1,2,3,4\n", "d.csv", "dose, mg");
  EXPECT_EQ(d.target_name, "dose, mg");
  EXPECT_EQ(d.feature_names, (std::vector<std::string>{"say \"hi\"", "two\nlines", "y"}));
  EXPECT_EQ(d.y[0], 1.0);
  EXPECT_EQ(d.X(0, 2), 4.0);
  // The target list names every column, quoted, so that commas inside names stay readable.
  EXPECT_NE(csv_error("\"a,b\",c\n1,2\n", "z").find("columns are: 'a,b', 'c'"), std::string::npos)
      << csv_error("\"a,b\",c\n1,2\n", "z");
}

TEST(Csv, MalformedQuotingNamesLineAndColumn) {
  EXPECT_NE(csv_error("a,b\n1,2\n3,4\"5,6\n").find("d.csv:3:4: malformed CSV"), std::string::npos)
      << csv_error("a,b\n1,2\n3,4\"5,6\n");
  EXPECT_NE(csv_error("a,b\n\"1\"x,2\n").find("d.csv:2:4: malformed CSV"), std::string::npos)
      << csv_error("a,b\n\"1\"x,2\n");
  EXPECT_NE(csv_error("a,b\n1,\"2\n3,4\n").find("ends inside a quoted field"), std::string::npos);
  // Errors in files with row names count the file's columns (the row-name column is 1).
  EXPECT_NE(csv_error("\"\",\"a\",\"y\"\n\"1\",2,3\n\"2\",NA,3\n").find("d.csv:3: column 2 ('a'): not a number: 'NA'"),
            std::string::npos);
  EXPECT_NE(
      csv_error("\"\",\"a\",\"y\"\r\n\"1\",2,3\r\n\"2\",\"3,4\"\r\n").find("d.csv:3: expected 3 columns, found 2"),
      std::string::npos);
  EXPECT_NE(csv_error("\xEF\xBB\xBF").find("empty file"), std::string::npos);
  EXPECT_NE(csv_error("\"\",y\n1,2\n").find("at least one feature"), std::string::npos);
  EXPECT_NE(csv_error("a,\"\",y\n1,2,3\n").find("d.csv:1: column 2 has an empty name"), std::string::npos);
  EXPECT_NE(csv_error("a,y,y\n1,2,3\n", "y").find("named twice, in columns 2 and 3"), std::string::npos);
  using namespace std::string_literals;
  EXPECT_NE(csv_error("a,y\n1,2\0x\n"s).find("d.csv:2: column 2 ('y'): not a number"), std::string::npos);
}

// The whole run: a file as R writes it gives the same sweep, bit for bit, as its plain twin.
TEST(Csv, QuotedFileRunsLikeItsPlainTwin) {
  std::ifstream f(std::string(MLTEMP_SOURCE_DIR) + "/examples/diabetes.csv");
  std::string line, plain, quoted;
  for (int i = 0; i <= 60 && std::getline(f, line); ++i) {
    plain += line + "\n";
    std::string q = i == 0 ? "\"\"" : "\"" + std::to_string(i) + "\"";
    std::stringstream cells(line);
    std::string c;
    while (std::getline(cells, c, ',')) q += "," + (i == 0 ? "\"" + c + "\"" : c);
    quoted += q + "\r\n";
  }
  auto sweep = [](const std::string& path) {
    const RunResult r = test::run_text("[data]\nsource = \"csv\"\npath = \"" + path +
                                       "\"\ntarget = \"progression\"\n[sweep]\nscales = [0.5, 3.0, 1e3]\n"
                                       "[mc]\nparticles = 20000\n");
    return *r.table("sweep");
  };
  const Table a = sweep(temp_file("plain.csv", plain)), b = sweep(temp_file("quoted.csv", quoted));
  ASSERT_EQ(a.rows(), 3u);
  ASSERT_EQ(a.columns().size(), b.columns().size());
  for (size_t k = 0; k < a.columns().size(); ++k) {
    const Column &ca = a.columns()[k], &cb = b.columns()[k];
    ASSERT_EQ(ca.name, cb.name);
    ASSERT_EQ(ca.num.size(), cb.num.size());
    EXPECT_EQ(std::memcmp(ca.num.data(), cb.num.data(), sizeof(double) * ca.num.size()), 0) << ca.name;
  }
  EXPECT_GT(a.get(2, "E_init"), a.get(0, "E_init"));  // a real sweep, not an empty one
}

TEST(Csv, ParsesAndPicksTarget) {
  Dataset d = parse_csv("a,b,y\n1,2,3\n4,5,6\n", "d.csv", "");
  EXPECT_EQ(d.X.rows(), 2);
  EXPECT_EQ(d.X.cols(), 2);
  EXPECT_EQ(d.y[1], 6.0);
  Dataset e = parse_csv("a,b,y\n1,2,3\n4,5,6\n", "d.csv", "a");
  EXPECT_EQ(e.y[1], 4.0);
  EXPECT_EQ(e.feature_names[0], "b");
  EXPECT_EQ(e.target_name, "a");
}

TEST(Csv, BadInputsNameTheSpot) {
  EXPECT_NE(csv_error("a,b,y\n1,,3\n").find("d.csv:2: column 2 ('b'): missing value"), std::string::npos);
  EXPECT_NE(csv_error("a,b,y\n1,2,3\n1,x2,3\n").find("d.csv:3: column 2 ('b'): not a number: 'x2'"), std::string::npos);
  EXPECT_NE(csv_error("a,b,y\n1,nan,3\n").find("NaN or infinite"), std::string::npos);
  EXPECT_NE(csv_error("a,b,y\n1,2,inf\n").find("NaN or infinite"), std::string::npos);
  EXPECT_NE(csv_error("a,b,y\n1,2\n").find("d.csv:2: expected 3 columns, found 2"), std::string::npos);
  EXPECT_NE(csv_error("a,b,y\n1,2,3\n", "target").find("target column 'target' not found"), std::string::npos);
  EXPECT_NE(csv_error("").find("empty file"), std::string::npos);
  EXPECT_NE(csv_error("a,b,y\n").find("no data rows"), std::string::npos);
  EXPECT_NE(csv_error("y\n1\n").find("at least one feature"), std::string::npos);
}

TEST(Csv, MissingFileAndConstantColumn) {
  DataSpec s;
  s.source = "csv";
  s.path = "/nonexistent/x.csv";
  EXPECT_INPUT_ERROR(load_dataset(s), "/nonexistent/x.csv: cannot open");
  Dataset d = parse_csv("a,b,y\n1,2,3\n1,5,6\n", "d.csv", "");
  EXPECT_INPUT_ERROR(standardize_columns(d, true), "d.csv: column 'a' is constant and cannot be standardized");
  // Values whose variance overflows are refused, not turned into NaN (found by fuzzing).
  for (const char* big : {"a,y\n1e308,1\n1e308,2\n3,3\n", "a,y\n1e200,1\n-1e200,2\n3,3\n"}) {
    Dataset b = parse_csv(big, "d.csv", "");
    EXPECT_INPUT_ERROR(standardize_columns(b, true), "d.csv: column 'a' has values too large to standardize");
  }
}

TEST(Dataset, DiabetesStandardizedWithBias) {
  DataSpec s;
  s.source = "csv";
  s.path = std::string(MLTEMP_SOURCE_DIR) + "/examples/diabetes.csv";
  s.target = "progression";
  const Dataset d = load_dataset(s);
  ASSERT_EQ(d.X.rows(), 442);
  ASSERT_EQ(d.X.cols(), 11);
  const LinearMoments mo = linear_moments(d);
  // Standardized features and target: A_jj = 1 (bias too), c = 1, tr A = m.
  for (int j = 0; j < 11; ++j) EXPECT_NEAR(mo.A(j, j), 1.0, 1e-12);
  EXPECT_NEAR(mo.c, 1.0, 1e-12);
  EXPECT_NEAR(mo.b[10], 0.0, 1e-12);  // <y> = 0 after standardizing
  // bmi correlates with progression at r = 0.586 (a known property of this dataset).
  EXPECT_NEAR(mo.b[2], 0.586, 0.001);
}

TEST(Dataset, SyntheticIsDeterministic) {
  DataSpec s;
  s.n = 50;
  s.m = 3;
  const Dataset a = load_dataset(s), b = load_dataset(s);
  EXPECT_EQ((a.X - b.X).norm(), 0.0);
  EXPECT_EQ(a.X.cols(), 4);
  s.seed = 8;
  EXPECT_GT((load_dataset(s).X - a.X).norm(), 0.0);
}
