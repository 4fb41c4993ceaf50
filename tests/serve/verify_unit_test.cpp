// Unit tests for --verify's building blocks: ELF symbols, snapshot diff, symbol lookup, the probe
// on a test library with a known layout, checker-report parsing and the cross-check.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "verify/elf_symbols.hpp"
#include "verify/findings.hpp"
#include "verify/memory_diff.hpp"
#include "verify/probe.hpp"
#include "verify/report.hpp"

namespace fv = forksafe::serve::verify;

namespace {

const fv::ObjectSymbol* find(const fv::SymbolTable& t, const std::string& mangled) {
  for (const auto& s : t.symbols)
    if (s.mangled == mangled) return &s;
  return nullptr;
}

std::vector<std::string> names(const std::map<std::string, fv::SymbolRecord>& records) {
  std::vector<std::string> out;
  for (const auto& [mangled, r] : records) out.push_back(mangled);
  return out;
}

}  // namespace

TEST(ElfSymbols, ReadsLocalGlobalAndFunctionStaticObjects) {
  fv::SymbolTable t;
  std::string error;
  ASSERT_TRUE(fv::read_object_symbols(VERIFY_LAYOUT_LIB, &t, &error)) << error;
  EXPECT_TRUE(t.from_symtab);
  const fv::ObjectSymbol* plain = find(t, "g_plain");
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(plain->size, 8u);
  ASSERT_NE(find(t, "g_cpp_global"), nullptr);
  const fv::ObjectSymbol* anon = find(t, "_ZN12_GLOBAL__N_112anon_counterE");
  ASSERT_NE(anon, nullptr);
  EXPECT_TRUE(anon->local);
  EXPECT_EQ(anon->name, "(anonymous namespace)::anon_counter");
  const fv::ObjectSymbol* buffer = find(t, "_ZL8s_buffer");
  ASSERT_NE(buffer, nullptr);
  EXPECT_EQ(buffer->size, 64u);
  EXPECT_EQ(buffer->name, "s_buffer");
  const fv::ObjectSymbol* calls = find(t, "_ZZ17bump_local_staticE5calls");
  ASSERT_NE(calls, nullptr);
  EXPECT_EQ(calls->name, "bump_local_static::calls");
  EXPECT_FALSE(calls->guard);
  ASSERT_NE(find(t, "_ZN6layout5totalE"), nullptr);
  const fv::ObjectSymbol* pw = find(t, "pw_value");
  ASSERT_NE(pw, nullptr);
  EXPECT_TRUE(pw->per_worker);
  EXPECT_FALSE(plain->per_worker);
  auto guard = std::find_if(t.symbols.begin(), t.symbols.end(),
                            [](const fv::ObjectSymbol& s) { return s.guard; });
  ASSERT_NE(guard, t.symbols.end());
  EXPECT_NE(find(t, fv::guarded_object(guard->mangled)), nullptr);
  EXPECT_TRUE(std::is_sorted(t.symbols.begin(), t.symbols.end(),
                             [](const auto& a, const auto& b) { return a.value < b.value; }));
}

TEST(ElfSymbols, GuardNamesAndDemangling) {
  EXPECT_EQ(fv::guarded_object("_ZGVZ3foovE5cache"), "_ZZ3foovE5cache");
  EXPECT_EQ(fv::guarded_object("_ZZ3foovE5cache"), "");
  EXPECT_EQ(fv::demangle("_ZN12_GLOBAL__N_16visitsE"), "(anonymous namespace)::visits");
  EXPECT_EQ(fv::demangle("g_hits"), "g_hits");
}

TEST(ElfSymbols, StrippedAppWithoutExportedDataIsOneClearError) {
  fv::SymbolTable t;
  std::string error;
  EXPECT_FALSE(fv::read_object_symbols(VERIFY_STRIPPED_APP, &t, &error));
  EXPECT_NE(error.find("no symbol table"), std::string::npos) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos);
}

