// The LibTorch-pulling adapter of the application: detector training and generator training as JobFunctions.
// Kept to these two functions so that only this file of the UI compiles against the torch headers.

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include <QFile>

#include "core/counterfactual/counterfactual_trainer.h"
#include "core/counterfactual/explain_session.h"
#include "core/counterfactual/generator_file.h"
#include "core/data/lvis/lvis_loader.h"
#include "core/engine/checkpointer.h"
#include "core/engine/detector_training.h"
#include "core/engine/training_hooks.h"
#include "core/losses/classification_loss.h"
#include "core/util/error.h"
#include "ui/job_factories.h"

namespace counterscope::ui {

namespace {

std::string path8(const QString& path) { return QFile::encodeName(path).toStdString(); }

QString fromPath(const std::filesystem::path& path) { return QFile::decodeName(path.string().c_str()); }

void require(const QString& value, const char* field) {
  if (value.isEmpty()) throw InputError("job", field, "''", "required");
}

}  // namespace

QStringList trainingLossNames() {
  QStringList names;
  for (const auto& name : losses::classification_loss_names()) names.append(QString::fromStdString(name));
  return names;
}

JobFunction makeTrainingJob(const TrainingJobSpec& spec) {
  return [spec](const JobContext& context) {
    require(spec.trainAnnotations, "train annotations");
    require(spec.imageRoot, "image root");
    require(spec.outputDir, "output folder");
    engine::DetectorTrainingOptions options;
    options.model = path8(spec.model);
    options.train_annotations = path8(spec.trainAnnotations);
    options.image_root = path8(spec.imageRoot);
    options.val_annotations = path8(spec.valAnnotations);
    options.loss.name = spec.loss.toStdString();
    options.iterations = spec.iterations;
    options.batch_size = spec.batchSize;
    options.device = spec.device.toStdString();
    options.output_dir = path8(spec.outputDir);
    options.resume = spec.resume;
    options.checkpoint_period = spec.checkpointPeriod;
    options.log_period = spec.logPeriod;
    options.max_eval_images = spec.maxEvalImages;
    options.loader_threads = spec.loaderThreads;
    if (spec.baseLearningRate > 0) options.solver.base_lr = spec.baseLearningRate;
    const auto result = engine::train_detector(options, context);

    JobOutcome outcome;
    outcome.completed = result.completed;
    for (const auto& warning : result.warnings) outcome.warnings.append(QString::fromStdString(warning));
    const std::filesystem::path out(options.output_dir);
    outcome.outputs[QStringLiteral("output_dir")] = spec.outputDir;
    outcome.outputs[QStringLiteral("iterations")] = static_cast<qlonglong>(result.iterations_done);
    outcome.outputs[QStringLiteral("metrics_log")] = fromPath(out / "metrics.jsonl");
    outcome.outputs[QStringLiteral("loss")] = spec.loss;
    if (result.completed) {
      outcome.outputs[QStringLiteral("weights")] = QString::fromStdString(result.weights_path);
      outcome.outputs[QStringLiteral("model_config")] = fromPath(out / "model.json");
      if (!result.evaluation.is_null()) outcome.outputs[QStringLiteral("evaluation")] = fromPath(out / "eval.json");
    }
    outcome.summary = QObject::tr("%1 iterations, %2 s").arg(result.iterations_done).arg(result.seconds, 0, 'f', 1);
    if (result.evaluation.contains("segm") && result.evaluation["segm"].contains("AP")) {
      outcome.summary += QObject::tr(", mask AP %1").arg(result.evaluation["segm"]["AP"].get<double>(), 0, 'f', 4);
    }
    return outcome;
  };
}

JobFunction makeGeneratorTrainingJob(const GeneratorJobSpec& spec) {
  return [spec](const JobContext& context) {
    require(spec.modelConfig, "model config");
    require(spec.weights, "weights");
    require(spec.trainAnnotations, "train annotations");
    require(spec.outputDir, "output folder");
    if (spec.iterations < 1 || spec.batchSize < 1 || spec.checkpointPeriod < 1)
      throw InputError("job", "iterations / batch / checkpoint period",
                       QStringLiteral("%1 / %2 / %3").arg(spec.iterations).arg(spec.batchSize)
                           .arg(spec.checkpointPeriod).toStdString(),
                       "expected positive counts");
    counterfactual::TrainingOptions options;
    options.target_loss = counterfactual::parse_target_loss(spec.targetLoss.toStdString(), "job", "target loss");
    options.batch_size = spec.batchSize;
    options.checkpoint_period = spec.checkpointPeriod;

    const std::filesystem::path out(path8(spec.outputDir));
    std::error_code error;
    std::filesystem::create_directories(out, error);
    if (error) throw InputError(out.string(), "", "", "cannot create the folder: " + error.message());
    const std::string annotations = path8(spec.trainAnnotations);
    const data::Dataset dataset = data::load_dataset(annotations, context);
    const data::CategoryLabels labels(dataset);
    modeling::MaskRcnn model =
        counterfactual::load_detector(path8(spec.modelConfig), path8(spec.weights), &labels, annotations);
    engine::DetectionDataOptions data_options;
    data_options.batch_size = options.batch_size;
    data_options.horizontal_flip = options.horizontal_flip;
    data_options.seed = options.seed;
    const engine::DetectionDataSource data(dataset, path8(spec.imageRoot), data_options);

    counterfactual::CounterfactualTrainer trainer(model, data, options, spec.iterations);
    engine::Checkpointer checkpointer((out / "checkpoints").string());
    trainer.register_hook(std::make_shared<engine::ProgressHook>("cf-train"));
    trainer.register_hook(
        std::make_shared<engine::MetricsLogHook>((out / "metrics.jsonl").string(), options.log_period));
    trainer.register_hook(std::make_shared<engine::CheckpointHook>(checkpointer, options.checkpoint_period));
    JobOutcome outcome;
    if (spec.resume) {
      std::vector<std::string> warnings;
      const auto resumed = checkpointer.resume(trainer, &warnings);
      for (const auto& warning : warnings) outcome.warnings.append(QString::fromStdString(warning));
      if (resumed) outcome.outputs[QStringLiteral("resumed_from")] = QString::fromStdString(*resumed);
    }
    std::ofstream(out / "cf_config.json") << options.to_json().dump(2) << "\n";

    outcome.completed = trainer.train(context);
    outcome.outputs[QStringLiteral("output_dir")] = spec.outputDir;
    outcome.outputs[QStringLiteral("iterations")] = static_cast<qlonglong>(trainer.iteration());
    outcome.outputs[QStringLiteral("metrics_log")] = fromPath(out / "metrics.jsonl");
    if (outcome.completed) {
      const std::string path = (out / "generator.safetensors").string();
      counterfactual::save_generator(*trainer.generator(), model->config(), path,
                                     {{"iterations", std::to_string(trainer.iteration())},
                                      {"target_loss", counterfactual::target_loss_name(options.target_loss)},
                                      {"training_annotations", annotations}});
      outcome.outputs[QStringLiteral("generator")] = QString::fromStdString(path);
      outcome.outputs[QStringLiteral("detector_weights")] = spec.weights;
      outcome.summary = QObject::tr("generator written to %1").arg(QString::fromStdString(path));
    }
    return outcome;
  };
}

JobRunner* createTrainingRunner(const TrainingJobSpec& spec, QObject* parent) {
  auto* runner = new JobRunner(QObject::tr("Train %1 (%2 it)").arg(spec.loss).arg(spec.iterations),
                               QObject::tr("training"), makeTrainingJob(spec), parent);
  TrainingJobSpec resumed = spec;
  resumed.resume = true;
  runner->setResumeFunction(makeTrainingJob(resumed));
  return runner;
}

JobRunner* createGeneratorRunner(const GeneratorJobSpec& spec, QObject* parent) {
  auto* runner = new JobRunner(QObject::tr("Generator (%1, %2 it)").arg(spec.targetLoss).arg(spec.iterations),
                               QObject::tr("generator training"), makeGeneratorTrainingJob(spec), parent);
  GeneratorJobSpec resumed = spec;
  resumed.resume = true;
  runner->setResumeFunction(makeGeneratorTrainingJob(resumed));
  return runner;
}

}  // namespace counterscope::ui
