// `counterscope-cli cf-eval --model CONFIG --weights W (--generator G [--refine STEPS] | --optimize STEPS | --twin)
// --ann ANN.json --images ROOT --pairs N [--seed S]`: explains N random (instance, target) pairs and prints the
// mean measures as JSON (attainment rate, also by the target's frequency group, score gain, sparsity, locality,
// seconds; NCC with --world). For the optimising explainers also the attainment within step budgets, and with
// --per-pair FILE.jsonl one line of measures per pair. With --with-twin each pair is also shown to the model as
// its ground-truth twin, and the explainer's attainment and NCC are split by whether the twin attains.

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
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
#include "core/counterfactual/generator_file.h"
#include "core/data/lvis/lvis_loader.h"
#include "core/util/atomic_file.h"

namespace counterscope::cli {
namespace {

using namespace counterfactual;

/// Running mean of one measure.
struct Mean {
  double sum = 0;
  std::int64_t count = 0;
  void add(double value) {
    sum += value;
    ++count;
  }
  nlohmann::ordered_json json() const { return count ? nlohmann::ordered_json(sum / count) : nlohmann::ordered_json(nullptr); }
};

int run(const std::vector<std::string>& args) {
  ArgParser parser("cf-eval",
                   "Explains N random (instance, target class) pairs of a dataset and prints the mean measures of "
                   "the counterfactuals as JSON: the share of attained targets, score gain, sparsity, locality, time "
                   "per explanation, and NCC with the ground-truth twins on a synthetic world (--world).");
  add_explainer_options(parser);
  parser.option("ann", "ANN.json", "LVIS/COCO annotations", std::nullopt, true)
      .option("images", "ROOT", "image root", std::nullopt, true)
      .option("pairs", "N", "number of (instance, target) pairs", "50")
      .option("seed", "S", "seed of the pair sampling", "0")
      .option("world", "DIR", "synthetic world folder: also measure NCC with the ground-truth twins")
      .option("split", "NAME", "split of --world the annotations belong to", "val")
      .option("per-pair", "FILE.jsonl", "also write one line of measures per pair (ids, group, attained, steps, ...)")
      .flag("with-twin",
            "with --world: also show each pair's ground-truth twin to the model, and split attainment and NCC by "
            "whether the twin attains (the pairs a semantic counterfactual can reach)")
      .option("threads", "N", "CPU threads (0 = all cores)", "0");
  if (!parser.parse(args)) return exit_ok;
  apply_thread_option(parser.get_int("threads"));
  check_explainer_choice(parser);
  const bool with_twin = parser.get_flag("with-twin");
  if (with_twin && (!parser.get_optional("world") || parser.get_flag("twin")))
    throw UsageError("--with-twin compares an explainer with the ground-truth twins: give --world DIR, not --twin");
  const auto generator_path = parser.get_optional("generator");
  const int pairs = parser.get_int("pairs");
  if (pairs < 1) throw UsageError("--pairs = " + parser.get("pairs") + ": expected a positive count");

  ProgressPrinter printer;
  JobContext context{printer.callback()};
  const data::Dataset dataset = data::load_dataset(parser.get("ann"), context);
  const data::CategoryLabels labels(dataset);
  const LabelNamer name_of = category_namer(dataset, labels);
  modeling::MaskRcnn model = load_detector(parser.get("model"), parser.get("weights"), &labels, parser.get("ann"));
  const std::unique_ptr<Explainer> explainer = make_explainer(parser, model);
  std::optional<TwinExplainer> twin_explainer;
  if (with_twin) twin_explainer.emplace(model);

  const auto sampled = sample_explain_pairs(dataset, static_cast<std::size_t>(pairs),
                                            static_cast<std::uint64_t>(parser.get_int64("seed")));
  // Rare targets are the ones augmentation needs and the hardest to attain: the rate per group says so.
  std::map<std::string, Mean> attained_by_group;
  // The optimisers stop at the first attaining step, and their trajectory does not depend on the cap: a pair
  // attained at step s is attained under any budget >= s and under none below. One run thus gives the
  // attainment for every smaller step budget (the "same attainment" a faster explainer is compared at).
  std::vector<std::int64_t> attained_at_step;
  std::vector<nlohmann::ordered_json> per_pair;
  // With --with-twin: the twin's attainment, and the explainer's attainment and NCC where it does / does not.
  Mean twin_attained, attained_with_twin, attained_without_twin, ncc_with_twin, ncc_without_twin;
  Mean attained, recognised, gain, target_after, sparsity, locality, seconds, map_seconds, steps, ncc, gained, lost;
  std::int64_t done = 0;
  for (const ExplainPair& pair : sampled) {
    DatasetExplainRequest asked =
        make_explain_request(dataset, labels, parser.get("images"), pair.image_id, pair.annotation_id, pair.target_category_id);
    attach_ground_truth(parser, asked, name_of(asked.request.target_label));
    const Explanation e = explainer->explain(asked.request);
    const ExplanationMeasures& m = e.measures;
    attained.add(m.target_attained ? 1.0 : 0.0);
    recognised.add(e.top_label_before == e.source_label ? 1.0 : 0.0);
    const auto target_index = dataset.category_index(pair.target_category_id);
    const data::Frequency group = target_index ? dataset.categories[*target_index].frequency : data::Frequency::unknown;
    attained_by_group[data::frequency_name(group)].add(m.target_attained ? 1.0 : 0.0);
    gain.add(m.score_gain);
    target_after.add(m.target_score_after);
    sparsity.add(m.sparsity);
    locality.add(m.locality);
    seconds.add(m.seconds);
    map_seconds.add(m.map_seconds);
    steps.add(static_cast<double>(m.steps));
    gained.add(static_cast<double>(e.segmentation.gained));
    lost.add(static_cast<double>(e.segmentation.lost));
    if (m.ncc) ncc.add(*m.ncc);
    if (m.target_attained) attained_at_step.push_back(m.steps);
    std::optional<bool> twin_hit;
    if (twin_explainer) {
      twin_hit = twin_explainer->explain(asked.request).measures.target_attained;
      twin_attained.add(*twin_hit ? 1.0 : 0.0);
      (*twin_hit ? attained_with_twin : attained_without_twin).add(m.target_attained ? 1.0 : 0.0);
      if (m.ncc) (*twin_hit ? ncc_with_twin : ncc_without_twin).add(*m.ncc);
    }
    if (parser.get_optional("per-pair"))
      per_pair.push_back({{"image_id", pair.image_id},
                          {"annotation_id", pair.annotation_id},
                          {"source_category_id", asked.source_category_id},
                          {"target_category_id", pair.target_category_id},
                          {"target_group", data::frequency_name(group)},
                          {"target_attained", m.target_attained},
                          {"source_recognised", e.top_label_before == e.source_label},
                          {"score_gain", m.score_gain},
                          {"sparsity", m.sparsity},
                          {"locality", m.locality},
                          {"ncc", m.ncc ? nlohmann::ordered_json(*m.ncc) : nlohmann::ordered_json(nullptr)},
                          {"steps", m.steps},
                          {"seconds", m.seconds},
                          {"map_seconds", m.map_seconds}});
    if (twin_hit && !per_pair.empty()) per_pair.back()["twin_attained"] = *twin_hit;
    context.report("cf-eval", ++done, pairs);
  }
  printer.finish();

  nlohmann::ordered_json out;
  out["method"] = explainer->method();
  out["model"] = model->config().name;
  if (generator_path) out["generator"] = *generator_path;
  if (parser.get_flag("twin-context")) out["twin_context"] = true;  // the twins also moved to the target's background
  if (parser.get_flag("twin-box")) out["twin_box"] = true;  // asked at the twin's box, not X's
  out["pairs"] = pairs;
  out["seed"] = parser.get_int64("seed");
  out["target_attained"] = attained.json();
  for (const auto& [group, rate] : attained_by_group)
    out["target_attained_by_group"][group] = {{"pairs", rate.count}, {"attained", rate.json()}};
  // How often the model names the instance's own class on X: the recognition every target also depends on.
  out["source_recognised"] = recognised.json();
  out["score_gain"] = gain.json();
  out["target_score_after"] = target_after.json();
  out["sparsity"] = sparsity.json();
  out["locality"] = locality.json();
  out["ncc"] = ncc.json();
  out["ncc_pairs"] = ncc.count;
  out["pixels_gained"] = gained.json();
  out["pixels_lost"] = lost.json();
  out["seconds"] = seconds.json();
  out["map_seconds"] = map_seconds.json();
  out["steps"] = steps.json();
  if (with_twin) {
    out["twin"] = {{"target_attained", twin_attained.json()},
                   {"pairs_attained", twin_attained.count ? std::llround(twin_attained.sum) : 0},
                   {"explainer_attained_where_twin_attains", attained_with_twin.json()},
                   {"explainer_attained_elsewhere", attained_without_twin.json()},
                   {"ncc_where_twin_attains", ncc_with_twin.json()},
                   {"ncc_elsewhere", ncc_without_twin.json()}};
  }
  if (parser.get_optional("optimize") || parser.get_optional("refine")) {
    const std::int64_t cap = parser.get_int(parser.get_optional("optimize") ? "optimize" : "refine");
    for (const std::int64_t budget : {0, 1, 2, 5, 10, 20, 30, 50, 100, 200, 500, 1000}) {
      if (budget > cap) break;
      const auto within = std::count_if(attained_at_step.begin(), attained_at_step.end(),
                                        [budget](std::int64_t step) { return step <= budget; });
      out["attained_within_steps"][std::to_string(budget)] = static_cast<double>(within) / pairs;
    }
  }
  if (const auto path = parser.get_optional("per-pair"))
    write_file_atomically(*path, [&](std::ostream& file) {
      for (const auto& line : per_pair) file << line.dump() << "\n";
    });
  std::cout << out.dump(2) << "\n";
  return exit_ok;
}

const CommandRegistrar registrar{
    Command{"cf-eval", "mean counterfactual measures over random (instance, target) pairs", &run}};

}  // namespace
}  // namespace counterscope::cli
