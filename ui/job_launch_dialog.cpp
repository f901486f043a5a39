#include "ui/job_launch_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

namespace counterscope::ui {

namespace {

/// A line edit with a "…" button that opens a file or folder chooser.
class PathField : public QWidget {
 public:
  PathField(bool folder, QString filter, QWidget* parent)
      : QWidget(parent), m_edit(new QLineEdit(this)), m_folder(folder), m_filter(std::move(filter)) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto* browse = new QToolButton(this);
    browse->setText(QStringLiteral("…"));
    layout->addWidget(m_edit, 1);
    layout->addWidget(browse);
    m_edit->setMinimumWidth(360);
    QObject::connect(browse, &QToolButton::clicked, this, [this] {
      const QString start = m_edit->text().isEmpty() ? QDir::homePath() : QFileInfo(m_edit->text()).absolutePath();
      const QString chosen = m_folder ? QFileDialog::getExistingDirectory(this, QString(), m_edit->text().isEmpty() ? start : m_edit->text())
                                      : QFileDialog::getOpenFileName(this, QString(), start, m_filter);
      if (!chosen.isEmpty()) m_edit->setText(chosen);
    });
  }
  QString text() const { return m_edit->text().trimmed(); }
  void setText(const QString& text) { m_edit->setText(text); }
  void setPlaceholder(const QString& text) { m_edit->setPlaceholderText(text); }

 private:
  QLineEdit* m_edit;
  bool m_folder;
  QString m_filter;
};

const QString kJson = QStringLiteral("JSON (*.json);;All files (*)");
const QString kWeights = QStringLiteral("Weights (*.safetensors *.pth *.pt);;All files (*)");

QString settingsKey(JobKind kind, const char* field) {
  const char* group = kind == JobKind::Training            ? "training"
                      : kind == JobKind::Evaluation        ? "evaluation"
                      : kind == JobKind::GeneratorTraining ? "generator"
                                                           : "augmentation";
  return QStringLiteral("jobs/%1/%2").arg(QLatin1String(group), QLatin1String(field));
}

QString defaultOutput(const char* name) {
  return QDir(QDir::homePath()).filePath(QStringLiteral("counterscope-jobs/%1").arg(QLatin1String(name)));
}

QSpinBox* spin(int minimum, int maximum, int value, QWidget* parent) {
  auto* box = new QSpinBox(parent);
  box->setRange(minimum, maximum);
  box->setValue(value);
  box->setGroupSeparatorShown(true);
  return box;
}

QDoubleSpinBox* fraction(double value, QWidget* parent) {
  auto* box = new QDoubleSpinBox(parent);
  box->setRange(0.0, 1.0);
  box->setSingleStep(0.05);
  box->setDecimals(2);
  box->setValue(value);
  return box;
}

}  // namespace

JobDefaults jobDefaultsForDataset(const QString& annotationPath, const QString& imageRoot) {
  JobDefaults defaults;
  defaults.imageRoot = imageRoot;
  if (annotationPath.isEmpty()) return defaults;
  const QFileInfo file(annotationPath);
  const QString name = file.fileName();
  const qsizetype at = name.lastIndexOf(QStringLiteral("val"));
  if (at >= 0) {
    QString train = name;
    train.replace(at, 3, QStringLiteral("train"));
    const QString trainPath = file.dir().filePath(train);
    if (QFileInfo::exists(trainPath)) {
      defaults.trainAnnotations = trainPath;
      defaults.valAnnotations = annotationPath;
      return defaults;
    }
  }
  defaults.trainAnnotations = annotationPath;
  return defaults;
}

struct JobLaunchDialog::Fields {
  QComboBox* model = nullptr;  // training: preset or config file
  PathField* modelConfig = nullptr;
  PathField* weights = nullptr;
  PathField* trainAnnotations = nullptr;
  PathField* valAnnotations = nullptr;
  PathField* imageRoot = nullptr;
  PathField* output = nullptr;
  QComboBox* loss = nullptr;
  QComboBox* targetLoss = nullptr;
  QComboBox* device = nullptr;
  QSpinBox* iterations = nullptr;
  QSpinBox* batch = nullptr;
  QSpinBox* maxImages = nullptr;
  QCheckBox* resume = nullptr;
  // augmentation
  QComboBox* method = nullptr;
  PathField* generator = nullptr;
  QSpinBox* minImages = nullptr;
  QDoubleSpinBox* acceptScore = nullptr;
  QDoubleSpinBox* strength = nullptr;
  QSpinBox* seed = nullptr;
};

