// The augmentation job of the application (counterscope-cli augment as a JobFunction). A separate adapter
// from training_jobs.cpp because the counterfactual method pulls the detector, the generator and LibTorch:
// only these two adapters of the UI compile against the torch headers.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <QFile>
#include <QStringList>
#include <QVariant>

#include "core/augmentation/augmentation_job.h"
#include "core/augmentation/augmentation_journal.h"
#include "core/augmentation/counterfactual_candidates.h"
#include "core/augmentation/transform_candidates.h"
#include "core/counterfactual/explain_session.h"
#include "core/counterfactual/explainer.h"
#include "core/counterfactual/generator_file.h"
#include "core/data/category_labels.h"
#include "core/data/lvis/lvis_loader.h"
#include "core/util/error.h"
#include "ui/job_factories.h"

namespace counterscope::ui {

namespace {

const QString kCounterfactual = QStringLiteral("counterfactual");
const QString kTransforms = QStringLiteral("transforms");

std::string path8(const QString& path) { return QFile::encodeName(path).toStdString(); }

QString fromUtf8(const std::string& text) { return QString::fromStdString(text); }

void require(const QString& value, const char* field, const char* problem) {
  if (value.isEmpty()) throw InputError("job", field, "''", problem);
}

/// Checks the spec before anything is read, so that a form left half-filled fails at once and names the field.
void validate(const AugmentationJobSpec& spec) {
  if (spec.method != kCounterfactual && spec.method != kTransforms)
    throw InputError("job", "method", quote_for_message(spec.method.toStdString()),
                     "expected counterfactual or transforms");
  require(spec.annotations, "annotations", "required");
  require(spec.imageRoot, "image root", "required");
  require(spec.outputDir, "output folder", "required");
  if (spec.minImages < 1)
    throw InputError("job", "K (min images)", std::to_string(spec.minImages), "expected at least 1");
  if (spec.maxAttempts < 1)
    throw InputError("job", "max attempts", std::to_string(spec.maxAttempts), "expected at least 1");
  if (spec.seed < 0) throw InputError("job", "seed", std::to_string(spec.seed), "expected 0 or more");
  if (spec.method == kCounterfactual) {
    const char* problem = "required for the counterfactual method";
    require(spec.modelConfig, "model config", problem);
    require(spec.weights, "weights", problem);
    require(spec.generator, "generator", problem);
  }
}

/// The log's account of a finished run: the summary line, the statistics table and where the dataset is.
QString describe(const augmentation::AugmentationResult& result, const std::string& statisticsPath,
                 const QStringList& unreachable) {
  QString text = fromUtf8(result.message);
  if (result.images_resumed > 0)
    text += QObject::tr(" (%1 of them from the interrupted run's journal)").arg(result.images_resumed);
  if (!unreachable.isEmpty()) text += QObject::tr("; unreachable: %1").arg(unreachable.join(QStringLiteral(", ")));
  text += QLatin1Char('\n') + fromUtf8(augmentation::format_statistics_table(result.statistics)).trimmed();
  text += QObject::tr("\ndataset: %1 (--images %2); details: %3")
              .arg(fromUtf8(result.annotations_path), fromUtf8(result.images_root), fromUtf8(statisticsPath));
  return text;
}

}  // namespace

QStringList augmentationMethodNames() { return {kCounterfactual, kTransforms}; }

JobFunction makeAugmentationJob(const AugmentationJobSpec& spec) {
  return [spec](const JobContext& context) {
    validate(spec);
    const std::string annotations = path8(spec.annotations);
    const data::Dataset dataset = data::load_dataset(annotations, context);

    augmentation::AugmentationOptions options;
    options.annotations_path = annotations;
    options.image_root = path8(spec.imageRoot);
    options.out_dir = path8(spec.outputDir);
    options.min_images = spec.minImages;
    options.seed = static_cast<std::uint64_t>(spec.seed);
    options.max_attempts = spec.maxAttempts;

    JobOutcome outcome;
    outcome.outputs[QStringLiteral("output_dir")] = spec.outputDir;
    // "Nothing to do" is an answer, not a failure; it is known before a model is loaded for nothing.
    const augmentation::AugmentationPlan plan = augmentation::plan_augmentation(dataset, options.min_images);
    if (plan.nothing_to_do()) {
      outcome.summary = fromUtf8(augmentation::nothing_to_do_message(plan));
      outcome.outputs[QStringLiteral("nothing_to_do")] = true;
      outcome.outputs[QStringLiteral("images_added")] = 0;
      return outcome;
    }

    // The model and the explainer must outlive the candidate maker that refers to them.
    std::optional<modeling::MaskRcnn> model;
    std::unique_ptr<counterfactual::Explainer> explainer;
    std::unique_ptr<augmentation::CandidateMaker> maker;
    if (spec.method == kCounterfactual) {
      const data::CategoryLabels labels(dataset);
      context.report("load model", 0, 1);
      model = counterfactual::load_detector(path8(spec.modelConfig), path8(spec.weights), &labels, annotations);
      explainer = std::make_unique<counterfactual::GeneratorExplainer>(
          *model, counterfactual::load_generator(path8(spec.generator), (*model)->config()));
      context.report("load model", 1, 1);
      augmentation::CounterfactualCandidateOptions cf_options;
      cf_options.accept_score = spec.acceptScore;
      maker = std::make_unique<augmentation::CounterfactualCandidates>(dataset, options.image_root, *explainer,
                                                                       cf_options);
      // The same identity as the CLI's, so that either can resume a run the other started.
      options.identity = {{"model", path8(spec.modelConfig)},
                          {"weights", path8(spec.weights)},
                          {"generator", path8(spec.generator)}};
    } else {
      maker = std::make_unique<augmentation::TransformCandidates>(
          dataset, options.image_root, augmentation::TransformCandidateOptions{spec.strength});
    }

    const augmentation::AugmentationResult result = augmentation::run_augmentation(dataset, options, *maker, context);
    QStringList unreachable;
    for (const auto& category : result.outcomes) {
      if (!category.unreachable) continue;
      unreachable.append(fromUtf8(category.need.name));
      outcome.warnings.append(QObject::tr("unreachable: %1 (id %2): %3")
                                  .arg(fromUtf8(category.need.name))
                                  .arg(category.need.category_id)
                                  .arg(fromUtf8(category.reason)));
    }
    const std::string statistics = augmentation::output_paths(options.out_dir).statistics;
    outcome.summary = describe(result, statistics, unreachable);
    outcome.outputs[QStringLiteral("augmented_annotations")] = fromUtf8(result.annotations_path);
    outcome.outputs[QStringLiteral("augmented_images")] = fromUtf8(result.images_root);
    outcome.outputs[QStringLiteral("statistics")] = fromUtf8(statistics);
    outcome.outputs[QStringLiteral("images_added")] = static_cast<qlonglong>(result.images_added);
    outcome.outputs[QStringLiteral("images_resumed")] = static_cast<qlonglong>(result.images_resumed);
    outcome.outputs[QStringLiteral("partial")] = result.partial();
    outcome.outputs[QStringLiteral("unreachable")] = unreachable;
    return outcome;
  };
}

JobRunner* createAugmentationRunner(const AugmentationJobSpec& spec, QObject* parent) {
  auto* runner = new JobRunner(QObject::tr("Augment (%1, K = %2)").arg(spec.method).arg(spec.minImages),
                               QObject::tr("augmentation"), makeAugmentationJob(spec), parent);
  // The output folder's journal makes the same spec continue where the cancelled or failed run stopped.
  runner->setResumeFunction(makeAugmentationJob(spec));
  return runner;
}

}  // namespace counterscope::ui
