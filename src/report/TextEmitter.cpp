// Clang-style diagnostics ("file:line:col: error: message [rule]") with source snippets, so that
// editors' and CI systems' problem matchers for clang and clang-tidy read them unchanged.
#include <algorithm>

#include "report/Emitters.h"
#include "report/SourceLines.h"

namespace forksafe {
namespace {

void emitOne(llvm::raw_ostream& out, SourceLines& src, const Location& loc, const char* level,
             llvm::raw_ostream::Colors levelColor, const std::string& message,
             const std::string& rule, bool snippet = true) {
  out.changeColor(llvm::raw_ostream::SAVEDCOLOR, true);
  out << loc.file << ':' << loc.line << ':' << loc.column << ": ";
  out.changeColor(levelColor, true);
  out << level << ": ";
  out.changeColor(llvm::raw_ostream::SAVEDCOLOR, true);
  out << message;
  if (!rule.empty()) out << " [" << rule << ']';
  out.resetColor();
  out << '\n';
  llvm::StringRef text = snippet ? src.line(loc.file, loc.line) : "";
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

bool sameNote(const Note& a, const Note& b) { return a.loc == b.loc && a.message == b.message; }

}  // namespace

void emitText(const Report& report, llvm::raw_ostream& out, bool color) {
  out.enable_colors(color);
  SourceLines src;
  // Two rules on the same variable with the same sites (per-worker-state and
  // unsynchronized-state on one unlocked write) share their notes: the second finding says so in
  // one line instead of repeating them.
  const Finding* group = nullptr;  // the finding whose notes were printed for this variable
  std::vector<const Note*> printed;
  for (const Finding& f : report.findings) {
    bool error = f.severity == Severity::Error;
    emitOne(out, src, f.loc, severityName(f.severity),
            error ? llvm::raw_ostream::RED : llvm::raw_ostream::MAGENTA, f.message, f.rule);
    bool sameSites = group && group->loc == f.loc && group->symbol == f.symbol &&
                     group->sites == f.sites && !f.sites.empty();
    if (!sameSites) {
      group = &f;
      printed.clear();
    }
    size_t repeated = 0;
    for (const Note& n : f.notes) {
      if (sameSites && std::any_of(printed.begin(), printed.end(),
                                   [&](const Note* p) { return sameNote(*p, n); })) {
        ++repeated;
        continue;
      }
      emitOne(out, src, n.loc, "note", llvm::raw_ostream::BLACK, n.message, "");
      printed.push_back(&n);
    }
    if (repeated)
      emitOne(out, src, f.loc, "note", llvm::raw_ostream::BLACK,
              "written at the same site(s) as [" + group->rule + "] above; " +
                  std::to_string(repeated) + " note(s) not repeated",
              "", /*snippet=*/false);
  }
  out.flush();
}

}  // namespace forksafe
