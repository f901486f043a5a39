#include "core/evaluation/image_quality/image_quality.h"

#include <algorithm>
#include <utility>

#include "core/evaluation/image_quality/image_folder.h"
#include "core/util/error.h"

namespace counterscope::evaluation {

FolderFeatures extract_folder_features(InceptionV3& model, const std::string& folder, std::int64_t batch_size,
                                       int decode_threads, const JobContext& context, const std::string& stage) {
  if (batch_size < 1) throw InputError("image quality", "batch_size", std::to_string(batch_size), "must be >= 1");
  torch::NoGradGuard no_grad;
  FolderFeatures result;
  result.folder = folder;
  const std::vector<std::string> files = list_image_files(folder);
  const auto total = static_cast<std::int64_t>(files.size());
  std::vector<torch::Tensor> pools, logits;
  context.report(stage, 0, total);
  for (std::int64_t start = 0; start < total; start += batch_size) {
    context.throw_if_cancelled();
    const std::int64_t end = std::min(total, start + batch_size);
    const std::vector<std::string> paths(files.begin() + start, files.begin() + end);
    std::vector<torch::Tensor> inputs;
    for (auto& decoded : decode_images(paths, decode_threads)) {
      if (!decoded.image.defined()) {
        context.report(stage, start, total, "skipped " + decoded.path + ": " + decoded.error);
        result.skipped.push_back({decoded.path, decoded.error});
        continue;
      }
      // Images of a folder may differ in size: each is resized to 299x299 alone, as one batch cannot hold them.
      inputs.push_back(model->preprocess(decoded.image.unsqueeze(0)));
      result.images.push_back(decoded.path);
    }
    if (!inputs.empty()) {
      const InceptionOutput output = model->forward(torch::cat(inputs, 0));
      pools.push_back(output.pool);
      logits.push_back(output.logits);
    }
    context.report(stage, end, total);
  }
  if (pools.empty())
    throw InputError(folder, "", "", "none of its " + std::to_string(total) + " image files could be decoded");
  result.pool = torch::cat(pools, 0);
  result.logits = torch::cat(logits, 0);
  return result;
}

namespace {

struct LoadedNetwork {
  std::string path;
  InceptionV3 model{nullptr};
};

void append(std::vector<SkippedImage>& to, const std::vector<SkippedImage>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

void require_two_images(const FolderFeatures& features) {
  if (features.pool.size(0) < 2)
    throw InputError(features.folder, "", std::to_string(features.pool.size(0)) + " readable image(s)",
                     "FID needs at least 2 images per folder (a covariance); pytorch-fid advises >= 2048");
}

}  // namespace

ImageQualityResult compute_image_quality(const ImageQualityOptions& options, const JobContext& context) {
  if (options.inception_weights.empty())
    throw InputError("image quality", "inception", "",
                     "FID and IS need Inception-v3 weights supplied by the user (nothing is downloaded)");
  std::optional<LoadedNetwork> fid_network, torchvision_network;
  for (const std::string& path : options.inception_weights) {
    context.report("load Inception-v3", 0, 1, path);
    LoadedNetwork network{path, load_inception_v3(path)};
    auto& slot = network.model->options().variant == InceptionVariant::pytorch_fid ? fid_network
                                                                                    : torchvision_network;
    if (slot)
      throw InputError(path, "inception", to_string(network.model->options().variant),
                       "a second file of the same variant as " + slot->path + " (give at most one per variant)");
    slot = std::move(network);
  }

  ImageQualityResult result;
  const LoadedNetwork& fid_source = fid_network ? *fid_network : *torchvision_network;
  result.fid_variant = fid_source.model->options().variant;
  result.fid_weights = fid_source.path;
  if (!fid_network)
    result.notes.push_back("FID computed on torchvision's Inception-v3 features: not comparable with published "
                           "FIDs, which use pytorch-fid's FID Inception (pt_inception-2015-12-05-6726825d.pth)");

  InceptionV3 fid_model = fid_source.model;
  const FolderFeatures real = extract_folder_features(fid_model, options.real_folder, options.batch_size,
                                                      options.decode_threads, context, "real images");
  const FolderFeatures generated = extract_folder_features(
      fid_model, options.generated_folder, options.batch_size, options.decode_threads, context, "generated images");
  append(result.skipped, real.skipped);
  append(result.skipped, generated.skipped);
  result.real_images = real.pool.size(0);
  result.generated_images = generated.pool.size(0);
  require_two_images(real);
  require_two_images(generated);
  context.report("Fréchet distance", 0, 1);
  result.fid = frechet_distance(gaussian_statistics(real.pool), gaussian_statistics(generated.pool),
                                options.frechet);
  context.report("Fréchet distance", 1, 1);
  if (result.fid.offset_added)
    result.notes.push_back("the covariance product was singular: eps*I added to both covariances, as pytorch-fid");

  if (!torchvision_network) {
    result.is_missing_reason = "the Inception Score needs torchvision's 1000-class Inception-v3 weights "
                               "(inception_v3_google-0cc3c7bd.pth)";
    return result;
  }
  result.is_weights = torchvision_network->path;
  torch::Tensor logits = generated.logits;
  if (fid_network) {
    InceptionV3 is_model = torchvision_network->model;
    logits = extract_folder_features(is_model, options.generated_folder, options.batch_size,
                                     options.decode_threads, context, "generated images (IS)")
                 .logits;
  }
  if (logits.size(0) < options.splits) {
    result.is_missing_reason = "fewer generated images (" + std::to_string(logits.size(0)) + ") than IS splits (" +
                               std::to_string(options.splits) + ")";
    return result;
  }
  // inception-score-pytorch: F.softmax on the float32 logits, the KL divergences in float64.
  result.inception_score = inception_score(torch::softmax(logits, 1), options.splits);
  return result;
}

}  // namespace counterscope::evaluation
