// Hostile input for the built forksafe-check: thousands of randomly mutated sources, malformed
// compilation databases and corrupt cache entries. Every run must end by itself within a time
// bound, with status 0, 1 or 2 and no crash, and must name each file it could not check.
//
// Everything is driven by one seeded PRNG (FORKSAFE_ROBUSTNESS_SEED, printed on failure), so a
// failure reproduces exactly; FORKSAFE_ROBUSTNESS_COUNT sets the number of mutated sources. The
// seed programs are the rule fixtures, the evaluation apps and the runtime examples, compiled
// against tests/check/robustness/include/prelude.h instead of the real standard library: the
// real headers cost two seconds a file, the stand-in a few milliseconds, and the checker's
// robustness is about the shapes of the input, not about libstdc++. The inputs of a failing run
// are kept under robustness-failures/ in the build directory.
#include <gtest/gtest.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/JSON.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"

namespace {

using forksafe::test::ProcessResult;
using forksafe::test::runProcess;
using forksafe::test::TempDir;

constexpr int kBatchSize = 25;           // files per checker invocation
constexpr int kInvocationSeconds = 120;  // wall-clock bound of one invocation

uint64_t envNumber(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 0) : fallback;
}

uint64_t seedFromEnv() { return envNumber("FORKSAFE_ROBUSTNESS_SEED", 20240611); }

// splitmix64: the same sequence on every platform and standard library.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) { return n ? static_cast<size_t>(next() % n) : 0; }
  bool chance(int percent) { return below(100) < static_cast<size_t>(percent); }
  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }

 private:
  uint64_t state_;
};

std::string readFile(const std::string& path) {
  auto buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  return buffer ? (*buffer)->getBuffer().str() : std::string();
}

