// HTTP/1.1 conformance suite: replays tests/conformance/{valid,invalid}/*.http over real sockets
// against forksafe-serve running the echo app, on every worker type, with the bytes sent whole,
// one at a time and split at seeded random points.
//
// A case is NAME.http (the request bytes; line breaks in the file are not data, and \r \n \t \0
// \xHH \\ are escapes) and NAME.expect. For a valid case, .expect lists what the handler must see
// ("method", "target", "version", every "header" in order, "body", "trailer", and optionally
// "path"/"query"), one request after another separated by "---". For an invalid case it lists the
// response statuses in order ("statuses 400", "statuses 200 400", or "statuses close" when the
// connection must close without a response) and how many requests may reach a handler
// ("handled N", by default the number of 200s) — counted from the echo app's log, so a smuggled
// request that reached a handler fails the case even if its response was lost.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness.hpp"

using namespace fstest;
namespace fs = std::filesystem;

namespace {

std::string corpus_dir() { return FORKSAFE_CONFORMANCE_DIR; }
std::string echo_app() { return FORKSAFE_ECHO_APP; }

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// The corpus notation, also used by the echo app's output: \r \n \t \0 \xHH \\.
std::string unescape(const std::string& in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\' || i + 1 == in.size()) {
      out.push_back(in[i]);
      continue;
    }
    char e = in[++i];
    if (e == 'r')
      out.push_back('\r');
    else if (e == 'n')
      out.push_back('\n');
    else if (e == 't')
      out.push_back('\t');
    else if (e == '0')
      out.push_back('\0');
    else if (e == '\\')
      out.push_back('\\');
    else if (e == 'x' && i + 2 < in.size() && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(in[i + 1]) * 16 + hex(in[i + 2])));
      i += 2;
    } else {
      ADD_FAILURE() << "bad escape \\" << e << " in the corpus";
    }
  }
  return out;
}

std::string load_wire(const fs::path& p) {
  std::string text = read_file(p.string()), joined;
  for (char c : text)
    if (c != '\n') joined.push_back(c);
  return unescape(joined);
}

/// One request as the handler saw it (or as the corpus expects it), in escaped notation.
struct Seen {
  std::map<std::string, std::string> scalars;  // method, target, path, query, version, body
  std::vector<std::string> headers, trailers;
};

std::vector<Seen> parse_seen(const std::string& text) {
  std::vector<Seen> out(1);
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line == "---") {
      out.emplace_back();
      continue;
    }
    std::size_t sp = line.find(' ');
    std::string key = line.substr(0, sp),
                value = sp == std::string::npos ? "" : line.substr(sp + 1);
    if (key == "header")
      out.back().headers.push_back(value);
    else if (key == "trailer")
      out.back().trailers.push_back(value);
    else
      out.back().scalars[key] = value;
  }
  return out;
}

struct Case {
  std::string name;
  bool valid = true;
  std::string wire;
  std::vector<Seen> requests;         // valid
  std::vector<std::string> statuses;  // invalid: "400", ..., or "close"
  int handled = -1;
};

std::vector<Case> load_corpus() {
  std::vector<Case> cases;
  for (const char* kind : {"valid", "invalid"}) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(fs::path(corpus_dir()) / kind))
      if (e.path().extension() == ".http") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      Case c;
      c.name = std::string(kind) + "/" + f.stem().string();
      c.valid = std::string(kind) == "valid";
      c.wire = load_wire(f);
      fs::path expect = f;
      expect.replace_extension(".expect");
      std::string text = read_file(expect.string());
      if (c.valid) {
        c.requests = parse_seen(text);
      } else {
        for (const Seen& s : parse_seen(text)) {
          std::istringstream st(s.scalars.count("statuses") ? s.scalars.at("statuses") : "");
          for (std::string w; st >> w;) c.statuses.push_back(w);
          if (s.scalars.count("handled")) c.handled = std::stoi(s.scalars.at("handled"));
        }
      }
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

enum class Delivery { kWhole, kBytes, kRandomA, kRandomB };