TEST(ElfSymbols, StrippedLibraryFallsBackToDynsym) {
  fv::SymbolTable t;
  std::string error;
  ASSERT_TRUE(fv::read_object_symbols(VERIFY_STRIPPED_LIB, &t, &error)) << error;
  EXPECT_FALSE(t.from_symtab);
  EXPECT_NE(find(t, "g_exported"), nullptr);
  EXPECT_EQ(find(t, "_ZL8s_buffer"), nullptr);  // local names are gone with .symtab
}

TEST(ElfSymbols, MissingOrNonElfFileIsAnError) {
  fv::SymbolTable t;
  std::string error;
  EXPECT_FALSE(fv::read_object_symbols("/nonexistent/app.so", &t, &error));
  EXPECT_NE(error.find("cannot read symbols"), std::string::npos);
  EXPECT_FALSE(fv::read_object_symbols(VERIFY_DATA_DIR "/malformed.json", &t, &error));
  EXPECT_NE(error.find("not an ELF file"), std::string::npos);
}

TEST(Snapshot, DiffFindsExactChangedRangesAndUpdateResets) {
  std::vector<unsigned char> mem(1000, 0);
  auto base = reinterpret_cast<std::uintptr_t>(mem.data());
  fv::Snapshot snap;
  snap.take({{base, base + mem.size()}});
  EXPECT_EQ(snap.bytes(), 1000u);
  std::vector<fv::Range> changed;
  snap.diff(&changed);
  EXPECT_TRUE(changed.empty());
  mem[3] = 1;
  mem[4] = 2;
  mem[600] = 9;
  mem[999] = 1;
  snap.diff(&changed);
  ASSERT_EQ(changed.size(), 3u);
  EXPECT_EQ(changed[0], (fv::Range{base + 3, base + 5}));
  EXPECT_EQ(changed[1], (fv::Range{base + 600, base + 601}));
  EXPECT_EQ(changed[2], (fv::Range{base + 999, base + 1000}));
  EXPECT_EQ(snap.old_byte(base + 3), 0);
  snap.update(changed);
  EXPECT_EQ(snap.old_byte(base + 3), 1);
  changed.clear();
  snap.diff(&changed);
  EXPECT_TRUE(changed.empty());
}

TEST(Snapshot, DiffSeesEveryByteOfAnUnalignedRange) {
  // Odd start and length: full 256-byte chunks (compared in 16-byte vectors), then a tail
  // compared word by word and byte by byte.
  std::vector<unsigned char> mem(1001, 0x5a);
  auto base = reinterpret_cast<std::uintptr_t>(mem.data()) + 1;
  fv::Snapshot snap;
  snap.take({{base, base + 999}});
  std::vector<fv::Range> changed;
  for (std::uintptr_t at = base; at < base + 999; ++at) {
    *reinterpret_cast<unsigned char*>(at) ^= 0x80;
    changed.clear();
    snap.diff(&changed);
    ASSERT_EQ(changed.size(), 1u) << "offset " << at - base;
    EXPECT_EQ(changed[0], (fv::Range{at, at + 1}));
    *reinterpret_cast<unsigned char*>(at) ^= 0x80;
  }
  mem[0] = 1;  // outside the range
  mem[1000] = 1;
  changed.clear();
  snap.diff(&changed);
  EXPECT_TRUE(changed.empty());
}

