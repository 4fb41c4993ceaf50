// Settings parsing tests: defaults, Gunicorn-style names, environment, one-line errors with
// suggestions; and the wording of loader errors.
#include "settings.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "app_loader.hpp"
#include "cli_usage.hpp"
#include "exit_codes.hpp"

using forksafe::serve::parse_settings;
using forksafe::serve::ParseOutcome;
using forksafe::serve::Settings;

namespace {

ParseOutcome parse(std::vector<std::string> args, Settings* s) {
  args.insert(args.begin(), "forksafe-serve");
  return parse_settings(args, s, nullptr);
}

TEST(Settings, DefaultsFollowGunicorn) {
  ::unsetenv("WEB_CONCURRENCY");
  Settings s;
  ASSERT_TRUE(parse({"app.so"}, &s).run);
  EXPECT_EQ(s.app_path, "app.so");
  EXPECT_EQ(s.bind, std::vector<std::string>{"127.0.0.1:8000"});
  EXPECT_EQ(s.workers, 1);
  EXPECT_EQ(s.worker_class, "event");
  EXPECT_EQ(s.limit_request_line, 4094u);
  EXPECT_EQ(s.limit_request_fields, 100u);
  EXPECT_EQ(s.limit_request_field_size, 8190u);
  EXPECT_DOUBLE_EQ(s.timeout, 30);
}

TEST(Settings, RepeatedBindAndUnderscoreSpelling) {
  Settings s;
  ASSERT_TRUE(parse({"-b", "127.0.0.1:1", "--bind", "unix:/tmp/x.sock",
                     "--limit-request-field_size", "100", "app.so"},
                    &s)
                  .run);
  EXPECT_EQ(s.bind.size(), 2u);
  EXPECT_EQ(s.limit_request_field_size, 100u);
  EXPECT_EQ(s.app_path, "app.so");
}

TEST(Settings, WebConcurrencyAndPrefixedEnvironment) {
  ::setenv("WEB_CONCURRENCY", "3", 1);
  Settings s;
  ASSERT_TRUE(parse({"app.so"}, &s).run);
  EXPECT_EQ(s.workers, 3);
  ::setenv("FORKSAFE_WORKERS", "5", 1);
  ASSERT_TRUE(parse({"app.so"}, &s).run);
  EXPECT_EQ(s.workers, 5);
  ASSERT_TRUE(parse({"-w", "2", "app.so"}, &s).run);
  EXPECT_EQ(s.workers, 2);
  ::unsetenv("FORKSAFE_WORKERS");
  ::unsetenv("WEB_CONCURRENCY");
}

TEST(Settings, ErrorsAreOneLineWithUsageExitCode) {
  Settings s;
  for (const auto& bad : std::vector<std::vector<std::string>>{
           {"--workers", "zero", "app.so"},
           {"-w", "0", "app.so"},
           {"-k", "gevent", "app.so"},
           {"--log-level", "loud", "app.so"},
           {"--timeout", "-1", "app.so"},
           {"--limit-request-body", "-5", "app.so"},
           {"--limit-request-line", "lots", "app.so"},
           {},
       }) {
    ParseOutcome o = parse(bad, &s);
    EXPECT_FALSE(o.run);
    EXPECT_EQ(o.exit_code, forksafe::serve::kExitUsage);
    EXPECT_FALSE(o.error.empty());
    EXPECT_EQ(o.error.find('\n'), std::string::npos) << o.error;
  }
}

}  // namespace

