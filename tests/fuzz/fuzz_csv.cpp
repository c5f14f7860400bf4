// libFuzzer target: bytes -> mltemp::fuzz::csv_entry (see fuzz_entries.h, scripts/fuzz.sh).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_entries.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mltemp::fuzz::csv_entry(std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}
