// --help, the man page and the command-line diagnostics of forksafe-serve (see cli_usage.hpp).
#include "cli_usage.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "exit_codes.hpp"

namespace forksafe::serve::cli_usage {

namespace {

constexpr std::size_t kWidth = 80;
constexpr std::size_t kLabelWidth = 30;

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// "-b, --bind ADDRESS", "--verify[=REPORT.json]", "APP".
std::string label(const CLI::Option& opt) {
  if (opt.get_positional() && !opt.nonpositional()) return opt.get_name(true);
  std::vector<std::string> names;
  for (const std::string& s : opt.get_snames()) names.push_back("-" + s);
  for (const std::string& l : opt.get_lnames()) names.push_back("--" + l);
  std::string text = fmt::format("{}", fmt::join(names, ", "));
  const std::string& hint = opt.get_option_text();
  if (!hint.empty()) text += (hint[0] == '[' ? "" : " ") + hint;
  return text;
}

std::vector<std::string> wrap(const std::string& text, std::size_t width) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t j = text.find(' ', i);
    if (j == std::string::npos) j = text.size();
    std::string word = text.substr(i, j - i);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    i = j + 1;
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

/// Options in --help order: by group (first appearance), then registration order.
std::vector<std::pair<std::string, std::vector<const CLI::Option*>>> grouped(const CLI::App& cli) {
  std::vector<std::pair<std::string, std::vector<const CLI::Option*>>> groups;
  for (const CLI::Option* opt : cli.get_options()) {
    if (opt->get_group().empty()) continue;
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const auto& g) { return g.first == opt->get_group(); });
    if (it == groups.end()) it = groups.insert(groups.end(), {opt->get_group(), {}});
    it->second.push_back(opt);
  }
  return groups;
}

const CLI::Option* find_long(const CLI::App& cli, const std::string& name) {
  for (const CLI::Option* opt : cli.get_options()) {
    const auto& l = opt->get_lnames();
    if (std::find(l.begin(), l.end(), name) != l.end()) return opt;
  }
  return nullptr;
}

const CLI::Option* find_short(const CLI::App& cli, const std::string& name) {
  for (const CLI::Option* opt : cli.get_options()) {
    const auto& s = opt->get_snames();
    if (std::find(s.begin(), s.end(), name) != s.end()) return opt;
  }
  return nullptr;
}

bool takes_value(const CLI::Option& opt) { return opt.get_expected_max() > 0; }

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
/// neighbours each cost one ("wrokers" is one edit from "workers").
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

/// "--a", "--a or --b", "--a, --b or --c".
std::string either(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

std::string unknown_option(const CLI::App& cli, const std::string& typed) {
  std::vector<std::string> near = closest(typed, long_names(cli));
  if (near.empty())
    return fmt::format("unknown option {} (forksafe-serve --help lists them)", typed);
  return fmt::format("unknown option {}; did you mean {}?", typed, either(near));
}

/// "-W": the short option of the other case, if there is one ("did you mean -w (--workers)?").
std::string unknown_short_option(const CLI::App& cli, char typed) {
  for (char other : {static_cast<char>(std::tolower(static_cast<unsigned char>(typed))),
                     static_cast<char>(std::toupper(static_cast<unsigned char>(typed)))}) {
    if (other == typed) continue;
    const CLI::Option* opt = find_short(cli, std::string(1, other));
    if (opt && !opt->get_lnames().empty())
      return fmt::format("unknown option -{}; did you mean -{} (--{})?", typed, other,
                         opt->get_lnames().front());
  }
  return fmt::format("unknown option -{} (forksafe-serve --help lists them)", typed);
}

// roff: a leading '.' or '\'' would be a request; '-' must be \- to stay a hyphen-minus.
std::string roff(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out.insert(0, "\\&");
  return out;
}

}  // namespace

