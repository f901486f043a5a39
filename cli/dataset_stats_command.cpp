// `counterscope-cli dataset stats --ann FILE [--json]`: the report's dataset table (categories, images and
// instances per LVIS frequency group and in total) for an LVIS v1 / v0.5 or COCO annotation file.

#include <iostream>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/command.h"
#include "cli/progress_printer.h"
#include "core/data/lvis/dataset_stats.h"
#include "core/data/lvis/lvis_loader.h"

namespace counterscope::cli {
namespace {

int run(const std::vector<std::string>& args) {
  ArgParser parser("dataset stats",
                   "Counts categories, images and instances per frequency group (rare/common/frequent) of an "
                   "LVIS or COCO annotation file.");
  parser.option("ann", "FILE", "annotation JSON (LVIS v1, LVIS v0.5 or COCO instances)", std::nullopt, true)
      .flag("json", "print JSON instead of a table");
  if (!parser.parse(args)) return exit_ok;

  const std::string path = parser.get("ann");
  ProgressPrinter printer;
  JobContext context{printer.callback()};
  const data::Dataset dataset = data::load_dataset(path, context);
  printer.finish();
  const data::DatasetStats stats = data::compute_dataset_stats(dataset);

  if (parser.get_flag("json")) {
    nlohmann::json out = data::to_json(stats);
    out["file"] = path;
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << path << " (" << data::format_name(stats.format) << ")\n" << data::format_stats_table(stats);
    std::cout << "images without annotations: " << stats.images_without_annotations
              << ", categories without instances: " << stats.categories_without_instances << "\n";
  }
  return exit_ok;
}

const CommandRegistrar registrar{Command{"dataset stats", "categories, images and instances per frequency group", &run}};

}  // namespace
}  // namespace counterscope::cli
