// A real editor against forksafe-check --lsp: headless Neovim from Debian (`neovim`, installed by
// scripts/setup.sh) runs lsp_nvim_test.lua, which starts the server with Neovim's own LSP client
// on a project with a compile_commands.json, and writes what it saw to a file checked here.
#include <gtest/gtest.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Program.h>

#include <string>

#include "test_util.h"

namespace {

using forksafe::test::TempDir;

TEST(CheckLspNeovim, DiagnosticsAndQuickFixInARealEditor) {
  auto nvim = llvm::sys::findProgramByName("nvim");
  ASSERT_TRUE(nvim) << "nvim not found: install Debian's neovim (scripts/setup.sh)";
  TempDir dir;
  std::string app = dir.file("src/app.cpp",
                             "#include <forksafe/annotations.hpp>\n"
                             "\n"
                             "int g_hits = 0;\n"
                             "\n"
                             "FORKSAFE_HANDLER void handle() { ++g_hits; }\n");
  forksafe::test::writeCompileCommands(dir, {app});
  std::string out = dir.path() + "/nvim-result.txt";
  std::string init = std::string(FORKSAFE_LSP_TEST_DIR) + "/lsp_nvim_test.lua";
  // The home and state directories are the test's own: no user configuration, no shada.
  std::vector<std::string> env = {
      "FORKSAFE_LSP_CMD=" FORKSAFE_CHECK_BINARY "\t--lsp",
      "FORKSAFE_LSP_FILE=" + app,
      "FORKSAFE_LSP_OUT=" + out,
      "FORKSAFE_CACHE_DIR=" + dir.path() + "/cache",
      "HOME=" + dir.path(),
      "XDG_CONFIG_HOME=" + dir.path() + "/config",
      "XDG_STATE_HOME=" + dir.path() + "/state",
      "XDG_DATA_HOME=" + dir.path() + "/data",
      "XDG_CACHE_HOME=" + dir.path() + "/xdg-cache",
  };
  auto run =
      forksafe::test::runProcess({*nvim, "--headless", "--clean", "-u", init}, dir.path(), 90, env);
  auto result = llvm::MemoryBuffer::getFile(out);
  ASSERT_TRUE(result) << "no result file; nvim status " << run.status << "\n" << run.out << run.err;
  std::string text = (*result)->getBuffer().str();
  EXPECT_FALSE(run.timed_out) << text;
  EXPECT_EQ(run.status, 0) << text << run.err;
  // The diagnostic at g_hits' declaration (line 3, column 5), with its rule and documentation.
  EXPECT_NE(text.find("diagnostic 3:5 forksafe-per-worker-state "), std::string::npos) << text;
  EXPECT_NE(text.find("docs/checks/forksafe-per-worker-state.md"), std::string::npos) << text;
  EXPECT_NE(text.find("applied 1\n"), std::string::npos) << text;
  // The first quick fix declares the intent: the declaration is marked FORKSAFE_PER_WORKER.
  EXPECT_NE(text.find("line FORKSAFE_PER_WORKER int g_hits"), std::string::npos) << text;
  // The per-worker finding went; the race between threads (another rule) stays.
  size_t after = text.find("\nafter ");
  ASSERT_NE(after, std::string::npos) << text;
  std::string remaining = text.substr(after, text.find('\n', after + 1) - after);
  EXPECT_EQ(remaining.find("forksafe-per-worker-state"), std::string::npos) << text;
  // (on the same declaration, now after the 20 characters of "FORKSAFE_PER_WORKER ")
  EXPECT_NE(remaining.find("3:25 forksafe-unsynchronized-state"), std::string::npos) << text;
  EXPECT_NE(text.find("exit 0\n"), std::string::npos) << "server exit status:\n" << text;
}

}  // namespace
