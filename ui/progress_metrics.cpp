#include "ui/progress_metrics.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace counterscope::ui {

namespace {

bool parse_number(const std::string& token, double& value) {
  if (token.empty()) return false;
  char* end = nullptr;
  value = std::strtod(token.c_str(), &end);
  return end == token.c_str() + token.size() && std::isfinite(value);
}

bool is_name(const std::string& token) {
  return !token.empty() && std::isalpha(static_cast<unsigned char>(token.front())) != 0;
}

}  // namespace

std::vector<std::pair<std::string, double>> parse_progress_metrics(const std::string& message) {
  std::vector<std::string> tokens;
  std::istringstream stream(message);
  for (std::string token; stream >> token;) tokens.push_back(token);
  std::vector<std::pair<std::string, double>> metrics;
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    double value = 0;
    if (is_name(tokens[i]) && parse_number(tokens[i + 1], value)) {
      metrics.emplace_back(tokens[i], value);
      ++i;
    } else if (tokens[i + 1] == "s/it" && parse_number(tokens[i], value)) {
      metrics.emplace_back("s/it", value);
      ++i;
    }
  }
  return metrics;
}

}  // namespace counterscope::ui
