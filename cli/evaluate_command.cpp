// `counterscope-cli evaluate --ann GT.json --results RESULTS.json [--iou-type bbox|segm|both] [--json OUT.json]
// [--per-category OUT.csv] [--errors OUT.json] [--threads N]`: LVIS evaluation identical to lvis-api, with
// per-category AP and TIDE-style error analysis.

#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/command.h"
#include "cli/progress_printer.h"
#include "core/data/lvis/lvis_loader.h"
#include "core/data/lvis/results_io.h"
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

  LvisEvaluator evaluator(dataset, options);
  evaluator.process_results(std::move(detections), results_path);

  std::vector<EvaluationResult> results;
  for (const auto type : types) {
    results.push_back(evaluator.evaluate(type, context));
    printer.finish();
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
  if (const auto path = parser.get_optional("errors")) {
    const auto prepared = evaluator.prepare();
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
    Command{"evaluate", "LVIS AP / AR (identical to lvis-api), per-category AP and TIDE errors", &run}};

}  // namespace
}  // namespace counterscope::cli
