#include "core/losses/loss_registry.h"

#include "core/losses/class_margin_loss.h"
#include "core/losses/cross_entropy_loss.h"
#include "core/losses/focal_loss.h"
#include "core/losses/reweighted_loss.h"
#include "core/losses/seesaw_loss.h"

namespace counterscope::losses {

const std::map<std::string, LossFactory>& loss_factories() {
  // The one list of losses: add a line here when adding a loss.
  static const std::map<std::string, LossFactory> factories = {
      {"ce", [](const LossOptions&) { return std::make_unique<CrossEntropyLoss>(); }},
      {"cm", [](const LossOptions& options) { return std::make_unique<ClassMarginLoss>(options); }},
      {"lr", [](const LossOptions& options) { return std::make_unique<ReweightedLoss>(options); }},
      {"fl", [](const LossOptions& options) { return std::make_unique<FocalLoss>(options); }},
      {"seesaw", [](const LossOptions& options) { return std::make_unique<SeesawLoss>(options); }},
  };
  return factories;
}

}  // namespace counterscope::losses
