#include "core/evaluation/analysis_report.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>

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

/// A bin bound b / B, written short (0.1, not 0.10000000000000001).
std::string bound(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.10g", value);
  return buffer;
}

/// Name, id and frequency of a matrix position as the reports write them.
struct Side {
  std::string name, id, frequency;
};

Side side_of(const ConfusionMatrix& matrix, const data::Dataset& dataset, std::uint32_t position) {
  if (position >= matrix.background()) return {"background", "", ""};
  const auto id = matrix.category_ids[position];
  const auto index = dataset.category_index(id);
  return {index ? dataset.categories[*index].name : std::to_string(id), std::to_string(id),
          data::frequency_name(matrix.frequencies[position])};
}

nlohmann::json id_or_null(const ConfusionMatrix& matrix, std::uint32_t position) {
  return position >= matrix.background() ? nlohmann::json(nullptr) : nlohmann::json(matrix.category_ids[position]);
}

nlohmann::json diagram_to_json(const ReliabilityDiagram& diagram) {
  auto bins = nlohmann::json::array();
  for (const auto& bin : diagram.bins) {
    bins.push_back({{"lower", bin.lower},
                    {"upper", bin.upper},
                    {"count", bin.count},
                    {"true_positives", bin.true_positives},
                    {"mean_score", bin.mean_score},
                    {"accuracy", bin.accuracy}});
  }
  return {{"ECE", diagram.ece},         {"MCE", diagram.mce},           {"detections", diagram.count},
          {"true_positives", diagram.true_positives}, {"mean_score", diagram.mean_score},
          {"accuracy", diagram.accuracy}, {"bins", std::move(bins)}};
}

}  // namespace

const char* frequency_group_name(std::size_t group) {
  static const char* const names[] = {"rare", "common", "frequent", "unknown"};
  return group < 4 ? names[group] : "?";
}

std::string file_extension(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  if (!extension.empty() && extension[0] == '.') extension.erase(0, 1);
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension;
}

std::vector<ConfusionCategoryRow> confusion_category_rows(const ConfusionMatrix& matrix) {
  const auto K = matrix.background();
  std::vector<ConfusionCategoryRow> rows(K);
  for (std::uint32_t k = 0; k < K; ++k) {
    auto& row = rows[k];
    row.position = k;
    row.most_confused_with = K;
    std::uint64_t most = 0;
    for (std::uint32_t other = 0; other <= K; ++other) {
      const auto as_truth = matrix.count(other, k);  // column k: what its ground truths became
      const auto as_prediction = matrix.count(k, other);
      row.truths += as_truth;
      row.detections += as_prediction;
      if (other == k) continue;
      if (other == K) {
        row.missed = as_truth;
        row.false_positives = as_prediction;
        continue;
      }
      row.taken_by_other += as_truth;
      row.on_other += as_prediction;
      if (as_truth > most) {
        most = as_truth;
        row.most_confused_with = other;
      }
    }
    row.true_positives = matrix.count(k, k);
  }
  return rows;
}

