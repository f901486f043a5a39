// The evaluation job: runs a model on a split through the torch-free Predictor, writes the results file,
// evaluates boxes and masks as lvis-api does and analyses the errors (TIDE). Torch-free: it compiles fast.

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>

#include <QFile>
#include <QFileInfo>
#include <QVariant>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/data/lvis/image_paths.h"
#include "core/data/lvis/lvis_loader.h"
#include "core/data/lvis/results_io.h"
#include "core/data/mask/mask_api.h"
#include "core/evaluation/evaluation_report.h"
#include "core/evaluation/lvis_evaluator.h"
#include "core/modeling/predictor.h"
#include "core/util/error.h"
#include "ui/job_factories.h"

namespace counterscope::ui {

namespace {

std::string path8(const QString& path) { return QFile::encodeName(path).toStdString(); }

}  // namespace

JobFunction makeEvaluationJob(const EvaluationJobSpec& spec) {
  return [spec](const JobContext& context) {
    if (spec.weights.isEmpty() || spec.annotations.isEmpty() || spec.outputDir.isEmpty())
      throw InputError("job", "weights / annotations / output folder", "''", "required");
    const std::filesystem::path out(path8(spec.outputDir));
    std::error_code error;
    std::filesystem::create_directories(out, error);
    if (error) throw InputError(out.string(), "", "", "cannot create the folder: " + error.message());

    auto dataset = std::make_shared<data::Dataset>(data::load_dataset(path8(spec.annotations), context));
    modeling::PredictorOptions options;
    options.model = path8(spec.modelConfig.isEmpty() ? QStringLiteral("tiny") : spec.modelConfig);
    options.weights = path8(spec.weights);
    options.device = spec.device.toStdString();
    context.report("load model", 0, 0, options.weights);
    const modeling::Predictor predictor(options);
    // Label k is the k-th category sorted by id (the convention of training and predict).
    std::vector<std::int64_t> categories;
    for (const auto& category : dataset->categories) categories.push_back(category.id);
    std::sort(categories.begin(), categories.end());
    if (static_cast<std::int64_t>(categories.size()) != predictor.num_classes() - 1)
      throw InputError(path8(spec.annotations), "categories", std::to_string(categories.size()),
                       "the model has " + std::to_string(predictor.num_classes() - 1) + " classes");

    const std::size_t count = spec.maxImages > 0
                                  ? std::min<std::size_t>(dataset->images.size(), static_cast<std::size_t>(spec.maxImages))
                                  : dataset->images.size();
    evaluation::LvisEvaluator evaluator(*dataset);
    std::vector<data::Detection> all;
    JobOutcome outcome;
    const std::string root = path8(spec.imageRoot);
    for (std::size_t i = 0; i < count; ++i) {
      context.throw_if_cancelled();
      const auto& image = dataset->images[i];
      context.report("predict", static_cast<std::int64_t>(i), static_cast<std::int64_t>(count));
      const std::string file = data::resolve_image_path(image, root);
      const cv::Mat pixels = cv::imread(file, cv::IMREAD_UNCHANGED);
      if (pixels.empty()) {
        // One unreadable image does not stop the evaluation; it counts as an image without detections.
        if (outcome.warnings.size() < 20) outcome.warnings.append(QObject::tr("cannot read %1").arg(QString::fromStdString(file)));
        evaluator.process(image.id, {});
        continue;
      }
      const auto prediction = predictor.predict(pixels, file);
      std::vector<data::Detection> detections;
      for (const auto& instance : prediction.instances) {
        data::Detection detection;
        detection.image_id = image.id;
        detection.category_id = categories.at(static_cast<std::size_t>(instance.label - 1));
        detection.bbox = {instance.box[0], instance.box[1], instance.box[2] - instance.box[0],
                          instance.box[3] - instance.box[1]};
        detection.has_bbox = true;
        detection.score = instance.score;
        detection.segmentation = data::rle_encode_row_major(instance.mask.ptr<std::uint8_t>(),
                                                            static_cast<std::uint32_t>(prediction.height),
                                                            static_cast<std::uint32_t>(prediction.width));
        detections.push_back(detection);
      }
      all.insert(all.end(), detections.begin(), detections.end());
      evaluator.process(image.id, std::move(detections));
    }
    context.report("predict", static_cast<std::int64_t>(count), static_cast<std::int64_t>(count));
    data::write_results(all, (out / "results.json").string());

    context.report("evaluate", 0, 2, "bbox");
    const auto box = evaluator.evaluate(evaluation::IouType::bbox, context);
    context.report("evaluate", 1, 2, "segm");
    const auto mask = evaluator.evaluate(evaluation::IouType::segm, context);
    context.report("evaluate", 2, 2);
    context.report("error analysis", 0, 0);
    const auto prepared = evaluator.prepare();
    const auto box_errors = evaluation::analyse_errors(prepared, evaluation::IouType::bbox, {}, context);
    const auto mask_errors = evaluation::analyse_errors(prepared, evaluation::IouType::segm, {}, context);

    const nlohmann::json metrics{{"bbox", evaluation::metrics_to_json(box)},
                                 {"segm", evaluation::metrics_to_json(mask)}};
    evaluation::write_text_file((out / "eval.json").string(), metrics.dump(2) + "\n");
    nlohmann::json errors{{"bbox", evaluation::error_analysis_to_json(box_errors, *dataset)},
                          {"segm", evaluation::error_analysis_to_json(mask_errors, *dataset)}};
    evaluation::write_text_file((out / "errors.json").string(), errors.dump() + "\n");

    outcome.outputs[QStringLiteral("output_dir")] = spec.outputDir;
    outcome.outputs[QStringLiteral("results")] = QFile::decodeName((out / "results.json").string().c_str());
    outcome.outputs[QStringLiteral("evaluation")] = QFile::decodeName((out / "eval.json").string().c_str());
    outcome.outputs[QStringLiteral("errors")] = QFile::decodeName((out / "errors.json").string().c_str());
    outcome.outputs[QStringLiteral("model_config")] = spec.modelConfig;
    outcome.outputs[QStringLiteral("weights")] = spec.weights;
    outcome.summary = QObject::tr("%1 images, %2 detections: AP %3 (box), %4 (mask); APr %5")
                          .arg(count)
                          .arg(all.size())
                          .arg(box.metrics.ap, 0, 'f', 4)
                          .arg(mask.metrics.ap, 0, 'f', 4)
                          .arg(mask.metrics.ap_rare, 0, 'f', 4);
    return outcome;
  };
}

JobRunner* createEvaluationRunner(const EvaluationJobSpec& spec, QObject* parent) {
  return new JobRunner(QObject::tr("Evaluate %1").arg(QFileInfo(spec.weights).completeBaseName()),
                       QObject::tr("evaluation"), makeEvaluationJob(spec), parent);
}

}  // namespace counterscope::ui
