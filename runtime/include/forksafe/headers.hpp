// Case-insensitive HTTP header list shared by Request and Response (order and duplicates kept).
#ifndef FORKSAFE_HEADERS_HPP
#define FORKSAFE_HEADERS_HPP

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace forksafe {

/// ASCII case-insensitive comparison; header names are ASCII tokens (RFC 9110 §5.1).
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

/// A small ordered multimap: requests carry few headers, so a vector beats a hash map.
class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  /// First value of `name`, or `fallback` when absent.
  std::string_view get(std::string_view name, std::string_view fallback = {}) const {
    for (const auto& f : fields_)
      if (iequals(f.first, name)) return f.second;
    return fallback;
  }
  bool has(std::string_view name) const {
    for (const auto& f : fields_)
      if (iequals(f.first, name)) return true;
    return false;
  }
  std::size_t count(std::string_view name) const {
    std::size_t n = 0;
    for (const auto& f : fields_)
      if (iequals(f.first, name)) ++n;
    return n;
  }
  /// Appends a field (repeated fields such as Set-Cookie stay separate).
  void add(std::string name, std::string value) {
    fields_.emplace_back(std::move(name), std::move(value));
  }
  /// Replaces every field called `name` with a single one.
  void set(std::string name, std::string value) {
    remove(name);
    add(std::move(name), std::move(value));
  }
  void remove(std::string_view name) {
    std::vector<Field> kept;
    kept.reserve(fields_.size());
    for (auto& f : fields_)
      if (!iequals(f.first, name)) kept.push_back(std::move(f));
    fields_.swap(kept);
  }
  void clear() { fields_.clear(); }
  std::size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  std::vector<Field>::const_iterator begin() const { return fields_.begin(); }
  std::vector<Field>::const_iterator end() const { return fields_.end(); }
  /// Mutable access to the last field, used by the parser to extend a value split across reads.
  Field& back() { return fields_.back(); }

 private:
  std::vector<Field> fields_;
};

}  // namespace forksafe

#endif  // FORKSAFE_HEADERS_HPP
