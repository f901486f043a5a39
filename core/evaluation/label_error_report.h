#pragma once
// Text, JSON and CSV forms of a label-error ranking and of its check against known errors.

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "core/data/lvis/dataset.h"
#include "core/evaluation/label_errors.h"

namespace counterscope::evaluation {

/// Settings, warnings and the candidates (rank, issue, score, image, annotation, categories, boxes, evidence);
/// with `check`, its figures and each candidate's "known" flag.
nlohmann::json label_errors_to_json(const LabelErrorRanking& ranking, const data::Dataset& dataset,
                                    const RankingCheck* check = nullptr);
/// One CSV row per candidate: rank, issue, score, image_id, annotation_id, category, suggested_category, box
/// x/y/w/h, suggested box x/y/w/h, detection, iou[, known (1/0) with a check].
std::string label_errors_to_csv(const LabelErrorRanking& ranking, const data::Dataset& dataset,
                                const RankingCheck* check = nullptr);
/// The `top` best candidates, one line each.
std::string format_label_errors(const LabelErrorRanking& ranking, const data::Dataset& dataset, std::size_t top = 10);
/// Precision@k / recall@k, recall per issue and the ranking's average precision.
std::string format_ranking_check(const RankingCheck& check);

}  // namespace counterscope::evaluation
