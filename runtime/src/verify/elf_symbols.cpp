// Reads data-object symbols from an ELF file with libelf/gelf; never parses ELF by hand.
#include "verify/elf_symbols.hpp"

#include <cxxabi.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace forksafe::serve::verify {

namespace {

struct ElfCloser {
  void operator()(Elf* e) const { elf_end(e); }
};

struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

/// Reads one symbol table section; returns how many data objects it added.
std::size_t collect(Elf* elf, Elf_Scn* scn, const GElf_Shdr& shdr, std::uint64_t pw_begin,
                    std::uint64_t pw_end, std::vector<ObjectSymbol>* out) {
  Elf_Data* data = elf_getdata(scn, nullptr);
  if (!data || shdr.sh_entsize == 0) return 0;
  std::size_t count = shdr.sh_size / shdr.sh_entsize;
  std::size_t added = 0;
  for (std::size_t i = 0; i < count; ++i) {
    GElf_Sym sym;
    if (!gelf_getsym(data, static_cast<int>(i), &sym)) continue;
    // TLS symbols hold offsets into the thread's block, not addresses in .data/.bss.
    if (GELF_ST_TYPE(sym.st_info) != STT_OBJECT || sym.st_size == 0 || sym.st_shndx == SHN_UNDEF ||
        sym.st_shndx >= SHN_LORESERVE)
      continue;
    // Only writable data can diverge: skip .rodata constants (std::string::npos and the like).
    GElf_Shdr home;
    Elf_Scn* home_scn = elf_getscn(elf, sym.st_shndx);
    if (!home_scn || !gelf_getshdr(home_scn, &home) || !(home.sh_flags & SHF_WRITE) ||
        (home.sh_flags & SHF_TLS))
      continue;
    const char* name = elf_strptr(elf, shdr.sh_link, sym.st_name);
    if (!name || !*name) continue;
    ObjectSymbol o;
    o.mangled = name;
    o.name = demangle(o.mangled);
    o.value = sym.st_value;
    o.size = sym.st_size;
    o.local = GELF_ST_BIND(sym.st_info) == STB_LOCAL;
    o.guard = o.mangled.rfind("_ZGV", 0) == 0;
    o.per_worker = pw_begin < pw_end && o.value >= pw_begin && o.value < pw_end;
    out->push_back(std::move(o));
    ++added;
  }
  return added;
}

}  // namespace

std::string demangle(const std::string& mangled) {
  if (mangled.rfind("_Z", 0) != 0) return mangled;
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(
      abi::__cxa_demangle(mangled.c_str(), nullptr, nullptr, &status), std::free);
  return status == 0 && out ? std::string(out.get()) : mangled;
}

std::string guarded_object(const std::string& guard) {
  if (guard.rfind("_ZGV", 0) != 0 || guard.size() <= 4) return {};
  return "_Z" + guard.substr(4);
}

bool read_object_symbols(const std::string& path, SymbolTable* out, std::string* error) {
  if (elf_version(EV_CURRENT) == EV_NONE) {
    *error = fmt::format("cannot read symbols of '{}': libelf is unusable", path);
    return false;
  }
  FdCloser fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.fd < 0) {
    *error = fmt::format("cannot read symbols of '{}': {}", path, std::strerror(errno));
    return false;
  }
  std::unique_ptr<Elf, ElfCloser> elf(elf_begin(fd.fd, ELF_C_READ, nullptr));
  if (!elf || elf_kind(elf.get()) != ELF_K_ELF) {
    *error = fmt::format("cannot read symbols of '{}': not an ELF file", path);
    return false;
  }
  std::size_t shstrndx = 0;
  if (elf_getshdrstrndx(elf.get(), &shstrndx) != 0) {
    *error = fmt::format("cannot read symbols of '{}': {}", path, elf_errmsg(-1));
    return false;
  }
  Elf_Scn* symtab = nullptr;
  Elf_Scn* dynsym = nullptr;
  GElf_Shdr symtab_hdr{}, dynsym_hdr{};
  std::uint64_t pw_begin = 0, pw_end = 0;
  for (Elf_Scn* scn = elf_nextscn(elf.get(), nullptr); scn; scn = elf_nextscn(elf.get(), scn)) {
    GElf_Shdr shdr;
    if (!gelf_getshdr(scn, &shdr)) continue;
    if (shdr.sh_type == SHT_SYMTAB) {
      symtab = scn;
      symtab_hdr = shdr;
    } else if (shdr.sh_type == SHT_DYNSYM) {
      dynsym = scn;
      dynsym_hdr = shdr;
    }
    const char* name = elf_strptr(elf.get(), shstrndx, shdr.sh_name);
    if (name && std::strcmp(name, kPerWorkerSection) == 0) {
      pw_begin = shdr.sh_addr;
      pw_end = shdr.sh_addr + shdr.sh_size;
    }
  }
  SymbolTable table;
  if (symtab) {
    collect(elf.get(), symtab, symtab_hdr, pw_begin, pw_end, &table.symbols);
    table.from_symtab = true;
  } else if (dynsym) {
    collect(elf.get(), dynsym, dynsym_hdr, pw_begin, pw_end, &table.symbols);
  }
  if (!symtab && table.symbols.empty()) {
    *error = fmt::format(
        "cannot verify app '{}': it has no symbol table (.symtab) and exports no data objects; "
        "build it without stripping (no -s, no strip)",
        path);
    return false;
  }
  std::sort(table.symbols.begin(), table.symbols.end(),
            [](const ObjectSymbol& a, const ObjectSymbol& b) {
              return a.value != b.value ? a.value < b.value : a.mangled < b.mangled;
            });
  *out = std::move(table);
  return true;
}

}  // namespace forksafe::serve::verify