nlohmann::json confusion_to_json(const ConfusionMatrix& matrix, const data::Dataset& dataset, std::size_t top) {
  nlohmann::json json;
  json["iou_type"] = iou_type_name(matrix.iou_type);
  json["iou_threshold"] = matrix.iou_threshold;
  json["min_score"] = matrix.min_score;
  json["layout"] = "rows: the category the model predicted (null: background, a ground truth no detection took); "
                   "columns: the ground-truth category (null: background, a detection that took none)";
  json["ignored_detections"] = matrix.ignored_detections;
  json["below_score_detections"] = matrix.below_score_detections;
  json["warnings"] = matrix.warnings;
  auto groups = nlohmann::json::array();
  for (std::size_t g = 0; g < confusion_group_count; ++g) groups.push_back(confusion_group_name(g));
  json["groups"] = {{"names", groups}, {"matrix", matrix.grouped()}};
  auto cells = nlohmann::json::array();
  for (std::uint32_t p = 0; p <= matrix.background(); ++p) {
    for (std::uint32_t t = 0; t <= matrix.background(); ++t) {
      if (const auto count = matrix.count(p, t)) {
        cells.push_back({{"predicted_id", id_or_null(matrix, p)}, {"truth_id", id_or_null(matrix, t)}, {"count", count}});
      }
    }
  }
  json["cells"] = std::move(cells);
  auto confusions = nlohmann::json::array();
  for (const auto& c : matrix.top_confusions(top)) {
    confusions.push_back({{"truth_id", matrix.category_ids[c.truth]},
                          {"truth", side_of(matrix, dataset, c.truth).name},
                          {"predicted_id", matrix.category_ids[c.predicted]},
                          {"predicted", side_of(matrix, dataset, c.predicted).name},
                          {"count", c.count}});
  }
  json["top_confusions"] = std::move(confusions);
  auto categories = nlohmann::json::array();
  for (const auto& row : confusion_category_rows(matrix)) {
    const auto side = side_of(matrix, dataset, row.position);
    categories.push_back({{"id", matrix.category_ids[row.position]},
                          {"name", side.name},
                          {"frequency", side.frequency},
                          {"truths", row.truths},
                          {"true_positives", row.true_positives},
                          {"taken_by_other", row.taken_by_other},
                          {"missed", row.missed},
                          {"detections", row.detections},
                          {"on_other", row.on_other},
                          {"false_positives", row.false_positives},
                          {"most_confused_with", id_or_null(matrix, row.most_confused_with)}});
  }
  json["per_category"] = std::move(categories);
  auto instances = nlohmann::json::array();
  for (const auto& i : matrix.instances) {
    if (i.predicted == i.truth || i.predicted >= matrix.background() || i.truth >= matrix.background()) continue;
    instances.push_back({{"image_id", i.image_id},
                         {"annotation_id", dataset.annotations[static_cast<std::size_t>(i.annotation)].id},
                         {"truth_id", matrix.category_ids[i.truth]},
                         {"predicted_id", matrix.category_ids[i.predicted]},
                         {"detection", i.detection},
                         {"score", i.score},
                         {"iou", i.iou}});
  }
  json["confusions"] = std::move(instances);
  return json;
}

std::string confusion_to_csv(const std::vector<const ConfusionMatrix*>& matrices, const data::Dataset& dataset) {
  std::string csv = "iou_type,predicted_id,predicted,predicted_frequency,truth_id,truth,truth_frequency,count\n";
  for (const auto* matrix : matrices) {
    for (std::uint32_t p = 0; p <= matrix->background(); ++p) {
      const auto predicted = side_of(*matrix, dataset, p);
      for (std::uint32_t t = 0; t <= matrix->background(); ++t) {
        const auto count = matrix->count(p, t);
        if (count == 0) continue;
        const auto truth = side_of(*matrix, dataset, t);
        csv += std::string(iou_type_name(matrix->iou_type)) + "," + predicted.id + "," + csv_field(predicted.name) +
               "," + predicted.frequency + "," + truth.id + "," + csv_field(truth.name) + "," + truth.frequency + "," +
               std::to_string(count) + "\n";
      }
    }
  }
  return csv;
}

