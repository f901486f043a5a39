#pragma once
// The image-quality job: FID between a folder of real and a folder of generated images, and the Inception
// Score of the generated ones, computed as pytorch-fid and inception-score-pytorch do, with Inception-v3
// weights the user supplies (see inception_v3.h; nothing is ever downloaded).
//  - FID uses pytorch-fid's FID Inception when its weights are given; with torchvision's weights only, FID is
//    computed on torchvision's pool features and flagged as such (not comparable with published FIDs).
//  - IS needs torchvision's 1000-class weights; without them it is not computed and the result says why.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/evaluation/image_quality/frechet_distance.h"
#include "core/evaluation/image_quality/inception_score.h"
#include "core/evaluation/image_quality/inception_v3.h"
#include "core/util/progress.h"

namespace counterscope::evaluation {

struct ImageQualityOptions {
  /// Folder of real images (FID's reference set).
  std::string real_folder;
  /// Folder of generated images (compared with the real ones; IS is computed on them).
  std::string generated_folder;
  /// One or two Inception-v3 state dicts (.pth/.safetensors): at most one per variant.
  std::vector<std::string> inception_weights;
  /// Images per forward pass (pytorch-fid's default 50).
  std::int64_t batch_size = 50;
  /// IS splits (the reference's 10).
  std::int64_t splits = 10;
  /// Threads decoding images (<= 0: all cores). LibTorch's own thread count is set by the caller.
  int decode_threads = 0;
  /// Square-root settings of the Fréchet distance.
  FrechetOptions frechet;
};

/// A file that was left out, and why.
struct SkippedImage {
  std::string path;
  std::string reason;
};

/// The network outputs for one folder.
struct FolderFeatures {
  std::string folder;
  std::vector<std::string> images;     ///< decoded and used, in order
  std::vector<SkippedImage> skipped;   ///< listed but not decodable
  torch::Tensor pool;                  ///< [N, 2048] pool3 features
  torch::Tensor logits;                ///< [N, classes]
};

/// Runs `model` over every image of `folder` in batches; progress under `stage`, cancellation per batch.
/// Throws InputError when the folder has no image or none can be decoded.
FolderFeatures extract_folder_features(InceptionV3& model, const std::string& folder, std::int64_t batch_size,
                                       int decode_threads, const JobContext& context, const std::string& stage);

struct ImageQualityResult {
  std::int64_t real_images = 0;
  std::int64_t generated_images = 0;
  std::vector<SkippedImage> skipped;       ///< both folders
  InceptionVariant fid_variant = InceptionVariant::pytorch_fid;
  std::string fid_weights;                 ///< the file whose network gave FID's features
  FrechetDistance fid;
  std::optional<InceptionScore> inception_score;  ///< of the generated images
  std::string is_weights;                  ///< the file whose network gave IS's predictions
  std::string is_missing_reason;           ///< why IS was not computed (when it was not)
  std::vector<std::string> notes;          ///< caveats worth printing (e.g. FID on torchvision's features)
};

/// The networks of a job, loaded once (a caller may keep them for several jobs).
struct InceptionNetworks {
  InceptionV3 pytorch_fid{nullptr};  ///< FID's network when given
  std::string pytorch_fid_path;
  InceptionV3 torchvision{nullptr};  ///< IS's network (and FID's when pytorch_fid is absent)
  std::string torchvision_path;
};

/// Loads one or two weight files, at most one per variant. Throws InputError when there is none (FID and IS
/// need user-supplied weights, which this message names), for two files of one variant, and for weights of
/// another architecture.
InceptionNetworks load_inception_networks(const std::vector<std::string>& paths, const JobContext& context = {});

/// Runs the networks over both folders and computes FID and IS. Throws InputError for bad input (an empty
/// folder, fewer than 2 images for FID) and Cancelled when asked to stop.
ImageQualityResult compute_image_quality(const ImageQualityOptions& options, const InceptionNetworks& networks,
                                         const JobContext& context = {});
/// Loads options.inception_weights, then as above.
ImageQualityResult compute_image_quality(const ImageQualityOptions& options, const JobContext& context = {});

}  // namespace counterscope::evaluation