JobLaunchDialog::JobLaunchDialog(JobKind kind, const JobDefaults& defaults, QWidget* parent)
    : QDialog(parent), m_kind(kind), m_fields(new Fields) {
  QSettings settings;
  auto remembered = [&](const char* field, const QString& fallback) {
    const QString value = settings.value(settingsKey(kind, field)).toString();
    return value.isEmpty() ? fallback : value;
  };
  auto* form = new QFormLayout;
  form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
  Fields& f = *m_fields;
  f.device = new QComboBox(this);
  f.device->setEditable(true);
  f.device->addItems({QStringLiteral("cpu"), QStringLiteral("cuda"), QStringLiteral("cuda:1")});
  f.device->setCurrentText(remembered("device", QStringLiteral("cpu")));
  f.output = new PathField(true, {}, this);

  if (kind == JobKind::Training) {
    setWindowTitle(tr("Train a detector"));
    f.model = new QComboBox(this);
    f.model->setEditable(true);
    f.model->addItems({QStringLiteral("tiny"), QStringLiteral("lvis-r50-fpn"), QStringLiteral("torchvision-r50-fpn")});
    f.model->setCurrentText(remembered("model", QStringLiteral("tiny")));
    f.model->setToolTip(tr("A preset name or the path of a model config JSON"));
    f.trainAnnotations = new PathField(false, kJson, this);
    f.trainAnnotations->setText(defaults.trainAnnotations.isEmpty() ? remembered("train", {}) : defaults.trainAnnotations);
    f.valAnnotations = new PathField(false, kJson, this);
    f.valAnnotations->setText(defaults.valAnnotations.isEmpty() ? remembered("val", {}) : defaults.valAnnotations);
    f.valAnnotations->setPlaceholder(tr("optional: evaluated at the end"));
    f.imageRoot = new PathField(true, {}, this);
    f.imageRoot->setText(defaults.imageRoot.isEmpty() ? remembered("images", {}) : defaults.imageRoot);
    f.loss = new QComboBox(this);
    f.loss->addItems(trainingLossNames());
    f.loss->setCurrentText(remembered("loss", QStringLiteral("ce")));
    f.loss->setToolTip(tr("ce: cross-entropy · cm: class margin · lr: loss re-weighting · fl: focal · seesaw"));
    f.iterations = spin(1, 10'000'000, settings.value(settingsKey(kind, "iterations"), 1000).toInt(), this);
    f.batch = spin(1, 256, settings.value(settingsKey(kind, "batch"), 4).toInt(), this);
    f.output->setText(remembered("output", defaultOutput("train")));
    f.resume = new QCheckBox(tr("Resume from the newest checkpoint in the output folder"), this);
    form->addRow(tr("Model"), f.model);
    form->addRow(tr("Train annotations"), f.trainAnnotations);
    form->addRow(tr("Validation annotations"), f.valAnnotations);
    form->addRow(tr("Image root"), f.imageRoot);
    form->addRow(tr("Loss"), f.loss);
    form->addRow(tr("Iterations"), f.iterations);
    form->addRow(tr("Batch size"), f.batch);
    form->addRow(tr("Device"), f.device);
    form->addRow(tr("Output folder"), f.output);
    form->addRow(QString(), f.resume);
  } else if (kind == JobKind::Augmentation) {
    buildAugmentationForm(form, defaults);
  } else {
    f.modelConfig = new PathField(false, kJson, this);
    f.modelConfig->setText(defaults.modelConfig.isEmpty() ? remembered("model", {}) : defaults.modelConfig);
    f.modelConfig->setPlaceholder(tr("model config JSON or preset name"));
    f.weights = new PathField(false, kWeights, this);
    f.weights->setText(defaults.weights.isEmpty() ? remembered("weights", {}) : defaults.weights);
    f.imageRoot = new PathField(true, {}, this);
    f.imageRoot->setText(defaults.imageRoot.isEmpty() ? remembered("images", {}) : defaults.imageRoot);
    form->addRow(tr("Model config"), f.modelConfig);
    form->addRow(tr("Weights"), f.weights);
    if (kind == JobKind::Evaluation) {
      setWindowTitle(tr("Evaluate a model"));
      f.valAnnotations = new PathField(false, kJson, this);
      f.valAnnotations->setText(defaults.valAnnotations.isEmpty() ? remembered("annotations", {}) : defaults.valAnnotations);
      f.maxImages = spin(0, 10'000'000, settings.value(settingsKey(kind, "max_images"), 0).toInt(), this);
      f.maxImages->setSpecialValueText(tr("all"));
      f.output->setText(remembered("output", defaultOutput("eval")));
      form->addRow(tr("Annotations"), f.valAnnotations);
      form->addRow(tr("Image root"), f.imageRoot);
      form->addRow(tr("Images"), f.maxImages);
      form->addRow(tr("Device"), f.device);
      form->addRow(tr("Output folder"), f.output);
    } else {
      setWindowTitle(tr("Train a counterfactual generator"));
      f.trainAnnotations = new PathField(false, kJson, this);
      f.trainAnnotations->setText(defaults.trainAnnotations.isEmpty() ? remembered("train", {}) : defaults.trainAnnotations);
      f.targetLoss = new QComboBox(this);
      f.targetLoss->addItems({QStringLiteral("cls"), QStringLiteral("box"), QStringLiteral("mask")});
      f.targetLoss->setCurrentText(remembered("target_loss", QStringLiteral("cls")));
      f.iterations = spin(1, 10'000'000, settings.value(settingsKey(kind, "iterations"), 1000).toInt(), this);
      f.batch = spin(1, 256, settings.value(settingsKey(kind, "batch"), 2).toInt(), this);
      f.output->setText(remembered("output", defaultOutput("generator")));
      f.resume = new QCheckBox(tr("Resume from the newest checkpoint in the output folder"), this);
      form->addRow(tr("Train annotations"), f.trainAnnotations);
      form->addRow(tr("Image root"), f.imageRoot);
      form->addRow(tr("Target loss"), f.targetLoss);
      form->addRow(tr("Iterations"), f.iterations);
      form->addRow(tr("Batch size"), f.batch);
      form->addRow(tr("Output folder"), f.output);
      form->addRow(QString(), f.resume);
    }
  }
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  buttons->button(QDialogButtonBox::Ok)->setText(tr("Start"));
  connect(buttons, &QDialogButtonBox::accepted, this, [this] {
    remember();
    accept();
  });
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(buttons);
}

