// SHA-256 digests (OpenSSL's libcrypto) for the provenance of a run: data files and the
// processed data as they enter the energy.
#pragma once

#include <cstddef>
#include <string>

namespace mltemp {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, size_t bytes);
  // Appends doubles as IEEE-754 binary64, little-endian, whatever the host's byte order.
  void update_f64(const double* values, size_t count);
  // The digest as 64 lowercase hex digits; the object is spent afterwards.
  std::string hex();

 private:
  void* ctx_;  // EVP_MD_CTX
};

std::string sha256_hex(const std::string& bytes);
// Digest of a file's bytes; InputError naming the file when it cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace mltemp
