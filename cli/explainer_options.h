#pragma once
// The options `explain` and `cf-eval` share: the detector under study and how M is found (a trained generator,
// the generator-free optimiser, or the generator's map refined by the optimiser), declared and turned into an
// explainer in one place.

#include <memory>

#include "cli/args.h"
#include "core/counterfactual/explainer.h"
#include "core/modeling/mask_rcnn.h"

namespace counterscope::cli {

/// Declares --model, --weights, --generator, --optimize, --refine, --lr, --target-loss and --outside-weight.
void add_explainer_options(ArgParser& parser);
/// UsageError unless exactly one of --generator and --optimize was given, and --refine only with --generator
/// (checked before any loading).
void check_explainer_choice(const ArgParser& parser);
/// The generator explainer (--generator, checked against `model`; refined with --refine STEPS) or the
/// optimiser (--optimize STEPS).
std::unique_ptr<counterfactual::Explainer> make_explainer(const ArgParser& parser, modeling::MaskRcnn model);

}  // namespace counterscope::cli
