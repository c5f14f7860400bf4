// The particle paths against each other: the blocked CPU lanes (omp), the scalar reference
// loop (reference) and the GPU kernels executed on the CPU (emulate), for every energy.
//
// - emulate equals reference bit for bit: same scalar arithmetic in the same order (every sum
//   runs as in the functors; the chunk fold kernel follows PairwiseFolder's tree).
// - omp agrees with both to the rounding of the math functions (libmvec lanes against scalar
//   glibc): at most 1e-12 relative in every column of every table. The statistic z is a
//   difference divided by a standard error, so there the bound is the same relative error
//   carried through: |dz| <= 1e-12 (|T_mc| + |T_exact|) / se.
// - Each path is bitwise deterministic across thread counts and batch sizes, and the emulated
//   kernels give the same bits whatever order their threads run in (races would not).
// - The SIMD generator reproduces Random123's Philox bits and draw_particle's coordinates.
// - With a CUDA device, the GPU agrees with the CPU the same way (skipped without one).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include "engine.h"
#include "engine_emulate.h"
#include "mltemp/kernels.h"
#include "mltemp/moments.h"
#include "mltemp/rng.h"
#include "mltemp/sampler.h"
#include "simd.h"
#include "system.h"
#include "test_util.h"

namespace {

using namespace mltemp;

RunResult run_on(const std::string& text, Backend b, int threads = 0) {
  Config c = Config::from_toml(text, "<test>", std::string(MLTEMP_SOURCE_DIR) + "/examples");
  if (threads > 0) c.set_from_cli("mc.threads", std::to_string(threads));
  RunContext ctx;
  ctx.quiet = true;
  ctx.backend = b;
  return run_config(c, ctx);
}

// Every system family with a ragged last chunk (3001 particles) and two or three scales.
struct Case {
  const char* name;
  std::string toml;
};

std::string linear(const char* energy, const char* init, const char* extra = "") {
  return std::string("[data]\nsource = \"synthetic\"\nn = 150\nm = 5\n") +
         (std::string(energy) == "ce" ? "labels = \"binary\"\n[model]\nkind = \"logistic\"\n" : "") +
         "[energy]\nkind = \"" + energy + "\"\n" + extra + "[init]\ndist = \"" + init + "\"\n" +
         (std::string(init) == "mixed" ? "normal_dims = 3\n" : "") +
         "[sweep]\nscales = [0.3, 2.0, 50.0]\n[mc]\nparticles = 3001\nseed = 5\n";
}

std::string mlp(const char* act, bool bias, const char* hidden, const char* init = "normal") {
  return std::string("[data]\nsource = \"teacher\"\nn = 37\nm = 3\n[model]\nkind = \"mlp\"\nhidden = ") + hidden +
         "\nactivation = \"" + act + "\"\nbias = " + (bias ? "true" : "false") + "\n[init]\ndist = \"" + init +
         "\"\n[sweep]\nscales = [0.5, 4.0]\n[mc]\nparticles = 3001\nseed = 5\n";
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::vector<Case> cases() {
  return {
      {"mse_normal", linear("mse", "normal")},
      {"mse_uniform", linear("mse", "uniform")},
      {"mse_mixed_l1_l2", linear("mse", "mixed", "l1 = 0.2\nl2 = 0.3\n")},
      {"mae_normal", linear("mae", "normal")},
      {"mae_uniform", linear("mae", "uniform")},
      {"ce_normal", linear("ce", "normal")},
      {"ce_uniform", linear("ce", "uniform")},
      {"mlp_tanh", mlp("tanh", false, "[8, 5]")},
      {"mlp_sigmoid_bias", mlp("sigmoid", true, "[4]")},
      {"mlp_relu_deep_uniform", mlp("relu", true, "[6, 17, 3]", "uniform")},
      {"mlp_wide", mlp("tanh", false, "[20]")},
  };
}

// Calls f(table, column, row, a, b) for every numeric cell of two results with equal shapes.
template <class F>
void each_cell(const RunResult& a, const RunResult& b, F f) {
  ASSERT_EQ(a.tables.size(), b.tables.size());
  for (size_t t = 0; t < a.tables.size(); ++t) {
    const Table& ta = a.tables[t];
    const Table& tb = *b.table(ta.name());
    ASSERT_EQ(ta.rows(), tb.rows());
    for (const Column& c : ta.columns()) {
      if (c.kind == Column::Kind::kText) continue;
      for (size_t r = 0; r < ta.rows(); ++r) f(ta, c.name, r, ta.get(r, c.name), tb.get(r, c.name));
    }
  }
}

void expect_bitwise(const RunResult& a, const RunResult& b, const std::string& what) {
  int cells = 0;
  each_cell(a, b, [&](const Table& t, const std::string& col, size_t r, double x, double y) {
    ++cells;
    EXPECT_EQ(0, std::memcmp(&x, &y, sizeof x))
        << what << ": " << t.name() << "." << col << "[" << r << "] " << x << " vs " << y;
  });
  EXPECT_GT(cells, 20) << what;
}

void expect_close(const RunResult& a, const RunResult& b, const std::string& what, double rel = 1e-12) {
  double worst = 0.0;
  each_cell(a, b, [&](const Table& t, const std::string& col, size_t r, double x, double y) {
    if (std::isnan(x) || std::isnan(y)) {
      EXPECT_TRUE(std::isnan(x) && std::isnan(y)) << what << ": " << t.name() << "." << col << "[" << r << "]";
      return;
    }
    double bound = rel * std::max(std::fabs(x), std::fabs(y));
    if (col == "z") {  // (T_mc - T_exact) / se: carry the relative error of T through
      const std::string tc = t.name() == "layers" ? "T_l" : "T_mc";
      const std::string ec = t.name() == "layers" ? "T_l_exact" : "T_exact";
      const std::string sc = t.name() == "layers" ? "T_l_se" : "T_mc_se";
      bound = rel * (std::fabs(t.get(r, tc)) + std::fabs(t.get(r, ec))) / t.get(r, sc);
    }
    const double d = std::fabs(x - y);
    if (bound > 0) worst = std::max(worst, d / bound * rel);
    EXPECT_LE(d, bound) << what << ": " << t.name() << "." << col << "[" << r << "] " << x << " vs " << y;
  });
  ::testing::Test::RecordProperty(what + "_worst_relative", std::to_string(worst));
}

// The system of a config, for runs of single points.
struct RunPlanForTest {
  explicit RunPlanForTest(const Config& cfg)
      : ds(load_dataset(data_spec(cfg))),
        sys(make_system(cfg, ds)),
        seed(static_cast<uint64_t>(cfg.get_int("mc.seed"))) {}
  PointSetup setup(double scale) const { return sys->point(scale, seed); }
  Dataset ds;
  std::unique_ptr<System> sys;
  uint64_t seed;
};

class Paths : public ::testing::TestWithParam<Case> {};

TEST_P(Paths, EmulatedKernelsEqualReferenceBitwise) {
  const Case& c = GetParam();
  expect_bitwise(run_on(c.toml, Backend::kEmulate), run_on(c.toml, Backend::kReference), c.name);
}

TEST_P(Paths, LanesAgreeWithReference) {
  const Case& c = GetParam();
  expect_close(run_on(c.toml, Backend::kOmp), run_on(c.toml, Backend::kReference), c.name);
}

TEST_P(Paths, EachPathIsBitwiseAcrossThreadsAndBatches) {
  const Case& c = GetParam();
  for (Backend b : {Backend::kOmp, Backend::kEmulate}) {
    const RunResult one = run_on(c.toml + "batch = 1024\n", b, 1);
    const RunResult two = run_on(c.toml + "batch = 3000\n", b, 2);
    expect_bitwise(one, two, std::string(c.name) + " on " + backend_name(b));
  }
}

INSTANTIATE_TEST_SUITE_P(AllEnergies, Paths, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });

// The kernels' threads may run in any order within a phase: a shuffled order gives the same bits.
TEST(EmulatedKernels, ThreadOrderDoesNotMatter) {
  for (const Case& c : {cases()[3], cases()[5], cases()[8]}) {
    Config cfg = Config::from_toml(c.toml, "<test>", std::string(MLTEMP_SOURCE_DIR) + "/examples");
    const RunPlanForTest plan(cfg);
    RunOptions o;
    o.backend = Backend::kEmulate;
    o.particles = 3001;
    const ObsStats in_order = run_point(plan.setup(2.0), o);
    o.emulate_shuffle = 12345;
    const ObsStats shuffled = run_point(plan.setup(2.0), o);
    for (size_t k = 0; k < in_order.mean.size(); ++k) {
      EXPECT_EQ(in_order.mean[k], shuffled.mean[k]) << c.name << " observable " << k;
      EXPECT_EQ(in_order.var[k], shuffled.var[k]) << c.name << " observable " << k;
    }
  }
}

// A network whose weights and tiles do not fit a GPU block's shared memory is refused before any
// particle, naming the sizes (the CPU lanes run it).
TEST(EmulatedKernels, NetworkTooLargeForSharedMemoryIsRefused) {
  const std::string big = mlp("tanh", false, "[200, 200]");
  EXPECT_ERROR_MESSAGE(run_on(big, Backend::kEmulate), InputError,
                       "--backend emulate: the GPU kernel needs 469 KiB of shared memory per block, more than the "
                       "device's 227 KiB; use --backend omp");
}

// FoldKernel, run by the CPU driver with shuffled threads, against PairwiseFolder for every
// chunk size: the same tree, the same bits.
template <int K>
void fold_matches_pairwise_folder() {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> val(0.0, 2.0);
  const uint64_t count = kChunk * 3 + 517;  // three full chunks and a ragged one
  std::vector<double> obs(K * count);
  for (double& v : obs) v = val(rng);
  for (uint64_t n :
       {uint64_t{1}, uint64_t{2}, uint64_t{3}, uint64_t{5}, uint64_t{1000}, uint64_t{1023}, kChunk, count}) {
    const uint64_t chunks = (n + kChunk - 1) / kChunk;
    std::vector<double> sub(K * n);
    for (int o = 0; o < K; ++o)
      for (uint64_t p = 0; p < n; ++p) sub[o * n + p] = obs[o * count + p];
    std::vector<Moments<K>> scratch(chunks * (kChunk + kChunk / 2)), out(chunks);
    const FoldKernel<K> fold{sub.data(), n, scratch.data(), out.data()};
    CpuDriver(2, 99).launch(fold, fold.grid(), 0);
    for (uint64_t c = 0; c < chunks; ++c) {
      PairwiseFolder<K, kChunkLevels> ref;
      double leaf[K];
      for (uint64_t p = c * kChunk; p < std::min(n, (c + 1) * kChunk); ++p) {
        for (int o = 0; o < K; ++o) leaf[o] = sub[o * n + p];
        ref.push(moments_leaf<K>(leaf));
      }
      const Moments<K> want = ref.result();
      EXPECT_EQ(0, std::memcmp(&want, &out[c], sizeof want)) << "K=" << K << " n=" << n << " chunk " << c;
    }
  }
  // Every count of one chunk, 1..1024.
  for (uint64_t n = 1; n <= kChunk; ++n) {
    std::vector<Moments<K>> scratch(kChunk + kChunk / 2), out(1);
    std::vector<double> sub(K * n);
    for (int o = 0; o < K; ++o)
      for (uint64_t p = 0; p < n; ++p) sub[o * n + p] = obs[o * count + p];
    const FoldKernel<K> fold{sub.data(), n, scratch.data(), out.data()};
    CpuDriver(1, n).launch(fold, 1, 0);
    PairwiseFolder<K, kChunkLevels> ref;
    double leaf[K];
    for (uint64_t p = 0; p < n; ++p) {
      for (int o = 0; o < K; ++o) leaf[o] = sub[o * n + p];
      ref.push(moments_leaf<K>(leaf));
    }
    const Moments<K> want = ref.result();
    ASSERT_EQ(0, std::memcmp(&want, &out[0], sizeof want)) << "K=" << K << " n=" << n;
  }
}

TEST(FoldKernel, EqualsPairwiseFolderForEveryCount) {
  fold_matches_pairwise_folder<1>();
  fold_matches_pairwise_folder<3>();
}

// ---- the SIMD generator ----------------------------------------------------------------------

TEST(SimdPhilox, ReproducesRandom123) {
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 200; ++trial) {
    const uint64_t key = rng(), particle = rng() >> (trial % 40);
    const uint32_t stream = static_cast<uint32_t>(rng());
    simd::vu draw, part;
    for (int l = 0; l < simd::kLanes; ++l) {
      draw[l] = static_cast<uint32_t>(rng());
      part[l] = particle + static_cast<uint64_t>(l);
    }
    simd::Words ws[1] = {{draw, part & simd::bcast_u(0xFFFFFFFFull), part >> 32, simd::bcast_u(stream)}};
    simd::philox_groups<1>(ws, key);
    const simd::Words& w = ws[0];
    for (int l = 0; l < simd::kLanes; ++l) {
      const auto want = philox_words(key, stream, part[l], static_cast<uint32_t>(draw[l]));
      EXPECT_EQ(w.w0[l], want[0]);
      EXPECT_EQ(w.w1[l], want[1]);
      EXPECT_EQ(w.w2[l], want[2]);
      EXPECT_EQ(w.w3[l], want[3]);
    }
  }
}

