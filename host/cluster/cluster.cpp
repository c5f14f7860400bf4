#include "cluster.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <new>

#include "bytes.h"
#include "errors.h"

#ifdef MLTEMP_WITH_MPI
#define OMPI_SKIP_MPICXX 1  // the C interface only
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif
#ifdef MLTEMP_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

namespace mltemp {
namespace {

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler sets it");

// A rank's share of a round and rank 0's answer, as bytes. One message each way keeps every
// round the same exchange, so a failing rank can join whichever round the others are in.
struct Message {
  bool failed = false, stop = false;
  int32_t rank = 0;  // answer: the failing rank
  ErrorReport error;
  std::string data;
};

std::string encode(const Message& m) {
  ByteWriter w;
  w.put<uint8_t>(m.failed);
  w.put<uint8_t>(m.stop);
  w.put<int32_t>(m.rank);
  w.put<int32_t>(m.error.code);
  w.text(m.error.label);
  w.text(m.error.message);
  w.text(m.data);
  return w.take();
}

Message decode(const std::string& bytes) {
  ByteReader r(bytes);
  Message m;
  m.failed = r.get<uint8_t>() != 0;
  m.stop = r.get<uint8_t>() != 0;
  m.rank = r.get<int32_t>();
  m.error.code = r.get<int32_t>();
  m.error.label = r.text();
  m.error.message = r.text();
  m.data = r.text();
  return m;
}

// MPI counts are ints: a larger message becomes an error of its own.
constexpr size_t kMaxMessage = static_cast<size_t>(INT_MAX) - 4096;

const char* const kLauncherRank[] = {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"};

}  // namespace

ErrorReport describe_error(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const RankError& x) {
    return x.report;
  } catch (const InputError& x) {
    return {kExitBadInput, "error", x.what()};
  } catch (const IoError& x) {
    return {kExitIo, "I/O error", x.what()};
  } catch (const Interrupted& x) {
    return {kExitInterrupted, "interrupted", x.what()};
  } catch (const std::filesystem::filesystem_error& x) {
    return {kExitIo, "I/O error", x.what()};
  } catch (const std::bad_alloc&) {
    return {kExitIo, "error", "out of memory"};
  } catch (const std::exception& x) {
    return {kExitInternal, "internal error", x.what()};
  } catch (...) {
    return {kExitInternal, "internal error", "unknown exception"};
  }
}

void request_stop() noexcept { g_stop.store(true); }
bool stop_requested() noexcept { return g_stop.load(); }
void clear_stop() noexcept { g_stop.store(false); }

Cluster& Cluster::world() {
  static Cluster c;
  return c;
}

bool Cluster::mpi_compiled() {
#ifdef MLTEMP_WITH_MPI
  return true;
#else
  return false;
#endif
}

void Cluster::start(int* argc, char*** argv) {
  bool launched = false, several = false;
  for (const char* v : kLauncherRank)
    if (const char* r = std::getenv(v)) {
      launched = true;
      several = several || std::strcmp(r, "0") != 0;
    }
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
    if (const char* n = std::getenv(v)) several = several || std::atoi(n) > 1;
  if (!launched) return;
#ifdef MLTEMP_WITH_MPI
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  mpi_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node);
  MPI_Comm_rank(node, &local_rank_);
  MPI_Comm_free(&node);
  // Rank 0 alone speaks on stdout; the others report through rounds.
  if (rank_ != 0 && !std::freopen("/dev/null", "w", stdout)) std::fclose(stdout);
  // The test suite's fault: "RANK:ROUND" makes that rank fail in that round (1 = the first).
  if (const char* f = std::getenv("MLTEMP_TEST_FAIL_ROUND")) {
    int r = -1;
    long n = 0;
    if (std::sscanf(f, "%d:%ld", &r, &n) == 2 && r == rank_) fail_round_ = n;
  }
#else
  (void)argc;
  (void)argv;
  if (several)
    throw InputError(
        "started by an MPI launcher with several ranks, but this build of mltemp has no MPI: every rank would "
        "run the whole job (install libopenmpi-dev and rebuild, or run without mpirun)");
#endif
}

void Cluster::finish() {
#ifdef MLTEMP_WITH_MPI
  if (mpi_) MPI_Finalize();
#endif
  mpi_ = false;
}

