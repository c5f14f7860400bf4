#include "file_lock.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

#include "errors.h"

namespace fs = std::filesystem;

namespace mltemp {
namespace {

std::mutex& writer_mutex() {
  static std::mutex m;
  return m;
}

std::string holder_of(int fd) {
  char buf[256] = {0};
  const ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  std::string s(buf, n > 0 ? static_cast<size_t>(n) : 0);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\0')) s.pop_back();
  return s.empty() ? "another process" : s;
}

std::string this_holder() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "?");
  return "pid " + std::to_string(getpid()) + " on " + host;
}

bool locks_unsupported(int err) { return err == ENOLCK || err == ENOSYS || err == EOPNOTSUPP || err == EINVAL; }

}  // namespace

FileLock::FileLock(const std::string& lock_path, const std::string& guarded, double timeout_s)
    : in_process_(writer_mutex()), path_(lock_path) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  double next_notice = 1.0;
  auto pause = std::chrono::milliseconds(5);
  for (;;) {
    const int fd = open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) throw IoError(path_ + ": cannot create the lock file (" + std::strerror(errno) + ")");
    struct flock fl = {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(fd, F_SETLK, &fl) == 0) {
      struct stat mine, now;
      if (fstat(fd, &mine) == 0 && stat(path_.c_str(), &now) == 0 && mine.st_ino == now.st_ino &&
          mine.st_dev == now.st_dev) {
        const std::string who = this_holder() + "\n";
        if (ftruncate(fd, 0) != 0 || pwrite(fd, who.data(), who.size(), 0) < 0) {
          // Only the waiters' message needs this text; the lock itself holds.
        }
        fd_ = fd;
        return;
      }
      close(fd);  // the previous holder removed this file on release: lock the current one
      continue;
    }
    const int err = errno;
    if (err != EACCES && err != EAGAIN && err != EINTR) {
      close(fd);
      if (!locks_unsupported(err)) throw IoError(path_ + ": cannot lock (" + std::strerror(err) + ")");
      std::fprintf(stderr,
                   "mltemp: warning: %s: the file system does not grant fcntl locks (%s); writing %s without a "
                   "lock, so concurrent writers to it can lose runs (README: Several writers)\n",
                   path_.c_str(), std::strerror(err), guarded.c_str());
      return;
    }
    const std::string holder = holder_of(fd);
    close(fd);
    const double waited = std::chrono::duration<double>(Clock::now() - start).count();
    if (waited >= timeout_s) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%g", timeout_s);
      throw IoError(guarded + ": gave up after " + buf + " s waiting for the lock " + path_ + " (held by " + holder +
                    "); MLTEMP_LOCK_TIMEOUT sets the wait in seconds");
    }
    if (waited >= next_notice) {
      std::fprintf(stderr, "mltemp: %s is being written by %s; waiting for the lock %s (%.0f s of at most %.0f s)\n",
                   guarded.c_str(), holder.c_str(), path_.c_str(), waited, timeout_s);
      next_notice = next_notice < 60.0 ? 60.0 : next_notice + 60.0;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(200));
  }
}

FileLock::~FileLock() {
  if (fd_ < 0) return;
  unlink(path_.c_str());  // before the release: nobody can lock this file and keep it
  close(fd_);
}

double lock_timeout_seconds() {
  const char* v = std::getenv("MLTEMP_LOCK_TIMEOUT");
  if (!v) return kDefaultLockTimeout;
  char* end = nullptr;
  const double s = std::strtod(v, &end);
  if (end == v || *end != '\0' || !std::isfinite(s) || s < 0)
    throw InputError(std::string("MLTEMP_LOCK_TIMEOUT='") + v + "': expected a number of seconds >= 0");
  return s;
}

// ---- signals during the write ---------------------------------------------------------------

