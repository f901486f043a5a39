#include "core/losses/loss_registry.h"

#include "core/losses/cross_entropy_loss.h"

namespace counterscope::losses {

const std::map<std::string, LossFactory>& loss_factories() {
  // The one list of losses: add a line here when adding a loss.
  static const std::map<std::string, LossFactory> factories = {
      {"ce", [](const LossOptions&) { return std::make_unique<CrossEntropyLoss>(); }},
  };
  return factories;
}

}  // namespace counterscope::losses
