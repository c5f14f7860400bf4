// Config parsing: every bad input names the key and line; CLI > file > default.
#include <gtest/gtest.h>

#include "config.h"
#include "errors.h"
#include "run.h"
#include "system.h"
#include "test_util.h"

using namespace mltemp;

namespace {
Config parse(const std::string& t) { return Config::from_toml(t, "cfg.toml", "/base"); }

void run_cfg(const std::string& t) {
  Config c = parse(t);
  RunContext ctx;
  ctx.quiet = true;
  run_config(c, ctx);
}
}  // namespace

TEST(Config, DefaultsFileAndCliPrecedence) {
  Config c = parse("name = \"a\"\n[mc]\nparticles = 5000\n");
  EXPECT_EQ(c.get_int("mc.particles"), 5000);
  EXPECT_EQ(c.get_int("mc.seed"), 1);  // default
  EXPECT_FALSE(c.given("mc.seed"));
  c.set_from_cli("mc.particles", "7000");
  EXPECT_EQ(c.get_int("mc.particles"), 7000);
  EXPECT_EQ(c.where("mc.particles"), "--particles");
  EXPECT_EQ(c.where("name"), "cfg.toml:1: name");
  c.set_from_cli("mc.backend", "\"omp\"");  // a TOML-quoted string works too
  EXPECT_EQ(c.get_string("mc.backend"), "omp");
  const std::string echo = c.echo();
  EXPECT_NE(echo.find("particles = 7000  # command line"), std::string::npos) << echo;
  EXPECT_NE(echo.find("seed = 1  # default"), std::string::npos);
}

TEST(Config, WholeFloatsAreIntegersAndPathsResolve) {
  Config c = parse("[mc]\nparticles = 1e6\n[data]\nsource = \"csv\"\npath = \"d.csv\"\n");
  EXPECT_EQ(c.get_int("mc.particles"), 1000000);
  EXPECT_EQ(c.resolve_path("data.path"), "/base/d.csv");
}

TEST(Config, MalformedTomlNamesLine) {
  EXPECT_INPUT_ERROR(parse("name = \"a\"\n[mc\nparticles = 1\n"), "cfg.toml:2");
  EXPECT_INPUT_ERROR(parse("name = \"a\"\n[mc\nparticles = 1\n"), "malformed TOML");
}

TEST(Config, UnknownKeyAndSection) {
  EXPECT_INPUT_ERROR(parse("[mc]\nparticle = 5\n"), "cfg.toml:2: mc.particle: unknown key");
  EXPECT_INPUT_ERROR(parse("[mc]\nparticle = 5\n"), "particles");  // lists the known keys
  EXPECT_INPUT_ERROR(parse("[montecarlo]\nx = 1\n"), "unknown section [montecarlo]");
}

TEST(Config, WrongTypes) {
  EXPECT_INPUT_ERROR(parse("[mc]\nparticles = \"many\"\n"),
                     "cfg.toml:2: mc.particles: expected an integer, got a string");
  EXPECT_INPUT_ERROR(parse("[mc]\nparticles = 1.5\n"), "expected an integer");
  EXPECT_INPUT_ERROR(parse("[sweep]\nscales = [1.0, \"x\"]\n"), "sweep.scales[1]");
  EXPECT_INPUT_ERROR(parse("[data]\nbias = 1\n"), "expected a boolean");
  EXPECT_INPUT_ERROR(parse("[init]\ndist = \"cauchy\"\n"), "'cauchy' is not one of: normal,uniform,mixed");
  EXPECT_INPUT_ERROR(parse("[sweep]\nscales = [1.0, nan]\n"), "must be finite");
  EXPECT_INPUT_ERROR(parse("[energy]\nl2 = inf\n"), "must be finite");
  Config c = parse("");
  EXPECT_INPUT_ERROR(c.set_from_cli("mc.particles", "lots"), "--particles: cannot read 'lots'");
  EXPECT_INPUT_ERROR(c.set_from_cli("mc.nothing", "1"), "unknown config key");
}

