// `counterscope-cli evaluate --ann GT.json --results RESULTS.json [--iou-type bbox|segm|both] [--json OUT.json]
// [--per-category OUT.csv] [--errors OUT.json] [--confusion OUT.csv|OUT.json] [--calibration OUT.json|OUT.csv]
// [--threads N]`: LVIS evaluation identical to lvis-api, with per-category AP, TIDE-style error analysis, the
// federated confusion matrix and the calibration of the scores.

#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/command.h"
#include "cli/progress_printer.h"
#include "core/data/lvis/lvis_loader.h"
#include "core/data/lvis/results_io.h"
#include "core/evaluation/analysis_report.h"
#include "core/evaluation/calibration.h"
#include "core/evaluation/confusion_matrix.h"
#include "core/evaluation/error_analysis.h"
#include "core/evaluation/evaluation_report.h"
#include "core/evaluation/lvis_evaluator.h"

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
    throw UsageError("--" + name + " = " + parser.get(name) + ": expected a value in " + (zero_allowed ? "[0, 1]" : "(0, 1]"));
  }
  return value;
}

int run(const std::vector<std::string>& args) {
  ArgParser parser("evaluate",
                   "Evaluates detection results on an LVIS (or COCO) annotation file exactly as the official "
                   "lvis-api does: AP, AP50, AP75, APs/m/l, APr/c/f, AR@300 for boxes and masks.");
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
      .option("min-score", "S", "detections scoring below S take no part in the confusion matrix (0 keeps all)",
              std::string("0.25"))
      .option("calibration", "FILE",
              "write the calibration of the scores (reliability diagram bins, ECE, MCE; true positive = lvis-api "
              "match at IoU 0.50) overall and per frequency group (.json or .csv) and print ECE / MCE")
      .option("bins", "N", "score bins of the calibration", std::string("10"))
      .option("max-dets", "N", "detections kept per image (lvis-api: 300; -1 keeps all)", std::string("300"))
      .option("threads", "N", "worker threads (0 = all cores)", std::string("0"));
  if (!parser.parse(args)) return exit_ok;

  const auto types = iou_types_of(parser.get("iou-type"));
  EvaluationOptions options;
  options.threads = parser.get_int("threads");
  if (options.threads < 0) throw UsageError("--threads: expected a count >= 0");
  options.max_detections_per_image = parser.get_int("max-dets");
  apply_thread_option(options.threads);

  ProgressPrinter printer;
  JobContext context{printer.callback()};
  const std::string ann_path = parser.get("ann");
  const std::string results_path = parser.get("results");
  const data::Dataset dataset = data::load_dataset(ann_path, context);
  auto detections = data::load_results(results_path, &dataset);
  printer.finish();

  const auto confusion_path = parser.get_optional("confusion");
  const auto calibration_path = parser.get_optional("calibration");
  if (confusion_path) format_of("confusion", *confusion_path);
  if (calibration_path) format_of("calibration", *calibration_path);
  ConfusionOptions confusion_options;
  confusion_options.iou_threshold = probability_option(parser, "confusion-iou", false);
  confusion_options.min_score = parser.get_double("min-score");
  if (!(confusion_options.min_score >= 0)) throw UsageError("--min-score = " + parser.get("min-score") + ": expected >= 0");
  confusion_options.threads = options.threads;
  CalibrationOptions calibration_options;
  calibration_options.bins = parser.get_int("bins");
  if (calibration_options.bins < 1 || calibration_options.bins > 1000) {
    throw UsageError("--bins = " + parser.get("bins") + ": expected 1 to 1000");
  }
  calibration_options.threads = options.threads;

  LvisEvaluator evaluator(dataset, options);
  evaluator.process_results(std::move(detections), results_path);
  const PreparedEvaluation prepared = evaluator.prepare();

  std::vector<EvaluationResult> results;
  std::vector<ConfusionMatrix> confusions;
  std::vector<Calibration> calibrations;
  for (const auto type : types) {
    // The evaluation records its matches at IoU 0.50: the calibration and a confusion matrix at 0.50 reuse them.
    SameCategoryMatches at_50;
    const bool record = confusion_path || calibration_path;
    results.push_back(evaluator.evaluate(prepared, type, context, record ? &at_50 : nullptr));
    printer.finish();
    if (calibration_path) calibrations.push_back(calibrate(prepared, at_50, calibration_options));
    if (confusion_path) {
      DetectionMatchingOptions matching;
      matching.iou_threshold = confusion_options.iou_threshold;
      matching.min_score = confusion_options.min_score;
      matching.threads = options.threads;
      const auto same = matching.iou_threshold == 0.5
                            ? std::move(at_50)
                            : match_same_category(prepared, type, matching.iou_threshold, options.threads, context);
      confusions.push_back(build_confusion_matrix(prepared, match_detections(prepared, same, matching, context)));
      printer.finish();
    }
  }
  // ordered_json keeps lvis-api's key order (AP, AP50, ..., ARl@300).
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  for (const auto& result : results) {
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
    for (const auto& result : results) pointers.push_back(&result);
    write_per_category_csv(pointers, *path);
  }
  if (confusion_path) {
    for (const auto& matrix : confusions) {
      for (const auto& warning : matrix.warnings) std::cerr << "warning: confusion matrix: " << warning << "\n";
      std::cout << format_confusion_summary(matrix, dataset);
    }
    if (format_of("confusion", *confusion_path) == TableFormat::csv) {
      std::vector<const ConfusionMatrix*> pointers;
      for (const auto& matrix : confusions) pointers.push_back(&matrix);
      write_text_file(*confusion_path, confusion_to_csv(pointers, dataset));
    } else {
      nlohmann::json json = nlohmann::json::object();
      for (const auto& matrix : confusions) json[iou_type_name(matrix.iou_type)] = confusion_to_json(matrix, dataset);
      write_text_file(*confusion_path, json.dump(1) + "\n");
    }
  }
  if (calibration_path) {
    for (const auto& calibration : calibrations) {
      for (const auto& warning : calibration.warnings) std::cerr << "warning: calibration: " << warning << "\n";
      std::cout << format_calibration_table(calibration);
    }
    if (format_of("calibration", *calibration_path) == TableFormat::csv) {
      std::vector<const Calibration*> pointers;
      for (const auto& calibration : calibrations) pointers.push_back(&calibration);
      write_text_file(*calibration_path, calibration_to_csv(pointers));
    } else {
      nlohmann::json json = nlohmann::json::object();
      for (const auto& calibration : calibrations) json[iou_type_name(calibration.iou_type)] = calibration_to_json(calibration);
      write_text_file(*calibration_path, json.dump(1) + "\n");
    }
  }
  if (const auto path = parser.get_optional("errors")) {
    nlohmann::json errors = nlohmann::json::object();
    for (const auto type : types) {
      ErrorAnalysisOptions error_options;
      error_options.threads = options.threads;
      const auto analysis = analyse_errors(prepared, type, error_options, context);
      printer.finish();
      std::cout << format_error_table(analysis);
      errors[iou_type_name(type)] = error_analysis_to_json(analysis, dataset);
    }
    write_text_file(*path, errors.dump(1) + "\n");
  }
  return exit_ok;
}

const CommandRegistrar registrar{
    Command{"evaluate", "LVIS AP / AR (identical to lvis-api), per-category AP, TIDE errors, confusion, calibration",
            &run}};

}  // namespace
}  // namespace counterscope::cli
