// Replacing a shared file safely when several processes write it (used by host/h5_writer.cpp):
// an exclusive lock on a sidecar file, a temporary copy that a signal removes, and a sweep of
// the temporaries that killed writers left behind.
#pragma once

#include <mutex>
#include <string>

namespace mltemp {

// An exclusive fcntl (POSIX record) lock on `lock_path`, e.g. FILE.h5.lock. The constructor
// waits at most timeout_s seconds (then IoError), saying on stderr after a second that it waits
// and for whom. The holder writes "pid <pid> on <host>" into the file; the destructor removes
// the file, then releases the lock (a waiter that locked the removed file notices and retries).
// Where the file system refuses locks (ENOLCK, ENOSYS, EOPNOTSUPP: NFS mounted with nolock on
// some setups, Lustre without flock/localflock) it warns and proceeds unlocked: held() is false.
// Threads of one process are serialized too (fcntl locks are per process).
class FileLock {
 public:
  FileLock(const std::string& lock_path, const std::string& guarded, double timeout_s);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  bool held() const { return fd_ >= 0; }

 private:
  std::unique_lock<std::mutex> in_process_;
  std::string path_;
  int fd_ = -1;
};

// Seconds a writer waits for the lock: $MLTEMP_LOCK_TIMEOUT, else kDefaultLockTimeout.
// InputError when the variable is not a number >= 0.
constexpr double kDefaultLockTimeout = 600.0;
double lock_timeout_seconds();

// While alive: SIGINT, SIGTERM and SIGHUP (unless ignored) first remove `tmp` (and `lock`, as
// the process dies holding it), then take their previous course; SIGXFSZ is ignored, so a
// file-size limit surfaces as a write error (EFBIG) instead of killing the process.
class TempFileCleanup {
 public:
  TempFileCleanup(const std::string& tmp, const std::string& lock);
  ~TempFileCleanup();
  TempFileCleanup(const TempFileCleanup&) = delete;
  TempFileCleanup& operator=(const TempFileCleanup&) = delete;
};

// The temporary name of a writer: TARGET.tmp.PID.
std::string temp_path_for(const std::string& target, long pid);
// Removes TARGET.tmp.PID files whose process no longer exists on this host (a writer killed
// by SIGKILL or a crash); notes each removal on stderr. Call while holding the lock.
void remove_stale_temps(const std::string& target);

// Follows symbolic links at the last component (a dangling link gives its future target).
// InputError after 40 links.
std::string resolve_symlinks(const std::string& path);

// A file's bytes, and writing bytes to a new file (mode bits exactly `mode`, synced before
// return). IoError naming the file with the system's reason (ENOSPC, EFBIG, EIO, ...).
std::string read_file_bytes(const std::string& path);
void write_file_bytes(const std::string& path, const std::string& bytes, unsigned mode);

// fsync a folder (after a rename in it): best effort.
void sync_folder(const std::string& path);

}  // namespace mltemp
