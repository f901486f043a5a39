#include "cli/args.h"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <algorithm>

namespace counterscope::cli {

ArgParser::ArgParser(std::string command, std::string summary)
    : m_command(std::move(command)), m_summary(std::move(summary)) {
  flag("help", "show this help and exit");
}

ArgParser& ArgParser::option(const std::string& name, const std::string& value_name, const std::string& help,
                             std::optional<std::string> default_value, bool required) {
  m_specs.push_back(Spec{name, value_name, help, std::move(default_value), required, false, false});
  return *this;
}

ArgParser& ArgParser::multi_option(const std::string& name, const std::string& value_name,
                                   const std::string& help, bool required) {
  m_specs.push_back(Spec{name, value_name, help, std::nullopt, required, false, true});
  return *this;
}

ArgParser& ArgParser::flag(const std::string& name, const std::string& help) {
  m_specs.push_back(Spec{name, "", help, std::nullopt, false, true, false});
  return *this;
}

ArgParser& ArgParser::positionals(const std::string& usage, const std::string& help) {
  m_accepts_positionals = true;
  m_positional_usage = usage;
  m_positional_help = help;
  return *this;
}

const ArgParser::Spec& ArgParser::spec(const std::string& name) const {
  for (const Spec& s : m_specs)
    if (s.name == name) return s;
  throw std::logic_error("ArgParser: option --" + name + " was never declared");
}

bool ArgParser::parse(const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      if (!m_accepts_positionals) throw UsageError("unexpected argument '" + arg + "'");
      m_positional.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const Spec* found = nullptr;
    for (const Spec& s : m_specs)
      if (s.name == name) found = &s;
    if (!found) throw UsageError("unknown option --" + name);
    if (found->is_flag) {
      if (inline_value) throw UsageError("option --" + name + " takes no value");
      m_values[name] = {"1"};
      continue;
    }
    auto& values = m_values[name];
    if (!found->multi) values.clear();
    if (inline_value) {
      values.push_back(*inline_value);
    } else if (found->multi) {
      std::size_t taken = 0;
      while (i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0) {
        values.push_back(args[++i]);
        ++taken;
      }
      if (taken == 0) throw UsageError("option --" + name + " needs at least one " + found->value_name);
    } else {
      if (i + 1 >= args.size()) throw UsageError("option --" + name + " needs a value (" + found->value_name + ")");
      values.push_back(args[++i]);
    }
  }
  if (get_flag("help")) {
    std::cout << usage();
    return false;
  }
  for (const Spec& s : m_specs)
    if (s.required && !has(s.name)) throw UsageError("missing required option --" + s.name);
  return true;
}

std::string ArgParser::usage() const {
  std::ostringstream out;
  out << "usage: counterscope-cli " << m_command;
  for (const Spec& s : m_specs) {
    if (s.name == "help") continue;
    std::string item = "--" + s.name + (s.is_flag ? "" : " " + s.value_name + (s.multi ? "..." : ""));
    out << " " << (s.required ? item : "[" + item + "]");
  }
  if (m_accepts_positionals) out << " " << m_positional_usage;
  out << "\n\n" << m_summary << "\n\noptions:\n";
  for (const Spec& s : m_specs) {
    std::string left = "  --" + s.name + (s.is_flag ? "" : " " + s.value_name);
    out << left;
    out << std::string(left.size() < 30 ? 30 - left.size() : 1, ' ') << s.help;
    if (s.default_value) out << " (default: " << *s.default_value << ")";
    if (s.required) out << " (required)";
    out << "\n";
  }
  if (m_accepts_positionals) out << "  " << m_positional_usage << "  " << m_positional_help << "\n";
  return out.str();
}

bool ArgParser::has(const std::string& name) const { return m_values.count(name) > 0; }

std::optional<std::string> ArgParser::get_optional(const std::string& name) const {
  const Spec& s = spec(name);
  if (auto it = m_values.find(name); it != m_values.end() && !it->second.empty()) return it->second.back();
  return s.default_value;
}

std::string ArgParser::get(const std::string& name) const {
  auto value = get_optional(name);
  if (!value) throw UsageError("missing option --" + name);
  return *value;
}

std::vector<std::string> ArgParser::get_all(const std::string& name) const {
  spec(name);
  if (auto it = m_values.find(name); it != m_values.end()) return it->second;
  return {};
}

long long ArgParser::get_int64(const std::string& name) const {
  const std::string text = get(name);
  errno = 0;
  char* end = nullptr;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE)
    throw UsageError("option --" + name + " = '" + text + "': expected an integer");
  return value;
}

int ArgParser::get_int(const std::string& name) const {
  const long long value = get_int64(name);
  if (value < INT32_MIN || value > INT32_MAX)
    throw UsageError("option --" + name + " = " + std::to_string(value) + ": out of range");
  return static_cast<int>(value);
}

double ArgParser::get_double(const std::string& name) const {
  const std::string text = get(name);
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(value))
    throw UsageError("option --" + name + " = '" + text + "': expected a finite number");
  return value;
}

bool ArgParser::get_flag(const std::string& name) const {
  spec(name);
  return m_values.count(name) > 0;
}

}  // namespace counterscope::cli
