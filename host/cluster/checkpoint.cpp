#include "checkpoint.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "bytes.h"
#include "cluster.h"
#include "errors.h"
#include "file_lock.h"

namespace fs = std::filesystem;

namespace mltemp {
namespace {

// ---- the file format ----------------------------------------------------------------------

constexpr char kMagic[] = "mltemp-checkpoint\n";
constexpr uint32_t kVersion = 1;
constexpr uint32_t kByteOrder = 0x01020304;  // as this machine stores it

// Keys that change how a run goes, never what it computes.
constexpr const char* kRunTimeKeys[] = {"mc.threads", "mc.batch", "mc.backend", "mc.checkpoint_seconds"};

void put_doubles(ByteWriter& w, const std::vector<double>& v) {
  w.put<uint64_t>(v.size());
  w.raw(v.data(), v.size() * sizeof(double));
}

std::vector<double> get_doubles(ByteReader& r) {
  const auto n = r.get<uint64_t>();
  if (n > r.left() / sizeof(double)) throw std::out_of_range("truncated");
  std::vector<double> v(static_cast<size_t>(n));
  r.raw(v.data(), v.size() * sizeof(double));
  return v;
}

void put_identity(ByteWriter& w, const Identity& id) {
  w.put<uint64_t>(id.size());
  for (const auto& [k, v] : id) {
    w.text(k);
    w.text(v);
  }
}

Identity get_identity(ByteReader& r) {
  Identity id;
  for (auto n = r.get<uint64_t>(); n > 0; --n) {
    std::string k = r.text();
    id.emplace_back(std::move(k), r.text());
  }
  return id;
}

// Everything up to the scale in progress: header, identity, finished scales.
std::string encode_prefix(const Identity& id, const std::vector<ObsStats>& done) {
  ByteWriter w;
  w.raw(kMagic, sizeof kMagic - 1);
  w.put(kVersion);
  w.put(kByteOrder);
  put_identity(w, id);
  w.put<uint64_t>(done.size());
  for (const ObsStats& s : done) {
    w.put<uint64_t>(s.n);
    for (const auto* v : {&s.mean, &s.var, &s.se, &s.kurtosis, &s.max, &s.max_share}) put_doubles(w, *v);
    w.put<uint64_t>(s.cov.size());
    for (const auto& row : s.cov) put_doubles(w, row);
  }
  return w.take();
}

std::string encode_fold(const FoldState& f) {
  ByteWriter w;
  w.put<uint64_t>(f.next_chunk);
  w.text(f.trees);
  return w.take();
}

// ---- what the signal handler reads ----------------------------------------------------------

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
constexpr size_t kNumSignals = sizeof kSignals / sizeof kSignals[0];
enum Phase : int { kIdle, kSetup, kSweep, kFinal };

std::atomic<int> g_phase{kIdle};
// A checkpoint file is being written (by the main thread or a handler). The main thread
// fills the slot that is not published and then publishes it; a handler saves the published
// slot, reading the index once, and the main thread never fills a slot while a save is on.
std::atomic<bool> g_busy{false};
std::atomic<int> g_published{-1};
std::atomic<int> g_signals{0};
std::atomic<bool> g_told{false};
std::string g_slot[2];
bool g_writes = false;
char g_path[4096], g_tmp[4096], g_dir[4096], g_lock[4096], g_holder[512];
std::string g_told_text, g_saved_text, g_setup_text, g_failed_text;  // fixed while the handlers are installed
struct sigaction g_old[kNumSignals], g_old_xfsz;
bool g_installed[kNumSignals];

void say(const std::string& s) { (void)!write(STDERR_FILENO, s.data(), s.size()); }

// Writes PATH through PATH.tmp.PID (synced, renamed, folder synced): 0, or the errno of the
// failure, with nothing left behind. Async-signal-safe: the handlers call it too.
int write_atomically(const char* data, size_t n) {
  const int fd = open(g_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno;
  int err = 0;
  for (size_t off = 0; off < n && err == 0;) {
    const ssize_t w = write(fd, data + off, n - off);
    if (w > 0)
      off += static_cast<size_t>(w);
    else if (w == 0 || errno != EINTR)
      err = w == 0 ? EIO : errno;
  }
  if (err == 0 && fsync(fd) != 0) err = errno;
  if (close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && rename(g_tmp, g_path) != 0) err = errno;
  if (err != 0) {
    unlink(g_tmp);
    return err;
  }
  const int dir = open(g_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    fsync(dir);
    close(dir);
  }
  return 0;
}

// The caller holds g_busy.
int save_published() {
  const int p = g_published.load();
  return p < 0 ? 0 : write_atomically(g_slot[p].data(), g_slot[p].size());
}

// The results writer's handler leaves its lock file to the handler before it (this one): the
// process is about to exit, which releases the lock, so its file goes when it names us.
void remove_own_lock() {
  if (!g_lock[0]) return;
  char buf[512];
  const int fd = open(g_lock, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0')) --n;
  if (n <= 0) return;
  buf[n] = '\0';
  if (std::strcmp(buf, g_holder) == 0) unlink(g_lock);
}

extern "C" void on_stop_signal(int sig) {
  const int saved_errno = errno;
  const int nth = g_signals.fetch_add(1) + 1;
  switch (g_phase.load()) {
    case kSetup:
      if (g_writes) say(g_setup_text);
      _exit(kExitInterrupted);
    case kFinal:
      if (g_busy.exchange(true)) break;  // another handler is saving, and exits
      if (g_writes) say(save_published() == 0 ? g_told_text : g_failed_text);
      remove_own_lock();
      _exit(kExitInterrupted);
    case kSweep:
      if (nth > 1) {
        if (!g_busy.exchange(true)) _exit(kExitInterrupted);  // the first signal saved
        break;
      }
      request_stop();
      if (g_writes && !g_busy.exchange(true)) {
        const int err = save_published();
        g_busy.store(false);
        // When this save fails, the stop at the batch boundary saves again and reports.
        if (err == 0 && !g_told.exchange(true)) say(g_told_text);
      }
      break;
    default: {  // not running a sweep: the usual course
      struct sigaction dfl = {};
      dfl.sa_handler = SIG_DFL;
      sigaction(sig, &dfl, nullptr);
      raise(sig);
    }
  }
  errno = saved_errno;
}

void copy_path(char* dst, size_t cap, const std::string& src) {
  if (src.size() >= cap) throw InputError(src + ": path too long for a checkpoint");
  std::memcpy(dst, src.c_str(), src.size() + 1);
}

}  // namespace

// ---- format -------------------------------------------------------------------------------

std::string encode_checkpoint(const Checkpoint& c) {
  return encode_prefix(c.identity, c.done) + encode_fold(c.current);
}

Checkpoint decode_checkpoint(const std::string& bytes, const std::string& origin) {
  const auto bad = [&](const std::string& why) {
    return InputError(origin + ": not a usable mltemp checkpoint (" + why + ")");
  };
  if (bytes.compare(0, sizeof kMagic - 1, kMagic) != 0) throw bad("no checkpoint header");
  Checkpoint c;
  try {
    const std::string body = bytes.substr(sizeof kMagic - 1);
    ByteReader r(body);
    if (r.get<uint32_t>() != kVersion) throw bad("another format version");
    if (r.get<uint32_t>() != kByteOrder) throw bad("written on a machine of another byte order");
    c.identity = get_identity(r);
    for (auto n = r.get<uint64_t>(); n > 0; --n) {
      ObsStats s;
      s.n = r.get<uint64_t>();
      for (auto* v : {&s.mean, &s.var, &s.se, &s.kurtosis, &s.max, &s.max_share}) *v = get_doubles(r);
      for (auto k = r.get<uint64_t>(); k > 0; --k) s.cov.push_back(get_doubles(r));
      c.done.push_back(std::move(s));
    }
    c.current.next_chunk = r.get<uint64_t>();
    c.current.trees = r.text();
    if (r.left() != 0) throw bad("trailing bytes");
  } catch (const std::out_of_range&) {
    throw bad("truncated");
  }
  return c;
}

Identity config_identity(const Config& cfg) {
  Identity id;
  for (const auto& spec : option_table()) {
    bool run_time = false;
    for (const char* k : kRunTimeKeys) run_time = run_time || spec.key == k;
    if (!run_time) id.emplace_back(spec.key, format_value(cfg.value(spec.key)));
  }
  return id;
}

std::string identity_difference(const Identity& a, const Identity& b, const std::string& a_label,
                                const std::string& b_label) {
  const auto find = [](const Identity& id, const std::string& key) -> const std::string* {
    for (const auto& [k, v] : id)
      if (k == key) return &v;
    return nullptr;
  };
  for (const auto& [k, v] : a) {
    const std::string* w = find(b, k);
    if (!w) return k + " is " + v + " " + a_label + " and missing " + b_label;
    if (*w != v) return k + " is " + v + " " + a_label + " and " + *w + " " + b_label;
  }
  for (const auto& [k, v] : b)
    if (!find(a, k)) return k + " is missing " + a_label + " and " + v + " " + b_label;
  return "";
}

std::string encode_identity(const Identity& id) {
  ByteWriter w;
  put_identity(w, id);
  return w.take();
}

Identity decode_identity(const std::string& bytes) {
  ByteReader r(bytes);
  return get_identity(r);
}

std::string checkpoint_path(const std::string& out, const std::string& run_name) {
  return out + "." + run_name + ".ckpt";
}

// ---- the checkpointer ---------------------------------------------------------------------

Checkpointer::Checkpointer(std::string path, double every_seconds, bool resume, std::string resume_command, bool writes)
    : path_(std::move(path)),
      every_(every_seconds),
      resume_(resume),
      writes_(writes),
      last_save_(std::chrono::steady_clock::now()) {
  copy_path(g_path, sizeof g_path, path_);
  copy_path(g_tmp, sizeof g_tmp, temp_path_for(path_, static_cast<long>(getpid())));
  const fs::path p(path_);
  copy_path(g_dir, sizeof g_dir, p.has_parent_path() ? p.parent_path().string() : ".");
  g_lock[0] = '\0';
  g_writes = writes;
  g_published.store(-1);
  g_busy.store(false);
  g_signals.store(0);
  g_told.store(false);
  clear_stop();
  const std::string again = "mltemp: to continue, run the same command with --resume:\n  " + resume_command + "\n";
  g_saved_text = "mltemp: the finished work is saved in " + path_ + "\n" + again;
  g_told_text = "mltemp: interrupted: the finished work is saved in " + path_ + "\n" + again;
  g_setup_text = "mltemp: interrupted before the particles began: nothing new to save\n" + again;
  g_failed_text = "mltemp: interrupted, and the checkpoint " + path_ + " could not be written\n";
  g_phase.store(kSetup);
  struct sigaction sa = {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  for (int s : kSignals) sigaddset(&sa.sa_mask, s);
  for (size_t i = 0; i < kNumSignals; ++i) {
    g_installed[i] = false;
    if (sigaction(kSignals[i], nullptr, &g_old[i]) != 0 || g_old[i].sa_handler == SIG_IGN) continue;  // nohup
    g_installed[i] = sigaction(kSignals[i], &sa, nullptr) == 0;
  }
  // A file-size limit fails a checkpoint write (EFBIG) instead of killing the process.
  struct sigaction ign = {};
  ign.sa_handler = SIG_IGN;
  sigemptyset(&ign.sa_mask);
  sigaction(SIGXFSZ, &ign, &g_old_xfsz);
}

Checkpointer::~Checkpointer() {
  for (size_t i = 0; i < kNumSignals; ++i)
    if (g_installed[i]) sigaction(kSignals[i], &g_old[i], nullptr);
  sigaction(SIGXFSZ, &g_old_xfsz, nullptr);
  g_phase.store(kIdle);
  g_published.store(-1);
  for (auto& s : g_slot) std::string().swap(s);
}

std::string Checkpointer::load(const Identity& identity) const {
  std::error_code ec;
  if (!fs::exists(path_, ec)) return "";
  if (!resume_)
    throw InputError(path_ +
                     ": the checkpoint of an interrupted run is here: continue it with --resume, or remove "
                     "the file to start over");
  std::string bytes = read_file_bytes(path_);
  const Checkpoint c = decode_checkpoint(bytes, path_);
  const std::string diff = identity_difference(c.identity, identity, "in the checkpoint", "now");
  if (!diff.empty())
    throw InputError(path_ + ": --resume refused: the checkpoint is of another run: " + diff +
                     " (run as it was, or remove the checkpoint to start over)");
  return bytes;
}

void Checkpointer::publish(std::string bytes) {
  if (!writes_ || g_busy.load()) return;  // a handler is saving the published slot
  const int next = g_published.load() == 0 ? 1 : 0;
  g_slot[next] = std::move(bytes);
  g_published.store(next);
}

void Checkpointer::begin(const Identity& identity, const Checkpoint& resumed) {
  identity_ = identity;
  done_ = resumed.done;
  prefix_ = encode_prefix(identity_, done_);
  publish(prefix_ + encode_fold(resumed.current));
  began_ = true;
  g_phase.store(kSweep);
}

void Checkpointer::folded(const FoldState& fold) {
  if (!writes_) return;
  publish(prefix_ + encode_fold(fold));
  save_when_due();
}

void Checkpointer::scale_done(const ObsStats& st) {
  if (!writes_) return;
  done_.push_back(st);
  prefix_ = encode_prefix(identity_, done_);
  publish(prefix_ + encode_fold(FoldState{}));
  save_when_due();
}

void Checkpointer::save_when_due() {
  using Clock = std::chrono::steady_clock;
  if (std::chrono::duration<double>(Clock::now() - last_save_).count() < every_) return;
  try {
    save();
  } catch (const IoError& e) {
    if (!warned_) std::fprintf(stderr, "mltemp: warning: %s; the run goes on\n", e.what());
    warned_ = true;
  }
}

void Checkpointer::save() {
  if (!writes_ || g_busy.exchange(true)) return;  // a handler is saving this very state
  const int err = save_published();
  g_busy.store(false);
  last_save_ = std::chrono::steady_clock::now();
  if (err != 0) throw IoError(path_ + ": cannot write the checkpoint: " + std::strerror(err));
  saved_scales_ = done_.size();
}

void Checkpointer::writing_results(const std::string& out) {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "?");
  copy_path(g_holder, sizeof g_holder, "pid " + std::to_string(getpid()) + " on " + host);
  copy_path(g_lock, sizeof g_lock, resolve_symlinks(out) + ".lock");
  g_phase.store(kFinal);
}

void Checkpointer::finished() {
  g_phase.store(kIdle);
  std::error_code ec;
  if (writes_) fs::remove(path_, ec);
}

void Checkpointer::tell_resume() const {
  if (writes_ && !g_told.exchange(true)) say(g_told_text);
}

bool Checkpointer::save_for_resume() {
  if (!writes_ || !began_) return false;
  try {
    save();
  } catch (const IoError&) {
    return false;
  }
  say(g_saved_text);
  return true;
}

}  // namespace mltemp
