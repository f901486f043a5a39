#include "ui/explain_controller.h"

#include <QtConcurrent/QtConcurrentRun>

#include "core/counterfactual/synthetic_reference.h"
#include "core/util/error.h"
#include "ui/model_registry.h"

namespace counterscope::ui {

ExplainController::ExplainController(ModelRegistry* registry, QObject* parent)
    : QObject(parent), m_registry(registry) {
  connect(&m_watcher, &QFutureWatcherBase::finished, this, &ExplainController::onFinished);
}

ExplainController::~ExplainController() {
  m_cancel->store(true);
  m_watcher.waitForFinished();
}

QString ExplainController::cannotExplainReason(int modelIndex) const {
  if (modelIndex < 0 || modelIndex >= m_registry->count()) return tr("No model selected: open a model first.");
  const ModelEntry& model = m_registry->entry(modelIndex);
  if (model.isResults())
    return tr("%1 is a results file: explaining needs the detector itself (File ▸ Open model).").arg(model.displayName);
  if (model.state == ModelEntry::State::loading) return tr("%1 is still loading.").arg(model.displayName);
  if (model.state == ModelEntry::State::failed) return tr("%1 failed to load: %2").arg(model.displayName, model.error);
  if (!m_registry->dataset()) return tr("No dataset open.");
  return QString();
}

bool ExplainController::hasGroundTruth() const {
  const auto dataset = m_registry->dataset();
  return dataset && counterfactual::synthetic_world_of(dataset->source_path).has_value();
}

bool ExplainController::explain(int modelIndex, const counterfactual::ExplainQuestion& question) {
  if (isBusy()) {
    Q_EMIT failed(modelIndex, tr("An explanation is already running; cancel it first."));
    return false;
  }
  const QString reason = cannotExplainReason(modelIndex);
  if (!reason.isEmpty()) {
    Q_EMIT failed(modelIndex, reason);
    return false;
  }
  const ModelEntry& model = m_registry->entry(modelIndex);
  auto dataset = m_registry->dataset();
  const QString imageRoot = m_registry->imageRoot();
  const ModelSource source = model.source;
  // The dataset's address is part of the key: a service is tied to the dataset it resolved ids in.
  const QString key = QStringLiteral("%1|%2|%3|%4")
                          .arg(source.config, source.weights, source.generator)
                          .arg(reinterpret_cast<quintptr>(dataset.get()));
  std::shared_ptr<counterfactual::ExplainService> service;
  if (const auto it = m_services.find(key); it != m_services.end()) service = it->second.service;
  m_cancel = std::make_shared<std::atomic<bool>>(false);
  const auto cancel = m_cancel;
  const QString modelName = model.displayName;
  m_running = modelIndex;
  m_watcher.setFuture(QtConcurrent::run([=]() {
    Outcome outcome;
    outcome.serviceKey = key;
    outcome.dataset = dataset;
    try {
      auto usable = service;
      if (!usable) {
        usable = std::make_shared<counterfactual::ExplainService>(
            source.config.toStdString(), source.weights.toStdString(), source.generator.toStdString(), *dataset,
            imageRoot.toStdString());
        if (const auto world = counterfactual::synthetic_world_of(dataset->source_path)) {
          usable->set_ground_truth([world = *world](std::int64_t imageId, std::int64_t annotationId,
                                                    const std::string& target) {
            return counterfactual::synthetic_twin_reference(world.world_dir, world.split, imageId, annotationId,
                                                            target)
                .difference;
          });
        }
      }
      outcome.service = usable;
      JobContext context;
      context.cancel = cancel.get();
      auto result = std::make_shared<ExplainResult>();
      result->modelIndex = modelIndex;
      result->modelName = modelName;
      result->question = question;
      result->answer = usable->explain(question, context);
      outcome.result = std::move(result);
    } catch (const Cancelled&) {
      outcome.cancelled = true;
    } catch (const std::exception& error) {
      outcome.error = QString::fromStdString(error.what());
    }
    return outcome;
  }));
  Q_EMIT started(modelIndex);
  return true;
}

void ExplainController::cancel() {
  if (isBusy()) m_cancel->store(true);
}

void ExplainController::onFinished() {
  const Outcome outcome = m_watcher.result();
  const int modelIndex = m_running;
  m_running = -1;
  if (outcome.service) {
    // One dataset at a time: drop services of other datasets before keeping this one.
    const QString suffix = outcome.serviceKey.section(QLatin1Char('|'), -1);
    for (auto it = m_services.begin(); it != m_services.end();) {
      it = it->first.section(QLatin1Char('|'), -1) == suffix ? std::next(it) : m_services.erase(it);
    }
    m_services[outcome.serviceKey] = CachedService{outcome.service, outcome.dataset};
  }
  if (outcome.cancelled) {
    Q_EMIT cancelled(modelIndex);
  } else if (!outcome.error.isEmpty()) {
    Q_EMIT failed(modelIndex, outcome.error);
  } else if (outcome.result) {
    Q_EMIT finished(outcome.result);
  }
}

}  // namespace counterscope::ui
