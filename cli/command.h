#pragma once
// Subcommands of counterscope-cli. Each command lives in its own file and registers itself with
// CommandRegistrar at static-initialisation time (the command files are an OBJECT library, so none is
// dropped by the linker).

#include <functional>
#include <string>
#include <vector>

namespace counterscope::cli {

/// Exit codes shared by all commands.
enum ExitCode : int {
  exit_ok = 0,
  exit_failure = 1,    ///< the work failed (bad input file, I/O error, ...)
  exit_usage = 2,      ///< bad command line
  exit_cancelled = 130 ///< interrupted (SIGINT)
};

struct Command {
  std::string name;     ///< e.g. "synth" or "dataset stats" (words separated by one space)
  std::string summary;  ///< one line for `counterscope-cli --help`
  /// Runs with the arguments after the command's name. Throws UsageError for bad command lines; any
  /// other exception is reported as a failure.
  std::function<int(const std::vector<std::string>& args)> run;
};

/// All registered commands, sorted by name.
std::vector<Command>& command_registry();

struct CommandRegistrar {
  explicit CommandRegistrar(Command command);
};

/// Shared by commands: applies --threads (0 = all cores) to LibTorch and returns the count in force.
int apply_thread_option(int threads);

}  // namespace counterscope::cli
