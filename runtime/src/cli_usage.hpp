// forksafe-serve's command line as a user meets it: --help, the man page, and one-line errors
// that name the misspelt option and what was meant, all read from the CLI11 option table.
#ifndef FORKSAFE_SERVE_CLI_USAGE_HPP
#define FORKSAFE_SERVE_CLI_USAGE_HPP

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace forksafe::serve::cli_usage {

/// --help: options grouped (in registration order of their groups), "-b, --bind ADDRESS" labels
/// from each option's option_text, wrapped descriptions with "(default: ...)".
std::string help(const CLI::App& cli);
/// The same table as a man(7) page.
std::string man(const CLI::App& cli);
/// Every long name with its dashes, aliases included.
std::vector<std::string> long_names(const CLI::App& cli);

/// Reads `args` (argv without argv[0]) the way CLI11 will and returns a one-line error for what
/// it would misreport: an unknown option (with the closest valid names), a bare --verify followed
/// by a report file, a second APP. Empty when CLI11 can take over.
std::string diagnose(const CLI::App& cli, const std::vector<std::string>& args);
/// One line for a CLI11 parse error (an unknown config-file key gets a suggestion too).
std::string reword(const CLI::App& cli, const CLI::ParseError& e);
/// The valid names closest to `typed` (one or two edits, or names it is a prefix of); empty if
/// none is close.
std::vector<std::string> closest(const std::string& typed, const std::vector<std::string>& names);

}  // namespace forksafe::serve::cli_usage

#endif  // FORKSAFE_SERVE_CLI_USAGE_HPP