std::string format_confusion_summary(const ConfusionMatrix& matrix, const data::Dataset& dataset, std::size_t top) {
  std::string text;
  char line[512];
  std::snprintf(line, sizeof(line),
                " Confusion matrix (%s, IoU >= %.2f, score >= %.2f): rows predicted, columns ground truth; "
                "%llu instances, %zu ignored (not exhaustive), %zu below the score\n",
                iou_type_name(matrix.iou_type), matrix.iou_threshold, matrix.min_score,
                static_cast<unsigned long long>(matrix.total()),
                matrix.ignored_detections, matrix.below_score_detections);
  text += line;
  const auto grouped = matrix.grouped();
  std::snprintf(line, sizeof(line), " %-12s", "pred \\ truth");
  text += line;
  for (std::size_t g = 0; g < confusion_group_count; ++g) {
    std::snprintf(line, sizeof(line), " %11s", confusion_group_name(g));
    text += line;
  }
  text += "\n";
  for (std::size_t p = 0; p < confusion_group_count; ++p) {
    std::snprintf(line, sizeof(line), " %-12s", confusion_group_name(p));
    text += line;
    for (std::size_t t = 0; t < confusion_group_count; ++t) {
      std::snprintf(line, sizeof(line), " %11llu", static_cast<unsigned long long>(grouped[p][t]));
      text += line;
    }
    text += "\n";
  }
  const auto confusions = matrix.top_confusions(top);
  text += confusions.empty() ? " No confusion between two categories.\n" : " Top confusions (truth -> predicted):\n";
  for (const auto& c : confusions) {
    std::snprintf(line, sizeof(line), "   %s -> %s  %llu %s\n", side_of(matrix, dataset, c.truth).name.c_str(),
                  side_of(matrix, dataset, c.predicted).name.c_str(), static_cast<unsigned long long>(c.count),
                  c.count == 1 ? "time" : "times");
    text += line;
  }
  return text;
}

nlohmann::json calibration_to_json(const Calibration& calibration) {
  nlohmann::json json;
  json["iou_type"] = iou_type_name(calibration.iou_type);
  json["iou_threshold"] = calibration.options.iou_threshold;
  json["bins"] = calibration.options.bins;
  json["ignored_detections"] = calibration.ignored_detections;
  json["warnings"] = calibration.warnings;
  json["overall"] = diagram_to_json(calibration.overall);
  for (std::size_t g = 0; g < 4; ++g) json[frequency_group_name(g)] = diagram_to_json(calibration.by_frequency[g]);
  return json;
}

std::string calibration_to_csv(const std::vector<const Calibration*>& calibrations) {
  std::string csv = "iou_type,group,bin,lower,upper,count,true_positives,mean_score,accuracy\n";
  for (const auto* calibration : calibrations) {
    auto rows = [&](const std::string& group, const ReliabilityDiagram& diagram) {
      for (std::size_t b = 0; b < diagram.bins.size(); ++b) {
        const auto& bin = diagram.bins[b];
        csv += std::string(iou_type_name(calibration->iou_type)) + "," + group + "," + std::to_string(b) + "," +
               bound(bin.lower) + "," + bound(bin.upper) + "," + std::to_string(bin.count) + "," +
               std::to_string(bin.true_positives) + "," + number(bin.mean_score) + "," + number(bin.accuracy) + "\n";
      }
    };
    rows("all", calibration->overall);
    for (std::size_t g = 0; g < 4; ++g) rows(frequency_group_name(g), calibration->by_frequency[g]);
  }
  return csv;
}

std::string format_calibration_table(const Calibration& calibration) {
  std::string text;
  char line[256];
  std::snprintf(line, sizeof(line), " Calibration (%s, true positive at IoU %.2f, %d bins):\n",
                iou_type_name(calibration.iou_type), calibration.options.iou_threshold, calibration.options.bins);
  text += line;
  std::snprintf(line, sizeof(line), " %-9s %8s %8s %11s %10s %9s\n", "group", "ECE", "MCE", "detections", "mean score",
                "accuracy");
  text += line;
  auto row = [&](const char* name, const ReliabilityDiagram& d) {
    std::snprintf(line, sizeof(line), " %-9s %8.4f %8.4f %11llu %10.4f %9.4f\n", name, d.ece, d.mce,
                  static_cast<unsigned long long>(d.count), d.mean_score, d.accuracy);
    text += line;
  };
  row("all", calibration.overall);
  for (std::size_t g = 0; g < 4; ++g) {
    if (g == 3 && calibration.by_frequency[g].count == 0) continue;  // LVIS: every category has a group
    row(frequency_group_name(g), calibration.by_frequency[g]);
  }
  return text;
}

}  // namespace counterscope::evaluation
