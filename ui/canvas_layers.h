#pragma once
// Which overlay layers the image canvas draws; each is toggled from the View menu.

namespace counterscope::ui {

struct CanvasLayers {
  bool image = true;   ///< the photo itself
  bool masks = true;   ///< semi-transparent instance masks with their outline
  bool boxes = true;   ///< bounding boxes
  bool labels = true;  ///< category name with the r/c/f badge

  bool operator==(const CanvasLayers& o) const {
    return image == o.image && masks == o.masks && boxes == o.boxes && labels == o.labels;
  }
  bool operator!=(const CanvasLayers& o) const { return !(*this == o); }
};

}  // namespace counterscope::ui
