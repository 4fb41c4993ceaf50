// Test library with a known data layout for the --verify unit tests (symbol mapping, diff, guards).
// Every object the tests name is listed here; the exported functions each write exactly one of
// them.
#include <forksafe/annotations.hpp>
#include <string>

#define LAYOUT_EXPORT extern "C" __attribute__((visibility("default")))

extern "C" {
long g_plain = 0;  // C linkage: the symbol is the plain name
}
// Exported (default visibility): the only data object a stripped copy still names, in .dynsym.
extern "C" {
__attribute__((visibility("default"))) long g_exported = 0;
}
long g_cpp_global = 7;  // C++ global at namespace scope: also the plain name
namespace {
int anon_counter = 0;  // _ZN12_GLOBAL__N_112anon_counterE (local)
}  // namespace
static char s_buffer[64];  // _ZL8s_buffer (local)
namespace layout {
long total = 0;  // _ZN6layout5totalE
}  // namespace layout
FORKSAFE_PER_WORKER long pw_value = 0;  // in the forksafe_per_worker section

static std::string make_name() { return std::string(40, 'n'); }

// A function-local static with a dynamic initializer: guarded by _ZGVZ5namedvE4name.
std::string& named() {
  static std::string name = make_name();
  return name;
}

LAYOUT_EXPORT void bump_plain() { ++g_plain; }
LAYOUT_EXPORT void bump_exported() { ++g_exported; }
LAYOUT_EXPORT void bump_cpp_global() { ++g_cpp_global; }
LAYOUT_EXPORT void bump_anon() { ++anon_counter; }
LAYOUT_EXPORT void write_buffer(int at, char c) { s_buffer[at] = c; }
LAYOUT_EXPORT char read_buffer(int at) { return s_buffer[at]; }  // keeps s_buffer alive at -O2
LAYOUT_EXPORT void bump_total() { ++layout::total; }
LAYOUT_EXPORT void bump_pw() { ++pw_value; }
LAYOUT_EXPORT void bump_local_static() {
  static int calls = 0;  // _ZZ17bump_local_staticE5calls (local, constant-initialized: no guard)
  ++calls;
}
LAYOUT_EXPORT void touch_named() { named()[0] = 'N'; }    // heap bytes only after the first call
LAYOUT_EXPORT void rename_named() { named() = "short"; }  // SSO: changes the object's own bytes
