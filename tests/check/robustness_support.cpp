// The robustness tests' shared pieces: files, runs, crash signatures, the stand-in headers.
#include "robustness_support.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace forksafe::robustness {

uint64_t envNumber(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 0) : fallback;
}

uint64_t seedFromEnv() { return envNumber("FORKSAFE_ROBUSTNESS_SEED", 20240611); }

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
  if (r.timed_out) return "did not finish within the time bound";
  if (r.signal) return "killed by signal " + std::to_string(r.signal);
  if (r.status < 0 || r.status > 2) return "exit status " + std::to_string(r.status);
  if (std::string sig = crashSignature(r); !sig.empty()) return "crash signature '" + sig + "'";
  return "";
}

ProcessResult runBounded(const std::vector<std::string>& argv) {
  forksafe::test::ProcessOptions options;
  options.timeout_seconds = kInvocationSeconds;
  return forksafe::test::run_process(argv, options);
}

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
    for (const std::string& f : listFiles(dir, ".cpp", false)) seeds.push_back(read_file(f));
  for (const std::string& f : listFiles(FORKSAFE_EXAMPLES_DIR, ".cpp", true))
    seeds.push_back(read_file(f));
  return seeds;
}

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

std::string repeat(const std::string& s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace forksafe::robustness
