// Data-object symbols of an app library, read from its ELF file with libelf (for --verify).
#ifndef FORKSAFE_SERVE_VERIFY_ELF_SYMBOLS_HPP
#define FORKSAFE_SERVE_VERIFY_ELF_SYMBOLS_HPP

#include <cstdint>
#include <string>
#include <vector>

namespace forksafe::serve::verify {

/// The name the FORKSAFE_PER_WORKER annotation places variables in (see annotations.hpp).
inline constexpr const char* kPerWorkerSection = "forksafe_per_worker";

struct ObjectSymbol {
  std::string mangled;      ///< as in the symbol table ("g_hits", "_ZN12_GLOBAL__N_16visitsE")
  std::string name;         ///< demangled ("(anonymous namespace)::visits")
  std::uint64_t value = 0;  ///< link-time virtual address
  std::uint64_t size = 0;
  bool local = false;       ///< STB_LOCAL: static, anonymous-namespace or function-local
  bool guard = false;       ///< a function-local static's guard variable (_ZGV...)
  bool per_worker = false;  ///< lives in the FORKSAFE_PER_WORKER section
};

struct SymbolTable {
  std::vector<ObjectSymbol> symbols;  ///< sorted by value; sized, writable STT_OBJECT only (no TLS)
  bool from_symtab = false;           ///< false: only .dynsym was available (exported names only)
};

/// Reads STT_OBJECT symbols with a size, in writable non-TLS sections, from `path`'s .symtab, or
/// its .dynsym when stripped. Fails with a one-line `error` when the file is not a readable ELF
/// object or has neither table with data objects.
bool read_object_symbols(const std::string& path, SymbolTable* out, std::string* error);

/// "_ZGVZ3fooE5calls" -> "_ZZ3fooE5calls"; empty when `guard` is not a guard variable's name.
std::string guarded_object(const std::string& guard);

/// abi::__cxa_demangle for "_Z..." names; anything else is returned as it is.
std::string demangle(const std::string& mangled);

}  // namespace forksafe::serve::verify

#endif  // FORKSAFE_SERVE_VERIFY_ELF_SYMBOLS_HPP
