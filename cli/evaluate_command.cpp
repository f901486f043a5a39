// `counterscope-cli evaluate --ann GT.json --results RESULTS.json [--iou-type bbox|segm|both] [--json OUT.json]
// [--per-category OUT.csv] [--errors OUT.json] [--confusion OUT.csv|json] [--calibration OUT.json|csv]
// [--compare-results B.json [--diff OUT.json|csv]] [--label-errors OUT.json|csv [--planted WORLD/label-noise.json]]
// [--threads N]`: LVIS evaluation identical to lvis-api, with per-category AP, TIDE-style error analysis, the
// federated confusion matrix, the calibration of the scores, a diff against a second model's results and a
// ranking of likely label errors (checked against planted ones on a synthetic world).

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/command.h"
#include "cli/progress_printer.h"
#include "core/data/lvis/lvis_loader.h"
#include "core/data/lvis/results_io.h"
#include "core/data/synthetic/label_noise.h"
#include "core/evaluation/analysis_report.h"
#include "core/evaluation/calibration.h"
#include "core/evaluation/confusion_matrix.h"
#include "core/evaluation/error_analysis.h"
#include "core/evaluation/evaluation_report.h"
#include "core/evaluation/label_error_report.h"
#include "core/evaluation/label_errors.h"
#include "core/evaluation/lvis_evaluator.h"
#include "core/evaluation/model_diff.h"
#include "core/evaluation/model_diff_report.h"
#include "core/util/error.h"

