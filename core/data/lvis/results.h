#pragma once
// Detection results in the LVIS/COCO results format:
// [{"image_id", "category_id", "bbox": [x,y,w,h], "score", "segmentation": {"size": [h,w], "counts": "..."}}]
// so predictions of detectron2, mmdetection or any other framework can be inspected.

#include <cstdint>
#include <string>
#include <vector>

#include "core/data/mask/rle.h"

namespace counterscope::data {

struct Detection {
  std::int64_t image_id = 0;
  std::int64_t category_id = 0;
  BoxXywh bbox;
  bool has_bbox = false;
  double score = 0;
  Rle segmentation;  ///< empty (height == 0) when the result has no mask
  bool has_segmentation() const { return segmentation.height > 0 || segmentation.width > 0; }
};

}  // namespace counterscope::data
