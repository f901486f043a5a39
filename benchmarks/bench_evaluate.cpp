// bench_evaluate: LVIS evaluation speed and memory.
//
// 1. The reference set of shared/refs (100 real LVIS v0.5 val images, 977 instances) replicated 20 times —
//    2,000 images, 19,540 instances, the detections of dets_1.json for every copy — evaluated for bbox and
//    segm (median of several runs, all cores). The metrics must equal those of the 1x set (replicating every
//    image and detection leaves precision at every recall point unchanged, up to rounding).
//    Baseline: lvis-api on the same kind of set takes about 19 s for bbox and 19 s for segm on a 2-core
//    machine (shared/refs/README.md; lvis-api cannot be installed here, so the anchor is quoted, not rerun).
// 2. LVIS v1 val scale, synthetic: 20,000 images, 1,203 categories, ~12 instances per image, 300 detections
//    per image (6 M), measured in a child process for its peak memory (getrusage of the child).
//
// 3. --analyses: on the v1-scale set, what the confusion matrix and the calibration add to an evaluation:
//    the evaluation alone (prepare + evaluate) against prepare + evaluate recording its 0.50 matches +
//    calibration + cross-category matching + confusion matrix, alternated in one process, medians and their
//    ratio (a busy machine slows both alike; compare ratios within one run).
//
// Usage: bench_evaluate [--refs DIR] [--runs N] [--threads N] [--skip-v1] [--analyses]

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/data/lvis/lvis_loader.h"
#include "core/data/lvis/results_io.h"
#include "core/evaluation/calibration.h"
#include "core/evaluation/confusion_matrix.h"
#include "core/evaluation/lvis_evaluator.h"

using namespace counterscope;
using namespace counterscope::evaluation;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// CPU seconds (user + system, all threads) of this process: a figure the load of a shared machine does not
/// inflate, unlike wall-clock time.
double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