TEST(SymbolIndex, MapsRangesToOverlappingSymbolsOnly) {
  fv::SymbolTable t;
  t.symbols = {{"a", "a", 100, 8, false, false, false},
               {"b", "b", 108, 4, false, false, false},
               {"big", "big", 200, 64, true, false, false},
               {"outside", "outside", 5000, 8, false, false, false}};
  fv::ModuleLayout layout;
  layout.bias = 0x10000;
  layout.writable = {{0x10000 + 96, 0x10000 + 400}};
  fv::SymbolIndex index;
  index.build(t, layout);
  EXPECT_EQ(index.size(), 3u);
  auto hits = [&](std::uintptr_t b, std::uintptr_t e) {
    std::vector<std::size_t> h;
    index.lookup({0x10000 + b, 0x10000 + e}, &h);
    return h;
  };
  EXPECT_EQ(hits(100, 101), (std::vector<std::size_t>{0}));
  EXPECT_EQ(hits(107, 109), (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(hits(250, 251), (std::vector<std::size_t>{2}));
  EXPECT_TRUE(hits(112, 200).empty());  // padding between objects: ignored
  EXPECT_TRUE(hits(300, 310).empty());
}

class ProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    handle_ = ::dlopen(VERIFY_LAYOUT_LIB, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(handle_, nullptr) << ::dlerror();
    std::string error;
    ASSERT_TRUE(fv::read_object_symbols(VERIFY_LAYOUT_LIB, &table_, &error)) << error;
    ASSERT_TRUE(probe_.start(VERIFY_LAYOUT_LIB, &table_, "", 64u << 20, &error)) << error;
  }
  void TearDown() override {
    if (handle_) ::dlclose(handle_);
  }
  void call(const char* fn) { reinterpret_cast<void (*)()>(::dlsym(handle_, fn))(); }
  void request(const char* path) { probe_.after_request("GET", path, path); }

  void* handle_ = nullptr;
  fv::SymbolTable table_;
  fv::Probe probe_;
};

TEST_F(ProbeTest, EachWriteIsAttributedToItsSymbolAndRequest) {
  EXPECT_GT(probe_.indexed_symbols(), 6u);
  request("/nothing");
  EXPECT_TRUE(probe_.records(fv::RecordKind::kMutation).empty());
  call("bump_plain");
  request("/plain");
  call("bump_anon");
  call("bump_anon");
  request("/anon");
  call("bump_local_static");
  call("bump_cpp_global");
  request("/two");
  call("bump_total");
  reinterpret_cast<void (*)(int, char)>(::dlsym(handle_, "write_buffer"))(63, 'x');
  request("/more");
  call("bump_plain");
  request("/plain-again");
  const auto& m = probe_.records(fv::RecordKind::kMutation);
  EXPECT_EQ(names(m), (std::vector<std::string>{
                          "_ZL8s_buffer", "_ZN12_GLOBAL__N_112anon_counterE", "_ZN6layout5totalE",
                          "_ZZ17bump_local_staticE5calls", "g_cpp_global", "g_plain"}));
  EXPECT_EQ(m.at("g_plain").requests, 2u);
  EXPECT_EQ(m.at("g_plain").first.path, "/plain");
  EXPECT_EQ(m.at("_ZN12_GLOBAL__N_112anon_counterE").requests, 1u);  // two writes, one request
  EXPECT_EQ(m.at("_ZZ17bump_local_staticE5calls").first.route, "/two");
  EXPECT_EQ(probe_.requests(), 6u);
}

TEST_F(ProbeTest, FirstUseInitializationIsNotAMutation) {
  call("touch_named");  // first call: guard 0 -> 1, the string is constructed
  request("/first");
  const auto& first_use = probe_.records(fv::RecordKind::kFirstUse);
  ASSERT_EQ(first_use.size(), 1u);
  EXPECT_EQ(first_use.begin()->first.rfind("_ZZ5named", 0), 0u) << first_use.begin()->first;
  EXPECT_EQ(first_use.begin()->second.first.path, "/first");
  for (const auto& [mangled, r] : probe_.records(fv::RecordKind::kMutation))
    ADD_FAILURE() << "reported as mutation: " << mangled;
  call("touch_named");  // writes heap bytes only: invisible, by design
  request("/heap");
  EXPECT_TRUE(probe_.records(fv::RecordKind::kMutation).empty());
  call("rename_named");  // changes the object's own bytes: a real mutation now
  request("/rename");
  const auto& m = probe_.records(fv::RecordKind::kMutation);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m.begin()->first, first_use.begin()->first);
  EXPECT_EQ(m.begin()->second.first.path, "/rename");
}