JobLaunchDialog::~JobLaunchDialog() { delete m_fields; }

TrainingJobSpec JobLaunchDialog::trainingSpec() const {
  const Fields& f = *m_fields;
  TrainingJobSpec spec;
  if (m_kind != JobKind::Training) return spec;
  spec.model = f.model->currentText().trimmed();
  spec.trainAnnotations = f.trainAnnotations->text();
  spec.valAnnotations = f.valAnnotations->text();
  spec.imageRoot = f.imageRoot->text();
  spec.loss = f.loss->currentText();
  spec.iterations = f.iterations->value();
  spec.batchSize = f.batch->value();
  spec.device = f.device->currentText().trimmed();
  spec.outputDir = f.output->text();
  spec.resume = f.resume->isChecked();
  return spec;
}

EvaluationJobSpec JobLaunchDialog::evaluationSpec() const {
  const Fields& f = *m_fields;
  EvaluationJobSpec spec;
  if (m_kind != JobKind::Evaluation) return spec;
  spec.modelConfig = f.modelConfig->text();
  spec.weights = f.weights->text();
  spec.annotations = f.valAnnotations->text();
  spec.imageRoot = f.imageRoot->text();
  spec.outputDir = f.output->text();
  spec.device = f.device->currentText().trimmed();
  spec.maxImages = f.maxImages->value();
  return spec;
}

GeneratorJobSpec JobLaunchDialog::generatorSpec() const {
  const Fields& f = *m_fields;
  GeneratorJobSpec spec;
  if (m_kind != JobKind::GeneratorTraining) return spec;
  spec.modelConfig = f.modelConfig->text();
  spec.weights = f.weights->text();
  spec.trainAnnotations = f.trainAnnotations->text();
  spec.imageRoot = f.imageRoot->text();
  spec.targetLoss = f.targetLoss->currentText();
  spec.iterations = f.iterations->value();
  spec.batchSize = f.batch->value();
  spec.outputDir = f.output->text();
  spec.resume = f.resume->isChecked();
  return spec;
}