double peak_rss_mib(int who) {
  rusage usage{};
  getrusage(who, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

/// `copies` copies of the dataset, image and annotation ids shifted by multiples of 10^7 (LVIS ids are smaller).
data::Dataset replicate(const data::Dataset& source, int copies) {
  constexpr std::int64_t shift = 10'000'000;
  data::Dataset out;
  out.format = source.format;
  out.source_path = source.source_path + " x" + std::to_string(copies);
  out.categories = source.categories;
  // Polygons and RLEs are shared: every copy of an annotation points at the same coordinates.
  out.polygon_coordinates = source.polygon_coordinates;
  out.polygon_offsets = source.polygon_offsets;
  out.rles = source.rles;
  for (int c = 0; c < copies; ++c) {
    for (auto image : source.images) {
      image.id += c * shift;
      out.images.push_back(std::move(image));
    }
    for (auto annotation : source.annotations) {
      annotation.id += c * shift;
      annotation.image_id += c * shift;
      out.annotations.push_back(annotation);
    }
  }
  out.build_indexes();
  return out;
}

std::vector<data::Detection> replicate(const std::vector<data::Detection>& source, int copies) {
  constexpr std::int64_t shift = 10'000'000;
  std::vector<data::Detection> out;
  out.reserve(source.size() * static_cast<std::size_t>(copies));
  for (int c = 0; c < copies; ++c) {
    for (auto detection : source) {
      detection.image_id += c * shift;
      out.push_back(std::move(detection));
    }
  }
  return out;
}

struct Timed {
  EvaluationResult result;
  double median_seconds = 0;
  double median_cpu_seconds = 0;
};

Timed time_evaluation(const LvisEvaluator& evaluator, IouType type, int runs) {
  Timed timed;
  std::vector<double> times, cpu_times;
  for (int r = 0; r < runs; ++r) {
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = cpu_seconds();
    timed.result = evaluator.evaluate(type);
    times.push_back(seconds_since(start));
    cpu_times.push_back(cpu_seconds() - cpu_start);
  }
  timed.median_seconds = median(times);
  timed.median_cpu_seconds = median(cpu_times);
  return timed;
}

double max_metric_difference(const EvaluationResult& a, const EvaluationResult& b) {
  const auto x = a.metrics.named(300), y = b.metrics.named(300);
  double worst = 0;
  for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(x[i].second - y[i].second));
  return worst;
}

int replicated_benchmark(const std::string& refs, int runs, int threads) {
  const auto base = data::load_dataset(refs + "/lvis/lvis_v0.5_val_100.json");
  const auto base_detections = data::load_results(refs + "/lvis/eval/dets_1.json", &base);
  const auto big = replicate(base, 20);
  const auto big_detections = replicate(base_detections, 20);
  std::printf("replicated set: %zu images, %zu instances, %zu detections (dets_1.json x20), %d threads\n",
              big.images.size(), big.annotations.size(), big_detections.size(), threads);

  EvaluationOptions options;
  options.threads = threads;
  LvisEvaluator small_evaluator(base, options);
  small_evaluator.process_results(base_detections);
  LvisEvaluator big_evaluator(big, options);
  big_evaluator.process_results(big_detections);

  bool identical = true;
  for (const auto type : {IouType::bbox, IouType::segm}) {
    const auto one = small_evaluator.evaluate(type);
    const auto timed = time_evaluation(big_evaluator, type, runs);
    const double difference = max_metric_difference(one, timed.result);
    identical = identical && difference <= 1e-9;
    std::printf("  %s: median %.3f s wall, %.3f s CPU (all threads) over %d runs (lvis-api anchor ~19 s: %.0fx "
                "faster in wall time); AP %.6f AR %.6f; max |metric - 1x metric| = %.2e %s\n",
                iou_type_name(type), timed.median_seconds, timed.median_cpu_seconds, runs, 19.0 / timed.median_seconds,
                timed.result.metrics.ap,
                timed.result.metrics.ar, difference, difference <= 1e-9 ? "(equal)" : "(DIFFERENT)");
  }
  std::printf("  peak memory of this process: %.0f MiB\n", peak_rss_mib(RUSAGE_SELF));
  return identical ? 0 : 1;
}

/// An LVIS v1 val sized synthetic set: categories with LVIS v1's frequency split, ~12 box instances per
/// image over ~4 categories, 5 negative categories per image, 300 detections per image of which two thirds
/// are near ground truth or on negative categories and one third on random categories (not evaluated under the
/// federated rules, as with a real detector).
void make_v1_scale(data::Dataset& dataset, std::vector<data::Detection>& detections, bool masks) {
  std::mt19937_64 random(2024);
  const int category_count = 1203, image_count = 20000, width = 640, height = 480;
  for (int c = 0; c < category_count; ++c) {
    data::Category category;
    category.id = c + 1;
    category.name = "category_" + std::to_string(c + 1);
    category.frequency = c < 337 ? data::Frequency::rare : c < 798 ? data::Frequency::common : data::Frequency::frequent;
    dataset.categories.push_back(category);
  }
  std::uniform_int_distribution<int> any_category(1, category_count);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::int64_t annotation_id = 1;
  auto box_polygon = [&](const data::BoxXywh& b) {
    for (const double v : {b.x, b.y, b.x, b.y + b.h, b.x + b.w, b.y + b.h, b.x + b.w, b.y}) {
      dataset.polygon_coordinates.push_back(v);
    }
    dataset.polygon_offsets.push_back(dataset.polygon_coordinates.size());
  };
  auto random_box = [&]() {
    const double w = 4 + unit(random) * 56, h = 4 + unit(random) * 56;
    return data::BoxXywh{std::floor(unit(random) * (width - w)), std::floor(unit(random) * (height - h)), std::floor(w),
                         std::floor(h)};
  };
  auto make_detection = [&](std::int64_t image_id, std::int64_t category_id, const data::BoxXywh& b) {
    data::Detection d;
    d.image_id = image_id;
    d.category_id = category_id;
    d.score = unit(random);
    d.bbox = b;
    d.has_bbox = true;
    if (masks) {
      // The box as a column-major RLE, built directly (rasterising 6 M polygons would dominate the setup).
      d.segmentation.height = height;
      d.segmentation.width = width;
      const auto x0 = static_cast<std::uint32_t>(b.x), y0 = static_cast<std::uint32_t>(b.y);
      const auto w = static_cast<std::uint32_t>(b.w), h = static_cast<std::uint32_t>(b.h);
      auto& counts = d.segmentation.counts;
      counts.reserve(2 * w + 1);
      counts.push_back(x0 * height + y0);
      for (std::uint32_t x = 0; x < w; ++x) {
        counts.push_back(h);
        if (x + 1 < w) counts.push_back(height - h);
      }
      counts.push_back(static_cast<std::uint32_t>(width) * height - (x0 + w - 1) * height - y0 - h);
    }
    return d;
  };
  detections.reserve(static_cast<std::size_t>(image_count) * 300);
  for (int i = 0; i < image_count; ++i) {
    data::ImageInfo image;
    image.id = i + 1;
    image.width = width;
    image.height = height;
    std::vector<std::int64_t> positives;
    for (int k = 0; k < 4; ++k) positives.push_back(any_category(random));
    for (int k = 0; k < 5; ++k) image.neg_category_ids.push_back(any_category(random));
    if (unit(random) < 0.3) image.not_exhaustive_category_ids.push_back(positives[0]);
    std::vector<data::Annotation> truths;
    const int truth_count = 6 + static_cast<int>(unit(random) * 13);
    for (int t = 0; t < truth_count; ++t) {
      data::Annotation a;
      a.id = annotation_id++;
      a.image_id = image.id;
      a.category_id = positives[static_cast<std::size_t>(t) % positives.size()];
      a.bbox = random_box();
      a.area = a.bbox.w * a.bbox.h;
      a.segmentation.first_polygon = static_cast<std::uint32_t>(dataset.polygon_offsets.size() - 1);
      a.segmentation.polygon_count = 1;
      box_polygon(a.bbox);
      truths.push_back(a);
      dataset.annotations.push_back(a);
    }
    for (int d = 0; d < 300; ++d) {
      const double kind = unit(random);
      if (kind < 0.5) {  // near a ground truth, sometimes with a confused category
        const auto& t = truths[static_cast<std::size_t>(d) % truths.size()];
        data::BoxXywh b = t.bbox;
        b.x = std::max(0.0, std::min(width - b.w, b.x + std::round((unit(random) - 0.5) * b.w * 0.4)));
        b.y = std::max(0.0, std::min(height - b.h, b.y + std::round((unit(random) - 0.5) * b.h * 0.4)));
        const auto category = unit(random) < 0.8 ? t.category_id : image.neg_category_ids[static_cast<std::size_t>(d) % 5];
        detections.push_back(make_detection(image.id, category, b));
      } else if (kind < 0.67) {
        detections.push_back(make_detection(image.id, image.neg_category_ids[static_cast<std::size_t>(d) % 5], random_box()));
      } else {
        detections.push_back(make_detection(image.id, any_category(random), random_box()));
      }
    }
    dataset.images.push_back(std::move(image));
  }
  dataset.source_path = "synthetic LVIS v1 val scale";
  dataset.build_indexes();
}

/// Runs the v1-scale benchmark for one IoU type in a child process and prints its figures and peak memory.
void v1_scale_benchmark(IouType type, int threads) {
  std::fflush(stdout);
  const pid_t child = fork();
  if (child == 0) {
    const auto setup_start = std::chrono::steady_clock::now();
    data::Dataset dataset;
    std::vector<data::Detection> detections;
    make_v1_scale(dataset, detections, type == IouType::segm);
    const double setup = seconds_since(setup_start);
    const std::size_t count = detections.size();
    EvaluationOptions options;
    options.threads = threads;
    LvisEvaluator evaluator(dataset, options);
    evaluator.process_results(std::move(detections));
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = cpu_seconds();
    const auto result = evaluator.evaluate(type);
    const double evaluate = seconds_since(start), cpu = cpu_seconds() - cpu_start;
    std::printf("  %s: %zu images, %zu instances, %zu detections (%zu evaluated after the federated filter): "
                "evaluate %.2f s wall, %.2f s CPU (synthetic set built in %.1f s); AP %.4f\n",
                iou_type_name(type), dataset.images.size(), dataset.annotations.size(), count,
                result.evaluated_detection_count, evaluate, cpu, setup, result.metrics.ap);
    std::fflush(stdout);
    _exit(0);
  }
  int status = 0;
  rusage usage{};
  wait4(child, &status, 0, &usage);
  std::printf("  %s: peak memory of the child (data + evaluation) %.0f MiB%s\n", iou_type_name(type),
              static_cast<double>(usage.ru_maxrss) / 1024.0,
              WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "" : " (child failed)");
}

/// The analyses' cost on the v1-scale set for one IoU type, in a child process (the set is large).
void analyses_benchmark(IouType type, int threads, int runs) {
  std::fflush(stdout);
  const pid_t child = fork();
  if (child == 0) {
    data::Dataset dataset;
    std::vector<data::Detection> detections;
    make_v1_scale(dataset, detections, type == IouType::segm);
    const std::size_t count = detections.size();
    EvaluationOptions options;
    options.threads = threads;
    LvisEvaluator evaluator(dataset, options);
    evaluator.process_results(std::move(detections));
    std::vector<double> plain, with_analyses, calibration_seconds, matching_seconds, matrix_seconds;
    std::size_t instances = 0, confusions = 0;
    double ece = -1;
    for (int r = 0; r < runs; ++r) {
      auto start = std::chrono::steady_clock::now();
      const auto result = evaluator.evaluate(type);
      plain.push_back(seconds_since(start));

      start = std::chrono::steady_clock::now();
      const PreparedEvaluation prepared = evaluator.prepare();
      SameCategoryMatches at_50;
      const auto recorded = evaluator.evaluate(prepared, type, {}, &at_50);
      CalibrationOptions calibration_options;
      calibration_options.threads = threads;
      auto phase = std::chrono::steady_clock::now();
      const auto calibration = calibrate(prepared, at_50, calibration_options);
      calibration_seconds.push_back(seconds_since(phase));
      DetectionMatchingOptions matching;
      matching.min_score = ConfusionOptions{}.min_score;
      matching.threads = threads;
      phase = std::chrono::steady_clock::now();
      const auto matched = match_detections(prepared, at_50, matching);
      matching_seconds.push_back(seconds_since(phase));
      phase = std::chrono::steady_clock::now();
      const auto matrix = build_confusion_matrix(prepared, matched, ConfusionDetail::confusions);
      matrix_seconds.push_back(seconds_since(phase));
      with_analyses.push_back(seconds_since(start));
      instances = matrix.instances.size();
      confusions = matrix.top_confusions(1u << 30).size();
      ece = calibration.overall.ece;
      if (recorded.metrics.ap != result.metrics.ap) std::printf("  (recording the matches changed the AP!)\n");
    }
    const double a = median(plain), b = median(with_analyses);
    std::printf("  %s: %zu detections; evaluation %.2f s, evaluation + calibration + confusion %.2f s (medians of %d "
                "alternated runs): ratio %.3f (+%.1f%%); %zu confused instances kept, %zu confused cells, ECE %.4f\n",
                iou_type_name(type), count, a, b, runs, b / a, 100.0 * (b / a - 1), instances, confusions, ece);
    std::printf("    medians: calibration %.3f s, cross-category matching %.3f s, matrix %.3f s\n",
                median(calibration_seconds), median(matching_seconds), median(matrix_seconds));
    std::fflush(stdout);
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) std::printf("  %s: child failed\n", iou_type_name(type));
}

}  // namespace

