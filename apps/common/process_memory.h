// Resident memory of this process, read from /proc (Linux).
#pragma once

#include <cstdint>
#include <fstream>
#include <string>

namespace random_embeddings::apps {

// Current resident set size in bytes (VmRSS), or -1 where /proc is not readable.
inline int64_t resident_bytes(const char* field = "VmRSS:") {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == field) {
      int64_t kib = 0;
      status >> kib;
      return kib * 1024;
    }
    status.ignore(1 << 12, '\n');
  }
  return -1;
}

// Peak resident set size in bytes (VmHWM) since the last reset_peak_resident().
inline int64_t peak_resident_bytes() { return resident_bytes("VmHWM:"); }

// Resets VmHWM to the current RSS (Linux >= 4.0); returns false where that is not allowed.
inline bool reset_peak_resident() {
  std::ofstream clear_refs("/proc/self/clear_refs");
  clear_refs << "5";
  return static_cast<bool>(clear_refs);
}

}  // namespace random_embeddings::apps
