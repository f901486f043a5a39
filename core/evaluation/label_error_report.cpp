#include "core/evaluation/label_error_report.h"

#include <cstdio>

#include <nlohmann/json.hpp>

namespace counterscope::evaluation {
namespace {

std::string category_name(const data::Dataset& dataset, std::int64_t id) {
  const auto index = dataset.category_index(id);
  return index ? dataset.categories[*index].name : std::to_string(id);
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

std::string number(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.10g", value);
  return buffer;
}

std::string box_csv(const data::BoxXywh& b) {
  return number(b.x) + "," + number(b.y) + "," + number(b.w) + "," + number(b.h);
}

nlohmann::json check_to_json(const RankingCheck& check) {
  nlohmann::json json;
  json["known"] = check.known;
  json["candidates"] = check.candidates;
  json["found"] = check.found;
  json["average_precision"] = check.average_precision;
  auto at = nlohmann::json::array();
  for (std::size_t i = 0; i < check.ks.size(); ++i) {
    at.push_back({{"k", check.ks[i]}, {"precision", check.precision_at[i]}, {"recall", check.recall_at[i]}});
  }
  json["at_k"] = std::move(at);
  auto issues = nlohmann::json::object();
  for (std::size_t i = 0; i < label_issue_count; ++i) {
    issues[label_issue_name(static_cast<LabelIssue>(i))] = {{"known", check.known_by_issue[i]},
                                                            {"found", check.found_by_issue[i]},
                                                            {"found_with_issue", check.found_with_issue[i]}};
  }
  json["by_issue"] = std::move(issues);
  return json;
}

}  // namespace

nlohmann::json label_errors_to_json(const LabelErrorRanking& ranking, const data::Dataset& dataset,
                                    const RankingCheck* check) {
  nlohmann::json json;
  json["match_iou"] = ranking.options.match_iou;
  json["loose_iou"] = ranking.options.loose_iou;
  json["min_score"] = ranking.options.min_score;
  json["warnings"] = ranking.warnings;
  if (check) json["check"] = check_to_json(*check);
  auto candidates = nlohmann::json::array();
  for (std::size_t r = 0; r < ranking.candidates.size(); ++r) {
    const auto& c = ranking.candidates[r];
    nlohmann::json entry{{"rank", r + 1},
                         {"issue", label_issue_name(c.issue)},
                         {"score", c.score},
                         {"image_id", c.image_id},
                         {"category_id", c.category_id},
                         {"category", category_name(dataset, c.category_id)},
                         {"suggested_category_id", c.suggested_category_id},
                         {"suggested_category", category_name(dataset, c.suggested_category_id)},
                         {"bbox", {c.box.x, c.box.y, c.box.w, c.box.h}},
                         {"suggested_bbox", {c.suggested_box.x, c.suggested_box.y, c.suggested_box.w, c.suggested_box.h}},
                         {"detection", c.detection},
                         {"iou", c.iou}};
    entry["annotation_id"] = c.annotation_id >= 0 ? nlohmann::json(c.annotation_id) : nlohmann::json(nullptr);
    if (check) entry["known"] = check->known_of_candidate[r] >= 0;
    candidates.push_back(std::move(entry));
  }
  json["candidates"] = std::move(candidates);
  return json;
}

std::string label_errors_to_csv(const LabelErrorRanking& ranking, const data::Dataset& dataset,
                                const RankingCheck* check) {
  std::string csv =
      "rank,issue,score,image_id,annotation_id,category,suggested_category,x,y,w,h,suggested_x,suggested_y,"
      "suggested_w,suggested_h,detection,iou";
  csv += check ? ",known\n" : "\n";
  for (std::size_t r = 0; r < ranking.candidates.size(); ++r) {
    const auto& c = ranking.candidates[r];
    csv += std::to_string(r + 1) + "," + label_issue_name(c.issue) + "," + number(c.score) + "," +
           std::to_string(c.image_id) + "," + (c.annotation_id >= 0 ? std::to_string(c.annotation_id) : "") + "," +
           csv_field(category_name(dataset, c.category_id)) + "," +
           csv_field(category_name(dataset, c.suggested_category_id)) + "," + box_csv(c.box) + "," +
           box_csv(c.suggested_box) + "," + std::to_string(c.detection) + "," + number(c.iou);
    if (check) csv += check->known_of_candidate[r] >= 0 ? ",1" : ",0";
    csv += "\n";
  }
  return csv;
}

std::string format_label_errors(const LabelErrorRanking& ranking, const data::Dataset& dataset, std::size_t top) {
  std::string text;
  char line[512];
  std::snprintf(line, sizeof(line), " Label-error candidates: %zu (missing, swapped, mislocated; boxes)\n",
                ranking.candidates.size());
  text += line;
  for (std::size_t r = 0; r < ranking.candidates.size() && r < top; ++r) {
    const auto& c = ranking.candidates[r];
    std::string what;
    if (c.issue == LabelIssue::missing) {
      what = "no annotation of the " + category_name(dataset, c.category_id) + " the model sees";
    } else if (c.issue == LabelIssue::swapped) {
      what = "annotation " + std::to_string(c.annotation_id) + " says " + category_name(dataset, c.category_id) +
             ", the model says " + category_name(dataset, c.suggested_category_id);
    } else {
      what = "annotation " + std::to_string(c.annotation_id) + " (" + category_name(dataset, c.category_id) +
             ") overlaps the model's box only at IoU " + number(c.iou);
    }
    std::snprintf(line, sizeof(line), "  %4zu %-10s %.3f image %lld: %s\n", r + 1, label_issue_name(c.issue), c.score,
                  static_cast<long long>(c.image_id), what.c_str());
    text += line;
  }
  return text;
}

std::string format_ranking_check(const RankingCheck& check) {
  std::string text;
  char line[256];
  std::snprintf(line, sizeof(line), " Against %zu known errors: %zu found among %zu candidates, average precision %.4f\n",
                check.known, check.found, check.candidates, check.average_precision);
  text += line;
  text += "      k  precision@k  recall@k\n";
  for (std::size_t i = 0; i < check.ks.size(); ++i) {
    std::snprintf(line, sizeof(line), " %6zu  %11.4f  %8.4f\n", check.ks[i], check.precision_at[i], check.recall_at[i]);
    text += line;
  }
  for (std::size_t i = 0; i < label_issue_count; ++i) {
    if (check.known_by_issue[i] == 0) continue;
    std::snprintf(line, sizeof(line), " %-10s recall %.4f (%zu of %zu; %zu named with this issue)\n",
                  label_issue_name(static_cast<LabelIssue>(i)),
                  static_cast<double>(check.found_by_issue[i]) / static_cast<double>(check.known_by_issue[i]),
                  check.found_by_issue[i], check.known_by_issue[i], check.found_with_issue[i]);
    text += line;
  }
  return text;
}

}  // namespace counterscope::evaluation