void JobLaunchDialog::buildAugmentationForm(QFormLayout* form, const JobDefaults& defaults) {
  setWindowTitle(tr("Augment a training set"));
  QSettings settings;
  auto remembered = [&](const char* field, const QString& fallback) {
    const QString value = settings.value(settingsKey(m_kind, field)).toString();
    return value.isEmpty() ? fallback : value;
  };
  auto number = [&](const char* field, const QVariant& fallback) {
    return settings.value(settingsKey(m_kind, field), fallback);
  };
  Fields& f = *m_fields;
  f.method = new QComboBox(this);
  f.method->setObjectName(QStringLiteral("augmentMethod"));
  f.method->addItems(augmentationMethodNames());
  f.method->setCurrentText(remembered("method", QStringLiteral("counterfactual")));
  f.method->setToolTip(tr("counterfactual: label swaps kept when the model attains the target (LVIS-CF) · "
                          "transforms: random image operations (the baseline, same number of images)"));
  f.trainAnnotations = new PathField(false, kJson, this);
  f.trainAnnotations->setObjectName(QStringLiteral("augmentAnnotations"));
  f.trainAnnotations->setText(defaults.trainAnnotations.isEmpty() ? remembered("train", {})
                                                                  : defaults.trainAnnotations);
  f.imageRoot = new PathField(true, {}, this);
  f.imageRoot->setText(defaults.imageRoot.isEmpty() ? remembered("images", {}) : defaults.imageRoot);
  f.minImages = spin(1, 1'000'000, number("min_images", 10).toInt(), this);
  f.minImages->setObjectName(QStringLiteral("augmentMinImages"));
  f.minImages->setToolTip(tr("K: images are added until every category is in at least K training images"));
  f.modelConfig = new PathField(false, kJson, this);
  f.modelConfig->setText(defaults.modelConfig.isEmpty() ? remembered("model", {}) : defaults.modelConfig);
  f.modelConfig->setPlaceholder(tr("model config JSON or preset name"));
  f.weights = new PathField(false, kWeights, this);
  f.weights->setText(defaults.weights.isEmpty() ? remembered("weights", {}) : defaults.weights);
  f.generator = new PathField(false, kWeights, this);
  f.generator->setObjectName(QStringLiteral("augmentGenerator"));
  f.generator->setText(defaults.generator.isEmpty() ? remembered("generator", {}) : defaults.generator);
  f.generator->setPlaceholder(tr("generator trained for this detector (Generator…)"));
  f.acceptScore = fraction(number("accept_score", 0.5).toDouble(), this);
  f.acceptScore->setObjectName(QStringLiteral("augmentAcceptScore"));
  f.acceptScore->setToolTip(tr("Keep X̃ when the model gives the target at least this score"));
  f.strength = fraction(number("strength", 0.5).toDouble(), this);
  f.strength->setObjectName(QStringLiteral("augmentStrength"));
  f.strength->setToolTip(tr("Magnitude of the image operations"));
  f.seed = spin(0, 2'147'483'647, number("seed", 0).toInt(), this);
  f.seed->setGroupSeparatorShown(false);
  f.device->hide();  // no device option, as in counterscope-cli augment
  f.output->setText(remembered("output", defaultOutput("augment")));
  f.output->setPlaceholder(tr("new or empty folder, or an interrupted run's folder to resume it"));
  form->addRow(tr("Method"), f.method);
  form->addRow(tr("Train annotations"), f.trainAnnotations);
  form->addRow(tr("Image root"), f.imageRoot);
  form->addRow(tr("K (min images)"), f.minImages);
  form->addRow(tr("Model config"), f.modelConfig);
  form->addRow(tr("Weights"), f.weights);
  form->addRow(tr("Generator"), f.generator);
  form->addRow(tr("Accept score"), f.acceptScore);
  form->addRow(tr("Strength"), f.strength);
  form->addRow(tr("Seed"), f.seed);
  form->addRow(tr("Output folder"), f.output);
  // Only the rows of the chosen method are editable (their labels follow).
  auto applyMethod = [this, form] {
    const Fields& g = *m_fields;
    const bool counterfactual = g.method->currentText() == QLatin1String("counterfactual");
    for (QWidget* field : {static_cast<QWidget*>(g.modelConfig), static_cast<QWidget*>(g.weights),
                           static_cast<QWidget*>(g.generator), static_cast<QWidget*>(g.acceptScore)}) {
      field->setEnabled(counterfactual);
      if (QWidget* label = form->labelForField(field)) label->setEnabled(counterfactual);
    }
    g.strength->setEnabled(!counterfactual);
    if (QWidget* label = form->labelForField(g.strength)) label->setEnabled(!counterfactual);
  };
  connect(f.method, &QComboBox::currentTextChanged, this, applyMethod);
  applyMethod();
}

AugmentationJobSpec JobLaunchDialog::augmentationSpec() const {
  const Fields& f = *m_fields;
  AugmentationJobSpec spec;
  if (m_kind != JobKind::Augmentation) return spec;
  spec.method = f.method->currentText();
  spec.annotations = f.trainAnnotations->text();
  spec.imageRoot = f.imageRoot->text();
  spec.minImages = f.minImages->value();
  spec.outputDir = f.output->text();
  // The other method's fields stay in the form (and in QSettings) but not in the job.
  if (spec.method == QLatin1String("counterfactual")) {
    spec.modelConfig = f.modelConfig->text();
    spec.weights = f.weights->text();
    spec.generator = f.generator->text();
    spec.acceptScore = f.acceptScore->value();
  } else {
    spec.strength = f.strength->value();
  }
  spec.seed = f.seed->value();
  return spec;
}

void JobLaunchDialog::remember() const {
  QSettings settings;
  const Fields& f = *m_fields;
  auto store = [&](const char* field, const QVariant& value) { settings.setValue(settingsKey(m_kind, field), value); };
  store("output", f.output->text());
  if (f.device) store("device", f.device->currentText());
  if (f.model) store("model", f.model->currentText());
  if (f.modelConfig) store("model", f.modelConfig->text());
  if (f.weights) store("weights", f.weights->text());
  if (f.trainAnnotations) store("train", f.trainAnnotations->text());
  if (f.valAnnotations) store(m_kind == JobKind::Training ? "val" : "annotations", f.valAnnotations->text());
  if (f.imageRoot) store("images", f.imageRoot->text());
  if (f.loss) store("loss", f.loss->currentText());
  if (f.targetLoss) store("target_loss", f.targetLoss->currentText());
  if (f.iterations) store("iterations", f.iterations->value());
  if (f.batch) store("batch", f.batch->value());
  if (f.maxImages) store("max_images", f.maxImages->value());
  if (f.method) store("method", f.method->currentText());
  if (f.generator) store("generator", f.generator->text());
  if (f.minImages) store("min_images", f.minImages->value());
  if (f.acceptScore) store("accept_score", f.acceptScore->value());
  if (f.strength) store("strength", f.strength->value());
  if (f.seed) store("seed", f.seed->value());
}

JobLauncher::JobLauncher(QWidget* parent) : QObject(parent), m_parentWidget(parent) {}

QList<QPushButton*> JobLauncher::buttons(QWidget* parent) {
  auto* train = new QPushButton(tr("Train…"), parent);
  train->setToolTip(tr("Train a Mask R-CNN with a long-tail loss"));
  auto* evaluate = new QPushButton(tr("Evaluate…"), parent);
  evaluate->setToolTip(tr("Run a model on a split and evaluate it (LVIS AP, TIDE errors)"));
  auto* generator = new QPushButton(tr("Generator…"), parent);
  generator->setToolTip(tr("Train the counterfactual-map generator of a detector"));
  connect(train, &QPushButton::clicked, this, [this] { launch(JobKind::Training); });
  connect(evaluate, &QPushButton::clicked, this, [this] { launch(JobKind::Evaluation); });
  auto* augment = new QPushButton(tr("Augment…"), parent);
  augment->setToolTip(tr("Add training images until every category has K (counterfactual label swaps or "
                         "image transformations)"));
  connect(generator, &QPushButton::clicked, this, [this] { launch(JobKind::GeneratorTraining); });
  connect(augment, &QPushButton::clicked, this, [this] { launch(JobKind::Augmentation); });
  return {train, evaluate, generator, augment};
}

void JobLauncher::launch(JobKind kind) {
  JobLaunchDialog dialog(kind, m_defaults, m_parentWidget);
  if (dialog.exec() != QDialog::Accepted) return;
  JobRunner* runner = nullptr;
  switch (kind) {
    case JobKind::Training: runner = createTrainingRunner(dialog.trainingSpec(), nullptr); break;
    case JobKind::Evaluation: runner = createEvaluationRunner(dialog.evaluationSpec(), nullptr); break;
    case JobKind::GeneratorTraining: runner = createGeneratorRunner(dialog.generatorSpec(), nullptr); break;
    case JobKind::Augmentation: runner = createAugmentationRunner(dialog.augmentationSpec(), nullptr); break;
  }
  Q_EMIT jobCreated(runner);
}

}  // namespace counterscope::ui
