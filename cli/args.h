#pragma once
// A small command-line option parser for counterscope-cli subcommands: declared options with help text,
// typed getters, and usage errors that name the option and the value.

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace counterscope::cli {

/// Thrown for bad command lines; the CLI prints the message and the command's usage, exit code 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ArgParser {
 public:
  ArgParser(std::string command, std::string summary);

  /// An option that takes a value (`--name VALUE` or `--name=VALUE`). Empty default = none.
  ArgParser& option(const std::string& name, const std::string& value_name, const std::string& help,
                    std::optional<std::string> default_value = std::nullopt, bool required = false);
  /// An option that may repeat or take several values (`--images a.jpg b.jpg`): values up to the next `--`.
  ArgParser& multi_option(const std::string& name, const std::string& value_name, const std::string& help,
                          bool required = false);
  /// A boolean switch.
  ArgParser& flag(const std::string& name, const std::string& help);
  /// Positional arguments (a free-form description for the usage line).
  ArgParser& positionals(const std::string& usage, const std::string& help);

  /// Parses; returns false when --help was asked (the help has been printed to stdout).
  bool parse(const std::vector<std::string>& args);

  std::string usage() const;

  bool has(const std::string& name) const;
  std::string get(const std::string& name) const;  ///< value or default; UsageError when neither
  std::optional<std::string> get_optional(const std::string& name) const;
  std::vector<std::string> get_all(const std::string& name) const;
  int get_int(const std::string& name) const;
  long long get_int64(const std::string& name) const;
  double get_double(const std::string& name) const;
  bool get_flag(const std::string& name) const;
  const std::vector<std::string>& positional() const { return m_positional; }

 private:
  struct Spec {
    std::string name, value_name, help;
    std::optional<std::string> default_value;
    bool required = false, is_flag = false, multi = false;
  };
  const Spec& spec(const std::string& name) const;

  std::string m_command, m_summary;
  std::vector<Spec> m_specs;
  std::string m_positional_usage, m_positional_help;
  bool m_accepts_positionals = false;
  std::map<std::string, std::vector<std::string>> m_values;
  std::vector<std::string> m_positional;
};

}  // namespace counterscope::cli
