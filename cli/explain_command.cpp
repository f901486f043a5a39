// `counterscope-cli explain --model CONFIG --weights W (--generator G [--refine STEPS] | --optimize STEPS)
// --ann ANN.json --images ROOT --image-id ID --ann-id AID --target NAME_OR_ID --out DIR`: explains why one
// instance is what the model says and not the target class. Writes map.png, counterfactual.png, before.png,
// after.png, map.safetensors and explanation.json into DIR and prints the explanation's JSON.

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/command.h"
#include "cli/explainer_options.h"
#include "cli/progress_printer.h"
#include "core/counterfactual/explain_request.h"
#include "core/counterfactual/explain_session.h"
#include "core/counterfactual/explainer.h"
#include "core/counterfactual/explanation_writer.h"
#include "core/counterfactual/generator_file.h"
#include "core/data/lvis/lvis_loader.h"

namespace counterscope::cli {
namespace {

using namespace counterfactual;

int run(const std::vector<std::string>& args) {
  ArgParser parser("explain",
                   "Counterfactual explanation of one instance: the map M that turns the image X into X~ = X + M on "
                   "which the model sees the target class, with the model's predictions before and after and the "
                   "measures (target attained, score gain, sparsity, locality; NCC on a synthetic world).");
  add_explainer_options(parser);
  parser.option("ann", "ANN.json", "LVIS/COCO annotations holding the image", std::nullopt, true)
      .option("images", "ROOT", "image root", std::nullopt, true)
      .option("image-id", "ID", "image id", std::nullopt, true)
      .option("ann-id", "AID", "annotation id of the instance to explain", std::nullopt, true)
      .option("target", "NAME_OR_ID", "target category (name, synonym or id)", std::nullopt, true)
      .option("world", "DIR", "synthetic world folder: also compare M with the ground-truth twin (NCC)")
      .option("split", "NAME", "split of --world the annotations belong to", "val")
      .option("out", "DIR", "output folder", std::nullopt, true)
      .option("threads", "N", "CPU threads (0 = all cores)", "0");
  if (!parser.parse(args)) return exit_ok;
  apply_thread_option(parser.get_int("threads"));
  check_explainer_choice(parser);
  const auto generator_path = parser.get_optional("generator");

  ProgressPrinter printer;
  JobContext context{printer.callback()};
  const data::Dataset dataset = data::load_dataset(parser.get("ann"), context);
  const data::CategoryLabels labels(dataset);
  const std::int64_t target = resolve_target_category(dataset, parser.get("target"));
  DatasetExplainRequest asked = make_explain_request(dataset, labels, parser.get("images"), parser.get_int64("image-id"),
                                                     parser.get_int64("ann-id"), target);
  const LabelNamer name_of = category_namer(dataset, labels);
  attach_ground_truth(parser, asked, name_of(asked.request.target_label));

  modeling::MaskRcnn model = load_detector(parser.get("model"), parser.get("weights"), &labels, parser.get("ann"));
  const std::unique_ptr<Explainer> explainer = make_explainer(parser, model);
  const Explanation explanation = explainer->explain(asked.request, context);
  printer.finish();

  nlohmann::ordered_json extra;
  extra["image_id"] = asked.image_id;
  extra["annotation_id"] = asked.annotation_id;
  extra["image_path"] = asked.image_path;
  extra["source_category_id"] = asked.source_category_id;
  extra["target_category_id"] = asked.target_category_id;
  extra["model"] = model->config().name;
  if (generator_path) extra["generator"] = *generator_path;
  const auto& box = asked.request.instances[asked.request.instance].box;
  write_explanation(parser.get("out"), asked.request.image, explanation, box, name_of, extra);
  nlohmann::ordered_json out = extra;
  const auto measures = explanation_to_json(explanation, name_of);  // items() of a temporary would dangle
  for (const auto& item : measures.items()) out[item.key()] = item.value();
  out["out"] = parser.get("out");
  std::cout << out.dump(2) << "\n";
  return exit_ok;
}

const CommandRegistrar registrar{
    Command{"explain", "counterfactual map of one instance towards a target class (generator or optimiser)", &run}};

}  // namespace
}  // namespace counterscope::cli
