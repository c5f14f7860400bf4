// Datasets: CSV errors name file, line and column; standardization; the real diabetes file.
#include <gtest/gtest.h>

#include <cmath>

#include "dataset.h"
#include "errors.h"

using namespace mltemp;

namespace {
std::string csv_error(const std::string& text, const std::string& target = "") {
  try {
    parse_csv(text, "d.csv", target);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

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
  try {
    load_dataset(s);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/x.csv: cannot open"), std::string::npos);
  }
  Dataset d = parse_csv("a,b,y\n1,2,3\n1,5,6\n", "d.csv", "");
  EXPECT_THROW(standardize_columns(d, true), InputError);
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
