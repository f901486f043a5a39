#include "core/evaluation/model_diff_report.h"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace counterscope::evaluation {
namespace {

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string number(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.17g", value);
  return buffer;
}

/// b − a, or null when either is undefined (-1).
nlohmann::json delta(double a, double b) { return (a < 0 || b < 0) ? nlohmann::json(nullptr) : nlohmann::json(b - a); }

const char* const group_names[4] = {"overall", "rare", "common", "frequent"};

}  // namespace

nlohmann::json model_diff_to_json(const ModelDiff& diff, const std::string& name_a, const std::string& name_b) {
  nlohmann::json json;
  json["iou_type"] = iou_type_name(diff.iou_type);
  json["model_a"] = name_a;
  json["model_b"] = name_b;
  json["min_score"] = diff.options.min_score;
  json["warnings"] = diff.warnings;
  const auto named_a = diff.metrics_a.named(300), named_b = diff.metrics_b.named(300);
  auto metrics = nlohmann::json::object();
  for (std::size_t i = 0; i < named_a.size(); ++i) {
    // AR keys carry the detection limit; the diff reports them without it.
    const std::string key = named_a[i].first.substr(0, named_a[i].first.find('@'));
    metrics[key] = {{"A", named_a[i].second}, {"B", named_b[i].second}, {"delta", delta(named_a[i].second, named_b[i].second)}};
  }
  json["metrics"] = std::move(metrics);
  auto errors = nlohmann::json::object();
  for (std::size_t g = 0; g < 4; ++g) {
    const auto& ea = diff.errors_a[g];
    const auto& eb = diff.errors_b[g];
    auto types = nlohmann::json::object();
    for (std::size_t e = 0; e < error_type_count; ++e) {
      types[error_type_name(static_cast<ErrorType>(e))] = {
          {"dAP_A", ea.dap[e]},   {"dAP_B", eb.dap[e]},   {"dAP_delta", eb.dap[e] - ea.dap[e]},
          {"count_A", ea.count[e]}, {"count_B", eb.count[e]},
          {"count_delta", static_cast<long long>(eb.count[e]) - static_cast<long long>(ea.count[e])}};
    }
    errors[group_names[g]] = {{"AP50_A", ea.ap}, {"AP50_B", eb.ap}, {"AP50_delta", delta(ea.ap, eb.ap)},
                              {"types", std::move(types)}};
  }
  json["errors"] = std::move(errors);
  auto transitions = nlohmann::json::object();
  for (std::size_t from = 0; from < truth_label_count; ++from) {
    auto row = nlohmann::json::object();
    for (std::size_t to = 0; to < truth_label_count; ++to) {
      row[truth_label_name(static_cast<TruthLabel>(to))] = diff.transitions[from][to];
    }
    transitions[truth_label_name(static_cast<TruthLabel>(from))] = std::move(row);
  }
  json["truth_transitions"] = std::move(transitions);
  json["fixed"] = diff.fixed;
  json["broken"] = diff.broken;
  auto categories = nlohmann::json::array();
  for (const auto& c : diff.categories) {
    categories.push_back({{"id", c.category_id},       {"name", c.name},
                          {"frequency", data::frequency_name(c.frequency)}, {"truths", c.truths},
                          {"AP_A", c.ap_a},            {"AP_B", c.ap_b},
                          {"dAP", c.defined ? nlohmann::json(c.delta_ap) : nlohmann::json(nullptr)},
                          {"AP50_A", c.ap50_a},        {"AP50_B", c.ap50_b},
                          {"found_A", c.found_a},      {"found_B", c.found_b},
                          {"fixed", c.fixed},          {"broken", c.broken}});
  }
  json["categories"] = std::move(categories);
  auto changes = nlohmann::json::array();
  for (const auto& c : diff.changes) {
    changes.push_back({{"annotation_id", c.annotation_id},
                       {"image_id", c.image_id},
                       {"category_id", c.category_id},
                       {"change", c.fixed ? "fixed" : "broken"},
                       {"label_A", truth_label_name(c.label_a)},
                       {"label_B", truth_label_name(c.label_b)},
                       {"score_A", c.score_a},
                       {"score_B", c.score_b}});
  }
  json["changes"] = std::move(changes);
  return json;
}

