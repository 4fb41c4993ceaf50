// The mutation engine: everything here is driven by the one seeded Rng, so a run reproduces.
#include "robustness_mutation.h"

#include <cstddef>
#include <utility>

namespace forksafe::robustness {
namespace {

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

}  // namespace

std::string randomBytes(Rng& rng, size_t n) {
  static const char kSpecial[] = {'\0',   '\x80', '\xbf', '\xc0', '\xc1', '\xe0', '\xed', '\xf4',
                                  '\xf5', '\xfe', '\xff', '\\',   '\r',   '\x1a', '\t',   '?'};
  std::string out;
  for (size_t i = 0; i < n; ++i)
    out +=
        rng.chance(50) ? kSpecial[rng.below(sizeof kSpecial)] : static_cast<char>(rng.below(256));
  return out;
}

std::string mutate(Rng& rng, const std::vector<std::string>& seeds, const std::string& selfName) {
  std::string text = rng.pick(seeds);
  for (size_t n = 1 + rng.below(4); n > 0; --n) text = mutateOnce(rng, text, seeds, selfName);
  return text;
}

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

}  // namespace forksafe::robustness
