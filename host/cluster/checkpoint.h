// Checkpoints of a sweep, and what SIGINT, SIGTERM and SIGHUP do during `mltemp run`.
//
// A checkpoint (OUT.h5.NAME.ckpt, beside the output) holds what a resumed run must match (its
// identity: the config without the run-time keys, the backend, the data's hashes), the
// statistics of every finished scale, and the fold of the scale in progress (FoldState). The
// fold depends only on the chunks folded so far, so a resumed run ends with the bits of an
// uninterrupted one, whatever the ranks, threads and batch sizes of either part.
//
// Rank 0 writes it atomically (PATH.tmp.PID, synced, renamed) every mc.checkpoint_seconds
// at a batch boundary, when stopped, and when the particles are done; the results file's
// successful write removes it. A signal during the sweep saves the state of the last batch
// boundary at once (from a snapshot kept ready, with async-signal-safe calls only), prints how
// to resume, and asks the job to stop: every rank stops after the round in progress and the
// process exits 5 (kExitInterrupted). A second signal exits 5 at once. During the final write
// the signal saves and exits 5 at once; before the sweep begins it exits 5 with nothing to save.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "config.h"
#include "engine.h"

namespace mltemp {

// Named values a resumed run (or another rank) must share with this one, in order.
using Identity = std::vector<std::pair<std::string, std::string>>;

struct Checkpoint {
  Identity identity;
  std::vector<ObsStats> done;  // the finished scales, in sweep order
  FoldState current;           // the scale after them (next_chunk 0: not begun)
};

std::string encode_checkpoint(const Checkpoint& c);
// InputError naming `origin` when the bytes are not a checkpoint of this format.
Checkpoint decode_checkpoint(const std::string& bytes, const std::string& origin);

// The config keys that change results (all but the run-time ones: threads, batch, backend
// request, checkpoint interval), with their values.
Identity config_identity(const Config& cfg);
// The first entry that differs between two identities, as "mc.particles is 20000 in the
// checkpoint and 40000 now" (labels "in the checkpoint", "now"); "" when they agree.
std::string identity_difference(const Identity& a, const Identity& b, const std::string& a_label,
                                const std::string& b_label);
std::string encode_identity(const Identity& id);
Identity decode_identity(const std::string& bytes);

// Where run NAME of output OUT keeps its checkpoint: OUT.NAME.ckpt.
std::string checkpoint_path(const std::string& out, const std::string& run_name);

class Checkpointer {
 public:
  // Installs the signal handlers (on every rank); rank 0 (`writes`) keeps the checkpoint at
  // `path`, and continues it when `resume`. `resume_command` is what the interrupted message
  // tells the user to run.
  Checkpointer(std::string path, double every_seconds, bool resume, std::string resume_command, bool writes);
  // Restores the handlers that were there before.
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  const std::string& path() const { return path_; }
  // Rank 0, when the run's checks passed: the bytes of the checkpoint to resume, or "" (none,
  // or not resuming). InputError (exit 2) when one exists but --resume was not given (it would
  // be lost), or when it belongs to another run: the message names the first entry of
  // `identity` that differs.
  std::string load(const Identity& identity) const;
  bool resuming() const { return resume_; }
  // The sweep starts: what it must match and what it continues. From here a signal saves.
  void begin(const Identity& identity, const Checkpoint& resumed);
  // Rank 0, after each batch: the fold so far; saved when mc.checkpoint_seconds have passed.
  void folded(const FoldState& fold);
  // A scale finished with these statistics.
  void scale_done(const ObsStats& st);
  // Saves now (the particles are done, or the job stops). IoError when it cannot be written.
  void save();
  // No round is left; the report and the results file `out` come next: a signal now saves and
  // exits 5 at once.
  void writing_results(const std::string& out);
  // The results are written: the checkpoint goes; signals take their usual course again.
  void finished();
  // Whether the checkpoint file holds all `scales` scales of the sweep (saved after the last).
  bool holds_all(size_t scales) const { return began_ && saved_scales_ == scales && done_.size() == scales; }
  // After a stop: says how to resume, unless a signal handler said it already.
  void tell_resume() const;
  // After an error that leaves the run resumable (not bad input): saves and says how to resume.
  // False when the sweep had not begun or the save failed.
  bool save_for_resume();

 private:
  void publish(std::string bytes);
  void save_when_due();
  std::string path_;
  double every_;
  bool resume_, writes_, warned_ = false, began_ = false;
  Identity identity_;
  std::vector<ObsStats> done_;
  size_t saved_scales_ = 0;  // finished scales in the last checkpoint written
  std::string prefix_;       // the encoded identity and finished scales
  std::chrono::steady_clock::time_point last_save_;
};

}  // namespace mltemp
