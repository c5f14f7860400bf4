#include "sha256.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "errors.h"

namespace mltemp {
namespace {
EVP_MD_CTX* ctx_of(void* p) { return static_cast<EVP_MD_CTX*>(p); }
}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(ctx_of(ctx_), EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx_of(ctx_));
    throw std::runtime_error("OpenSSL: cannot initialize SHA-256");
  }
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_of(ctx_)); }

void Sha256::update(const void* data, size_t bytes) {
  if (bytes && EVP_DigestUpdate(ctx_of(ctx_), data, bytes) != 1) throw std::runtime_error("OpenSSL: SHA-256 update");
}

void Sha256::update_f64(const double* values, size_t count) {
  unsigned char buf[8 * 512];
  for (size_t done = 0; done < count;) {
    const size_t k = std::min<size_t>(512, count - done);
    for (size_t i = 0; i < k; ++i) {
      uint64_t bits;
      std::memcpy(&bits, &values[done + i], 8);
      for (int b = 0; b < 8; ++b) buf[8 * i + b] = static_cast<unsigned char>(bits >> (8 * b));
    }
    update(buf, 8 * k);
    done += k;
  }
}

std::string Sha256::hex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_of(ctx_), md, &len) != 1) throw std::runtime_error("OpenSSL: SHA-256 final");
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += digits[md[i] >> 4];
    out += digits[md[i] & 15];
  }
  return out;
}

std::string sha256_hex(const std::string& bytes) {
  Sha256 h;
  h.update(bytes.data(), bytes.size());
  return h.hex();
}

std::string sha256_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw InputError(path + ": cannot open to hash (" + std::strerror(errno) + ")");
  Sha256 h;
  char buf[1 << 16];
  while (f.read(buf, sizeof buf) || f.gcount() > 0) h.update(buf, static_cast<size_t>(f.gcount()));
  if (f.bad()) throw InputError(path + ": read error while hashing");
  return h.hex();
}

}  // namespace mltemp