namespace {

constexpr int kCleanupSignals[] = {SIGINT, SIGTERM, SIGHUP};
constexpr size_t kNumSignals = sizeof kCleanupSignals / sizeof kCleanupSignals[0];
char g_tmp[4096];
char g_lock[4096];
struct sigaction g_old[kNumSignals];
bool g_installed[kNumSignals];
struct sigaction g_old_xfsz;

extern "C" void remove_temp_on_signal(int sig) {
  unlink(g_tmp);  // async-signal-safe
  for (size_t i = 0; i < kNumSignals; ++i) {
    if (kCleanupSignals[i] != sig) continue;
    // The default action ends the process, which releases the lock: its file can go too.
    if (g_old[i].sa_handler == SIG_DFL && g_lock[0]) unlink(g_lock);
    sigaction(sig, &g_old[i], nullptr);
  }
  raise(sig);  // delivered with the previous action once this handler returns
}

void copy_path(char* dst, const std::string& src) {
  if (src.size() >= 4096) throw InputError(src + ": path too long");
  std::memcpy(dst, src.c_str(), src.size() + 1);
}

}  // namespace

TempFileCleanup::TempFileCleanup(const std::string& tmp, const std::string& lock) {
  copy_path(g_tmp, tmp);
  copy_path(g_lock, lock);
  struct sigaction sa = {};
  sa.sa_handler = remove_temp_on_signal;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < kNumSignals; ++i) {
    g_installed[i] = false;
    if (sigaction(kCleanupSignals[i], nullptr, &g_old[i]) != 0) continue;
    if (g_old[i].sa_handler == SIG_IGN) continue;  // e.g. SIGHUP under nohup
    g_installed[i] = sigaction(kCleanupSignals[i], &sa, nullptr) == 0;
  }
  struct sigaction ign = {};
  ign.sa_handler = SIG_IGN;
  sigemptyset(&ign.sa_mask);
  sigaction(SIGXFSZ, &ign, &g_old_xfsz);
}

TempFileCleanup::~TempFileCleanup() {
  for (size_t i = 0; i < kNumSignals; ++i)
    if (g_installed[i]) sigaction(kCleanupSignals[i], &g_old[i], nullptr);
  sigaction(SIGXFSZ, &g_old_xfsz, nullptr);
}

// ---- temporaries, links, syncing ------------------------------------------------------------

std::string temp_path_for(const std::string& target, long pid) { return target + ".tmp." + std::to_string(pid); }

void remove_stale_temps(const std::string& target) {
  const fs::path t(target);
  const std::string prefix = t.filename().string() + ".tmp.";
  std::error_code ec;
  const fs::path dir = t.has_parent_path() ? t.parent_path() : fs::path(".");
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string digits = name.substr(prefix.size());
    if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    const long pid = std::stol(digits);
    if (pid <= 0 || pid == getpid() || kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    std::error_code rm;
    if (fs::remove(it->path(), rm))
      std::fprintf(stderr, "mltemp: removed %s, left by a writer (pid %ld) that no longer runs\n", it->path().c_str(),
                   pid);
  }
}

std::string resolve_symlinks(const std::string& path) {
  fs::path p(path);
  for (int hops = 0; hops < 40; ++hops) {
    std::error_code ec;
    if (!fs::is_symlink(fs::symlink_status(p, ec))) return p.string();
    const fs::path to = fs::read_symlink(p, ec);
    if (ec) throw InputError(p.string() + ": cannot read the symbolic link (" + ec.message() + ")");
    p = to.is_absolute() ? to : p.parent_path() / to;
  }
  throw InputError(path + ": too many levels of symbolic links");
}

std::string read_file_bytes(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError("cannot read " + path + " (" + std::strerror(errno) + ")");
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      close(fd);
      throw IoError("cannot read " + path + " (" + std::strerror(err) + ")");
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

void write_file_bytes(const std::string& path, const std::string& bytes, unsigned mode) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw IoError("cannot create " + path + " (" + std::strerror(errno) + ")");
  int err = 0;
  for (size_t done = 0; done < bytes.size() && !err;) {
    const ssize_t w = write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0)
      err = errno;
    else
      done += static_cast<size_t>(w);
  }
  if (!err && fchmod(fd, mode & 07777) != 0) err = errno;
  if (!err && fsync(fd) != 0) err = errno;  // NFS reports deferred write errors here or at close
  if (close(fd) != 0 && !err) err = errno;
  if (err) throw IoError("cannot write " + path + " (" + std::strerror(err) + ")");
}

void sync_folder(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)fsync(fd);  // the rename is done; a folder that cannot sync still holds it
  close(fd);
}

}  // namespace mltemp
