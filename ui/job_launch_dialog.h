#pragma once
// Forms that start jobs: detector training (dataset split, loss, iterations, batch, device, output folder,
// resume), evaluation of a model, generator training and augmentation of a training set. The last options
// are remembered (QSettings); the open dataset and the current model fill the defaults.

#include <QDialog>
#include <QList>
#include <QObject>
#include <QString>

#include "ui/job_factories.h"

class QFormLayout;
class QPushButton;

namespace counterscope::ui {

/// What the application knows when a form opens.
struct JobDefaults {
  QString trainAnnotations;  ///< the open dataset's train split (or the open file)
  QString valAnnotations;
  QString imageRoot;
  QString modelConfig;       ///< the current model, if any
  QString weights;
  QString generator;         ///< the current model's generator, if any (augmentation)
};

/// Defaults from an open annotation file: a validation file ("…val…") pairs with the training file beside it
/// ("…train…") when that exists; any other file is the training split.
JobDefaults jobDefaultsForDataset(const QString& annotationPath, const QString& imageRoot);

enum class JobKind { Training, Evaluation, GeneratorTraining, Augmentation };

class JobLaunchDialog : public QDialog {
  Q_OBJECT

 public:
  JobLaunchDialog(JobKind kind, const JobDefaults& defaults, QWidget* parent = nullptr);
  ~JobLaunchDialog() override;

  JobKind kind() const { return m_kind; }
  TrainingJobSpec trainingSpec() const;
  EvaluationJobSpec evaluationSpec() const;
  GeneratorJobSpec generatorSpec() const;
  AugmentationJobSpec augmentationSpec() const;
  /// Stores the form in QSettings (done on accept).
  void remember() const;

 private:
  struct Fields;
  /// The augmentation form: the method decides which of the model / generator / strength rows apply.
  void buildAugmentationForm(QFormLayout* form, const JobDefaults& defaults);
  JobKind m_kind;
  Fields* m_fields;
};

/// The buttons of the Jobs dock: opens a form and hands the runner it creates to whoever listens.
class JobLauncher : public QObject {
  Q_OBJECT

 public:
  explicit JobLauncher(QWidget* parent);
  void setDefaults(const JobDefaults& defaults) { m_defaults = defaults; }
  const JobDefaults& defaults() const { return m_defaults; }
  /// "Train…", "Evaluate…", "Generator…", "Augment…" buttons, parented to `parent`.
  QList<QPushButton*> buttons(QWidget* parent);

 public Q_SLOTS:
  void launch(counterscope::ui::JobKind kind);

 Q_SIGNALS:
  void jobCreated(counterscope::ui::JobRunner* runner);

 private:
  QWidget* m_parentWidget;
  JobDefaults m_defaults;
};

}  // namespace counterscope::ui
