#include "core/engine/detection_data.h"

#include <algorithm>
#include <random>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/data/lvis/image_paths.h"
#include "core/data/mask/mask_api.h"
#include "core/util/error.h"

namespace counterscope::engine {

std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t index) {
  std::uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (index + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

bool usable_for_training(const data::Annotation& annotation) {
  return !annotation.iscrowd && annotation.bbox.w >= 1.0 && annotation.bbox.h >= 1.0;
}

DetectionDataSource::DetectionDataSource(const data::Dataset& dataset, std::string image_root,
                                         DetectionDataOptions options, EpochSampler sampler)
    : m_dataset(dataset), m_image_root(std::move(image_root)), m_options(options), m_sampler(std::move(sampler)),
      m_labels(dataset) {
  if (m_options.batch_size < 1)
    throw InputError("training", "batch", std::to_string(m_options.batch_size), "expected at least 1 image per batch");
  for (std::uint32_t i = 0; i < dataset.images.size(); ++i) {
    const auto& annotations = dataset.annotations_of_image(i);
    if (std::any_of(annotations.begin(), annotations.end(),
                    [&](std::uint32_t a) { return usable_for_training(dataset.annotations[a]); }))
      m_usable.push_back(i);
  }
  m_is_usable.assign(dataset.images.size(), 0);
  for (std::uint32_t index : m_usable) m_is_usable[index] = 1;
  if (m_usable.empty())
    throw InputError(dataset.source_path, "annotations", "", "no image has a usable (non-crowd) annotation to train on");
}

std::uint32_t DetectionDataSource::sample_image(std::int64_t sample) const {
  std::lock_guard<std::mutex> lock(m_epochs_mutex);
  if (m_epoch_starts.empty()) m_epoch_starts.push_back(0);
  while (true) {
    const std::size_t epoch = m_epochs.size();
    if (epoch > 0 && sample < m_epoch_starts[epoch]) break;
    const std::uint64_t epoch_seed = mix_seed(m_options.seed, epoch);
    std::vector<std::uint32_t> order = m_usable;
    if (m_sampler) {
      // A sampler (repeat factors) may draw images without usable annotations: keep the usable ones only.
      order.clear();
      for (std::uint32_t index : m_sampler(static_cast<std::int64_t>(epoch), epoch_seed))
        if (index < m_is_usable.size() && m_is_usable[index]) order.push_back(index);
    }
    if (order.empty()) throw Error("the epoch sampler returned no images for epoch " + std::to_string(epoch));
    std::mt19937_64 generator(epoch_seed);
    // Fisher-Yates with our own index draws: std::shuffle's draws are implementation-defined.
    for (std::size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[generator() % (i + 1)]);
    m_epoch_starts.push_back(m_epoch_starts.back() + static_cast<std::int64_t>(order.size()));
    m_epochs.push_back(std::move(order));
  }
  const auto epoch = static_cast<std::size_t>(
      std::upper_bound(m_epoch_starts.begin(), m_epoch_starts.end(), sample) - m_epoch_starts.begin() - 1);
  return m_epochs[epoch][static_cast<std::size_t>(sample - m_epoch_starts[epoch])];
}

DetectionBatch DetectionDataSource::batch(std::int64_t iteration) const {
  DetectionBatch batch;
  for (std::int64_t k = 0; k < m_options.batch_size; ++k) {
    const std::int64_t sample = iteration * m_options.batch_size + k;
    const bool flip = m_options.horizontal_flip && (mix_seed(m_options.seed ^ 0xf1f1ULL, sample) & 1ULL);
    load_sample(sample_image(sample), flip, batch);
  }
  return batch;
}

void DetectionDataSource::load_sample(std::uint32_t image_index, bool flip, DetectionBatch& into) const {
  const data::ImageInfo& info = m_dataset.images[image_index];
  const std::string path = data::resolve_image_path(info, m_image_root);
  cv::Mat bgr = cv::imread(path, cv::IMREAD_COLOR);
  if (bgr.empty()) throw InputError(path, "image " + std::to_string(info.id), "", "cannot be decoded");
  if (bgr.rows != info.height || bgr.cols != info.width)
    throw InputError(path, "image " + std::to_string(info.id),
                     std::to_string(bgr.cols) + "x" + std::to_string(bgr.rows),
                     "size differs from the annotation's " + std::to_string(info.width) + "x" + std::to_string(info.height));
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  if (flip) cv::flip(rgb, rgb, 1);
  torch::Tensor image = torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, torch::kUInt8)
                            .permute({2, 0, 1}).to(torch::kFloat32).div_(255.0).contiguous();

  std::vector<float> boxes;
  std::vector<std::int64_t> labels;
  std::vector<torch::Tensor> masks;
  for (std::uint32_t a : m_dataset.annotations_of_image(image_index)) {
    const data::Annotation& annotation = m_dataset.annotations[a];
    if (!usable_for_training(annotation)) continue;
    const auto label = m_labels.label_of(annotation.category_id);
    if (!label) continue;
    double x1 = annotation.bbox.x, x2 = annotation.bbox.x + annotation.bbox.w;
    if (flip) {
      const double flipped_x1 = info.width - x2;
      x2 = info.width - x1;
      x1 = flipped_x1;
    }
    boxes.insert(boxes.end(), {static_cast<float>(x1), static_cast<float>(annotation.bbox.y), static_cast<float>(x2),
                               static_cast<float>(annotation.bbox.y + annotation.bbox.h)});
    labels.push_back(*label);
    std::vector<std::uint8_t> mask = data::rle_decode_row_major(m_dataset.mask_of(annotation));
    torch::Tensor mask_tensor = torch::from_blob(mask.data(), {info.height, info.width}, torch::kUInt8).clone();
    masks.push_back(flip ? mask_tensor.flip({1}) : mask_tensor);
  }
  modeling::Target target;
  const auto count = static_cast<std::int64_t>(labels.size());
  target.boxes = torch::tensor(boxes, torch::kFloat32).reshape({count, 4});
  target.labels = torch::tensor(labels, torch::kLong);
  target.masks = count > 0 ? torch::stack(masks) : torch::zeros({0, info.height, info.width}, torch::kUInt8);
  into.images.push_back(image);
  into.targets.push_back(std::move(target));
  into.image_ids.push_back(info.id);
}

}  // namespace counterscope::engine
