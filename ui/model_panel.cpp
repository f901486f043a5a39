#include "ui/model_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QVBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>

#include "ui/error_palette.h"
#include "ui/model_registry.h"

namespace counterscope::ui {

namespace {
QString percent(double value) { return value < 0 ? QStringLiteral("–") : QString::number(value * 100, 'f', 1); }
}  // namespace

ModelPanel::ModelPanel(ModelRegistry* registry, QWidget* parent)
    : QWidget(parent),
      m_registry(registry),
      m_selector(new QComboBox(this)),
      m_show(new QCheckBox(tr("Predictions"), this)),
      m_threshold(new QSlider(Qt::Horizontal, this)),
      m_thresholdLabel(new QLabel(this)),
      m_legend(new ErrorLegend(this)),
      m_state(new QLabel(this)),
      m_evaluate(new QPushButton(tr("Evaluate"), this)) {
  m_selector->setMinimumWidth(120);
  m_selector->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  m_selector->setMinimumContentsLength(10);
  m_selector->setPlaceholderText(tr("No model (File ▸ Open model…)"));
  m_selector->setToolTip(tr("The model whose predictions and errors are drawn"));
  m_show->setChecked(true);
  m_show->setToolTip(tr("Draw the model's predictions (P)"));
  m_show->setShortcut(QKeySequence(Qt::Key_P));
  m_threshold->setRange(5, 100);
  m_threshold->setValue(30);
  m_threshold->setFixedWidth(110);
  m_threshold->setToolTip(tr("Score threshold of the drawn predictions"));
  m_thresholdLabel->setMinimumWidth(34);
  m_state->setStyleSheet(QStringLiteral("color: #9aa2ad;"));
  m_state->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  m_evaluate->setToolTip(tr("Predict every image (detectors) and evaluate: LVIS AP and TIDE error types"));

  // Two rows so that the strip fits the canvas column of a 1280-pixel window.
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(6, 3, 6, 3);
  layout->setSpacing(2);
  auto* controls = new QHBoxLayout;
  controls->setSpacing(8);
  controls->addWidget(new QLabel(tr("Model"), this));
  controls->addWidget(m_selector, 1);
  controls->addWidget(m_show);
  controls->addWidget(new QLabel(tr("Score ≥"), this));
  controls->addWidget(m_threshold);
  controls->addWidget(m_thresholdLabel);
  controls->addWidget(m_evaluate);
  auto* status = new QHBoxLayout;
  status->setSpacing(8);
  status->addWidget(m_legend);
  status->addWidget(m_state, 1);
  layout->addLayout(controls);
  layout->addLayout(status);

  connect(m_selector, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int index) {
    refreshState();
    Q_EMIT currentModelChanged(index);
  });
  connect(m_threshold, &QSlider::valueChanged, this, [this](int value) {
    m_thresholdLabel->setText(QString::number(value / 100.0, 'f', 2));
    Q_EMIT scoreThresholdChanged(value / 100.0);
  });
  connect(m_show, &QCheckBox::toggled, this, &ModelPanel::predictionsVisibleChanged);
  connect(m_evaluate, &QPushButton::clicked, this, [this] {
    if (currentModel() >= 0) m_registry->evaluate(currentModel());
  });
  connect(m_registry, &ModelRegistry::modelAdded, this, &ModelPanel::onModelAdded);
  connect(m_registry, &ModelRegistry::modelChanged, this, [this](int index) {
    if (index < m_selector->count()) m_selector->setItemText(index, m_registry->entry(index).displayName);
    if (index == currentModel()) refreshState();
  });
  m_thresholdLabel->setText(QString::number(m_threshold->value() / 100.0, 'f', 2));
  refreshState();
}

int ModelPanel::currentModel() const { return m_selector->currentIndex(); }
void ModelPanel::setCurrentModel(int index) { m_selector->setCurrentIndex(index); }
double ModelPanel::scoreThreshold() const { return m_threshold->value() / 100.0; }
void ModelPanel::setScoreThreshold(double threshold) { m_threshold->setValue(static_cast<int>(threshold * 100 + 0.5)); }
bool ModelPanel::predictionsVisible() const { return m_show->isChecked(); }

void ModelPanel::onModelAdded(int index) {
  m_selector->addItem(m_registry->entry(index).displayName);
  if (m_selector->currentIndex() < 0) m_selector->setCurrentIndex(index);
}

void ModelPanel::refreshState() {
  const int index = currentModel();
  m_evaluate->setEnabled(index >= 0);
  if (index < 0) {
    m_state->setText(tr("No model open: predictions, errors and explanations need one."));
    return;
  }
  const ModelEntry& model = m_registry->entry(index);
  QString text;
  switch (model.state) {
    case ModelEntry::State::loading: text = tr("loading…"); break;
    case ModelEntry::State::predicting:
      text = model.progressTotal > 0 ? tr("predicting %1/%2").arg(model.progressDone).arg(model.progressTotal)
                                     : tr("predicting…");
      break;
    case ModelEntry::State::evaluating: text = tr("evaluating…"); break;
    case ModelEntry::State::failed: text = tr("failed: %1").arg(model.error); break;
    case ModelEntry::State::ready:
      if (model.evaluation) {
        const auto& metrics = (model.evaluation->hasMask ? model.evaluation->mask : model.evaluation->box).metrics;
        text = tr("%1 AP %2 · APr %3 · APc %4 · APf %5")
                   .arg(model.evaluation->hasMask ? tr("mask") : tr("box"), percent(metrics.ap),
                        percent(metrics.ap_rare), percent(metrics.ap_common), percent(metrics.ap_frequent));
      } else if (!model.error.isEmpty()) {
        text = model.error;
      } else {
        text = model.isResults() ? tr("results file · %1 detections").arg(model.detections ? model.detections->all.size() : 0)
                                 : tr("detector · predicts each image shown; Evaluate for errors");
      }
      break;
  }
  if (model.hasGenerator()) text += tr(" · generator");
  m_state->setText(text);
  m_state->setToolTip(text);
}

}  // namespace counterscope::ui
