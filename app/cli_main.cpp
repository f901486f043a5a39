// counterscope-cli: the batch side of Counterscope. Dispatches to the registered subcommands.

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/command.h"
#include "core/util/error.h"

namespace {

void print_overview() {
  std::cout << "usage: counterscope-cli <command> [options]\n\n"
               "Counterfactual error inspection for long-tailed instance segmentation (LVIS).\n\ncommands:\n";
  for (const auto& command : counterscope::cli::command_registry()) {
    std::string left = "  " + command.name;
    std::cout << left << std::string(left.size() < 24 ? 24 - left.size() : 1, ' ') << command.summary << "\n";
  }
  std::cout << "\nRun 'counterscope-cli <command> --help' for a command's options.\n";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace counterscope::cli;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_overview();
    return args.empty() ? exit_usage : exit_ok;
  }
  if (args[0] == "--version") {
    std::cout << "counterscope-cli " << COUNTERSCOPE_VERSION << "\n";
    return exit_ok;
  }
  // Longest match first, so "dataset stats" wins over a hypothetical "dataset".
  const Command* chosen = nullptr;
  std::size_t words_used = 0;
  for (const auto& command : command_registry()) {
    std::vector<std::string> words;
    for (std::size_t start = 0, end; start <= command.name.size(); start = end + 1) {
      end = command.name.find(' ', start);
      if (end == std::string::npos) end = command.name.size();
      words.push_back(command.name.substr(start, end - start));
    }
    if (words.size() > args.size() || words.size() <= words_used) continue;
    if (std::equal(words.begin(), words.end(), args.begin())) {
      chosen = &command;
      words_used = words.size();
    }
  }
  if (!chosen) {
    std::cerr << "counterscope-cli: unknown command '" << args[0] << "'\n";
    print_overview();
    return exit_usage;
  }
  std::vector<std::string> rest(args.begin() + static_cast<long>(words_used), args.end());
  try {
    return chosen->run(rest);
  } catch (const UsageError& error) {
    std::cerr << "counterscope-cli " << chosen->name << ": " << error.what() << "\n"
              << "Run 'counterscope-cli " << chosen->name << " --help' for its options.\n";
    return exit_usage;
  } catch (const counterscope::Cancelled&) {
    std::cerr << "counterscope-cli " << chosen->name << ": cancelled\n";
    return exit_cancelled;
  } catch (const std::exception& error) {
    std::cerr << "counterscope-cli " << chosen->name << ": error: " << error.what() << "\n";
    return exit_failure;
  }
}
