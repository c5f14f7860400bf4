// Plain values to bytes and back, for what crosses ranks (host/cluster.cpp) and what
// checkpoints keep (host/checkpoint.cpp, the fold in host/engine.cpp). Values keep their
// bits; the layout is this machine's (ranks and checkpoints share one architecture).
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace mltemp {

class ByteWriter {
 public:
  template <class T>
  void put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>, "plain values only");
    raw(&v, sizeof v);
  }
  void raw(const void* p, size_t n) { bytes_.append(static_cast<const char*>(p), n); }
  // A length, then the characters.
  void text(const std::string& s) {
    put<uint64_t>(s.size());
    bytes_ += s;
  }
  const std::string& bytes() const { return bytes_; }
  std::string take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

// Reads what a ByteWriter wrote; std::out_of_range when the bytes end early.
class ByteReader {
 public:
  explicit ByteReader(const std::string& bytes) : p_(bytes.data()), end_(bytes.data() + bytes.size()) {}
  template <class T>
  T get() {
    static_assert(std::is_trivially_copyable_v<T>, "plain values only");
    T v;
    raw(&v, sizeof v);
    return v;
  }
  void raw(void* out, size_t n) {
    need(n);
    std::memcpy(out, p_, n);
    p_ += n;
  }
  std::string text() {
    const auto n = get<uint64_t>();
    need(n);
    std::string s(p_, static_cast<size_t>(n));
    p_ += n;
    return s;
  }
  size_t left() const { return static_cast<size_t>(end_ - p_); }

 private:
  void need(uint64_t n) const {
    if (n > left()) throw std::out_of_range("truncated");
  }
  const char* p_;
  const char* end_;
};

}  // namespace mltemp
