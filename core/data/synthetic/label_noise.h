#pragma once
// Planted label errors: corrupts a known share of a synthetic world's annotations — the errors a label-error
// ranking should find — and records each one in a sidecar file (WORLD/label-noise.json). The images are not
// touched; only the annotation files differ from the clean world of the same seed.
//
//   swap  the annotation's category becomes another one (not verified absent in the image)
//   shift the box and polygons move by 25-50% of the box's width and height (box IoU with the truth about
//         0.14-0.39), staying inside the image
//   drop  the annotation is removed; only where another annotation of its category, one the noise leaves
//         alone, stays in the image and the category is exhaustively annotated there, so that under LVIS's rules
//         the image still claims all its instances are annotated (a real missing annotation, not an unverified
//         category)
//
// Exactly round(share * annotations) annotations of each split are corrupted, chosen uniformly; each draws
// one kind uniformly and falls back to swap when the kind is impossible for it. A pure function of the
// world's seed and the share: the same world and share give the same errors.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/data/lvis/dataset.h"
#include "core/data/synthetic/world_options.h"

namespace counterscope::data::synthetic {

struct LabelNoiseOptions {
  /// Share of each split's annotations to corrupt, in [0, 1]; 0 leaves the world untouched (no sidecar).
  double share = 0;

  /// Throws InputError naming `source` when share is outside [0, 1].
  void validate(const std::string& source) const;
};

enum class PlantedKind : std::uint8_t { swap, shift, drop };
const char* planted_kind_name(PlantedKind kind);  ///< "swap", "shift", "drop"
std::optional<PlantedKind> planted_kind_from_name(const std::string& name);

struct PlantedLabelError {
  PlantedKind kind = PlantedKind::swap;
  std::int64_t image_id = 0;
  std::int64_t annotation_id = 0;
  std::int64_t category_id = 0;      ///< the true category
  std::int64_t new_category_id = 0;  ///< what the file says (swap; else the true one)
  BoxXywh box;                       ///< the true box
  BoxXywh new_box;                   ///< what the file says (shift; else the true one)
};

/// The planted errors of one split.
struct SplitLabelNoise {
  Split split = Split::train;
  std::int64_t annotations = 0;  ///< annotations of the clean split
  std::vector<PlantedLabelError> errors;
};

struct LabelNoiseRecord {
  double share = 0;
  std::uint64_t seed = 0;
  std::vector<SplitLabelNoise> splits;
};

/// Corrupts `dataset` (one split of a world made with `seed`, whose category ids are 1..category_count; its
/// category table and indexes are not needed) and returns what was planted. share = 0 returns no error and
/// leaves the dataset as it is.
SplitLabelNoise apply_label_noise(Dataset& dataset, Split split, std::uint64_t seed, int category_count,
                                  const LabelNoiseOptions& options);

/// WORLD/label-noise.json.
std::string label_noise_path(const std::string& world_dir);
void write_label_noise(const LabelNoiseRecord& record, const std::string& path);
/// Throws InputError (file, field, value) when the file is missing or malformed.
LabelNoiseRecord load_label_noise(const std::string& path);

/// The split of `record` whose planted errors are in `dataset` (every swapped or shifted annotation present
/// with its new category and box, every dropped one absent); none when no split fits.
std::optional<Split> split_of_dataset(const LabelNoiseRecord& record, const Dataset& dataset);

}  // namespace counterscope::data::synthetic
