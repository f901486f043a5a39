#pragma once
// Resolves an image's file on disk. One image root serves LVIS v1 (coco_url -> train2017/ or val2017/ +
// the last part of the URL), LVIS v0.5 and COCO (file_name, with or without its split folder) and a plain
// folder of images.

#include <string>

#include "core/data/lvis/dataset.h"

namespace counterscope::data {

/// The path of an existing file for `image` under `image_root`. Throws InputError (naming the image id and
/// the paths tried) when none exists.
std::string resolve_image_path(const ImageInfo& image, const std::string& image_root);

}  // namespace counterscope::data
