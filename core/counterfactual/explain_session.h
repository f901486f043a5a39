#pragma once
// What the explain, cf-eval and cf-train commands (and the application) set up before explaining: the
// detector under study loaded from a config and weights and checked against the dataset's classes, the
// class names of its labels. (The synthetic world's ground-truth difference is in synthetic_reference.h.)

#include <cstdint>
#include <optional>
#include <string>

#include "core/counterfactual/explanation_writer.h"
#include "core/data/category_labels.h"
#include "core/data/lvis/dataset.h"
#include "core/modeling/mask_rcnn.h"

namespace counterscope::counterfactual {

/// Builds the model of `model_config` (preset or JSON path) and loads `weights_path` strictly. When
/// `labels` is given, the model's class count must equal the dataset's categories + 1 (InputError naming
/// both otherwise). The model is in eval mode on the CPU.
modeling::MaskRcnn load_detector(const std::string& model_config, const std::string& weights_path,
                                 const data::CategoryLabels* labels = nullptr,
                                 const std::string& dataset_path = {});

/// Names of contiguous labels through the dataset's categories ("label N" for unknown labels).
LabelNamer category_namer(const data::Dataset& dataset, const data::CategoryLabels& labels);

}  // namespace counterscope::counterfactual
