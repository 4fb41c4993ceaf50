// Runs a child process with a time limit and captures its output (for end-to-end tests).
#pragma once

#include <string>
#include <vector>

namespace forksafe::test {

struct ProcessResult {
  int status = -1;  // exit status, or -1 when killed or not started
  int signal = 0;   // the signal that ended the child, if one did (not our own timeout kill)
  bool timedOut = false;
  std::string out;
  std::string err;
};

// `env` entries ("NAME=value") are added to this process's environment for the child.
ProcessResult runProcess(const std::vector<std::string>& argv, const std::string& cwd = "",
                         int timeoutSeconds = 120, const std::vector<std::string>& env = {});

}  // namespace forksafe::test
