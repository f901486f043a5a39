#include "core/evaluation/evaluation_report.h"

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/util/error.h"

namespace counterscope::evaluation {
namespace {

std::string format(const char* pattern, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), pattern, value);
  return buffer;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string number(double value) { return format("%.17g", value); }

}  // namespace

nlohmann::json metrics_to_json(const EvaluationResult& result) {
  auto json = nlohmann::json::object();
  for (const auto& [key, value] : result.metrics.named(result.max_detections_per_image)) json[key] = value;
  return json;
}

std::string format_metrics_table(const EvaluationResult& result) {
  // lvis-api: " {:<18} {} @[ IoU={:<9} | area={:>6s} | maxDets={:>3d} catIds={:>3s}] = {:0.3f}"
  std::string table;
  const auto& thresholds = iou_thresholds();
  for (const auto& [key, value] : result.metrics.named(result.max_detections_per_image)) {
    const bool precision = key.find("AP") != std::string::npos;
    std::string iou;
    if (key.size() > 2 && std::isdigit(static_cast<unsigned char>(key[2]))) {
      iou = format("%0.2f", std::stod(key.substr(2)) / 100.0);
    } else {
      iou = format("%0.2f", thresholds.front()) + ":" + format("%0.2f", thresholds.back());
    }
    std::string group = "all", area = "all";
    if (key.size() > 2 && (key[2] == 'r' || key[2] == 'c' || key[2] == 'f')) group = std::string(1, key[2]);
    if (key.size() > 2 && (key[2] == 's' || key[2] == 'm' || key[2] == 'l')) area = std::string(1, key[2]);
    char line[256];
    std::snprintf(line, sizeof(line), " %-18s %s @[ IoU=%-9s | area=%6s | maxDets=%3d catIds=%3s] = %0.3f\n",
                  precision ? "Average Precision" : "Average Recall", precision ? "(AP)" : "(AR)", iou.c_str(),
                  area.c_str(), result.max_detections_per_image, group.c_str(), value);
    table += line;
  }
  return table;
}

void write_text_file(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw Error("cannot write " + path + ": cannot open " + temporary);
    out << text;
    out.flush();
    if (!out) throw Error("cannot write " + path + ": write failed");
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) throw Error("cannot write " + path + ": " + error.message());
}

void write_per_category_csv(const std::vector<const EvaluationResult*>& results, const std::string& path) {
  std::string csv = "iou_type,category_id,name,frequency,truths,detections,AP,AP50,AP75,APs,APm,APl,AR\n";
  for (const auto* result : results) {
    for (const auto& c : result->categories) {
      csv += std::string(iou_type_name(result->iou_type)) + "," + std::to_string(c.category_id) + "," +
             csv_field(c.name) + "," + data::frequency_name(c.frequency) + "," + std::to_string(c.truth_count) +
             "," + std::to_string(c.detection_count) + "," + number(c.ap) + "," + number(c.ap50) + "," +
             number(c.ap75) + "," + number(c.ap_small) + "," + number(c.ap_medium) + "," + number(c.ap_large) +
             "," + number(c.ar) + "\n";
    }
  }
  write_text_file(path, csv);
}

namespace {

nlohmann::json summary_to_json(const ErrorSummary& summary) {
  auto dap = nlohmann::json::object();
  auto counts = nlohmann::json::object();
  for (std::size_t e = 0; e < error_type_count; ++e) {
    dap[error_type_name(static_cast<ErrorType>(e))] = summary.dap[e];
    counts[error_type_name(static_cast<ErrorType>(e))] = summary.count[e];
  }
  return {{"AP", summary.ap},
          {"categories", summary.category_count},
          {"true_positives", summary.true_positives},
          {"dAP", dap},
          {"counts", counts}};
}

}  // namespace

nlohmann::json error_analysis_to_json(const ErrorAnalysis& analysis, const data::Dataset& dataset) {
  nlohmann::json json;
  json["iou_type"] = iou_type_name(analysis.iou_type);
  json["foreground_iou"] = analysis.options.foreground_iou;
  json["background_iou"] = analysis.options.background_iou;
  json["overall"] = summary_to_json(analysis.overall);
  json["rare"] = summary_to_json(analysis.by_frequency[0]);
  json["common"] = summary_to_json(analysis.by_frequency[1]);
  json["frequent"] = summary_to_json(analysis.by_frequency[2]);
  auto detections = nlohmann::json::array();
  for (const auto& d : analysis.detections) {
    nlohmann::json entry{{"detection", d.detection},
                         {"image_id", d.image_id},
                         {"category_id", d.category_id},
                         {"score", d.score},
                         {"label", detection_label_name(d.label)},
                         {"iou", d.iou}};
    entry["annotation_id"] = d.truth >= 0 ? nlohmann::json(dataset.annotations[static_cast<std::size_t>(d.truth)].id)
                                          : nlohmann::json(nullptr);
    detections.push_back(std::move(entry));
  }
  json["detections"] = std::move(detections);
  auto truths = nlohmann::json::array();
  for (const auto& t : analysis.truths) {
    nlohmann::json entry{{"annotation_id", t.annotation_id},
                         {"image_id", t.image_id},
                         {"category_id", t.category_id},
                         {"label", truth_label_name(t.label)}};
    entry["detection"] = t.detection >= 0 ? nlohmann::json(t.detection) : nlohmann::json(nullptr);
    truths.push_back(std::move(entry));
  }
  json["ground_truths"] = std::move(truths);
  return json;
}

std::string format_error_table(const ErrorAnalysis& analysis) {
  std::string table;
  char line[256];
  std::snprintf(line, sizeof(line), " TIDE errors (%s, foreground IoU %.2f, background IoU %.2f), dAP:\n",
                iou_type_name(analysis.iou_type), analysis.options.foreground_iou, analysis.options.background_iou);
  table += line;
  std::snprintf(line, sizeof(line), " %-6s %9s %9s %9s %9s %9s\n", "type", "all", "rare", "common", "frequent",
                "count");
  table += line;
  std::snprintf(line, sizeof(line), " %-6s %9.4f %9.4f %9.4f %9.4f %9zu\n", "AP", analysis.overall.ap,
                analysis.by_frequency[0].ap, analysis.by_frequency[1].ap, analysis.by_frequency[2].ap,
                analysis.overall.true_positives);
  table += line;
  for (std::size_t e = 0; e < error_type_count; ++e) {
    std::snprintf(line, sizeof(line), " %-6s %9.4f %9.4f %9.4f %9.4f %9zu\n", error_type_name(static_cast<ErrorType>(e)),
                  analysis.overall.dap[e], analysis.by_frequency[0].dap[e], analysis.by_frequency[1].dap[e],
                  analysis.by_frequency[2].dap[e], analysis.overall.count[e]);
    table += line;
  }
  return table;
}

}  // namespace counterscope::evaluation
