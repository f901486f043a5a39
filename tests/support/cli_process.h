#pragma once
// Running counterscope-cli from a test as a user would: a child process with its standard output and error
// in files (LOG and LOG.err), so that a test can read the JSON a command prints and show its log on failure.

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace counterscope::testing {

/// Starts `args` (args[0] is the program's path) with stdout in `log` and stderr in `log`.err; returns its pid.
inline pid_t spawn(const std::vector<std::string>& args, const std::filesystem::path& log) {
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv;
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    FILE* out = std::freopen(log.c_str(), "w", stdout);
    FILE* err = std::freopen((log.string() + ".err").c_str(), "w", stderr);
    (void)out;
    (void)err;
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

/// Waits for `pid`; its exit code, or 128 + the signal that ended it.
inline int wait_exit_code(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/// Runs `args` to the end; its exit code.
inline int run_to_end(const std::vector<std::string>& args, const std::filesystem::path& log) {
  return wait_exit_code(spawn(args, log));
}

/// The whole text of a file ("" when it cannot be read), for failure messages.
inline std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace counterscope::testing
