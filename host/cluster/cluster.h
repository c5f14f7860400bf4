// The ranks of a job. Under mpirun or srun, in a build with MPI, the job is MPI_COMM_WORLD;
// otherwise it is this process alone and every call below stays local.
//
// Ranks run the same code on the same config and meet only in rounds (Cluster::round): every
// rank hands rank 0 a result, rank 0 combines them and answers every rank. A round also carries
// errors and stop requests. When any rank failed, every rank throws the error of the lowest
// failing rank (rank 0 prints it, every rank exits with its code); when any rank was asked to
// stop (SIGINT, SIGTERM), every rank throws Interrupted after that round. A rank that fails
// between rounds joins the next round with its error (fail_together), so no rank ever waits
// for one that has left. Only rank 0 prints and writes files.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace mltemp {

// An error as the command line reports it: "mltemp: <label>: <message>", exit code `code`.
struct ErrorReport {
  int code = 0;
  std::string label;  // "error", "I/O error", "internal error"
  std::string message;
};

// InputError 2; IoError, file-system errors and bad_alloc ("out of memory") 4; Interrupted 5;
// another rank's error its own; anything else 3 (internal error).
ErrorReport describe_error(std::exception_ptr e);

// Another rank's error, thrown on every rank by the round that learned of it.
struct RankError : std::runtime_error {
  explicit RankError(ErrorReport r) : std::runtime_error(r.message), report(std::move(r)) {}
  ErrorReport report;
};

class Cluster {
 public:
  // This process's job: one rank until start() joins an MPI job.
  static Cluster& world();

  // Joins the MPI job when an MPI launcher started this process (OMPI_COMM_WORLD_SIZE,
  // PMIX_RANK or PMI_RANK set), else stays a job of one. InputError when a launcher started
  // several ranks of a build without MPI (each would run the whole job).
  void start(int* argc, char*** argv);
  // Leaves the MPI job (MPI_Finalize); nothing for a job of one.
  void finish();
  static bool mpi_compiled();

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool root() const { return rank_ == 0; }

  // Collective. Every rank runs `mine`; rank 0 then gets every rank's bytes in rank order and
  // returns the answer that every rank receives. See the top of the file for errors and stops.
  std::string round(const std::function<std::string()>& mine,
                    const std::function<std::string(std::vector<std::string>&)>& answer);
  // A round without data: every rank runs `work`, and the job agrees that all succeeded.
  void step(const std::function<void()>& work = [] {});

  // The share [first, last) of rank `rank` of `size` in n items cut into contiguous ranges in
  // rank order, sizes differing by one at most; and this rank's.
  static std::pair<uint64_t, uint64_t> share(uint64_t n, int rank, int size);
  std::pair<uint64_t, uint64_t> share(uint64_t n) const { return share(n, rank_, size_); }

  // While true (set by the commands around their collective part), a rank that fails must
  // join a round so that the others learn of it: fail_together.
  void set_lockstep(bool on) { lockstep_ = on; }
  // Called with an error that reached the command line: when other ranks may be waiting in a
  // round for this one, joins a round with it, and returns the error the job agreed on (this
  // one or a lower rank's); else returns `e`.
  std::exception_ptr fail_together(std::exception_ptr e);

  // cuda backend, several ranks on a node: uses GPU (local rank mod device count). No effect
  // without CUDA or without a device. Call before the first CUDA work.
  void use_local_gpu() const;
  int local_rank() const { return local_rank_; }

 private:
  int rank_ = 0, size_ = 1, local_rank_ = 0;
  bool mpi_ = false, lockstep_ = false, agreed_ = false;
  long rounds_ = 0, fail_round_ = 0;
};

// The job's stop request, set by the SIGINT/SIGTERM handler (async-signal-safe) and agreed
// at the next round.
void request_stop() noexcept;
bool stop_requested() noexcept;
void clear_stop() noexcept;  // a new run begins

}  // namespace mltemp