std::vector<std::string> closest(const std::string& typed, const std::vector<std::string>& names) {
  std::string bare = typed.substr(typed.find_first_not_of('-') == std::string::npos
                                      ? typed.size()
                                      : typed.find_first_not_of('-'));
  const std::size_t limit = bare.size() <= 4 ? 1 : 2;
  std::size_t best = limit + 1;
  std::vector<std::string> out;
  for (const std::string& name : names) {
    std::string candidate = name.substr(name.find_first_not_of('-'));
    std::size_t d = edit_distance(bare, candidate);
    if (d < best) {
      best = d;
      out.clear();
    }
    if (d == best && std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  if (!out.empty() || bare.size() < 3) return out;
  for (const std::string& name : names)
    if (name.substr(name.find_first_not_of('-')).rfind(bare, 0) == 0) out.push_back(name);
  return out;
}

std::vector<std::string> long_names(const CLI::App& cli) {
  std::vector<std::string> out;
  for (const CLI::Option* opt : cli.get_options())
    for (const std::string& l : opt->get_lnames()) out.push_back("--" + l);
  return out;
}

std::string help(const CLI::App& cli) {
  std::string out =
      fmt::format("usage: {} [OPTIONS] APP\n\n{}.\n", cli.get_name(), cli.get_description());
  out +=
      "Every option can also come from --config FILE or a FORKSAFE_<NAME> environment "
      "variable.\n";
  for (const auto& [group, options] : grouped(cli)) {
    out += fmt::format("\n{}:\n", group);
    for (const CLI::Option* opt : options) {
      std::string left = "  " + label(*opt);
      std::vector<std::string> lines = wrap(opt->get_description(), kWidth - kLabelWidth);
      if (left.size() + 2 > kLabelWidth) {
        out += left + "\n";
        left.clear();
      }
      for (const std::string& line : lines) {
        left.resize(kLabelWidth, ' ');
        out += left + line + "\n";
        left.clear();
      }
    }
  }
  return out;
}

std::string man(const CLI::App& cli) {
  std::string out;
  out +=
      ".\\\" Generated by forksafe-serve-man from the option table in runtime/src/settings.cpp;\n";
  out += ".\\\" do not edit: run scripts/update-manpage.sh.\n";
  out += ".TH FORKSAFE\\-SERVE 1 \"\" \"forksafe 0.1.0\" \"User Commands\"\n";
  out +=
      ".SH NAME\nforksafe\\-serve \\- a pre\\-fork HTTP application server for C++ handler "
      "libraries\n";
  out += ".SH SYNOPSIS\n.B forksafe\\-serve\n[\\fIOPTIONS\\fR] \\fIAPP\\fR\n";
  out +=
      ".SH DESCRIPTION\n"
      "A master process checks the settings and the app, binds the listening sockets and "
      "supervises worker processes; each worker loads the app (a shared library built with "
      "\\fBforksafe_add_app\\fR) and serves HTTP/1.1 requests. Signals, option names and exit "
      "codes follow Gunicorn's.\n.PP\n"
      "Every option can also be set in a config file (\\fB\\-\\-config\\fR, keys are the long "
      "option names) or in a \\fBFORKSAFE_\\fR\\fINAME\\fR environment variable "
      "(\\fBFORKSAFE_WORKERS=4\\fR). The command line wins over the config file, which wins "
      "over the environment.\n";
  out += ".SH OPTIONS\n";
  for (const auto& [group, options] : grouped(cli)) {
    out += fmt::format(".SS {}\n", roff(group));
    for (const CLI::Option* opt : options) {
      std::vector<std::string> names;
      for (const std::string& s : opt->get_snames()) names.push_back("\\fB\\-" + roff(s) + "\\fR");
      for (const std::string& l : opt->get_lnames())
        names.push_back("\\fB\\-\\-" + roff(l) + "\\fR");
      if (names.empty()) names.push_back("\\fI" + roff(opt->get_name(true)) + "\\fR");
      std::string head = fmt::format("{}", fmt::join(names, ", "));
      const std::string& hint = opt->get_option_text();
      if (!hint.empty())
        head += hint[0] == '[' ? "[=\\fI" + roff(hint.substr(2, hint.size() - 3)) + "\\fR]"
                               : " \\fI" + roff(hint) + "\\fR";
      out += ".TP\n" + head + "\n" + roff(opt->get_description()) + "\n";
    }
  }
  out += ".SH EXIT STATUS\n";
  const std::pair<int, const char*> codes[] = {
      {kExitOk, "stopped normally, or --help, --check-config or --print-config succeeded"},
      {kExitRuntimeError, "a run-time failure: cannot bind, cannot fork"},
      {kExitUsage, "a bad option, config file, value, path, or an app that needs --preload"},
      {kExitWorkerBoot, "a worker could not set itself up (--user, --group, worker-init hooks)"},
      {kExitAppLoad, "the app library could not be loaded or registered"},
      {kExitNotClean, "--require-clean: the findings have per-worker-state errors and -w > 1"},
  };
  for (const auto& [code, what] : codes) out += fmt::format(".TP\n.B {}\n{}\n", code, roff(what));
  out +=
      ".SH SEE ALSO\n.BR forksafe\\-check (1),\n.BR gunicorn (1);\n"
      "docs/runtime.md and docs/verify.md in the forksafe sources\n";
  return out;
}

std::string diagnose(const CLI::App& cli, const std::vector<std::string>& args) {
  std::string first_app;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") break;
    if (starts_with(a, "--") && a.size() > 2) {
      const std::size_t eq = a.find('=');
      const std::string name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      const CLI::Option* opt = find_long(cli, name);
      if (!opt) return unknown_option(cli, "--" + name);
      const bool optional_value = !takes_value(*opt) && starts_with(opt->get_option_text(), "[=");
      if (optional_value && eq == std::string::npos && i + 1 < args.size() &&
          ends_with(args[i + 1], ".json") && !starts_with(args[i + 1], "-"))
        return fmt::format(
            "--{} takes its value only after '=': write --{}={} (as it stands, '{}' would be read "
            "as the app)",
            name, name, args[i + 1], args[i + 1]);
      if (takes_value(*opt) && eq == std::string::npos) ++i;
    } else if (a.size() > 1 && a[0] == '-' && !std::isdigit(static_cast<unsigned char>(a[1])) &&
               a[1] != '.') {
      const std::string name = a.substr(1, 1);
      const CLI::Option* opt = find_short(cli, name);
      if (!opt) return unknown_short_option(cli, name[0]);
      if (takes_value(*opt) && a.size() == 2) ++i;
    } else if (first_app.empty()) {
      first_app = a;
    } else {
      return fmt::format("unexpected argument '{}': forksafe-serve serves one APP ('{}')", a,
                         first_app);
    }
  }
  return {};
}

std::string reword(const CLI::App& cli, const CLI::ParseError& e) {
  std::string what = e.what();
  const std::string extras = "INI was not able to parse ";
  if (starts_with(what, extras.c_str())) {
    std::string key = what.substr(extras.size());
    std::vector<std::string> near = closest(key, long_names(cli));
    for (std::string& n : near) n = n.substr(2);
    if (near.empty()) return fmt::format("unknown key '{}' in the config file", key);
    return fmt::format("unknown key '{}' in the config file; did you mean {}?", key, either(near));
  }
  const std::string unreadable = " was not readable (missing?)";
  if (ends_with(what, unreadable))
    return fmt::format("cannot read config file '{}': missing or unreadable",
                       what.substr(0, what.size() - unreadable.size()));
  const std::string conversion = "Could not convert: ";
  if (starts_with(what, conversion.c_str()) && what.find(" = ") != std::string::npos) {
    std::string name = what.substr(conversion.size(), what.find(" = ") - conversion.size());
    std::string value = what.substr(what.find(" = ") + 3);
    const CLI::Option* opt = starts_with(name, "--") ? find_long(cli, name.substr(2)) : nullptr;
    std::string hint = opt ? opt->get_option_text() : "";
    const char* expected = hint == "SECONDS"                  ? "a number of seconds"
                           : hint == "INT" || hint == "BYTES" ? "a whole number"
                                                              : "another value";
    return fmt::format("cannot use '{}' for {}: expected {}", value, name, expected);
  }
  // CLI::IsMember ("--worker-class: gevent not in {event,sync,threads}") and CLI::Range
  // ("--backlog: Value -5 not in range 0 to 1099511627776").
  const std::size_t colon = what.find(": ");
  if (colon != std::string::npos && starts_with(what, "-")) {
    const std::string name = what.substr(0, colon);
    std::string detail = what.substr(colon + 2);
    const std::size_t set = detail.find(" not in {");
    if (set != std::string::npos && ends_with(detail, "}")) {
      std::string members = detail.substr(set + 9, detail.size() - set - 10);
      std::vector<std::string> choices;
      for (std::size_t i = 0, j; i <= members.size(); i = j + 1) {
        j = std::min(members.find(',', i), members.size());
        choices.push_back(members.substr(i, j - i));
      }
      return fmt::format("cannot use '{}' for {}: expected {}", detail.substr(0, set), name,
                         either(choices));
    }
    const std::string range = " not in range 0 to ";
    if (starts_with(detail, "Value ") && detail.find(range) != std::string::npos)
      return fmt::format("cannot use '{}' for {}: expected 0 to {}",
                         detail.substr(6, detail.find(range) - 6), name,
                         detail.substr(detail.find(range) + range.size()));
  }
  std::replace(what.begin(), what.end(), '\n', ' ');
  return what;
}

}  // namespace forksafe::serve::cli_usage
