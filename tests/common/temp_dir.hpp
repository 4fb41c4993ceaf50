// The test trees' one temporary directory and file reader (forksafe-check and forksafe-serve
// tests).
#ifndef FORKSAFE_TESTS_COMMON_TEMP_DIR_HPP
#define FORKSAFE_TESTS_COMMON_TEMP_DIR_HPP

#include <string>

namespace fstest {

/// A fresh directory under $TMPDIR (default /tmp), removed with everything in it when the test
/// ends.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  /// The path of `name` inside the directory (nothing is created).
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  /// Writes `text` to `rel` inside the directory, creating parent folders; returns its path.
  std::string file(const std::string& rel, const std::string& text) const;

 private:
  std::string path_;
};

/// The whole content of `path` (binary-safe); empty when it cannot be read.
std::string read_file(const std::string& path);
/// Writes `text` to `path`, replacing it; false when it cannot be written.
bool write_file(const std::string& path, const std::string& text);
/// How many lines of the file at `path` contain `needle`.
int count_lines_with(const std::string& path, const std::string& needle);

}  // namespace fstest

#endif  // FORKSAFE_TESTS_COMMON_TEMP_DIR_HPP