std::pair<uint64_t, uint64_t> Cluster::share(uint64_t n, int rank, int size) {
  const auto r = static_cast<uint64_t>(rank), s = static_cast<uint64_t>(size);
  const uint64_t q = n / s, extra = n % s;
  const uint64_t first = r * q + std::min(r, extra);
  return {first, first + q + (r < extra ? 1 : 0)};
}

std::string Cluster::round(const std::function<std::string()>& mine,
                           const std::function<std::string(std::vector<std::string>&)>& answer) {
  std::exception_ptr own;
  Message m;
  ++rounds_;
  try {
    if (rounds_ == fail_round_)
      throw IoError("MLTEMP_TEST_FAIL_ROUND: this rank fails in round " + std::to_string(rounds_));
    m.data = mine();
    if (m.data.size() > kMaxMessage)
      throw IoError("a rank's share of a batch exceeds 2 GiB, more than one MPI message holds: lower mc.batch");
  } catch (...) {
    own = std::current_exception();
    m.failed = true;
    m.error = describe_error(own);
    m.data.clear();
  }
  m.stop = stop_requested();
  std::vector<std::string> all(static_cast<size_t>(root() ? size_ : 0));
#ifdef MLTEMP_WITH_MPI
  constexpr int kTag = 7;
  if (mpi_ && !root()) {
    const std::string bytes = encode(m);
    MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, 0, kTag, MPI_COMM_WORLD);
  }
  if (mpi_ && root())
    for (int r = 1; r < size_; ++r) {
      MPI_Status st;
      MPI_Probe(r, kTag, MPI_COMM_WORLD, &st);
      int n = 0;
      MPI_Get_count(&st, MPI_BYTE, &n);
      all[static_cast<size_t>(r)].resize(static_cast<size_t>(n));
      MPI_Recv(all[static_cast<size_t>(r)].data(), n, MPI_BYTE, r, kTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
#endif
  std::string reply;
  if (root()) {
    // The decision: the lowest failing rank's error, else the answer to every rank's data.
    Message a;
    std::vector<std::string> parts(static_cast<size_t>(size_));
    for (int r = 0; r < size_; ++r) {
      Message got = r == 0 ? std::move(m) : decode(all[static_cast<size_t>(r)]);
      a.stop = a.stop || got.stop;
      if (got.failed && !a.failed) {
        a.failed = true;
        a.rank = r;
        a.error = got.error;
        if (r > 0) a.error.message = "rank " + std::to_string(r) + ": " + a.error.message;
      }
      parts[static_cast<size_t>(r)] = std::move(got.data);
    }
    if (!a.failed) try {
        a.data = answer(parts);
        if (a.data.size() > kMaxMessage) throw std::length_error("a round's answer exceeds 2 GiB");
      } catch (...) {
        own = std::current_exception();
        a.failed = true;
        a.rank = 0;
        a.error = describe_error(own);
        a.data.clear();
      }
    reply = encode(a);
  }
#ifdef MLTEMP_WITH_MPI
  if (mpi_) {
    uint64_t n = reply.size();
    MPI_Bcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    reply.resize(static_cast<size_t>(n));
    MPI_Bcast(reply.data(), static_cast<int>(n), MPI_BYTE, 0, MPI_COMM_WORLD);
  }
#endif
  Message d = decode(reply);
  if (d.failed) {
    agreed_ = true;
    if (d.rank == rank_ && own) std::rethrow_exception(own);  // this rank's own error keeps its type
    throw RankError(d.error);
  }
  if (d.stop) {
    agreed_ = true;
    throw Interrupted("stopped by a signal");
  }
  return std::move(d.data);
}

void Cluster::step(const std::function<void()>& work) {
  round(
      [&] {
        work();
        return std::string();
      },
      [](std::vector<std::string>&) { return std::string(); });
}

std::exception_ptr Cluster::fail_together(std::exception_ptr e) {
  if (!mpi_ || size_ == 1 || !lockstep_ || agreed_) return e;
  try {
    round([&]() -> std::string { std::rethrow_exception(e); }, [](std::vector<std::string>&) { return std::string(); });
  } catch (...) {
    return std::current_exception();
  }
  return e;
}

void Cluster::use_local_gpu() const {
#ifdef MLTEMP_WITH_CUDA
  int count = 0;
  if (size_ < 2 || cudaGetDeviceCount(&count) != cudaSuccess || count < 1) return;
  cudaSetDevice(local_rank_ % count);
#endif
}

}  // namespace mltemp
