#pragma once
// Registration of classification losses by name (internal to core/losses).

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "core/losses/classification_loss.h"

namespace counterscope::losses {

using LossFactory = std::function<std::unique_ptr<ClassificationLoss>(const LossOptions&)>;

/// name -> factory; each loss's .cpp adds itself here (see loss_registry.cpp for the list).
const std::map<std::string, LossFactory>& loss_factories();

}  // namespace counterscope::losses
