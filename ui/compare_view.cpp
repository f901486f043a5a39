#include "ui/compare_view.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollBar>
#include <QVBoxLayout>

#include "ui/class_search_box.h"
#include "ui/explain_controller.h"
#include "ui/explanation_render.h"
#include "ui/image_canvas.h"
#include "ui/image_scene.h"
#include "ui/image_tile.h"
#include "ui/model_registry.h"
#include "ui/prediction_overlay.h"

namespace counterscope::ui {

CompareView::CompareView(ModelRegistry* registry, QWidget* parent)
    : QWidget(parent, Qt::Window),
      m_registry(registry),
      m_target(new ClassSearchBox(this)),
      m_explain(new QPushButton(tr("Explain both"), this)),
      m_status(new QLabel(this)) {
  setWindowTitle(tr("Compare models — Counterscope"));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(6, 6, 6, 6);
  auto* controls = new QHBoxLayout;
  controls->addWidget(new QLabel(tr("Target"), this));
  controls->addWidget(m_target, 1);
  controls->addWidget(m_explain);
  controls->addWidget(m_status, 2);
  m_status->setStyleSheet(QStringLiteral("color: #9aa2ad;"));
  layout->addLayout(controls);
  auto* grid = new QGridLayout;
  grid->setSpacing(6);
  for (int side = 0; side < 2; ++side) {
    buildSide(side);
    Side& s = m_sides[static_cast<std::size_t>(side)];
    grid->addWidget(s.model, 0, side);
    grid->addWidget(s.canvas, 1, side);
    auto* results = new QHBoxLayout;
    results->addWidget(s.map, 1);
    results->addWidget(s.after, 1);
    grid->addLayout(results, 2, side);
    grid->addWidget(s.outcome, 3, side);
  }
  grid->setRowStretch(1, 3);
  grid->setRowStretch(2, 2);
  layout->addLayout(grid, 1);
  connect(m_explain, &QPushButton::clicked, this, &CompareView::explainBoth);
  connect(m_registry, &ModelRegistry::modelAdded, this, &CompareView::refreshModels);
  refreshModels();
  resize(1200, 760);
}

CompareView::~CompareView() = default;

void CompareView::buildSide(int index) {
  Side& side = m_sides[static_cast<std::size_t>(index)];
  side.model = new QComboBox(this);
  side.canvas = new ImageCanvas(this);
  side.overlay = new PredictionOverlay(side.canvas, m_registry, this);
  side.controller = new ExplainController(m_registry, this);
  side.map = new ImageTile(tr("Map M"), this);
  side.after = new ImageTile(tr("Predictions on X̃ (score ≥ %1)").arg(kShownPredictionScore), this);
  side.outcome = new QLabel(this);
  side.outcome->setWordWrap(true);
  connect(side.model, qOverload<int>(&QComboBox::currentIndexChanged), this,
          [&side](int model) { side.overlay->setModel(model); });
  // Zoom and pan follow the other canvas.
  connect(side.canvas, &ImageCanvas::zoomChanged, this, [this, index] { syncFrom(index); });
  connect(side.canvas->horizontalScrollBar(), &QScrollBar::valueChanged, this, [this, index] { syncFrom(index); });
  connect(side.canvas->verticalScrollBar(), &QScrollBar::valueChanged, this, [this, index] { syncFrom(index); });
  connect(side.controller, &ExplainController::finished, this,
          [this, index](const std::shared_ptr<const ExplainResult>& result) { showResult(index, result); });
  connect(side.controller, &ExplainController::failed, this,
          [this, index](int, const QString& message) { showFailure(index, message); });
  connect(side.controller, &ExplainController::cancelled, this,
          [this, index](int) { showFailure(index, tr("cancelled")); });
}

void CompareView::refreshModels() {
  for (int side = 0; side < 2; ++side) {
    QComboBox* box = m_sides[static_cast<std::size_t>(side)].model;
    const int current = box->currentIndex();
    box->blockSignals(true);
    box->clear();
    for (int i = 0; i < m_registry->count(); ++i) box->addItem(m_registry->entry(i).displayName);
    box->blockSignals(false);
    const int wanted = current >= 0 ? current : std::min(side, m_registry->count() - 1);
    box->setCurrentIndex(-1);
    box->setCurrentIndex(wanted);
  }
}

QString CompareView::outcomeText(int side) const { return m_sides[static_cast<std::size_t>(side)].outcome->text(); }

QImage CompareView::mapImage(int side) const { return m_sides[static_cast<std::size_t>(side)].map->image(); }

int CompareView::model(int side) const { return m_sides[static_cast<std::size_t>(side)].model->currentIndex(); }

void CompareView::setModels(int left, int right) {
  m_sides[0].model->setCurrentIndex(left);
  m_sides[1].model->setCurrentIndex(right);
}

bool CompareView::setTarget(const QString& nameOrId) {
  m_target->setText(nameOrId);
  return m_target->categoryId().has_value();
}

void CompareView::setScene(std::shared_ptr<const ImageScene> scene, std::optional<std::int64_t> annotationId) {
  m_scene = std::move(scene);
  m_annotation = annotationId;
  m_target->setDataset(m_registry->dataset().get());
  for (Side& side : m_sides) {
    side.canvas->showScene(m_scene);
    if (annotationId) side.canvas->highlightAnnotation(*annotationId);
    side.map->setImage({}, tr("not explained yet"));
    side.after->setImage({});
    side.outcome->clear();
  }
  m_status->setText(annotationId ? tr("Instance: annotation %1").arg(*annotationId)
                                 : tr("Pick a ground-truth instance in the main window first."));
}

void CompareView::syncFrom(int index) {
  if (m_syncing) return;
  m_syncing = true;
  const Side& from = m_sides[static_cast<std::size_t>(index)];
  Side& to = m_sides[static_cast<std::size_t>(1 - index)];
  to.canvas->setTransform(from.canvas->transform());
  to.canvas->horizontalScrollBar()->setValue(from.canvas->horizontalScrollBar()->value());
  to.canvas->verticalScrollBar()->setValue(from.canvas->verticalScrollBar()->value());
  m_syncing = false;
}

void CompareView::explainBoth() {
  if (!m_scene || !m_annotation) {
    m_status->setText(tr("Pick a ground-truth instance in the main window first."));
    return;
  }
  if (!m_target->categoryId()) {
    m_status->setText(tr("Type a target class."));
    return;
  }
  m_pending = 0;
  startSide(0);
}

void CompareView::startSide(int index) {
  if (index > 1) {
    m_pending = 2;
    m_status->setText(tr("Both explained."));
    Q_EMIT explanationsFinished();
    return;
  }
  m_pending = index;
  Side& side = m_sides[static_cast<std::size_t>(index)];
  const int model = side.model->currentIndex();
  counterfactual::ExplainQuestion question;
  question.image_id = m_scene->imageId;
  question.annotation_id = *m_annotation;
  question.target_category_id = *m_target->categoryId();
  const bool hasGenerator = model >= 0 && model < m_registry->count() && m_registry->entry(model).hasGenerator();
  question.method = hasGenerator ? counterfactual::ExplainMethod::generator : counterfactual::ExplainMethod::optimize;
  question.optimize_steps = 60;
  side.map->setImage({}, tr("explaining…"));
  m_status->setText(tr("Explaining with %1…").arg(side.model->currentText()));
  // explain() reports a refusal through failed(), which moves on to the other side.
  side.controller->explain(model, question);
}

void CompareView::showResult(int index, const std::shared_ptr<const ExplainResult>& result) {
  Side& side = m_sides[static_cast<std::size_t>(index)];
  const auto& answer = result->answer;
  double scale = 0;
  side.map->setImage(signedHeatmap(answer.explanation.map, &scale));
  side.map->setCaption(tr("Map M (±%1)").arg(scale, 0, 'g', 2));
  auto nameOf = [this, &answer](std::int64_t label) {
    const auto dataset = m_registry->dataset();
    if (dataset && label > 0 && static_cast<std::size_t>(label) < answer.category_of_label.size())
      if (const auto c = dataset->category_index(answer.category_of_label[static_cast<std::size_t>(label)]))
        return QString::fromStdString(dataset->categories[*c].name);
    return QStringLiteral("label %1").arg(label);
  };
  side.after->setImage(drawPredictions(rgbMatToImage(answer.explanation.counterfactual),
                                       predictionsFrom(answer.explanation.predictions_after, kShownPredictionScore),
                                       nameOf),
                       tr("no prediction scores %1 or more on X̃").arg(kShownPredictionScore));
  const auto& m = answer.explanation.measures;
  side.outcome->setText(tr("<b>%1</b> · %2 · score gain %3 · locality %4 · sparsity %5 · %6 s")
                            .arg(m.target_attained ? tr("<span style='color:#43d06b'>attained</span>")
                                                   : tr("<span style='color:#ff4d4d'>not attained</span>"),
                                 result->modelName)
                            .arg(m.score_gain, 0, 'f', 3)
                            .arg(m.locality, 0, 'f', 2)
                            .arg(m.sparsity, 0, 'f', 4)
                            .arg(m.seconds, 0, 'f', 2));
  startSide(index + 1);
}

void CompareView::showFailure(int index, const QString& message) {
  Side& side = m_sides[static_cast<std::size_t>(index)];
  side.map->setImage({}, tr("not explained"));
  side.outcome->setText(message);
  startSide(index + 1);
}

}  // namespace counterscope::ui