namespace counterscope::cli {
namespace {

using namespace counterscope::evaluation;

std::vector<IouType> iou_types_of(const std::string& value) {
  if (value == "both") return {IouType::bbox, IouType::segm};
  if (value == "bbox") return {IouType::bbox};
  if (value == "segm") return {IouType::segm};
  throw UsageError("--iou-type: expected bbox, segm or both, got \"" + value + "\"");
}

/// The format an output file is written in, from its extension.
enum class TableFormat { json, csv };

TableFormat format_of(const std::string& option, const std::string& path) {
  const auto extension = file_extension(path);
  if (extension == "json") return TableFormat::json;
  if (extension == "csv") return TableFormat::csv;
  throw UsageError("--" + option + " " + path + ": expected a file ending in .json or .csv");
}

double probability_option(const ArgParser& parser, const std::string& name, bool zero_allowed) {
  const double value = parser.get_double(name);
  if (!(value >= 0 && value <= 1) || (!zero_allowed && value == 0)) {
    throw UsageError("--" + name + " = " + parser.get(name) + ": expected a value in " +
                     (zero_allowed ? "[0, 1]" : "(0, 1]"));
  }
  return value;
}

/// One results file evaluated on the dataset: the evaluator owns the detections the prepared input points at.
struct EvaluatedResults {
  std::string path;
  std::unique_ptr<LvisEvaluator> evaluator;
  std::unique_ptr<PreparedEvaluation> prepared;
  std::vector<EvaluationResult> results;   ///< per IoU type asked
  std::vector<ErrorAnalysis> errors;       ///< per IoU type, when needed
  std::vector<SameCategoryMatches> at_50;  ///< per IoU type, when recorded
};

EvaluatedResults evaluate_file(const data::Dataset& dataset, const std::string& path, const EvaluationOptions& options,
                               const std::vector<IouType>& types, bool record_matches, bool analyse,
                               ProgressPrinter& printer, const JobContext& context) {
  EvaluatedResults out;
  out.path = path;
  out.evaluator = std::make_unique<LvisEvaluator>(dataset, options);
  out.evaluator->process_results(data::load_results(path, &dataset), path);
  out.prepared = std::make_unique<PreparedEvaluation>(out.evaluator->prepare());
  for (const auto type : types) {
    // The evaluation records its matches at IoU 0.50: the calibration and a confusion matrix at 0.50 reuse them.
    SameCategoryMatches at_50;
    out.results.push_back(out.evaluator->evaluate(*out.prepared, type, context, record_matches ? &at_50 : nullptr));
    out.at_50.push_back(std::move(at_50));
    printer.finish();
    if (analyse) {
      ErrorAnalysisOptions error_options;
      error_options.threads = options.threads;
      out.errors.push_back(analyse_errors(*out.prepared, type, error_options, context));
      printer.finish();
    }
  }
  return out;
}

template <typename T, typename Json, typename Csv>
void write_table(const std::string& option, const std::string& path, const std::vector<T>& items, Json to_json,
                 Csv to_csv) {
  if (format_of(option, path) == TableFormat::csv) {
    std::vector<const T*> pointers;
    for (const auto& item : items) pointers.push_back(&item);
    write_text_file(path, to_csv(pointers));
    return;
  }
  nlohmann::json json = nlohmann::json::object();
  for (const auto& item : items) json[iou_type_name(item.iou_type)] = to_json(item);
  write_text_file(path, json.dump(1) + "\n");
}

/// The planted errors of the split `dataset` is (label-noise.json names both splits of a world).
std::vector<KnownLabelError> planted_errors_of(const std::string& path, const data::Dataset& dataset) {
  namespace synthetic = data::synthetic;
  const auto record = synthetic::load_label_noise(path);
  const auto split = synthetic::split_of_dataset(record, dataset);
  if (!split) {
    throw InputError(path, "splits", "",
                     "no split's planted errors are in " + dataset.source_path +
                         " (is it an annotation file of the world this label-noise.json belongs to?)");
  }
  std::vector<KnownLabelError> known;
  for (const auto& noise : record.splits) {
    if (noise.split != *split) continue;
    for (const auto& e : noise.errors) {
      KnownLabelError error;
      error.image_id = e.image_id;
      error.box = e.box;
      if (e.kind == synthetic::PlantedKind::drop) {
        error.issue = LabelIssue::missing;
      } else {
        error.issue = e.kind == synthetic::PlantedKind::swap ? LabelIssue::swapped : LabelIssue::mislocated;
        error.annotation_id = e.annotation_id;
      }
      known.push_back(error);
    }
  }
  std::cout << " planted errors: " << known.size() << " in the " << synthetic::split_name(*split) << " split of "
            << path << "\n";
  return known;
}

std::string model_name(const std::string& path) { return std::filesystem::path(path).stem().string(); }

int run(const std::vector<std::string>& args) {
  ArgParser parser("evaluate",
                   "Evaluates detection results on an LVIS (or COCO) annotation file exactly as the official "
                   "lvis-api does: AP, AP50, AP75, APs/m/l, APr/c/f, AR@300 for boxes and masks; optionally "
                   "TIDE errors, the federated confusion matrix, calibration, a diff against a second model and "
                   "a ranking of likely label errors.");
  parser.option("ann", "FILE", "ground-truth annotation JSON (LVIS v1, v0.5 or COCO)", std::nullopt, true)
      .option("results", "FILE", "results JSON (list of image_id, category_id, bbox, score, segmentation)",
              std::nullopt, true)
      .option("iou-type", "TYPE", "bbox, segm or both", std::string("both"))
      .option("json", "FILE", "write {\"bbox\": {...}, \"segm\": {...}} with lvis-api's keys (-1 = undefined)")
      .option("per-category", "FILE", "write per-category AP as CSV")
      .option("errors", "FILE", "write the TIDE-style error analysis (dAP, per-detection labels) as JSON")
      .option("confusion", "FILE",
              "write the federated confusion matrix (.csv: one row per non-zero cell; .json: cells, groups, top "
              "confusions, per-category totals, the confused instances) and print its top confusions")
      .option("confusion-iou", "T", "IoU a detection needs to take a ground truth in the confusion matrix",
              std::string("0.5"))
      .option("min-score", "S",
              "detections scoring below S take no part in the confusion matrix, and a match below S does not "
              "count as finding an instance in the diff (0 keeps all)",
              std::string("0.25"))
      .option("calibration", "FILE",
              "write the calibration of the scores (reliability diagram bins, ECE, MCE; true positive = lvis-api "
              "match at IoU 0.50) overall and per frequency group (.json or .csv) and print ECE / MCE")
      .option("bins", "N", "score bins of the calibration", std::string("10"))
      .option("compare-results", "FILE",
              "a second model's results on the same split: prints the diff (B = this file against A = --results)")
      .option("diff", "FILE",
              "write the diff (.csv: per-category AP, ΔAP, fixed / broken; .json: also metrics, TIDE moves, the "
              "changed instances); needs --compare-results")
      .option("label-errors", "FILE",
              "rank the annotations the model confidently disagrees with (missing, swapped, mislocated; boxes) "
              "and write the ranking (.json or .csv)")
      .option("planted", "FILE",
              "label-noise.json of a world made with 'synth --label-noise': prints precision@k / recall of the "
              "ranking against the planted errors; needs --label-errors")
      .option("max-dets", "N", "detections kept per image (lvis-api: 300; -1 keeps all)", std::string("300"))
      .option("threads", "N", "worker threads (0 = all cores)", std::string("0"));
  if (!parser.parse(args)) return exit_ok;

  const auto types = iou_types_of(parser.get("iou-type"));
  EvaluationOptions options;
  options.threads = parser.get_int("threads");
  if (options.threads < 0) throw UsageError("--threads: expected a count >= 0");
  options.max_detections_per_image = parser.get_int("max-dets");
  apply_thread_option(options.threads);

  // Every option is checked before the (possibly long) evaluation starts.
  const auto confusion_path = parser.get_optional("confusion");
  const auto calibration_path = parser.get_optional("calibration");
  const auto compare_path = parser.get_optional("compare-results");
  const auto diff_path = parser.get_optional("diff");
  const auto label_errors_path = parser.get_optional("label-errors");
  const auto planted_path = parser.get_optional("planted");
  if (confusion_path) format_of("confusion", *confusion_path);
  if (calibration_path) format_of("calibration", *calibration_path);
  if (diff_path) format_of("diff", *diff_path);
  if (label_errors_path) format_of("label-errors", *label_errors_path);
  if (diff_path && !compare_path) throw UsageError("--diff needs --compare-results (the second model's results)");
  if (planted_path && !label_errors_path) throw UsageError("--planted needs --label-errors (the ranking to check)");
  const double min_score = parser.get_double("min-score");
  if (!(min_score >= 0)) throw UsageError("--min-score = " + parser.get("min-score") + ": expected >= 0");
  DetectionMatchingOptions matching;
  matching.iou_threshold = probability_option(parser, "confusion-iou", false);
  matching.min_score = min_score;
  matching.threads = options.threads;
  CalibrationOptions calibration_options;
  calibration_options.bins = parser.get_int("bins");
  if (calibration_options.bins < 1 || calibration_options.bins > 1000) {
    throw UsageError("--bins = " + parser.get("bins") + ": expected 1 to 1000");
  }
  calibration_options.threads = options.threads;

  ProgressPrinter printer;
  JobContext context{printer.callback()};
  const std::string ann_path = parser.get("ann");
  const data::Dataset dataset = data::load_dataset(ann_path, context);
  printer.finish();
  const bool analyse = parser.get_optional("errors") || compare_path;
  auto a = evaluate_file(dataset, parser.get("results"), options, types, confusion_path || calibration_path, analyse,
                         printer, context);

  // ordered_json keeps lvis-api's key order (AP, AP50, ..., ARl@300).
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  for (const auto& result : a.results) {
    for (const auto& warning : result.warnings) std::cerr << "warning: " << warning << "\n";
    std::cout << "iou_type: " << iou_type_name(result.iou_type) << " (" << result.evaluated_detection_count
              << " of " << result.detection_count << " detections evaluated)\n"
              << format_metrics_table(result);
    auto& metrics = json[iou_type_name(result.iou_type)];
    for (const auto& [key, value] : result.metrics.named(result.max_detections_per_image)) metrics[key] = value;
  }
  if (const auto path = parser.get_optional("json")) write_text_file(*path, json.dump(1) + "\n");
  if (const auto path = parser.get_optional("per-category")) {
    std::vector<const EvaluationResult*> pointers;
    for (const auto& result : a.results) pointers.push_back(&result);
    write_per_category_csv(pointers, *path);
  }
  if (const auto path = parser.get_optional("errors")) {
    nlohmann::json errors = nlohmann::json::object();
    for (const auto& analysis : a.errors) {
      std::cout << format_error_table(analysis);
      errors[iou_type_name(analysis.iou_type)] = error_analysis_to_json(analysis, dataset);
    }
    write_text_file(*path, errors.dump(1) + "\n");
  }
  if (confusion_path) {
    std::vector<ConfusionMatrix> confusions;
    for (std::size_t t = 0; t < types.size(); ++t) {
      const auto same = matching.iou_threshold == 0.5
                            ? a.at_50[t]
                            : match_same_category(*a.prepared, types[t], matching.iou_threshold, options.threads, context);
      // The reports list the confusions between categories only: the counts cover everything.
      confusions.push_back(build_confusion_matrix(*a.prepared, match_detections(*a.prepared, same, matching, context),
                                                  ConfusionDetail::confusions));
      printer.finish();
      for (const auto& warning : confusions.back().warnings) std::cerr << "warning: confusion matrix: " << warning << "\n";
      std::cout << format_confusion_summary(confusions.back(), dataset);
    }
    write_table(
        "confusion", *confusion_path, confusions, [&](const ConfusionMatrix& m) { return confusion_to_json(m, dataset); },
        [&](const std::vector<const ConfusionMatrix*>& m) { return confusion_to_csv(m, dataset); });
  }
  if (calibration_path) {
    std::vector<Calibration> calibrations;
    for (std::size_t t = 0; t < types.size(); ++t) {
      calibrations.push_back(calibrate(*a.prepared, a.at_50[t], calibration_options));
      for (const auto& warning : calibrations.back().warnings) std::cerr << "warning: calibration: " << warning << "\n";
      std::cout << format_calibration_table(calibrations.back());
    }
    write_table("calibration", *calibration_path, calibrations, calibration_to_json, calibration_to_csv);
  }
  if (compare_path) {
    const auto b = evaluate_file(dataset, *compare_path, options, types, false, true, printer, context);
    const std::string name_a = model_name(a.path), name_b = model_name(*compare_path);
    ModelDiffOptions diff_options;
    diff_options.min_score = min_score;
    std::vector<ModelDiff> diffs;
    for (std::size_t t = 0; t < types.size(); ++t) {
      const ModelRun run_a{&a.results[t], &a.errors[t], &a.evaluator->store()};
      const ModelRun run_b{&b.results[t], &b.errors[t], &b.evaluator->store()};
      diffs.push_back(diff_models(dataset, run_a, run_b, diff_options));
      for (const auto& warning : diffs.back().warnings) std::cerr << "warning: diff: " << warning << "\n";
      std::cout << format_model_diff(diffs.back(), name_a, name_b);
    }
    if (diff_path) {
      write_table(
          "diff", *diff_path, diffs, [&](const ModelDiff& d) { return model_diff_to_json(d, name_a, name_b); },
          model_diff_to_csv);
    }
  }
  if (label_errors_path) {
    LabelErrorOptions label_options;
    label_options.max_detections_per_image = options.max_detections_per_image;
    label_options.threads = options.threads;
    const auto ranking = rank_label_errors(dataset, a.evaluator->store(), label_options, context);
    printer.finish();
    for (const auto& warning : ranking.warnings) std::cerr << "warning: label errors: " << warning << "\n";
    std::cout << format_label_errors(ranking, dataset);
    std::unique_ptr<RankingCheck> check;
    if (planted_path) {
      const auto known = planted_errors_of(*planted_path, dataset);
      std::vector<std::size_t> ks{10, 20, 50, 100, 200, 500, 1000};
      ks.push_back(known.size());  // R-precision: as many candidates as there are errors
      std::sort(ks.begin(), ks.end());
      ks.erase(std::unique(ks.begin(), ks.end()), ks.end());
      check = std::make_unique<RankingCheck>(check_ranking(ranking, known, ks));
      std::cout << format_ranking_check(*check);
    }
    if (format_of("label-errors", *label_errors_path) == TableFormat::csv) {
      write_text_file(*label_errors_path, label_errors_to_csv(ranking, dataset, check.get()));
    } else {
      write_text_file(*label_errors_path, label_errors_to_json(ranking, dataset, check.get()).dump(1) + "\n");
    }
  }
  return exit_ok;
}

const CommandRegistrar registrar{
    Command{"evaluate",
            "LVIS AP / AR (identical to lvis-api), per-category AP, TIDE errors, confusion, calibration, model diff, "
            "label errors",
            &run}};

}  // namespace
}  // namespace counterscope::cli