namespace {

/// One-letter typos of `name` ("--workers"): each letter dropped, doubled, replaced, and each pair
/// of neighbours swapped — never touching the leading dashes.
std::vector<std::string> one_letter_typos(const std::string& name) {
  std::vector<std::string> out;
  for (std::size_t i = 2; i < name.size(); ++i) {
    std::string dropped = name;
    dropped.erase(i, 1);
    out.push_back(dropped);
    std::string doubled = name;
    doubled.insert(i, 1, name[i]);
    out.push_back(doubled);
    std::string replaced = name;
    replaced[i] = name[i] == 'q' ? 'z' : 'q';
    out.push_back(replaced);
    if (i + 1 < name.size() && name[i] != name[i + 1]) {
      std::string swapped = name;
      std::swap(swapped[i], swapped[i + 1]);
      out.push_back(swapped);
    }
  }
  return out;
}

TEST(Settings, EveryMisspeltLongOptionGetsASuggestion) {
  const std::vector<std::string> names = forksafe::serve::long_option_names();
  ASSERT_GT(names.size(), 30u);
  int checked = 0;
  for (const std::string& name : names) {
    for (const std::string& typo : one_letter_typos(name)) {
      if (typo.size() < 3 || std::find(names.begin(), names.end(), typo) != names.end()) continue;
      Settings s;
      ParseOutcome o = parse({typo, "app.so"}, &s);
      ASSERT_FALSE(o.run) << typo;
      EXPECT_EQ(o.exit_code, forksafe::serve::kExitUsage);
      const std::string prefix = "unknown option " + typo + "; did you mean ";
      ASSERT_EQ(o.error.rfind(prefix, 0), 0u) << typo << ": " << o.error;
      EXPECT_NE(o.error.find(name), std::string::npos) << typo << ": " << o.error;
      EXPECT_EQ(o.error.find("app.so"), std::string::npos) << "the app is not blamed: " << o.error;
      ++checked;
    }
  }
  EXPECT_GT(checked, 1000);
}

TEST(Settings, ShortOptionOfTheWrongCaseGetsTheRightOne) {
  Settings s;
  EXPECT_EQ(parse({"-W", "4", "app.so"}, &s).error,
            "unknown option -W; did you mean -w (--workers)?");
  EXPECT_EQ(parse({"-K", "sync", "app.so"}, &s).error,
            "unknown option -K; did you mean -k (--worker-class)?");
  EXPECT_EQ(parse({"-x", "app.so"}, &s).error,
            "unknown option -x (forksafe-serve --help lists them)");
}

TEST(Settings, ClosestNamesAreFewAndRelevant) {
  using forksafe::serve::cli_usage::closest;
  const std::vector<std::string> names = forksafe::serve::long_option_names();
  EXPECT_EQ(closest("--wrokers", names), std::vector<std::string>{"--workers"});
  EXPECT_EQ(closest("--treads", names), std::vector<std::string>{"--threads"});
  EXPECT_EQ(closest("--max", names),
            (std::vector<std::string>{"--max-requests", "--max-requests-jitter"}));
  EXPECT_TRUE(closest("--frobnicate", names).empty());
}

}  // namespace

namespace {

TEST(LoaderErrors, UndefinedSymbolsAreDemangledAndNameTheLibraryThatNeededThem) {
  using forksafe::serve::describe_loader_error;
  EXPECT_EQ(describe_loader_error("/srv/app.so: undefined symbol: _Z24helper_defined_elsewherei"),
            "undefined symbol helper_defined_elsewhere(int), needed by /srv/app.so");
  EXPECT_EQ(describe_loader_error("/usr/lib/libdep.so.1: undefined symbol: _ZN3dep5parseEv"),
            "undefined symbol dep::parse(), needed by /usr/lib/libdep.so.1");
  EXPECT_EQ(describe_loader_error("/srv/app.so: undefined symbol: c_function"),
            "undefined symbol c_function, needed by /srv/app.so");
  EXPECT_EQ(describe_loader_error("libx.so: cannot open shared object file: No such file or "
                                  "directory"),
            "libx.so: cannot open shared object file: No such file or directory");
  EXPECT_EQ(describe_loader_error("/srv/app.so: symbol _ZN3dep5parseEv version DEP_1 not defined"),
            "/srv/app.so: symbol dep::parse() version DEP_1 not defined");
}

}  // namespace
