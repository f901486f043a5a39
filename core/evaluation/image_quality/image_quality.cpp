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

void append(std::vector<SkippedImage>& to, const std::vector<SkippedImage>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

void require_two_images(const std::string& folder, std::int64_t count) {
  if (count < 2)
    throw InputError(folder, "", std::to_string(count) + " readable image(s)",
                     "FID needs at least 2 images per folder (a covariance); pytorch-fid advises >= 2048");
}

[[noreturn]] void throw_missing_weights() {
  throw InputError("image quality", "inception", "",
                   "FID and IS need Inception-v3 weights supplied by the user (nothing is downloaded): "
                   "pytorch-fid's pt_inception-2015-12-05-6726825d.pth for FID, torchvision's "
                   "inception_v3_google-0cc3c7bd.pth for IS");
}

}  // namespace

InceptionNetworks load_inception_networks(const std::vector<std::string>& paths, const JobContext& context) {
  if (paths.empty()) throw_missing_weights();
  InceptionNetworks networks;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    context.throw_if_cancelled();
    context.report("load Inception-v3", static_cast<std::int64_t>(i), static_cast<std::int64_t>(paths.size()),
                   paths[i]);
    InceptionV3 model = load_inception_v3(paths[i]);
    const bool fid = model->options().variant == InceptionVariant::pytorch_fid;
    InceptionV3& slot = fid ? networks.pytorch_fid : networks.torchvision;
    std::string& slot_path = fid ? networks.pytorch_fid_path : networks.torchvision_path;
    if (!slot.is_empty())
      throw InputError(paths[i], "inception", to_string(model->options().variant),
                       "a second file of the same variant as " + slot_path + " (give at most one per variant)");
    slot = model;
    slot_path = paths[i];
  }
  return networks;
}

ImageQualityResult compute_image_quality(const ImageQualityOptions& options, const JobContext& context) {
  return compute_image_quality(options, load_inception_networks(options.inception_weights, context), context);
}

ImageQualityResult compute_image_quality(const ImageQualityOptions& options, const InceptionNetworks& networks,
                                         const JobContext& context) {
  context.throw_if_cancelled();
  const bool have_fid_network = !networks.pytorch_fid.is_empty();
  const bool have_torchvision = !networks.torchvision.is_empty();
  if (!have_fid_network && !have_torchvision) throw_missing_weights();
  // Folders that cannot hold two images fail before any network runs.
  for (const std::string& folder : {options.real_folder, options.generated_folder})
    require_two_images(folder, static_cast<std::int64_t>(list_image_files(folder).size()));

  ImageQualityResult result;
  InceptionV3 fid_model = have_fid_network ? networks.pytorch_fid : networks.torchvision;
  result.fid_variant = fid_model->options().variant;
  result.fid_weights = have_fid_network ? networks.pytorch_fid_path : networks.torchvision_path;
  if (!have_fid_network)
    result.notes.push_back("FID computed on torchvision's Inception-v3 features: not comparable with published "
                           "FIDs, which use pytorch-fid's FID Inception (pt_inception-2015-12-05-6726825d.pth)");

  const FolderFeatures real = extract_folder_features(fid_model, options.real_folder, options.batch_size,
                                                      options.decode_threads, context, "real images");
  const FolderFeatures generated = extract_folder_features(
      fid_model, options.generated_folder, options.batch_size, options.decode_threads, context, "generated images");
  append(result.skipped, real.skipped);
  append(result.skipped, generated.skipped);
  result.real_images = real.pool.size(0);
  result.generated_images = generated.pool.size(0);
  require_two_images(options.real_folder, result.real_images);
  require_two_images(options.generated_folder, result.generated_images);
  context.report("Fréchet distance", 0, 1);
  result.fid = frechet_distance(gaussian_statistics(real.pool), gaussian_statistics(generated.pool),
                                options.frechet);
  context.report("Fréchet distance", 1, 1);
  if (result.fid.offset_added)
    result.notes.push_back("the covariance product was singular: eps*I added to both covariances, as pytorch-fid");

  if (!have_torchvision) {
    result.is_missing_reason = "the Inception Score needs torchvision's 1000-class Inception-v3 weights "
                               "(inception_v3_google-0cc3c7bd.pth)";
    return result;
  }
  result.is_weights = networks.torchvision_path;
  torch::Tensor logits = generated.logits;
  if (have_fid_network) {
    InceptionV3 is_model = networks.torchvision;
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