TEST_F(ProbeTest, PerWorkerAnnotatedStateIsRecordedApart) {
  call("bump_pw");
  request("/pw");
  EXPECT_TRUE(probe_.records(fv::RecordKind::kMutation).empty());
  EXPECT_EQ(names(probe_.records(fv::RecordKind::kPerWorker)),
            (std::vector<std::string>{"pw_value"}));
}

TEST(Findings, ParsesCheckerJsonAndNamesPerWorkerErrors) {
  std::vector<fv::Finding> f;
  std::string error;
  ASSERT_TRUE(fv::read_findings(VERIFY_DATA_DIR "/counter.findings.json", &f, &error)) << error;
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].mangled, "_ZN12_GLOBAL__N_16visitsE");
  auto errors = fv::per_worker_errors(f);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(fv::name_findings(errors), "(anonymous namespace)::visits (counter.cpp:11)");
}

TEST(Findings, BadInputIsOneLineError) {
  std::vector<fv::Finding> f;
  std::string error;
  EXPECT_FALSE(fv::read_findings("/nonexistent/findings.json", &f, &error));
  EXPECT_NE(error.find("cannot read checker report"), std::string::npos);
  EXPECT_FALSE(fv::read_findings(VERIFY_DATA_DIR "/malformed.json", &f, &error));
  EXPECT_NE(error.find("not valid JSON"), std::string::npos);
  EXPECT_FALSE(fv::read_findings(VERIFY_LAYOUT_LIB, &f, &error));
  EXPECT_EQ(error.find('\n'), std::string::npos);
}

TEST(CrossCheck, ClassifiesConfirmedStaticOnlyAndDynamicOnly) {
  fv::SymbolTable table;
  fv::Report report;
  ASSERT_TRUE(fv::add_worker_records(
      R"({"pid":11,"requests":3,"mutations":[
           {"mangled":"_ZN12_GLOBAL__N_18sessionsE","requests":2,"first":{"method":"POST","path":"/login","route":"/login","when_us":5}},
           {"mangled":"hidden","requests":1,"first":{"method":"GET","path":"/h","route":"/h","when_us":7}}]})",
      table, &report));
  ASSERT_TRUE(fv::add_worker_records(
      R"({"pid":12,"requests":1,"mutations":[
           {"mangled":"_ZN12_GLOBAL__N_18sessionsE","requests":1,"first":{"method":"POST","path":"/login","route":"/login","when_us":2}}]})",
      table, &report));
  fv::Finding sessions{
      "forksafe-per-worker-state",          "error", "a.cpp", 3, "(anonymous namespace)::sessions",
      "_ZN12_GLOBAL__N_18sessionsB5cxx11E", ""};
  fv::Finding unused{"forksafe-per-worker-state", "error", "a.cpp", 9, "g_unused", "g_unused", ""};
  report.findings = std::vector<fv::Finding>{sessions, unused};
  fv::cross_check(&report);
  ASSERT_EQ(report.cross.size(), 3u);
  EXPECT_EQ(report.cross[0].verdict, "dynamic only");
  EXPECT_EQ(report.cross[0].mangled, "hidden");
  EXPECT_EQ(report.cross[1].verdict, "confirmed");  // matched across the cxx11 ABI tag
  EXPECT_EQ(report.cross[1].observed->workers.size(), 2u);
  EXPECT_EQ(report.cross[1].observed->first_worker, 12);  // earliest first sighting wins
  EXPECT_EQ(report.cross[1].observed->requests, 3u);
  EXPECT_EQ(report.cross[2].verdict, "static only");
  EXPECT_EQ(report.cross[2].mangled, "g_unused");
  std::string table_text = fv::render_table(report);
  EXPECT_NE(table_text.find("dynamic only"), std::string::npos);
  EXPECT_NE(fv::render_json(report).find("\"verdict\": \"static only\""), std::string::npos);
}