TEST(Config, BadValuesAtRunTime) {
  const std::string base = "name = \"x\"\n[data]\nn = 30\nm = 2\n";
  EXPECT_INPUT_ERROR(run_cfg(base + "[sweep]\nscales = [1.0, -2.0]\n"), "sweep.scales[1]: scale must be > 0");
  EXPECT_INPUT_ERROR(run_cfg(base + "[sweep]\nscales = [0.0]\n"), "scale must be > 0");
  EXPECT_INPUT_ERROR(run_cfg(base + "[sweep]\nscales = [1.0]\n[mc]\nparticles = 0\n"),
                     "cfg.toml:8: mc.particles: must be at least 1");
  EXPECT_INPUT_ERROR(run_cfg(base + "[sweep]\nscales = [1.0]\n[mc]\nparticles = -5\n"), "mc.particles");
  EXPECT_INPUT_ERROR(run_cfg(base + "[sweep]\nscales = [1.0]\nfrom = 1.0\n"), "not both");
  EXPECT_INPUT_ERROR(run_cfg(base + "[sweep]\nfrom = 1.0\nto = 10.0\n"), "sweep.points is missing");
  EXPECT_INPUT_ERROR(run_cfg(base + "[sweep]\nfrom = -1.0\nto = 10.0\npoints = 3\n"), "sweep.from");
  EXPECT_INPUT_ERROR(run_cfg(base), "[sweep]");
  EXPECT_INPUT_ERROR(run_cfg(base + "[energy]\nkind = \"mbe\"\n[sweep]\nscales = [1.0]\n"), "no minimum");
  EXPECT_INPUT_ERROR(run_cfg(base + "[energy]\nl1 = -1.0\n[sweep]\nscales = [1.0]\n"), "energy.l1: must be >= 0");
  EXPECT_INPUT_ERROR(run_cfg(base + "[init]\ndist = \"mixed\"\nnormal_dims = 9\n[sweep]\nscales = [1.0]\n"),
                     "init.normal_dims: must be between 0 and the parameter count 3");
  EXPECT_INPUT_ERROR(run_cfg(base + "[init]\nnormal_dims = 1\n[sweep]\nscales = [1.0]\n"),
                     "only used with init.dist = \"mixed\"");
  EXPECT_INPUT_ERROR(run_cfg("name = \"a/b\"\n[sweep]\nscales = [1.0]\n"), "run name");
  EXPECT_INPUT_ERROR(run_cfg("[data]\nsource = \"csv\"\n[sweep]\nscales = [1.0]\n"), "needs data.path");
  EXPECT_INPUT_ERROR(run_cfg("[data]\npath = \"x.csv\"\n[sweep]\nscales = [1.0]\n"),
                     "only used with data.source = \"csv\"");
}

TEST(Config, LogSweep) {
  Config c = parse("[sweep]\nfrom = 1.0\nto = 1e6\npoints = 13\n");
  const auto s = sweep_scales(c);
  ASSERT_EQ(s.size(), 13u);
  EXPECT_DOUBLE_EQ(s[0], 1.0);
  EXPECT_DOUBLE_EQ(s[2], 10.0);
  EXPECT_EQ(s[12], 1e6);
}

