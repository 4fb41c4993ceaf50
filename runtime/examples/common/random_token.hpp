// A session token from the kernel's randomness, shared by the example apps: 128 bits as hex,
// with no RNG state in the process (the fixed answer to forksafe-prefork-rng).
#ifndef FORKSAFE_EXAMPLES_RANDOM_TOKEN_HPP
#define FORKSAFE_EXAMPLES_RANDOM_TOKEN_HPP

#include <sys/random.h>

#include <string>

namespace examples {

/// 128 random bits from the kernel, as hex: no RNG state in the process at all.
inline std::string random_token() {
  unsigned char bytes[16] = {};
  if (::getrandom(bytes, sizeof bytes, 0) != sizeof bytes) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace examples

#endif  // FORKSAFE_EXAMPLES_RANDOM_TOKEN_HPP