// draw_soa and draw_one give draw_particle's coordinates: uniform ones bit for bit, normal ones
// through libmvec within a few ulp.
TEST(SimdDraws, MatchDrawParticle) {
  for (int dims : {1, 2, 7, 32, 33}) {
    for (int normal : {0, dims, dims / 2, 1}) {
      if (normal > dims) continue;
      std::vector<double> blob(dims);
      for (int j = 0; j < dims; ++j) blob[j] = 0.5 + j;
      const InitParams ip = init_params(11, 3.0, dims, normal, 0);
      const int count = 24;
      std::vector<double> soa(static_cast<size_t>(dims + 1) * count), one(dims + 1), ref(dims + 1);
      simd::draw_soa(ip, blob.data(), 1000, count, soa.data(), count);
      for (int p = 0; p < count; ++p) {
        draw_particle(ip, blob.data(), 1000 + p, ref.data());
        simd::draw_one(ip, blob.data(), 1000 + p, one.data());
        for (int j = 0; j < dims; ++j) {
          const double tol = j < normal ? 4e-15 * std::fabs(ref[j]) + 1e-300 : 0.0;
          EXPECT_NEAR(soa[static_cast<size_t>(j) * count + p], ref[j], tol) << dims << "/" << normal << " j=" << j;
          EXPECT_NEAR(one[j], ref[j], tol) << dims << "/" << normal << " j=" << j;
        }
      }
    }
  }
}