TEST(Config, RangesAreCheckedWhereverAValueIsSet) {
  EXPECT_INPUT_ERROR(parse("[mc]\nthreads = -1\n"), "cfg.toml:2: mc.threads: must be between 0 and 4096");
  EXPECT_INPUT_ERROR(parse("[mc]\nbatch = 1e9\n"), "cfg.toml:2: mc.batch: must be between 0 and 268435456");
  EXPECT_INPUT_ERROR(parse("[mc]\nseed = -3\n"), "mc.seed: must be at least 0");
  EXPECT_INPUT_ERROR(parse("[mc]\nparticles = 1e19\n"), "mc.particles: 1e+19 is beyond the 64-bit integer range");
  Config c = Config::defaults();
  EXPECT_INPUT_ERROR(c.set_from_cli("mc.threads", "4097"), "--threads: must be between 0 and 4096");
  EXPECT_INPUT_ERROR(c.set_from_cli("mc.particles", "0"), "--particles: must be at least 1");
  c.set_from_cli("mc.threads", "4096");
  EXPECT_EQ(c.get_int("mc.threads"), 4096);
  c.set_from_cli("mc.particles", "9e18");  // the largest counts parse; only a sweep's overflow is refused
  EXPECT_EQ(c.get_int("mc.particles"), 9000000000000000000);
  EXPECT_EQ(range_text(*find_option("mc.threads")), "between 0 and 4096");
  EXPECT_EQ(range_text(*find_option("name")), "");
}

// check_config (what --print-config runs) refuses exactly what run_config refuses.
TEST(Config, CheckConfigRefusesWhatRunRefuses) {
  const std::string base = "name = \"x\"\n[data]\nn = 30\nm = 2\n";
  const std::string bad[] = {base + "[sweep]\nscales = [1.0, -2.0]\n",
                             base + "[model]\nhidden = [8]\n[sweep]\nscales = [1.0]\n",
                             base + "[energy]\nkind = \"ce\"\n[sweep]\nscales = [1.0]\n",
                             base + "[init]\ndist = \"mixed\"\nnormal_dims = 9\n[sweep]\nscales = [1.0]\n",
                             base + "[sweep]\nscales = [1.0, 2.0, 3.0]\n[mc]\nparticles = 7e18\n",
                             "name = \".hidden\"\n[sweep]\nscales = [1.0]\n",
                             "[data]\nsource = \"csv\"\npath = \"absent.csv\"\n[sweep]\nscales = [1.0]\n"};
  for (const auto& t : bad) {
    const std::string run_msg = mltemp::test::input_error_of([&] { run_cfg(t); });
    EXPECT_NE(run_msg, "") << t;
    EXPECT_EQ(mltemp::test::input_error_of([&] { check_config(parse(t)); }), run_msg) << t;
  }
  EXPECT_EQ(mltemp::test::input_error_of([&] { check_config(parse(base + "[sweep]\nscales = [1.0]\n")); }), "");
}

// The echo (stored with every run) is TOML that reads back to the same values, whatever the
// strings hold; command-line strings take TOML's grammar too.
TEST(Config, EchoReadsBackAndCliStringsAreToml) {
  Config c = parse("name = \"say \\\"hi\\\" \\\\ tab\\t\"\n");
  EXPECT_EQ(c.get_string("name"), "say \"hi\" \\ tab\t");
  c.set_from_cli("data.path", "dir with \"quotes\"/x.csv");  // a bare word, kept verbatim
  c.set_from_cli("data.target", "'literal \\ backslash'");   // a TOML literal string
  const Config back = Config::from_toml(c.echo(), "echo.toml", "/base");
  for (const char* k : {"name", "data.path", "data.target"})
    EXPECT_EQ(back.get_string(k), c.get_string(k)) << k << "\n" << c.echo();
  EXPECT_EQ(c.get_string("data.target"), "literal \\ backslash");
  EXPECT_EQ(format_value(std::string("a\nb")), "\"a\\u000Ab\"");
  EXPECT_INPUT_ERROR(c.set_from_cli("mc.seed", "3\nname = \"x\""), "--seed: cannot read");
  EXPECT_INPUT_ERROR(c.set_from_cli("name", "\xff\xfe"), "--name: cannot read '\xff\xfe' as a string (not UTF-8)");
  EXPECT_INPUT_ERROR(c.set_assignment("mc.seed"), "--set mc.seed: expected KEY=VALUE");
}