/// Sends `wire` in pieces: whole, one byte per segment, or random cuts from a fixed seed.
void deliver(RawConn& conn, const std::string& wire, Delivery how) {
  if (how == Delivery::kWhole) {
    conn.send(wire);
    return;
  }
  std::mt19937 rng(how == Delivery::kRandomA ? 7u : 1013u);
  std::size_t pos = 0;
  while (pos < wire.size()) {
    std::size_t n = 1;
    if (how != Delivery::kBytes)
      n = std::uniform_int_distribution<std::size_t>(
          1, std::max<std::size_t>(1, wire.size() / 4))(rng);
    n = std::min(n, wire.size() - pos);
    if (!conn.send(wire.substr(pos, n))) return;  // the server may close early on a bad prefix
    pos += n;
    std::this_thread::sleep_for(std::chrono::microseconds(how == Delivery::kBytes ? 50 : 500));
  }
}

std::vector<std::pair<int, std::string>> final_responses(const std::string& raw) {
  std::vector<std::pair<int, std::string>> out;
  for (auto& r : parse_responses(raw))
    if (r.first >= 200) out.push_back(std::move(r));
  return out;
}

class Conformance : public ::testing::TestWithParam<std::tuple<std::string, Delivery>> {};

TEST_P(Conformance, Corpus) {
  const auto& [worker, how] = GetParam();
  const bool one_per_connection = worker == "sync";  // the sync worker closes after each request
  std::vector<Case> cases = load_corpus();
  ASSERT_GT(cases.size(), 50u) << "corpus not found in " << corpus_dir();
  TempDir dir;
  const std::string log = dir.file("handled.log");
  {
    std::ofstream touch(log);
  }
  Server server;
  ASSERT_TRUE(server.start_and_wait(
      dir, {"-b", "127.0.0.1:0", "-w", "1", "-k", worker, "--log-level", "debug", echo_app()}, 1,
      {{"FORKSAFE_ECHO_LOG", log}}));
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const int handled_before = count_lines_with(log, " ");
    RawConn conn(server.port());
    ASSERT_TRUE(conn.ok());
    deliver(conn, c.wire, how);
    conn.shutdown_write();
    std::string raw = conn.read_until([](const std::string&) { return false; }, scaled(5000ms));
    auto responses = final_responses(raw);
    const int handled = count_lines_with(log, " ") - handled_before;
    if (c.valid) {
      std::size_t expected = one_per_connection ? 1 : c.requests.size();
      EXPECT_EQ(responses.size(), expected) << "raw: " << raw.substr(0, 300);
      for (std::size_t i = 0; i < std::min(expected, responses.size()); ++i) {
        EXPECT_EQ(responses[i].first, 200) << responses[i].second;
        if (responses[i].first != 200) continue;
        Seen got = parse_seen(responses[i].second).front();
        const Seen& want = c.requests[i];
        for (const auto& [key, value] : want.scalars) EXPECT_EQ(got.scalars[key], value) << key;
        EXPECT_EQ(got.headers, want.headers);
        EXPECT_EQ(got.trailers, want.trailers);
      }
      EXPECT_EQ(handled, static_cast<int>(expected));
    } else {
      std::vector<std::string> want = c.statuses;
      if (one_per_connection && want.size() > 1) want.resize(1);
      int oks = static_cast<int>(std::count(want.begin(), want.end(), "200"));
      std::vector<std::string> got;
      for (const auto& r : responses) got.push_back(std::to_string(r.first));
      if (want == std::vector<std::string>{"close"}) {
        EXPECT_TRUE(got.empty()) << "raw: " << raw.substr(0, 200);
      } else {
        EXPECT_EQ(got, want) << "raw: " << raw.substr(0, 200);
      }
      EXPECT_EQ(handled, c.handled >= 0 && !one_per_connection ? c.handled : oks)
          << "a request reached the handler";
    }
  }
  // The worker survived every case (a crash would have replaced it and logged the signal).
  EXPECT_EQ(server.log_count("Booted worker"), 1);
}

std::string delivery_name(Delivery d) {
  switch (d) {
    case Delivery::kWhole:
      return "Whole";
    case Delivery::kBytes:
      return "ByteByByte";
    case Delivery::kRandomA:
      return "RandomSplitsA";
    case Delivery::kRandomB:
      return "RandomSplitsB";
  }
  return "?";
}

INSTANTIATE_TEST_SUITE_P(
    AllWorkers, Conformance,
    ::testing::Combine(::testing::Values("event", "sync", "threads"),
                       ::testing::Values(Delivery::kWhole, Delivery::kBytes, Delivery::kRandomA,
                                         Delivery::kRandomB)),
    [](const auto& p) { return std::get<0>(p.param) + "_" + delivery_name(std::get<1>(p.param)); });

}  // namespace
