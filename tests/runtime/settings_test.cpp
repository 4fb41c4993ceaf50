// Settings parsing tests: defaults, Gunicorn-style names, environment, and one-line errors.
#include "settings.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

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