// A scale's particles do not depend on the other scales of the sweep.
TEST(Particles, KeyedByTheScaleValue) {
  const std::string base = "[data]\nsource = \"synthetic\"\n[energy]\nkind = \"mae\"\n[mc]\nparticles = 2048\n";
  const RunResult alone = run_on(base + "[sweep]\nscales = [10.0]\n", Backend::kOmp);
  const RunResult inside = run_on(base + "[sweep]\nscales = [1.0, 10.0, 100.0]\n", Backend::kOmp);
  const double a = alone.table("sweep")->get(0, "E_init"), b = inside.table("sweep")->get(1, "E_init");
  EXPECT_EQ(0, std::memcmp(&a, &b, sizeof a));
}

// ---- a CUDA device, when there is one --------------------------------------------------------

class OnDevice : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    if (!cuda_device_info().available) GTEST_SKIP() << "no CUDA device: " << cuda_device_info().name;
  }
};

TEST_P(OnDevice, GpuAgreesWithCpu) {
  const Case& c = GetParam();
  const RunResult gpu = run_on(c.toml, Backend::kCuda);
  expect_close(gpu, run_on(c.toml, Backend::kEmulate), c.name);
  expect_close(gpu, run_on(c.toml, Backend::kOmp), c.name);
}

TEST_P(OnDevice, GpuIsBitwiseAcrossBatches) {
  const Case& c = GetParam();
  expect_bitwise(run_on(c.toml + "batch = 1024\n", Backend::kCuda), run_on(c.toml + "batch = 100000\n", Backend::kCuda),
                 c.name);
}

INSTANTIATE_TEST_SUITE_P(AllEnergies, OnDevice, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });

}  // namespace
