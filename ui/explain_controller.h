#pragma once
// Runs explanations in a worker thread: keeps one ExplainService (detector + generator) per model, loaded
// on first use, and one explanation at a time with a cancel flag. Results and failures arrive as signals
// on the GUI thread; the application never blocks on the explainer. On a synthetic world the services are
// given the world's ground-truth twins.

#include <atomic>
#include <map>
#include <memory>

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include "core/counterfactual/explain_service.h"

namespace counterscope::ui {

class ModelRegistry;

/// A finished explanation and what it answered.
struct ExplainResult {
  int modelIndex = -1;
  QString modelName;
  counterfactual::ExplainQuestion question;
  counterfactual::ExplainAnswer answer;
};

class ExplainController : public QObject {
  Q_OBJECT

 public:
  explicit ExplainController(ModelRegistry* registry, QObject* parent = nullptr);
  /// Cancels a running explanation and waits for the worker.
  ~ExplainController() override;

  /// Starts explaining with model `modelIndex` (a detector). Returns false (and emits failed) when the
  /// model cannot explain (results file, not loaded) or another explanation runs.
  bool explain(int modelIndex, const counterfactual::ExplainQuestion& question);
  void cancel();
  bool isBusy() const { return m_watcher.isRunning(); }
  /// Why model `modelIndex` cannot explain (empty when it can).
  QString cannotExplainReason(int modelIndex) const;
  /// True when the open dataset is a split of a synthetic world (WORLD/annotations/{train,val}.json beside
  /// WORLD/world.json): explanations then carry NCC with the ground-truth twin, and the twin method works.
  bool hasGroundTruth() const;

 Q_SIGNALS:
  void started(int modelIndex);
  void finished(std::shared_ptr<const counterscope::ui::ExplainResult> result);
  void failed(int modelIndex, const QString& message);
  void cancelled(int modelIndex);

 private:
  struct Outcome {
    std::shared_ptr<const ExplainResult> result;
    std::shared_ptr<counterfactual::ExplainService> service;  ///< loaded or reused, to keep
    std::shared_ptr<const data::Dataset> dataset;
    QString serviceKey;
    QString error;
    bool cancelled = false;
  };
  void onFinished();

  ModelRegistry* m_registry;
  struct CachedService {
    std::shared_ptr<counterfactual::ExplainService> service;
    std::shared_ptr<const data::Dataset> dataset;  ///< the service refers to it: kept alive with it
  };
  std::map<QString, CachedService> m_services;  ///< by model files + dataset address
  std::shared_ptr<std::atomic<bool>> m_cancel = std::make_shared<std::atomic<bool>>(false);
  int m_running = -1;
  QFutureWatcher<Outcome> m_watcher;
};

}  // namespace counterscope::ui
