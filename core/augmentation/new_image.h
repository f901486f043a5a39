#pragma once
// One image an augmentation run adds: its pixels, its (relabelled or transformed) instances and where it came
// from. Torch-free, shared by both methods, the journal and the final dataset.

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/data/mask/rle.h"

namespace counterscope::augmentation {

struct NewAnnotation {
  std::int64_t category_id = 0;
  data::Rle mask;  ///< in the new image's size
  data::BoxXywh bbox;
  double area = 0;
  bool iscrowd = false;
};

struct NewImage {
  cv::Mat image_bgr;  ///< CV_8UC3, BGR (as written)
  std::int64_t target_category_id = 0;       ///< the category the image was made for
  std::int64_t source_image_id = 0;
  std::int64_t source_annotation_id = -1;    ///< the relabelled instance (counterfactual); -1 for transforms
  std::vector<NewAnnotation> annotations;
  std::vector<std::int64_t> neg_category_ids;
  std::vector<std::int64_t> not_exhaustive_category_ids;
  std::string how;            ///< "label swap 3 -> 7" or the operations applied, for the journal
  double target_score = -1;   ///< the model's target score on X~ (counterfactual); -1 for transforms
};

}  // namespace counterscope::augmentation
