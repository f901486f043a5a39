#include "core/counterfactual/explain_session.h"

#include "core/modeling/weights/checkpoint.h"
#include "core/util/error.h"

namespace counterscope::counterfactual {

modeling::MaskRcnn load_detector(const std::string& model_config, const std::string& weights_path,
                                 const data::CategoryLabels* labels, const std::string& dataset_path) {
  const modeling::ModelConfig config = modeling::load_model_config(model_config);
  if (labels != nullptr && labels->num_classes() != config.num_classes)
    throw InputError(model_config, "num_classes", std::to_string(config.num_classes),
                     "the model has " + std::to_string(config.num_classes) + " classes (background included) but " +
                         dataset_path + " has " + std::to_string(labels->num_classes() - 1) +
                         " categories: use the config the weights were trained with");
  const modeling::StateDict state = modeling::load_state_dict(weights_path);
  modeling::MaskRcnn model(config, modeling::inference_loss_for_state_dict(state, config.num_classes));
  modeling::ApplyStateDictOptions options;
  options.source = weights_path;
  model->load_weights(state, options);
  model->eval();
  return model;
}

LabelNamer category_namer(const data::Dataset& dataset, const data::CategoryLabels& labels) {
  return [&dataset, &labels](std::int64_t label) -> std::string {
    if (const auto id = labels.category_of(label))
      if (const auto index = dataset.category_index(*id)) return dataset.categories[*index].name;
    return "label " + std::to_string(label);
  };
}

}  // namespace counterscope::counterfactual