int main(int argc, char** argv) {
  std::string refs = COUNTERSCOPE_SOURCE_DIR "/../shared/refs";
  int runs = 5, threads = 0;
  bool skip_v1 = false, analyses = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--refs" && i + 1 < argc) {
      refs = argv[++i];
    } else if (arg == "--runs" && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--threads" && i + 1 < argc) {
      threads = std::max(0, std::atoi(argv[++i]));
    } else if (arg == "--skip-v1") {
      skip_v1 = true;
    } else if (arg == "--analyses") {
      analyses = true;
    } else {
      std::fprintf(stderr, "usage: bench_evaluate [--refs DIR] [--runs N] [--threads N] [--skip-v1] [--analyses]\n");
      return 2;
    }
  }
  if (analyses) {
    std::printf("Confusion matrix and calibration on the LVIS v1 val scale set (synthetic), %d threads:\n", threads);
    analyses_benchmark(IouType::bbox, threads, runs);
    analyses_benchmark(IouType::segm, threads, runs);
    return 0;
  }
  if (!skip_v1) {
    std::printf("LVIS v1 val scale (synthetic), %d threads:\n", threads);
    v1_scale_benchmark(IouType::bbox, threads);
    v1_scale_benchmark(IouType::segm, threads);
  }
  try {
    return replicated_benchmark(refs, runs, threads);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench_evaluate: %s\n", error.what());
    return 1;
  }
}