std::string model_diff_to_csv(const std::vector<const ModelDiff*>& diffs) {
  std::string csv = "iou_type,category_id,name,frequency,truths,AP_A,AP_B,dAP,AP50_A,AP50_B,found_A,found_B,fixed,broken\n";
  for (const auto* diff : diffs) {
    for (const auto& c : diff->categories) {
      csv += std::string(iou_type_name(diff->iou_type)) + "," + std::to_string(c.category_id) + "," + csv_field(c.name) +
             "," + data::frequency_name(c.frequency) + "," + std::to_string(c.truths) + "," + number(c.ap_a) + "," +
             number(c.ap_b) + "," + (c.defined ? number(c.delta_ap) : std::string()) + "," + number(c.ap50_a) + "," +
             number(c.ap50_b) + "," + std::to_string(c.found_a) + "," + std::to_string(c.found_b) + "," +
             std::to_string(c.fixed) + "," + std::to_string(c.broken) + "\n";
    }
  }
  return csv;
}

std::string format_model_diff(const ModelDiff& diff, const std::string& name_a, const std::string& name_b,
                              std::size_t top) {
  std::string text;
  char line[512];
  std::snprintf(line, sizeof(line), " Model diff (%s): A = %s, B = %s\n", iou_type_name(diff.iou_type), name_a.c_str(),
                name_b.c_str());
  text += line;
  const auto& a = diff.metrics_a;
  const auto& b = diff.metrics_b;
  std::snprintf(line, sizeof(line), " %-6s %9s %9s %9s\n", "", "A", "B", "B - A");
  text += line;
  const std::pair<const char*, std::pair<double, double>> rows[] = {
      {"AP", {a.ap, b.ap}}, {"AP50", {a.ap50, b.ap50}}, {"APr", {a.ap_rare, b.ap_rare}},
      {"APc", {a.ap_common, b.ap_common}}, {"APf", {a.ap_frequent, b.ap_frequent}}};
  for (const auto& [name, values] : rows) {
    const bool defined = values.first >= 0 && values.second >= 0;
    std::snprintf(line, sizeof(line), " %-6s %9.4f %9.4f %+9.4f%s\n", name, values.first, values.second,
                  defined ? values.second - values.first : 0.0, defined ? "" : " (undefined)");
    text += line;
  }
  std::snprintf(line, sizeof(line), " instances (found = matched at IoU 0.50 with score >= %.2f): %zu fixed, %zu broken\n",
                diff.options.min_score, diff.fixed, diff.broken);
  text += line;
  std::snprintf(line, sizeof(line), " TIDE dAP (all)  %9s %9s %9s %9s %9s\n", "A", "B", "B - A", "count A", "count B");
  text += line;
  for (std::size_t e = 0; e < error_type_count; ++e) {
    std::snprintf(line, sizeof(line), " %-15s %9.4f %9.4f %+9.4f %9zu %9zu\n", error_type_name(static_cast<ErrorType>(e)),
                  diff.errors_a[0].dap[e], diff.errors_b[0].dap[e], diff.errors_b[0].dap[e] - diff.errors_a[0].dap[e],
                  diff.errors_a[0].count[e], diff.errors_b[0].count[e]);
    text += line;
  }
  std::vector<const CategoryDiff*> defined;
  for (const auto& c : diff.categories) {
    if (c.defined) defined.push_back(&c);
  }
  std::stable_sort(defined.begin(), defined.end(),
                   [](const CategoryDiff* x, const CategoryDiff* y) { return x->delta_ap > y->delta_ap; });
  auto list = [&](const char* title, auto begin, auto end, double sign) {
    text += title;
    std::size_t shown = 0;
    for (auto it = begin; it != end && shown < top; ++it, ++shown) {
      const CategoryDiff& c = **it;
      if (c.delta_ap * sign <= 0) break;
      std::snprintf(line, sizeof(line), "   %-24s %-8s AP %.4f -> %.4f (%+.4f), %u fixed, %u broken\n", c.name.c_str(),
                    data::frequency_name(c.frequency), c.ap_a, c.ap_b, c.delta_ap, c.fixed, c.broken);
      text += line;
    }
    if (shown == 0 || (begin != end && (**begin).delta_ap * sign <= 0)) text += "   (none)\n";
  };
  list(" Gained most:\n", defined.begin(), defined.end(), 1.0);
  list(" Lost most:\n", defined.rbegin(), defined.rend(), -1.0);
  return text;
}

}  // namespace counterscope::evaluation
