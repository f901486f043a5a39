#include "cli/command.h"

#include <algorithm>

#include "core/util/threads.h"

namespace counterscope::cli {

std::vector<Command>& command_registry() {
  static std::vector<Command> commands;
  return commands;
}

CommandRegistrar::CommandRegistrar(Command command) {
  auto& commands = command_registry();
  commands.push_back(std::move(command));
  std::sort(commands.begin(), commands.end(),
            [](const Command& a, const Command& b) { return a.name < b.name; });
}

int apply_thread_option(int threads) { return configure_torch_threads(threads); }

}  // namespace counterscope::cli
