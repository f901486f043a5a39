#pragma once
// The output dataset of an augmentation run: the original training set plus the journaled new images, with one
// image root for both. DIR/images is that root: new images are files under DIR/images/train2017/, and every
// original image is reachable there through a symbolic link at the place resolve_image_path looks first
// (DIR/images/<coco_url folder>/<name> for LVIS v1, DIR/images/<file_name> otherwise) — so
// `train --ann DIR/annotations/train.json --images DIR/images` finds both, and the originals are not copied.

#include <cstdint>
#include <string>
#include <vector>

#include "core/augmentation/augmentation_journal.h"
#include "core/data/lvis/dataset.h"
#include "core/util/progress.h"

namespace counterscope::augmentation {

/// "cf_000000100001.png" (counterfactual) or "tf_000000100001.png" (transforms).
std::string new_image_file_name(const std::string& method, std::int64_t image_id);

/// The dataset entry of a new image: coco_url "images/train2017/<file>" for LVIS v1 (which names images by URL
/// only), file_name "train2017/<file>" for LVIS v0.5 and COCO. Federated lists are left empty.
data::ImageInfo new_image_info(const data::Dataset& original, std::int64_t image_id, const std::string& file,
                               int width, int height);

/// First id of the new images and of the new annotations: one above the original file's largest.
std::int64_t first_new_image_id(const data::Dataset& original);
std::int64_t first_new_annotation_id(const data::Dataset& original);

/// The original dataset plus the records' images and annotations (RLE segmentations). Categories keep their
/// frequency group (the report's before/after table compares the same groups) and get image_count and
/// instance_count recounted. The result has its indexes built.
data::Dataset build_augmented_dataset(const data::Dataset& original, const std::vector<JournalRecord>& records);

/// Links every original image into `out_images_root` (see above). Existing correct links are kept, so a
/// resumed run only adds what is missing. Throws InputError naming the path when a link cannot be made.
void link_original_images(const data::Dataset& original, const std::string& image_root,
                          const std::string& out_images_root, const JobContext& context = {});

}  // namespace counterscope::augmentation