void writeFile(const std::string& path, const std::string& text) {
  llvm::sys::fs::create_directories(llvm::sys::path::parent_path(path));
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

std::vector<std::string> listFiles(const std::string& dir, llvm::StringRef ext, bool recursive) {
  std::vector<std::string> out;
  std::error_code ec;
  if (recursive) {
    for (llvm::sys::fs::recursive_directory_iterator it(dir, ec), end; it != end && !ec;
         it.increment(ec))
      if (llvm::sys::path::extension(it->path()) == ext) out.push_back(it->path());
  } else {
    for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec))
      if (llvm::sys::path::extension(it->path()) == ext) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

size_t countOf(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

std::vector<std::string> linesOf(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// What no run may print: LLVM's crash reports, failed assertions, and the checker's own message
// for a crash it recovered from (a recovered crash is still a bug).
std::string crashSignature(const ProcessResult& r) {
  for (const char* sig :
       {"Stack dump", "PLEASE submit a bug report", "Assertion", "Segmentation", "LLVM ERROR",
        "terminate called", "UNREACHABLE", "the analysis crashed on this file"}) {
    if (r.err.find(sig) != std::string::npos || r.out.find(sig) != std::string::npos) return sig;
  }
  return "";
}

// Termination, status and crash signature: what every run must satisfy.
std::string basicProblems(const ProcessResult& r) {
  if (r.timedOut) return "did not finish within the time bound";
  if (r.signal) return "killed by signal " + std::to_string(r.signal);
  if (r.status < 0 || r.status > 2) return "exit status " + std::to_string(r.status);
  if (std::string sig = crashSignature(r); !sig.empty()) return "crash signature '" + sig + "'";
  return "";
}

// The stand-in standard library: every header name the seeds (and the runtime headers) include
// is a one-line file that includes prelude.h.
void writeFakeStdHeaders(const std::string& dir) {
  for (const char* name : {"algorithm",
                           "array",
                           "atomic",
                           "cassert",
                           "cerrno",
                           "chrono",
                           "condition_variable",
                           "csignal",
                           "cstddef",
                           "cstdint",
                           "cstdio",
                           "cstdlib",
                           "cstring",
                           "ctime",
                           "deque",
                           "exception",
                           "fstream",
                           "functional",
                           "iostream",
                           "iterator",
                           "limits",
                           "list",
                           "map",
                           "memory",
                           "mutex",
                           "optional",
                           "random",
                           "set",
                           "shared_mutex",
                           "sstream",
                           "stdexcept",
                           "string",
                           "string_view",
                           "thread",
                           "tuple",
                           "type_traits",
                           "unordered_map",
                           "unordered_set",
                           "utility",
                           "vector",
                           "assert.h",
                           "dirent.h",
                           "errno.h",
                           "fcntl.h",
                           "netdb.h",
                           "poll.h",
                           "pthread.h",
                           "signal.h",
                           "stdarg.h",
                           "stddef.h",
                           "stdint.h",
                           "stdio.h",
                           "stdlib.h",
                           "string.h",
                           "time.h",
                           "unistd.h",
                           "arpa/inet.h",
                           "netinet/in.h",
                           "sys/epoll.h",
                           "sys/file.h",
                           "sys/random.h",
                           "sys/socket.h",
                           "sys/stat.h",
                           "sys/time.h",
                           "sys/types.h",
                           "sys/wait.h"})
    writeFile(dir + "/" + name, "#include <prelude.h>\n");
}

std::vector<std::string> seedSources() {
  std::vector<std::string> seeds;
  for (const std::string& dir :
       {std::string(FORKSAFE_FIXTURE_DIR), std::string(FORKSAFE_EVAL_DIR) + "/apps"})
    for (const std::string& f : listFiles(dir, ".cpp", false)) seeds.push_back(readFile(f));
  for (const std::string& f : listFiles(FORKSAFE_EXAMPLES_DIR, ".cpp", true))
    seeds.push_back(readFile(f));
  return seeds;
}

// ---- source mutations -----------------------------------------------------------------------

// Identifiers, numbers, single punctuation and whitespace runs: close enough to C++ tokens for
// token-level edits.
std::vector<std::string> tokenize(const std::string& text) {
  std::vector<std::string> out;
  size_t i = 0;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n'; };
  while (i < text.size()) {
    size_t j = i + 1;
    if (word(text[i])) {
      while (j < text.size() && word(text[j])) ++j;
    } else if (space(text[i])) {
      while (j < text.size() && space(text[j])) ++j;
    }
    out.push_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, const std::string& sep = "") {
  std::string out;
  for (const std::string& p : parts) (out += p) += sep;
  return out;
}

std::vector<std::string> splitLines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t at; (at = text.find('\n', start)) != std::string::npos; start = at + 1)
    out.push_back(text.substr(start, at - start));
  if (start < text.size()) out.push_back(text.substr(start));
  return out;
}

// A range [a, b) of at most `maxLen` elements in a sequence of `n`.
std::pair<size_t, size_t> range(Rng& rng, size_t n, size_t maxLen) {
  if (n == 0) return {0, 0};
  size_t a = rng.below(n);
  size_t len = 1 + rng.below(std::min(maxLen, n - a));
  return {a, a + len};
}

template <typename T>
void rangeEdit(Rng& rng, std::vector<T>& items, size_t maxLen) {
  if (items.empty()) return;
  auto [a, b] = range(rng, items.size(), maxLen);
  switch (rng.below(3)) {
    case 0:  // delete
      items.erase(items.begin() + a, items.begin() + b);
      break;
    case 1: {  // duplicate somewhere
      std::vector<T> copy(items.begin() + a, items.begin() + b);
      size_t at = rng.below(items.size() + 1);
      items.insert(items.begin() + at, copy.begin(), copy.end());
      break;
    }
    default: {  // swap with another range of the same length
      size_t len = b - a;
      if (items.size() < 2 * len) break;
      size_t c = rng.below(items.size() - len + 1);
      if (c + len <= a || c >= b)
        std::swap_ranges(items.begin() + a, items.begin() + b, items.begin() + c);
      break;
    }
  }
}

std::string insertAt(Rng& rng, const std::string& text, const std::string& what) {
  size_t at = rng.below(text.size() + 1);
  return text.substr(0, at) + what + text.substr(at);
}

// A line-start position, for preprocessor directives.
std::string insertLine(Rng& rng, const std::string& text, const std::string& line) {
  std::vector<std::string> lines = splitLines(text);
  lines.insert(lines.begin() + rng.below(lines.size() + 1), line);
  return join(lines, "\n");
}

std::string randomBytes(Rng& rng, size_t n) {
  static const char kSpecial[] = {'\0',   '\x80', '\xbf', '\xc0', '\xc1', '\xe0', '\xed', '\xf4',
                                  '\xf5', '\xfe', '\xff', '\\',   '\r',   '\x1a', '\t',   '?'};
  std::string out;
  for (size_t i = 0; i < n; ++i)
    out +=
        rng.chance(50) ? kSpecial[rng.below(sizeof kSpecial)] : static_cast<char>(rng.below(256));
  return out;
}

std::string mutateOnce(Rng& rng, std::string text, const std::vector<std::string>& seeds,
                       const std::string& selfName) {
  static const char* const kPunct[] = {
      "{",  "}", "(",  ")", "[", "]", ";", ",", "<", ">", "::", "->", "...", "&&", "#",  "##",
      "\\", "'", "\"", "=", "*", "&", "~", "?", ":", ".", "@",  "$",  "`",   "<:", "%:", "?\?/"};
  static const char* const kKeywords[] = {"template",
                                          "typename",
                                          "operator",
                                          "decltype",
                                          "requires",
                                          "co_await",
                                          "co_return",
                                          "static",
                                          "thread_local",
                                          "constexpr",
                                          "consteval",
                                          "virtual",
                                          "friend",
                                          "mutable",
                                          "namespace",
                                          "using",
                                          "auto",
                                          "this",
                                          "sizeof...",
                                          "alignas(64)",
                                          "[[clang::annotate(\"forksafe::handler\")]]",
                                          "[[clang::annotate(\"forksafe::init\")]]",
                                          "extern \"C\"",
                                          "goto",
                                          "new",
                                          "delete",
                                          "throw",
                                          "try",
                                          "catch(...)",
                                          "__attribute__((section(\"x\")))",
                                          "_Pragma(\"once\")",
                                          "__builtin_unreachable()",
                                          "static_assert(false);",
                                          "concept",
                                          "export",
                                          "module;"};
  switch (rng.below(22)) {
    case 0:
    case 1: {  // line ranges
      std::vector<std::string> lines = splitLines(text);
      rangeEdit(rng, lines, 12);
      return join(lines, "\n");
    }
    case 2:
    case 3:
    case 4: {  // token ranges
      std::vector<std::string> tokens = tokenize(text);
      rangeEdit(rng, tokens, 8);
      return join(tokens);
    }
    case 5:  // truncate
      return text.substr(0, rng.below(text.size() + 1));
    case 6: {  // drop braces, parentheses and semicolons
      std::string out;
      for (char c : text)
        if (!(std::string("{};()").find(c) != std::string::npos && rng.chance(8))) out += c;
      return out;
    }
    case 7: {  // random punctuation
      for (size_t n = 1 + rng.below(6); n > 0; --n)
        text = insertAt(rng, text, kPunct[rng.below(sizeof kPunct / sizeof *kPunct)]);
      return text;
    }
    case 8: {  // random keywords and attributes
      for (size_t n = 1 + rng.below(4); n > 0; --n)
        text = insertAt(
            rng, text,
            std::string(" ") + kKeywords[rng.below(sizeof kKeywords / sizeof *kKeywords)] + " ");
      return text;
    }
    case 9: {  // random bytes: NUL, invalid UTF-8, control characters
      if (rng.chance(30) && !text.empty()) {
        for (size_t n = 1 + rng.below(8); n > 0; --n)
          text[rng.below(text.size())] = randomBytes(rng, 1)[0];
        return text;
      }
      return insertAt(rng, text, randomBytes(rng, 1 + rng.below(64)));
    }
    case 10: {  // a very long line
      size_t n = 20000 + rng.below(200000);
      switch (rng.below(4)) {
        case 0:
          return insertLine(rng, text, "int very_long_" + std::string(n, 'x') + " = 1;");
        case 1:
          return insertLine(rng, text, "// " + std::string(n, 'c'));
        case 2:
          return insertLine(rng, text, "const char* s = \"" + std::string(n, 's') + "\";");
        default:
          return insertLine(rng, text, std::string(n, ' ') + "int spaced_out;");
      }
    }
    case 11: {  // deep nesting and long chains (kept to sizes the clang driver itself handles)
      size_t depth = 100 + rng.below(2000);
      std::string nest;
      switch (rng.below(7)) {
        case 0:
          nest = "int nest_p = " + std::string(depth, '(') + "1" + std::string(depth, ')') + ";";
          break;
        case 1:
          nest = "void nest_b() " + std::string(depth, '{') + std::string(depth, '}');
          break;
        case 2: {
          std::string e = "int nest_s = 0";
          for (size_t i = 0; i < depth * 20; ++i) e += " + 1";
          nest = e + ";";
          break;
        }
        case 3: {
          std::string e = "int nest_c(bool c) { return ";
          for (size_t i = 0; i < depth * 5; ++i) e += "c ? 1 : ";
          nest = e + "0; }";
          break;
        }
        case 4: {
          std::string e = "int nest_a(int a) { return ";
          for (size_t i = 0; i < depth * 5; ++i) e += "a = ";
          nest = e + "1; }";
          break;
        }
        case 5: {
          std::string e = "template <class T> struct N {}; ";
          std::string t = "int";
          // Deeper, a mutilated N<N<... sends clang's own parser into exponential backtracking.
          for (size_t i = 0; i < depth % 10; ++i) t = "N<" + t + ">";
          nest = e + t + " nest_t;";
          break;
        }
        default: {
          std::string e = "void nest_i(int x) { ";
          for (size_t i = 0; i < depth; ++i) e += "if (x) ";
          nest = e + "++x; }";
          break;
        }
      }
      return insertLine(rng, text, nest);
    }
    case 12: {  // unterminated comment, string, character or raw string
      static const char* const kOpen[] = {"/*",        "\"",      "'",   "R\"(",
                                          "R\"delim(", "u8R\"x(", "L\"", "// \\"};
      return insertAt(rng, text, kOpen[rng.below(sizeof kOpen / sizeof *kOpen)]);
    }
    case 13: {  // includes: itself, missing headers, odd forms
      static const char* const kIncludes[] = {"#include __FILE__",
                                              "#include \"nonexistent_header.h\"",
                                              "#include <nonexistent>",
                                              "#include",
                                              "#include \"",
                                              "#include <>",
                                              "#include_next <string>",
                                              "#include \"/dev/null\"",
                                              "#include \"/\"",
                                              "#include \".\"",
                                              "#import \"x.h\"",
                                              "#if __has_include(",
                                              "#include \"../robustness_fake/prelude.h\""};
      std::string line = kIncludes[rng.below(sizeof kIncludes / sizeof *kIncludes)];
      // Itself, at the top: deeper in, 200 nested copies of a namespace make clang itself take
      // minutes (docs/checker.md, Robustness).
      if (rng.chance(30)) return "#include \"" + selfName + "\"\n" + text;
      return insertLine(rng, text, line);
    }
    case 14: {  // other directives
      static const char* const kDirectives[] = {"#error mutated",
                                                "#warning mutated",
                                                "#if 1",
                                                "#endif",
                                                "#else",
                                                "#elif",
                                                "#ifdef",
                                                "#define",
                                                "#undef FORKSAFE_HANDLER",
                                                "#define FORKSAFE_HANDLER",
                                                "#define int long",
                                                "#define class struct",
                                                "#line 4294967295",
                                                "#line 0 \"\\xff\"",
                                                "#pragma once",
                                                "#pragma clang diagnostic error \"-Weverything\"",
                                                "#pragma GCC poison std",
                                                "#pragma push_macro(\"x\")",
                                                "#pragma pop_macro(\"y\")",
                                                "#pragma clang module import x",
                                                "#define std",
                                                "#define namespace",
                                                "#assert x",
                                                "# 1 \"other.cpp\" 1 3"};
      return insertLine(rng, text,
                        kDirectives[rng.below(sizeof kDirectives / sizeof *kDirectives)]);
    }
    case 15: {  // a macro bomb that stays bounded (2^depth tokens)
      size_t depth = 8 + rng.below(9);
      std::string bomb = "#define BOMB0 x\n";
      for (size_t i = 1; i <= depth; ++i)
        bomb += "#define BOMB" + std::to_string(i) + " BOMB" + std::to_string(i - 1) + " BOMB" +
                std::to_string(i - 1) + "\n";
      bomb += rng.chance(50) ? "int bomb[] = { BOMB" + std::to_string(depth) + " };"
                             : "BOMB" + std::to_string(depth);
      return insertLine(rng, text, bomb);
    }
    case 16: {  // a piece of another seed
      const std::string& other = rng.pick(seeds);
      auto [a, b] = range(rng, other.size(), 2000);
      return insertAt(rng, text, other.substr(a, b - a));
    }
    case 17: {  // many small edits of single characters
      for (size_t n = 1 + rng.below(20); n > 0 && !text.empty(); --n) {
        size_t at = rng.below(text.size());
        if (rng.chance(50))
          text.erase(at, 1);
        else
          text.insert(at, 1, text[rng.below(text.size())]);
      }
      return text;
    }
    case 18: {  // line endings and continuations
      std::string out;
      for (char c : text) {
        if (c == '\n' && rng.chance(5))
          out += rng.chance(50) ? "\\\n" : "\r";
        else
          out += c;
      }
      return out;
    }
    case 19:  // trigraphs, digraphs, and a BOM in the middle
      return insertAt(rng, text, rng.chance(50) ? "\xef\xbb\xbf" : "?\?= <% %> <: :> %:%:");
    case 20: {  // forksafe annotations in odd places
      static const char* const kAnnotations[] = {
          "FORKSAFE_HANDLER",     "FORKSAFE_INIT",
          "FORKSAFE_WORKER_INIT", "FORKSAFE_PER_WORKER",
          "FORKSAFE_APP(app)",    "FORKSAFE_APP(app) {}",
          "// NOLINT(",           "// NOLINTBEGIN(forksafe-*)",
          "// NOLINTEND",         "// NOLINTNEXTLINE(*)"};
      return insertAt(rng, text,
                      std::string(" ") +
                          kAnnotations[rng.below(sizeof kAnnotations / sizeof *kAnnotations)] +
                          " ");
    }
    default:  // an empty or whitespace-only file
      return rng.chance(50) ? "" : std::string(1 + rng.below(100), '\n');
  }
}

std::string mutate(Rng& rng, const std::vector<std::string>& seeds, const std::string& selfName) {
  std::string text = rng.pick(seeds);
  for (size_t n = 1 + rng.below(4); n > 0; --n) text = mutateOnce(rng, text, seeds, selfName);
  return text;
}

// Where the inputs of a failing run are kept.
std::string keepFailure(const std::string& what,
                        const std::vector<std::pair<std::string, std::string>>& files) {
  std::string dir = std::string(FORKSAFE_ROBUSTNESS_OUT) + "/" + what;
  for (const auto& [path, text] : files) writeFile(dir + "/" + path, text);
  return dir;
}

std::string shellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string commandLine(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) out += shellQuote(a) + " ";
  return out;
}

// ---- 1. mutated sources ---------------------------------------------------------------------

TEST(Robustness, MutatedSources) {
  uint64_t seed = seedFromEnv();
  uint64_t count = envNumber("FORKSAFE_ROBUSTNESS_COUNT", 2000);
  std::vector<std::string> seeds = seedSources();
  ASSERT_GE(seeds.size(), 20u) << "seed sources not found";
  TempDir dir;
  std::string fake = dir.path() + "/robustness_fake";
  writeFakeStdHeaders(fake);
  writeFile(fake + "/prelude.h", readFile(FORKSAFE_ROBUSTNESS_INCLUDE "/prelude.h"));
  // The runtime examples include "../common/state_file.hpp".
  for (const std::string& h :
       listFiles(std::string(FORKSAFE_EXAMPLES_DIR) + "/common", ".hpp", false))
    writeFile(dir.path() + "/common/" + llvm::sys::path::filename(h).str(), readFile(h));
  std::string flags = "-std=c++17 -nostdinc -I" + fake +
                      " -I" FORKSAFE_RUNTIME_INCLUDE " -I" FORKSAFE_EVAL_DIR "/include";

  Rng rng(seed);
  std::vector<std::string> files;
  llvm::json::Array db;
  for (uint64_t i = 0; i < count; ++i) {
    std::string name = "m" + std::to_string(i) + ".cpp";
    std::string path = dir.path() + "/src/" + name;
    writeFile(path, mutate(rng, seeds, name));
    files.push_back(path);
    db.push_back(llvm::json::Object{{"directory", dir.path() + "/src"},
                                    {"file", path},
                                    {"command", "c++ " + flags + " -c " + path}});
  }
  {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << llvm::json::Value(std::move(db));
    writeFile(dir.path() + "/build/compile_commands.json", text);
  }

  size_t checked = 0, rejected = 0, failures = 0, runs = 0;
  double slowest = 0;
  auto started = std::chrono::steady_clock::now();
  for (size_t first = 0; first < files.size(); first += kBatchSize) {
    std::vector<std::string> batch(files.begin() + first,
                                   files.begin() + std::min(files.size(), first + kBatchSize));
    size_t index = first / kBatchSize;
    // Every tenth batch goes through a cache, twice: facts of odd sources must survive the
    // round trip unchanged.
    bool cached = index % 10 == 0;
    std::string cacheDir = dir.path() + "/cache" + std::to_string(index);
    std::vector<std::string> argv = {FORKSAFE_CHECK_BINARY, "-p", dir.path() + "/build", "-j2",
                                     "--format=json"};
    argv.push_back(cached ? "--cache-dir=" + cacheDir : "--no-cache");
    argv.insert(argv.end(), batch.begin(), batch.end());
    std::vector<std::string> problems;
    auto t0 = std::chrono::steady_clock::now();
    ProcessResult r = runProcess(argv, "", kInvocationSeconds);
    ++runs;
    slowest = std::max(
        slowest, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (std::string p = basicProblems(r); !p.empty()) problems.push_back(p);
    if (problems.empty()) {
      // Each file is either checked or named in exactly one error line, and exit 2 iff any is not.
      auto doc = llvm::json::parse(r.out);
      if (!doc || !doc->getAsObject() || !doc->getAsObject()->getArray("errors")) {
        if (!doc) llvm::consumeError(doc.takeError());
        problems.push_back("stdout is not the JSON report");
      } else {
        std::multiset<std::string> named;
        for (const llvm::json::Value& e : *doc->getAsObject()->getArray("errors"))
          if (const llvm::json::Object* o = e.getAsObject())
            named.insert(o->getString("file").value_or("").str());
        size_t errorLines = countOf(r.err, "forksafe-check: error: cannot parse '");
        for (const std::string& f : batch)
          if (named.count(f) > 1) problems.push_back("'" + f + "' named more than once");
        if (named.size() != errorLines) problems.push_back("JSON errors and error lines differ");
        size_t inBatch = 0;
        for (const std::string& f : named) inBatch += std::count(batch.begin(), batch.end(), f) > 0;
        if (inBatch != named.size()) problems.push_back("an error names a file outside the batch");
        std::string summary =
            "forksafe-check: " + std::to_string(batch.size() - named.size()) + " file(s) checked";
        if (r.err.find(summary) == std::string::npos)
          problems.push_back("summary does not say '" + summary + "'");
        if ((r.status == 2) != !named.empty())
          problems.push_back("exit status " + std::to_string(r.status) + " with " +
                             std::to_string(named.size()) + " unchecked file(s)");
        for (const std::string& line : linesOf(r.err))
          if (line.rfind("forksafe-check: ", 0) != 0)
            problems.push_back("stray stderr line: " + line.substr(0, 200));
        checked += batch.size() - named.size();
        rejected += named.size();
        if (cached) {
          ProcessResult again = runProcess(argv, "", kInvocationSeconds);
          ++runs;
          if (std::string p = basicProblems(again); !p.empty())
            problems.push_back("cached run: " + p);
          else if (again.out != r.out || again.status != r.status)
            problems.push_back("the cached run's report differs from the first run's");
        }
      }
    }
    if (!problems.empty()) {
      ++failures;
      std::vector<std::pair<std::string, std::string>> kept = {
          {"stdout.txt", r.out},
          {"stderr.txt", r.err},
          {"build/compile_commands.json", readFile(dir.path() + "/build/compile_commands.json")}};
      for (const std::string& f : batch)
        kept.push_back({"src/" + llvm::sys::path::filename(f).str(), readFile(f)});
      kept.push_back({"robustness_fake/prelude.h", readFile(fake + "/prelude.h")});
      std::string where =
          keepFailure("seed-" + std::to_string(seed) + "-batch-" + std::to_string(index), kept);
      std::string all;
      for (const std::string& p : problems) all += "\n  " + p;
      ADD_FAILURE() << "FORKSAFE_ROBUSTNESS_SEED=" << seed << " FORKSAFE_ROBUSTNESS_COUNT=" << count
                    << ", batch " << index << " (files " << first << ".."
                    << first + batch.size() - 1 << "):" << all << "\ninputs kept in " << where
                    << "\ncommand: " << commandLine(argv) << "\nstderr (first 2000 bytes):\n"
                    << r.err.substr(0, 2000);
      if (failures >= 5) break;  // enough to go on; the rest would repeat the same
    }
  }
  double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "robustness: seed %llu, %zu mutated sources in %zu runs: %zu checked, %zu rejected "
      "as not compiling; %.1f s in all, slowest run %.1f s\n",
      static_cast<unsigned long long>(seed), files.size(), runs, checked, rejected, total, slowest);
  EXPECT_GT(checked, files.size() / 20) << "almost nothing compiles: the mutations test nothing";
}

// ---- 2. malformed compilation databases -----------------------------------------------------

// A project of two good sources (one with a finding) and a database directory to spoil.
struct DbProject {
  TempDir dir;
  std::string src() const { return dir.path() + "/src"; }
  std::string a() const { return src() + "/a.cpp"; }
  std::string b() const { return src() + "/b.cpp"; }
  std::string dbDir() const { return dir.path() + "/db"; }
  std::string db() const { return dbDir() + "/compile_commands.json"; }
  DbProject() {
    writeFile(
        a(),
        "int g_hits;\n[[clang::annotate(\"forksafe::handler\")]] void Handle() { ++g_hits; }\n");
    writeFile(b(), "int Helper() { return 1; }\n");
  }
  std::string entry(const std::string& file, const std::string& directory = "") const {
    return "{\"directory\": \"" + (directory.empty() ? src() : directory) + "\", \"file\": \"" +
           file + "\", \"command\": \"c++ -std=c++17 -c " + file + "\"}";
  }
};

struct DbCase {
  const char* name;
  // Writes the database (and whatever else the case needs); returns extra arguments (sources).
  std::function<std::vector<std::string>(DbProject&)> setup;
  std::vector<int> statuses;  // acceptable exit statuses
  int errorLines;             // exact number of "forksafe-check: error:" lines; -1: any
  const char* expected;       // substring of stderr ("" for none)
};

void PrintTo(const DbCase& c, std::ostream* os) { *os << c.name; }

std::string repeat(const std::string& s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

const std::vector<DbCase>& dbCases() {
  using V = std::vector<std::string>;
  static const std::vector<DbCase> cases = {
      {"Truncated",
       [](DbProject& p) {
         writeFile(p.db(), "[{\"directory\": \"/tmp\", \"file\": ");
         return V{};
       },
       {2},
       1,
       "cannot load compilation database"},
      // Clang's loader takes numbers for strings: "file" 2 in "directory" 1 is '1/2'.
      {"WrongTypes",
       [](DbProject& p) {
         writeFile(p.db(), "[{\"directory\": 1, \"file\": 2, \"command\": 3}]");
         return V{};
       },
       {2},
       1,
       "cannot open '1/2'"},
      {"MissingFile",
       [](DbProject& p) {
         writeFile(p.db(), "[{\"directory\": \"" + p.src() + "\", \"command\": \"c++ -c a.cpp\"}]");
         return V{};
       },
       {2},
       1,
       "cannot load compilation database"},
      {"MissingDirectory",
       [](DbProject& p) {
         writeFile(p.db(), "[{\"file\": \"" + p.a() + "\", \"command\": \"c++ -c a.cpp\"}]");
         return V{};
       },
       {2},
       1,
       "cannot load compilation database"},
      {"MissingCommand",
       [](DbProject& p) {
         writeFile(p.db(), "[{\"directory\": \"" + p.src() + "\", \"file\": \"" + p.a() + "\"}]");
         return V{};
       },
       {2},
       1,
       "cannot load compilation database"},
      {"EmptyArray",
       [](DbProject& p) {
         writeFile(p.db(), "[]");
         return V{};
       },
       {2},
       1,
       "no input files"},
      {"ObjectInsteadOfArray",
       [](DbProject& p) {
         writeFile(p.db(), "{\"directory\": \"/\"}");
         return V{};
       },
       {2},
       1,
       "cannot load compilation database"},
      {"EmptyFile",
       [](DbProject& p) {
         writeFile(p.db(), "");
         return V{};
       },
       {2},
       1,
       ""},
      {"HugeDirectoryString",
       [](DbProject& p) {
         writeFile(p.db(), "[" + p.entry(p.a(), "/" + repeat("d", 1 << 20)) + "]");
         return V{};
       },
       {2},
       1,
       "does not exist"},
      {"HugeCommand",
       [](DbProject& p) {
         writeFile(p.db(), "[{\"directory\": \"" + p.src() + "\", \"file\": \"" + p.a() +
                               "\", \"command\": \"c++ " + repeat("-DX ", 200000) + "-c a.cpp\"}]");
         return V{};
       },
       {1},
       0,
       ""},
      {"NonexistentDirectory",
       [](DbProject& p) {
         writeFile(p.db(), "[" + p.entry(p.a(), "/nonexistent/forksafe/dir") + "]");
         return V{};
       },
       {2},
       1,
       "'/nonexistent/forksafe/dir' does not exist"},
      {"RelativeDirectory",
       [](DbProject& p) {
         writeFile(
             p.db(),
             "[{\"directory\": \"src\", \"file\": \"a.cpp\", \"command\": \"c++ -c a.cpp\"}]");
         return V{};
       },
       {2},
       1,
       ""},
      {"EmptyArguments",
       [](DbProject& p) {
         writeFile(p.db(), "[{\"directory\": \"" + p.src() + "\", \"file\": \"" + p.a() +
                               "\", \"arguments\": []}]");
         return V{};
       },
       {2},
       1,
       "is empty"},
      {"EmptyCommand",
       [](DbProject& p) {
         writeFile(p.db(), "[{\"directory\": \"" + p.src() + "\", \"file\": \"" + p.a() +
                               "\", \"command\": \"\"}]");
         return V{};
       },
       {2},
       1,
       "is empty"},
      {"CompilerOnly",
       [](DbProject& p) {
         writeFile(p.db(), "[{\"directory\": \"" + p.src() + "\", \"file\": \"" + p.a() +
                               "\", \"arguments\": [\"c++\"]}]");
         return V{};
       },
       {2},
       1,
       "cannot parse"},
      {"UnbalancedQuotes",
       [](DbProject& p) {
         writeFile(p.db(), "[{\"directory\": \"" + p.src() + "\", \"file\": \"" + p.a() +
                               "\", \"command\": \"c++ -c 'a.cpp -DX=\\\"y\"}]");
         return V{};
       },
       {1, 2},
       -1,
       ""},
      {"BinaryGarbage",
       [](DbProject& p) {
         Rng rng(7);
         writeFile(p.db(), randomBytes(rng, 4096));
         return V{};
       },
       {2},
       1,
       "cannot load compilation database"},
      {"NulBytes",
       [](DbProject& p) {
         writeFile(p.db(), std::string("[{\"directory\": \"") + p.src() + std::string("\0\0", 2) +
                               "\", \"file\": \"" + p.a() + "\", \"command\": \"c++ -c a.cpp\"}]");
         return V{};
       },
       {2},
       1,
       ""},
      {"EscapedNulInPath",
       [](DbProject& p) {
         writeFile(p.db(), "[{\"directory\": \"" + p.src() + "\", \"file\": \"" + p.src() +
                               "/a\\u0000.cpp\", \"command\": \"c++ -c a.cpp\"}]");
         return V{};
       },
       {2},
       1,
       ""},
      {"DeeplyNestedArrays",
       [](DbProject& p) {
         writeFile(p.db(), repeat("[", 200000) + repeat("]", 200000));
         return V{};
       },
       {2},
       1,
       "cannot load compilation database"},
      {"DeeplyNestedObjects",
       [](DbProject& p) {
         writeFile(p.db(), "[" + repeat("{\"a\": ", 200000) + "1" + repeat("}", 200000) + "]");
         return V{};
       },
       {2},
       1,
       "cannot load compilation database"},
      {"DeeplyNestedArguments",
       [](DbProject& p) {
         writeFile(p.db(), "[{\"directory\": \"" + p.src() + "\", \"file\": \"" + p.a() +
                               "\", \"arguments\": " + repeat("[", 200000) + repeat("]", 200000) +
                               "}]");
         return V{};
       },
       {2},
       1,
       "cannot load compilation database"},
      {"DuplicateEntries",
       [](DbProject& p) {
         writeFile(p.db(),
                   "[" + p.entry(p.a()) + "," + p.entry(p.a()) + "," + p.entry(p.b()) + "]");
         return V{};
       },
       {1},
       0,
       ""},
      {"FileIsADirectory",
       [](DbProject& p) {
         writeFile(p.db(), "[" + p.entry(p.src()) + "]");
         return V{};
       },
       {2},
       1,
       "it is a directory"},
      {"FileIsASymlinkLoop",
       [](DbProject& p) {
         llvm::sys::fs::create_link(p.src() + "/loop.cpp", p.src() + "/loop.cpp");
         writeFile(p.db(), "[" + p.entry(p.src() + "/loop.cpp") + "," + p.entry(p.a()) + "]");
         return V{};
       },
       {2},
       1,
       "loop.cpp"},
      {"DatabaseIsASymlinkLoop",
       [](DbProject& p) {
         llvm::sys::fs::create_directories(p.dbDir());
         llvm::sys::fs::create_link(p.db(), p.db());
         return V{};
       },
       {2},
       1,
       "compile_commands.json"},
      {"DatabaseIsADirectory",
       [](DbProject& p) {
         llvm::sys::fs::create_directories(p.db());
         return V{};
       },
       {2},
       1,
       "compile_commands.json"},
      {"NonUtf8Path",
       [](DbProject& p) {
         std::string odd = p.src() + "/\xff\xfe\xc0.cpp";
         writeFile(odd, "int g_odd;\nvoid Odd() { ++g_odd; }\n");
         writeFile(p.db(), "[" + p.entry(odd) + "]");
         return V{};
       },
       {0, 1, 2},
       -1,
       ""},
      {"SomeEntriesBad",
       [](DbProject& p) {
         writeFile(p.db(), "[" + p.entry(p.a()) + "," + p.entry(p.src() + "/missing.cpp") + "," +
                               p.entry(p.b(), "/nonexistent/forksafe/dir") + "]");
         return V{};
       },
       {2},
       2,
       "missing.cpp"},
      {"FiftyMegabytes",
       [](DbProject& p) {
         std::string text = "[" + p.entry(p.a());
         std::string pad = repeat("x", 400);
         for (int i = 0; text.size() < (50u << 20); ++i)
           text += ",{\"directory\": \"" + p.src() + "\", \"file\": \"" + p.src() + "/gen/f" +
                   std::to_string(i) + ".cpp\", \"command\": \"c++ -DPAD=" + pad + " -c f" +
                   std::to_string(i) + ".cpp\"}";
         writeFile(p.db(), text + "]");
         return V{p.a()};
       },
       {1},
       0,
       ""},
  };
  return cases;
}

class MalformedDatabase : public ::testing::TestWithParam<DbCase> {};

TEST_P(MalformedDatabase, EndsCleanly) {
  DbProject p;
  std::vector<std::string> sources = GetParam().setup(p);
  std::vector<std::string> argv = {FORKSAFE_CHECK_BINARY, "--no-cache", "--format=json", "-p",
                                   p.dbDir()};
  argv.insert(argv.end(), sources.begin(), sources.end());
  ProcessResult r = runProcess(argv, "", kInvocationSeconds);
  std::string problem = basicProblems(r);
  ASSERT_EQ(problem, "") << r.err.substr(0, 2000);
  const std::vector<int>& ok = GetParam().statuses;
  EXPECT_NE(std::find(ok.begin(), ok.end(), r.status), ok.end()) << "status " << r.status << "\n"
                                                                 << r.err.substr(0, 2000);
  size_t errorLines = countOf(r.err, "forksafe-check: error:");
  if (GetParam().errorLines >= 0) {
    EXPECT_EQ(errorLines, static_cast<size_t>(GetParam().errorLines)) << r.err.substr(0, 2000);
  }
  if (r.status == 2) {
    EXPECT_GE(errorLines, 1u);
  }
  EXPECT_NE(r.err.find(GetParam().expected), std::string::npos) << r.err.substr(0, 2000);
  for (const std::string& line : linesOf(r.err)) {
    EXPECT_EQ(line.rfind("forksafe-check: ", 0), 0u)
        << "stray stderr line: " << line.substr(0, 200);
    EXPECT_LT(line.size(), 8192u) << "an error line must stay readable: " << line.substr(0, 200);
  }
  if (r.status == 1) {
    // A database that loads must give the same findings as a clean one: nothing twice.
    EXPECT_EQ(countOf(r.out, "\"rule\": \"forksafe-per-worker-state\""), 1u) << r.out;
  }
}

INSTANTIATE_TEST_SUITE_P(Robustness, MalformedDatabase, ::testing::ValuesIn(dbCases()),
                         [](const ::testing::TestParamInfo<DbCase>& param) {
                           return std::string(param.param.name);
                         });

std::string mutateJson(Rng& rng, std::string text) {
  static const char* const kBits[] = {"[",      "]",  "{",    "}",       "\"",   ",",
                                      ":",      "\\", "\\u",  "\\ud800", "null", "true",
                                      "-1e999", "0",  "\"\"", "[]",      "{}",   "\n"};
  static const char* const kValues[] = {"null",        "1",     "[]",     "{}",
                                        "\"\"",        "\"/\"", "\"..\"", "[\"c++\"]",
                                        "\"\\u0000\"", "true",  "-0",     "\"\xff\""};
  for (size_t n = 1 + rng.below(3); n > 0; --n) {
    switch (rng.below(7)) {
      case 0: {
        auto [a, b] = range(rng, text.size(), 40);
        text.erase(a, b - a);
        break;
      }
      case 1: {
        auto [a, b] = range(rng, text.size(), 200);
        text = insertAt(rng, text, text.substr(a, b - a));
        break;
      }
      case 2:
        text = insertAt(rng, text, kBits[rng.below(sizeof kBits / sizeof *kBits)]);
        break;
      case 3:
        if (!text.empty()) text[rng.below(text.size())] ^= static_cast<char>(1 << rng.below(8));
        break;
      case 4:
        text = text.substr(0, rng.below(text.size() + 1));
        break;
      case 5: {  // replace one string value
        size_t colon = text.find(": \"", rng.below(text.size() + 1));
        if (colon == std::string::npos) break;
        size_t end = text.find('"', colon + 3);
        if (end == std::string::npos) break;
        text.replace(colon + 2, end - colon - 1,
                     kValues[rng.below(sizeof kValues / sizeof *kValues)]);
        break;
      }
      default:
        text = insertAt(rng, text, randomBytes(rng, 1 + rng.below(8)));
        break;
    }
  }
  return text;
}

TEST(Robustness, MutatedDatabases) {
  uint64_t seed = seedFromEnv();
  uint64_t count = envNumber("FORKSAFE_ROBUSTNESS_DB_COUNT", 200);
  Rng rng(seed ^ 0xdb);
  DbProject p;
  writeFile(p.src() + "/c.cpp", "int broken( { not C++\n");
  std::string valid = "[\n  " + p.entry(p.a()) + ",\n  {\"directory\": \"" + p.src() +
                      "\", \"file\": \"" + p.b() +
                      "\", \"arguments\": [\"c++\", \"-std=c++17\", \"-c\", \"b.cpp\"]},\n  " +
                      p.entry(p.src() + "/c.cpp") + "\n]\n";
  size_t loaded = 0, failures = 0;
  for (uint64_t i = 0; i < count && failures < 5; ++i) {
    std::string text = mutateJson(rng, valid);
    writeFile(p.db(), text);
    std::vector<std::string> argv = {FORKSAFE_CHECK_BINARY, "--no-cache", "-p", p.dbDir()};
    ProcessResult r = runProcess(argv, "", kInvocationSeconds);
    std::vector<std::string> problems;
    if (std::string b = basicProblems(r); !b.empty()) problems.push_back(b);
    size_t errorLines = countOf(r.err, "forksafe-check: error:");
    if (r.status == 2 && errorLines == 0) problems.push_back("exit 2 without an error line");
    if (r.err.find("cannot load compilation database") != std::string::npos && errorLines != 1)
      problems.push_back("a database that does not load must be one error line");
    for (const std::string& line : linesOf(r.err))
      if (line.rfind("forksafe-check: ", 0) != 0)
        problems.push_back("stray stderr line: " + line.substr(0, 200));
    loaded += r.err.find("cannot load compilation database") == std::string::npos;
    if (!problems.empty()) {
      ++failures;
      std::string where = keepFailure("seed-" + std::to_string(seed) + "-db-" + std::to_string(i),
                                      {{"compile_commands.json", text}, {"stderr.txt", r.err}});
      std::string all;
      for (const std::string& pr : problems) all += "\n  " + pr;
      ADD_FAILURE() << "FORKSAFE_ROBUSTNESS_SEED=" << seed << ", database mutation " << i << ":"
                    << all << "\ndatabase kept in " << where << "\nstderr:\n"
                    << r.err.substr(0, 2000);
    }
  }
  std::printf("robustness: %llu mutated databases, %zu still loaded\n",
              static_cast<unsigned long long>(count), loaded);
}

// ---- 3. corrupt cache entries ---------------------------------------------------------------

std::vector<std::string> cacheEntries(const std::string& dir) {
  std::vector<std::string> out;
  for (const std::string& f : listFiles(dir, ".json", true))
    if (!llvm::sys::path::filename(f).starts_with(".tmp")) out.push_back(f);
  return out;
}

TEST(Robustness, CorruptCacheEntries) {
  uint64_t seed = seedFromEnv();
  uint64_t rounds = envNumber("FORKSAFE_ROBUSTNESS_CACHE_ROUNDS", 30);
  Rng rng(seed ^ 0xcac4e);
  TempDir dir;
  std::string fake = dir.path() + "/fake";
  writeFakeStdHeaders(fake);
  writeFile(fake + "/prelude.h", readFile(FORKSAFE_ROBUSTNESS_INCLUDE "/prelude.h"));
  std::vector<std::string> argv = {FORKSAFE_CHECK_BINARY, "--format=json", "-j2"};
  for (const std::string& f : listFiles(FORKSAFE_FIXTURE_DIR, ".cpp", false)) argv.push_back(f);
  // A cross-file pair: the link phase must see the same facts from the cache as from the parse.
  argv.push_back(dir.file("store.cpp", "long g_total;\nvoid Add(long n) { g_total += n; }\n"));
  argv.push_back(dir.file(
      "routes.cpp",
      "void Add(long);\n[[clang::annotate(\"forksafe::handler\")]] void Post() { Add(1); }\n"));
  for (const char* a : {"--", "-std=c++17", "-nostdinc"}) argv.push_back(a);
  argv.push_back("-I" + fake);
  argv.push_back("-I" FORKSAFE_RUNTIME_INCLUDE);
  std::vector<std::string> noCache = argv;
  noCache.insert(noCache.begin() + 1, "--no-cache");
  std::string cacheDir = dir.path() + "/cache";
  std::vector<std::string> cached = argv;
  cached.insert(cached.begin() + 1, "--cache-dir=" + cacheDir);

  ProcessResult baseline = runProcess(noCache, "", kInvocationSeconds);
  ASSERT_EQ(basicProblems(baseline), "") << baseline.err;
  ASSERT_NE(baseline.out.find("g_total"), std::string::npos) << baseline.out;
  ProcessResult cold = runProcess(cached, "", kInvocationSeconds);
  ASSERT_EQ(cold.out, baseline.out);
  std::vector<std::string> entries = cacheEntries(cacheDir);
  ASSERT_GE(entries.size(), 5u);
  std::vector<std::string> pristine;
  for (const std::string& e : entries) pristine.push_back(readFile(e));

  size_t failures = 0;
  for (uint64_t round = 0; round < rounds && failures < 3; ++round) {
    for (size_t i = 0; i < entries.size(); ++i) writeFile(entries[i], pristine[i]);
    std::string what;
    for (size_t n = 1 + rng.below(3); n > 0; --n) {
      size_t victim = rng.below(entries.size());
      std::string text = pristine[victim];
      switch (rng.below(7)) {
        case 0:
          text = text.substr(0, rng.below(text.size()));
          what += " truncated";
          break;
        case 1:
          for (size_t k = 1 + rng.below(8); k > 0 && !text.empty(); --k)
            text[rng.below(text.size())] ^= static_cast<char>(1 << rng.below(8));
          what += " bit-flipped";
          break;
        case 2: {  // a digit changed: still valid JSON
          std::vector<size_t> digits;
          for (size_t k = 0; k < text.size(); ++k)
            if (std::isdigit(static_cast<unsigned char>(text[k]))) digits.push_back(k);
          if (!digits.empty()) {
            size_t k = rng.pick(digits);
            text[k] = text[k] == '9' ? '1' : text[k] + 1;
          }
          what += " digit-changed";
          break;
        }
        case 3:
          text = pristine[rng.below(pristine.size())];
          what += " swapped";
          break;
        case 4:
          text = "";
          what += " emptied";
          break;
        case 5:
          text = repeat("[", 100000);
          what += " deeply-nested";
          break;
        default:
          text = randomBytes(rng, rng.below(4096));
          what += " garbage";
          break;
      }
      writeFile(entries[victim], text);
    }
    ProcessResult r = runProcess(cached, "", kInvocationSeconds);
    std::vector<std::string> problems;
    if (std::string b = basicProblems(r); !b.empty())
      problems.push_back(b);
    else if (r.out != baseline.out || r.status != baseline.status)
      problems.push_back("the report differs from the report without cache");
    if (problems.empty()) {
      // The damaged entries were recomputed and replaced: a second run takes every file from the
      // cache and still says the same.
      ProcessResult again = runProcess(cached, "", kInvocationSeconds);
      if (again.out != baseline.out) problems.push_back("the run after the repair differs");
    }
    if (!problems.empty()) {
      ++failures;
      std::vector<std::pair<std::string, std::string>> kept = {
          {"stdout.txt", r.out}, {"stderr.txt", r.err}, {"baseline.txt", baseline.out}};
      for (const std::string& e : entries)
        kept.push_back({"cache/" + llvm::sys::path::filename(e).str(), readFile(e)});
      std::string where =
          keepFailure("seed-" + std::to_string(seed) + "-cache-" + std::to_string(round), kept);
      std::string all;
      for (const std::string& pr : problems) all += "\n  " + pr;
      ADD_FAILURE() << "FORKSAFE_ROBUSTNESS_SEED=" << seed << ", cache round " << round << " ("
                    << what << "):" << all << "\nkept in " << where;
    }
  }
}

}  // namespace
