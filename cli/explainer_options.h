#pragma once
// The options `explain` and `cf-eval` share: the detector under study and how M is found (a trained generator,
// the generator-free optimiser, the generator's map refined by the optimiser, or the synthetic world's
// ground-truth twin as the reference), declared and turned into an explainer in one place.

#include <memory>
#include <string>

#include "cli/args.h"
#include "core/counterfactual/explain_request.h"
#include "core/counterfactual/explainer.h"
#include "core/modeling/mask_rcnn.h"

namespace counterscope::cli {

/// Declares --model, --weights, --generator, --optimize, --refine, --lr, --target-loss, --outside-weight,
/// --twin, --twin-context and --twin-box (the command declares --world and --split).
void add_explainer_options(ArgParser& parser);
/// UsageError unless exactly one of --generator, --optimize and --twin was given, --refine only with
/// --generator, --twin only with --world, --twin-context and --twin-box only with --twin (checked before any
/// loading).
void check_explainer_choice(const ArgParser& parser);
/// The generator explainer (--generator, checked against `model`; refined with --refine STEPS), the optimiser
/// (--optimize STEPS) or the twin reference (--twin).
std::unique_ptr<counterfactual::Explainer> make_explainer(const ArgParser& parser, modeling::MaskRcnn model);

/// With --world: gives `asked` the ground-truth difference of its twin (in the target's context with
/// --twin-context) and, with --twin-box, moves the asked instance to where the twin draws it (its box and mask).
void attach_ground_truth(const ArgParser& parser, counterfactual::DatasetExplainRequest& asked,
                         const std::string& target_name);

}  // namespace counterscope::cli
