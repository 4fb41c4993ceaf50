// Parses --line-filter JSON and `git diff -U0` output; runs git for --diff.
#include "report/ChangedLines.h"

#include <llvm/ADT/SmallString.h>
#include <llvm/ADT/StringExtras.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/JSON.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Program.h>

#include <optional>

namespace forksafe {
namespace {

llvm::Error error(const llvm::Twine& what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), what);
}

// A path as git prints it: "b/src/app.cpp", or C-quoted ("\"b/a\\tb.cpp\"") when unusual.
std::string unquote(llvm::StringRef s) {
  if (!s.starts_with("\"") || !s.ends_with("\"") || s.size() < 2) return s.str();
  s = s.drop_front().drop_back();
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    if (c >= '0' && c <= '7' && i + 2 < s.size()) {
      out += static_cast<char>(((c - '0') << 6) | ((s[i + 1] - '0') << 3) | (s[i + 2] - '0'));
      i += 2;
      continue;
    }
    switch (c) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'r':
        out += '\r';
        break;
      case 'v':
        out += '\v';
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

llvm::Error addLineFilter(llvm::StringRef json, ReportFilter& filter) {
  filter.restrictToAdded();
  auto doc = llvm::json::parse(json);
  if (!doc) return error("invalid --line-filter: " + llvm::toString(doc.takeError()));
  const llvm::json::Array* entries = doc->getAsArray();
  if (!entries)
    return error(
        "invalid --line-filter: expected an array like "
        "[{\"name\":\"file.cpp\",\"lines\":[[1,3],[5,5]]}]");
  size_t index = 0;
  for (const llvm::json::Value& value : *entries) {
    std::string where = "invalid --line-filter: entry " + std::to_string(index++);
    const llvm::json::Object* entry = value.getAsObject();
    if (!entry) return error(where + " is not an object");
    std::optional<llvm::StringRef> name = entry->getString("name");
    if (!name || name->empty()) return error(where + " has no \"name\" string");
    const llvm::json::Value* lines = entry->get("lines");
    if (!lines) {
      filter.addFile(name->str());
      continue;
    }
    const llvm::json::Array* ranges = lines->getAsArray();
    if (!ranges) return error(where + ": \"lines\" is not an array of [first, last] pairs");
    for (const llvm::json::Value& range : *ranges) {
      const llvm::json::Array* pair = range.getAsArray();
      std::optional<int64_t> first, last;
      if (pair && pair->size() == 2) {
        first = (*pair)[0].getAsInteger();
        last = (*pair)[1].getAsInteger();
      }
      if (!first || !last || *first < 1 || *last < *first || *last > UINT32_MAX)
        return error(where + ": each of \"lines\" must be [first, last] with 1 <= first <= last");
      filter.addLines(name->str(), static_cast<unsigned>(*first), static_cast<unsigned>(*last));
    }
    if (ranges->empty()) filter.addFile(name->str());  // as clang-tidy: no lines, whole file
  }
  return llvm::Error::success();
}

llvm::Error addDiffHunks(llvm::StringRef diff, llvm::StringRef root, ReportFilter& filter) {
  filter.restrictToAdded();
  std::optional<std::string> file;  // absolute; none for a deleted file
  llvm::SmallVector<llvm::StringRef, 0> lines;
  diff.split(lines, '\n');
  for (llvm::StringRef line : lines) {
    line = line.rtrim("\r");
    if (line.consume_front("+++ ")) {
      line = line.rtrim("\t");  // git ends a name with spaces in it with a tab
      std::string name = unquote(line);
      if (name == "/dev/null") {
        file.reset();
        continue;
      }
      llvm::StringRef rel(name);
      if (!rel.consume_front("b/"))
        return error("cannot read the diff: unexpected file name line '+++ " + line + "'");
      llvm::SmallString<256> abs(root);
      llvm::sys::path::append(abs, rel);
      file = std::string(abs);
      continue;
    }
    if (!line.consume_front("@@ -")) continue;
    // "@@ -a[,b] +c[,d] @@ context"
    size_t plus = line.find(" +");
    if (plus == llvm::StringRef::npos) return error("cannot read the diff: bad hunk header");
    llvm::StringRef range = line.drop_front(plus + 2);
    range = range.take_until([](char c) { return c == ' '; });
    auto [startText, countText] = range.split(',');
    unsigned start = 0, count = 1;
    if (startText.getAsInteger(10, start) ||
        (!countText.empty() && countText.getAsInteger(10, count)))
      return error("cannot read the diff: bad hunk header '@@ -" + line + "'");
    if (!file) continue;
    if (count > 0)
      filter.addLines(*file, start, start + count - 1);
    else  // only deletions: the lines around the gap (start is the line before it)
      filter.addLines(*file, std::max(1u, start), start + 1);
  }
  return llvm::Error::success();
}

namespace {

// Runs git with `args` (after "git"); its standard output, or an error with what it printed.
llvm::Expected<std::string> runGit(llvm::ArrayRef<std::string> args) {
  auto git = llvm::sys::findProgramByName("git");
  if (!git) return error("cannot run git: it is not on PATH");
  llvm::SmallString<128> outFile, errFile;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile("forksafe-git", "out", outFile))
    return error("cannot create a temporary file: " + ec.message());
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile("forksafe-git", "err", errFile)) {
    llvm::sys::fs::remove(outFile);
    return error("cannot create a temporary file: " + ec.message());
  }
  std::vector<llvm::StringRef> argv = {*git};
  for (const std::string& a : args) argv.push_back(a);
  std::optional<llvm::StringRef> redirects[] = {llvm::StringRef(""), llvm::StringRef(outFile),
                                                llvm::StringRef(errFile)};
  std::string why;
  int status = llvm::sys::ExecuteAndWait(*git, argv, std::nullopt, redirects, 0, 0, &why);
  auto out = llvm::MemoryBuffer::getFile(outFile);
  auto err = llvm::MemoryBuffer::getFile(errFile);
  llvm::sys::fs::remove(outFile);
  llvm::sys::fs::remove(errFile);
  if (status != 0) {
    std::string said = err ? (*err)->getBuffer().trim().str() : "";
    if (said.empty()) said = why.empty() ? "exit status " + std::to_string(status) : why;
    size_t newline = said.find('\n');
    if (newline != std::string::npos) said = said.substr(0, newline);
    return error(said);
  }
  if (!out) return error("cannot read git's output: " + out.getError().message());
  return (*out)->getBuffer().str();
}

}  // namespace

llvm::Error addGitDiff(const std::string& ref, const std::string& dir, ReportFilter& filter) {
  if (ref.empty() || ref[0] == '-')  // git would read it as an option
    return error("invalid --diff '" + ref + "': expected a git revision such as origin/main");
  auto top = runGit({"-C", dir, "rev-parse", "--show-toplevel"});
  if (!top) return error("cannot run git diff: " + llvm::toString(top.takeError()));
  auto diff =
      runGit({"-C", dir, "-c", "core.quotepath=off", "diff", "-U0", "--no-color", "--no-ext-diff",
              "--no-relative", "--src-prefix=a/", "--dst-prefix=b/", ref, "--"});
  if (!diff) return error("cannot run git diff " + ref + ": " + llvm::toString(diff.takeError()));
  return addDiffHunks(*diff, llvm::StringRef(*top).trim(), filter);
}

}  // namespace forksafe
