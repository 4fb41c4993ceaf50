// Reading the checker's JSON findings.
#include "verify/findings.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace forksafe::serve::verify {

namespace {

std::string text_field(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string base_name(const std::string& path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

bool read_findings(const std::string& path, std::vector<Finding>* out, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = fmt::format("cannot read checker report '{}': {}", path, std::strerror(errno));
    return false;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  nlohmann::json doc = nlohmann::json::parse(buf.str(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    *error = fmt::format("cannot read checker report '{}': not valid JSON", path);
    return false;
  }
  if (!doc.is_object() || !doc.contains("version") || doc["version"] != 1 ||
      !doc.contains("findings") || !doc["findings"].is_array()) {
    *error = fmt::format(
        "cannot read checker report '{}': not a forksafe-check --format=json report "
        "(expected {{\"version\":1,\"findings\":[...]}})",
        path);
    return false;
  }
  std::vector<Finding> findings;
  for (const nlohmann::json& f : doc["findings"]) {
    if (!f.is_object()) continue;
    Finding x;
    x.rule = text_field(f, "rule");
    x.severity = text_field(f, "severity");
    x.file = text_field(f, "file");
    x.symbol = text_field(f, "symbol");
    x.mangled = text_field(f, "mangled");
    x.message = text_field(f, "message");
    if (auto it = f.find("line"); it != f.end() && it->is_number_integer()) x.line = it->get<int>();
    findings.push_back(std::move(x));
  }
  *out = std::move(findings);
  return true;
}

std::vector<Finding> per_worker_errors(const std::vector<Finding>& findings) {
  std::vector<Finding> out;
  for (const Finding& f : findings)
    if (f.rule == "forksafe-per-worker-state" && f.severity == "error") out.push_back(f);
  return out;
}

std::string name_findings(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& f : findings) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} ({}:{})", f.symbol.empty() ? f.mangled : f.symbol, base_name(f.file),
                       f.line);
  }
  return out;
}

}  // namespace forksafe::serve::verify
