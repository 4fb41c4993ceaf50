// Clang-style diagnostics ("file:line:col: error: message [rule]") with source snippets, so that
// editors' and CI systems' problem matchers for clang and clang-tidy read them unchanged.
#include <llvm/Support/MemoryBuffer.h>

#include <map>
#include <memory>

#include "report/Emitters.h"

namespace forksafe {
namespace {

class SourceLines {
 public:
  llvm::StringRef line(const std::string& file, unsigned n) {
    auto& entry = files_[file];
    if (!entry.loaded) {
      entry.loaded = true;
      if (auto buf = llvm::MemoryBuffer::getFile(file, /*IsText=*/true)) {
        entry.buffer = std::move(*buf);
        entry.buffer->getBuffer().split(entry.lines, '\n');
      }
    }
    if (n == 0 || n > entry.lines.size()) return "";
    return entry.lines[n - 1].rtrim("\r");
  }

 private:
  struct Entry {
    bool loaded = false;
    std::unique_ptr<llvm::MemoryBuffer> buffer;
    llvm::SmallVector<llvm::StringRef, 0> lines;
  };
  std::map<std::string, Entry> files_;
};

void emitOne(llvm::raw_ostream& out, SourceLines& src, const Location& loc, const char* level,
             llvm::raw_ostream::Colors levelColor, const std::string& message,
             const std::string& rule) {
  out.changeColor(llvm::raw_ostream::SAVEDCOLOR, true);
  out << loc.file << ':' << loc.line << ':' << loc.column << ": ";
  out.changeColor(levelColor, true);
  out << level << ": ";
  out.changeColor(llvm::raw_ostream::SAVEDCOLOR, true);
  out << message;
  if (!rule.empty()) out << " [" << rule << ']';
  out.resetColor();
  out << '\n';
  llvm::StringRef text = src.line(loc.file, loc.line);
  if (text.empty()) return;
  std::string shown = text.str();
  for (char& c : shown)
    if (c == '\t') c = ' ';
  std::string gutter = std::to_string(loc.line);
  out.indent(5 - std::min<size_t>(5, gutter.size())) << gutter << " | " << shown << '\n';
  out.indent(5) << " | ";
  out.indent(loc.column > 0 ? std::min<size_t>(loc.column - 1, shown.size()) : 0);
  out.changeColor(llvm::raw_ostream::GREEN, true);
  out << '^';
  out.resetColor();
  out << '\n';
}

}  // namespace

void emitText(const Report& report, llvm::raw_ostream& out, bool color) {
  out.enable_colors(color);
  SourceLines src;
  for (const Finding& f : report.findings) {
    bool error = f.severity == Severity::Error;
    emitOne(out, src, f.loc, severityName(f.severity),
            error ? llvm::raw_ostream::RED : llvm::raw_ostream::MAGENTA, f.message, f.rule);
    for (const Note& n : f.notes)
      emitOne(out, src, n.loc, "note", llvm::raw_ostream::BLACK, n.message, "");
  }
  out.flush();
}

}  // namespace forksafe
