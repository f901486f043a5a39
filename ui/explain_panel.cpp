#include "ui/explain_panel.h"

#include <algorithm>

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "ui/class_search_box.h"
#include "ui/explain_controller.h"
#include "ui/explanation_render.h"
#include "ui/image_tile.h"
#include "ui/model_registry.h"

namespace counterscope::ui {

namespace {


QImage withBox(const QImage& base, const std::array<double, 4>& box) {
  QImage out = base.convertToFormat(QImage::Format_RGB32);
  QPainter painter(&out);
  painter.setPen(QPen(Qt::white, std::max(1, out.width() / 200)));
  painter.drawRect(QRectF(QPointF(box[0], box[1]), QPointF(box[2], box[3])));
  return out;
}

}  // namespace

ExplainPanel::ExplainPanel(ModelRegistry* registry, ExplainController* controller, QWidget* parent)
    : QWidget(parent),
      m_registry(registry),
      m_controller(controller),
      m_target(new ClassSearchBox(this)),
      m_method(new QComboBox(this)),
      m_steps(new QSpinBox(this)),
      m_explainButton(new QPushButton(tr("Explain"), this)),
      m_cancelButton(new QPushButton(tr("Cancel"), this)),
      m_busy(new QProgressBar(this)),
      m_status(new QLabel(this)),
      m_original(new ImageTile(tr("Original X"), this)),
      m_map(new ImageTile(tr("Map M = X̃ − X"), this)),
      m_counterfactual(new ImageTile(tr("Counterfactual X̃"), this)),
      m_after(new ImageTile(tr("Predictions on X̃ (score ≥ %1)").arg(kShownPredictionScore), this)),
      m_diff(new ImageTile(tr("Mask diff (gained / lost)"), this)),
      m_legend(new HeatmapLegend(this)),
      m_badge(new QLabel(this)),
      m_measures(new QLabel(this)),
      m_diffCounts(new QLabel(this)),
      m_scores(new ScoreBars(this)) {
  // Each entry carries its ExplainMethod: the rest of the panel asks for the method, never for a row number.
  m_method->addItem(tr("Generator"), static_cast<int>(counterfactual::ExplainMethod::generator));
  m_method->addItem(tr("Optimise"), static_cast<int>(counterfactual::ExplainMethod::optimize));
  m_method->addItem(tr("Generator + optimise"), static_cast<int>(counterfactual::ExplainMethod::refine));
  m_method->addItem(tr("Ground-truth twin"), static_cast<int>(counterfactual::ExplainMethod::twin));
  m_method->setToolTip(tr("Generator: one pass of the trained counterfactual generator (fast). Optimise: "
                          "Adam on the map itself for this image (no generator needed, slower). Generator + "
                          "optimise: Adam from the generator's map (attains more than the generator, in fewer "
                          "steps than Optimise). Ground-truth twin (synthetic world only): the world redrawn "
                          "with the instance as the target class, the reference a map is read against."));
  m_steps->setRange(1, 1000);
  m_steps->setValue(60);
  m_steps->setSuffix(tr(" steps"));
  m_steps->setToolTip(tr("Optimiser steps at most (it stops once the target is attained)"));
  m_busy->setRange(0, 0);  // indeterminate: the explainer reports no fraction
  m_busy->setMaximumWidth(90);
  m_busy->setMaximumHeight(12);
  m_busy->setTextVisible(false);
  m_busy->hide();
  m_cancelButton->hide();
  m_status->setStyleSheet(QStringLiteral("color: #9aa2ad;"));
  m_status->setWordWrap(false);
  m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  m_target->setMinimumWidth(180);

  auto* controls = new QHBoxLayout;
  controls->setSpacing(6);
  controls->addWidget(new QLabel(tr("Target"), this));
  controls->addWidget(m_target, 2);
  controls->addWidget(m_method);
  controls->addWidget(m_steps);
  controls->addWidget(m_explainButton);
  controls->addWidget(m_cancelButton);
  controls->addWidget(m_busy);
  controls->addWidget(m_status, 3);

  auto* tiles = new QHBoxLayout;
  tiles->setSpacing(6);
  auto* mapColumn = new QVBoxLayout;
  mapColumn->setSpacing(0);
  mapColumn->addWidget(m_map, 1);
  mapColumn->addWidget(m_legend);
  tiles->addWidget(m_original, 1);
  tiles->addLayout(mapColumn, 1);
  tiles->addWidget(m_counterfactual, 1);
  tiles->addWidget(m_after, 1);
  tiles->addWidget(m_diff, 1);

  auto* side = new QVBoxLayout;
  side->setSpacing(4);
  m_badge->setAlignment(Qt::AlignCenter);
  m_badge->setMinimumHeight(22);
  // The side column is 250 px wide: long class names wrap instead of being cut off.
  m_badge->setWordWrap(true);
  side->addWidget(m_badge);
  m_measures->setStyleSheet(QStringLiteral("font-size: 11px;"));
  m_measures->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_measures->setWordWrap(true);
  side->addWidget(m_measures);
  m_diffCounts->setStyleSheet(QStringLiteral("font-size: 11px;"));
  m_diffCounts->setWordWrap(true);
  side->addWidget(m_diffCounts);
  side->addWidget(m_scores, 1);

  auto* body = new QHBoxLayout;
  body->addLayout(tiles, 5);
  auto* sideWidget = new QWidget(this);
  sideWidget->setLayout(side);
  sideWidget->setFixedWidth(250);
  side->setContentsMargins(0, 0, 0, 0);
  body->addWidget(sideWidget);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(6, 4, 6, 4);
  layout->setSpacing(4);
  layout->addLayout(controls);
  layout->addLayout(body, 1);

  connect(m_explainButton, &QPushButton::clicked, this, &ExplainPanel::explain);
  connect(m_target, &QLineEdit::returnPressed, this, &ExplainPanel::explain);
  connect(m_cancelButton, &QPushButton::clicked, this, &ExplainPanel::cancel);
  connect(m_target, &ClassSearchBox::categoryChanged, this, &ExplainPanel::updateState);
  connect(m_method, qOverload<int>(&QComboBox::currentIndexChanged), this, &ExplainPanel::updateState);
  connect(m_controller, &ExplainController::finished, this, &ExplainPanel::onFinished);
  connect(m_controller, &ExplainController::failed, this, &ExplainPanel::onFailed);
  connect(m_controller, &ExplainController::cancelled, this, [this] {
    updateState();
    m_status->setText(tr("Cancelled."));
    Q_EMIT explanationFinished(false, tr("cancelled"));
  });
  connect(m_registry, &ModelRegistry::modelChanged, this, [this](int index) {
    if (index == m_model) updateState();
  });
  clearResult(tr("Pick an instance, type a target class and press Explain."));
  updateState();
}

void ExplainPanel::setDataset(std::shared_ptr<const data::Dataset> dataset) {
  m_dataset = std::move(dataset);
  m_target->setDataset(m_dataset.get());
  m_annotation.reset();
  m_result.reset();
  clearResult(tr("Pick an instance, type a target class and press Explain."));
  updateState();
}

void ExplainPanel::setModel(int modelIndex) {
  m_model = modelIndex;
  if (modelIndex >= 0 && modelIndex < m_registry->count()) {
    // Default to the generator when the model has one: it is the fast path.
    selectMethod(m_registry->entry(modelIndex).hasGenerator() ? counterfactual::ExplainMethod::generator
                                                              : counterfactual::ExplainMethod::optimize);
  }
  updateState();
}

void ExplainPanel::setInstance(std::optional<std::int64_t> annotationId, std::int64_t imageId) {
  m_annotation = annotationId;
  m_imageId = imageId;
  updateState();
}

bool ExplainPanel::setTarget(const QString& nameOrId) {
  m_target->setText(nameOrId);
  if (const auto id = m_target->categoryId()) {
    m_target->setCategory(*id);
    return true;
  }
  return false;
}

void ExplainPanel::setOptimize(bool optimize, int steps) {
  setMethod(optimize ? counterfactual::ExplainMethod::optimize : counterfactual::ExplainMethod::generator, steps);
}

void ExplainPanel::setMethod(counterfactual::ExplainMethod method, int steps) {
  selectMethod(method);
  m_steps->setValue(steps);
}

counterfactual::ExplainMethod ExplainPanel::selectedMethod() const {
  return static_cast<counterfactual::ExplainMethod>(m_method->currentData().toInt());
}

void ExplainPanel::selectMethod(counterfactual::ExplainMethod method) {
  m_method->setCurrentIndex(m_method->findData(static_cast<int>(method)));
}

QString ExplainPanel::blockedReason() const {
  if (m_controller->isBusy()) return tr("Explaining…");
  const QString modelReason = m_controller->cannotExplainReason(m_model);
  if (!modelReason.isEmpty()) return modelReason;
  if (!m_annotation) return tr("Pick a ground-truth instance (or a prediction matched to one).");
  const auto target = m_target->categoryId();
  if (!target) return m_target->text().trimmed().isEmpty() ? tr("Type a target class.")
                                                           : tr("'%1' is no category.").arg(m_target->text());
  const counterfactual::ExplainMethod method = selectedMethod();
  if (counterfactual::uses_generator(method) && !m_registry->entry(m_model).hasGenerator())
    return tr("%1 has no generator: open one (File ▸ Open generator) or choose Optimise.")
        .arg(m_registry->entry(m_model).displayName);
  if (method == counterfactual::ExplainMethod::twin && !m_controller->hasGroundTruth())
    return tr("The ground-truth twin exists only on a synthetic world (annotations made by counterscope-cli synth).");
  return QString();
}

void ExplainPanel::updateState() {
  const bool busy = m_controller->isBusy();
  m_steps->setEnabled(counterfactual::takes_steps(selectedMethod()) && !busy);
  m_busy->setVisible(busy);
  m_cancelButton->setVisible(busy);
  const QString reason = blockedReason();
  m_explainButton->setEnabled(reason.isEmpty());
  if (!busy) {
    if (!reason.isEmpty()) {
      m_status->setText(reason);
    } else {
      m_status->setText(tr("Ready: annotation %1 → %2").arg(*m_annotation).arg(categoryName(*m_target->categoryId())));
    }
  }
}

QString ExplainPanel::categoryName(std::int64_t categoryId) const {
  if (m_dataset)
    if (const auto index = m_dataset->category_index(categoryId))
      return QString::fromStdString(m_dataset->categories[*index].name);
  return QString::number(categoryId);
}

void ExplainPanel::explain() {
  const QString reason = blockedReason();
  if (!reason.isEmpty()) {
    m_status->setText(reason);
    return;
  }
  counterfactual::ExplainQuestion question;
  question.image_id = m_imageId;
  question.annotation_id = *m_annotation;
  question.target_category_id = *m_target->categoryId();
  question.method = selectedMethod();
  question.optimize_steps = m_steps->value();
  if (m_controller->explain(m_model, question)) {
    m_status->setText(tr("Explaining annotation %1 as %2 with %3…")
                          .arg(question.annotation_id)
                          .arg(categoryName(question.target_category_id), m_registry->entry(m_model).displayName));
  }
  updateState();
}

void ExplainPanel::cancel() { m_controller->cancel(); }

void ExplainPanel::onFailed(int, const QString& message) {
  updateState();
  m_status->setText(tr("Explanation failed: %1").arg(message));
  m_status->setToolTip(message);
  Q_EMIT explanationFinished(false, message);
}

void ExplainPanel::onFinished(const std::shared_ptr<const ExplainResult>& result) {
  m_result = result;
  updateState();
  showResult();
  Q_EMIT explanationFinished(true, QString());
}

void ExplainPanel::clearResult(const QString& message) {
  for (ImageTile* tile : {m_original, m_map, m_counterfactual, m_after, m_diff}) tile->setImage({}, QString());
  m_original->setImage({}, message);
  m_badge->setText(QString());
  m_badge->setStyleSheet(QString());
  m_measures->clear();
  m_diffCounts->clear();
  m_scores->setRows({});
  m_legend->setScale(0);
}

void ExplainPanel::showResult() {
  if (!m_result) return;
  const auto& answer = m_result->answer;
  const auto& explanation = answer.explanation;
  const QImage original = rgbMatToImage(answer.image);
  m_original->setImage(withBox(original, answer.instance_box));
  double scale = 0;
  m_map->setImage(signedHeatmap(explanation.map, &scale));
  m_legend->setScale(scale);
  const QImage counterfactual = rgbMatToImage(explanation.counterfactual);
  m_counterfactual->setImage(counterfactual);
  auto nameOfLabel = [this, &answer](std::int64_t label) {
    if (label == 0) return tr("background");
    if (label > 0 && static_cast<std::size_t>(label) < answer.category_of_label.size())
      return categoryName(answer.category_of_label[static_cast<std::size_t>(label)]);
    return QStringLiteral("label %1").arg(label);
  };
  const auto shown = predictionsFrom(explanation.predictions_after, kShownPredictionScore);
  m_after->setImage(drawPredictions(counterfactual, shown, nameOfLabel),
                    tr("no prediction scores %1 or more on X̃").arg(kShownPredictionScore));
  m_diff->setImage(drawSegmentationDiff(original, explanation.instance_mask_before, explanation.instance_mask_after));
  const auto& measures = explanation.measures;
  const bool attained = measures.target_attained;
  m_badge->setText(attained ? tr("✔ Target attained: %1").arg(categoryName(answer.target_category_id))
                            : tr("✘ Not attained: top class %1").arg(nameOfLabel(explanation.top_label_after)));
  m_badge->setStyleSheet(attained ? QStringLiteral("background:#1f5131; color:#c9f7d6; border-radius:3px; "
                                                   "font-weight:600; padding:2px;")
                                  : QStringLiteral("background:#5a2323; color:#ffd2d2; border-radius:3px; "
                                                   "font-weight:600; padding:2px;"));
  m_measures->setText(tr("%1 · %2 → %3<br>score gain <b>%4</b> (%5 → %6)<br>locality %7 · sparsity %8<br>"
                         "time %9 s (map %10 s)%11")
                          .arg(m_result->modelName, categoryName(answer.source_category_id),
                               categoryName(answer.target_category_id))
                          .arg(measures.score_gain, 0, 'f', 3)
                          .arg(measures.target_score_before, 0, 'f', 3)
                          .arg(measures.target_score_after, 0, 'f', 3)
                          .arg(measures.locality, 0, 'f', 3)
                          .arg(measures.sparsity, 0, 'f', 4)
                          .arg(measures.seconds, 0, 'f', 2)
                          .arg(measures.map_seconds, 0, 'f', 2)
                          .arg(measures.steps > 0 ? tr(" · %1 steps").arg(measures.steps) : QString()) +
                      (measures.ncc ? tr("<br>NCC with the ground-truth twin %1").arg(*measures.ncc, 0, 'f', 3)
                                    : QString()));
  const auto& diff = explanation.segmentation;
  m_diffCounts->setText(tr("mask %1 → %2 px<br><span style='color:#43d06b'>+%3 gained</span> · "
                           "<span style='color:#ff4d4d'>−%4 lost</span>")
                            .arg(diff.pixels_before)
                            .arg(diff.pixels_after)
                            .arg(diff.gained)
                            .arg(diff.lost));
  // Top-5 of before and after together, so both the source's fall and the target's rise are visible.
  std::vector<ScoreBars::Row> rows;
  auto add = [&](const counterfactual::ClassScore& score) {
    for (const auto& row : rows)
      if (row.name == QString::fromStdString(score.name)) return;
    ScoreBars::Row row;
    row.name = QString::fromStdString(score.name);
    for (const auto& before : answer.top_before)
      if (before.name == score.name) row.before = before.score;
    for (const auto& after : answer.top_after)
      if (after.name == score.name) row.after = after.score;
    // Classes outside one of the lists: read their probability directly.
    auto labelOf = [&](std::int64_t categoryId) -> std::int64_t {
      for (std::size_t l = 1; l < answer.category_of_label.size(); ++l)
        if (answer.category_of_label[l] == categoryId) return static_cast<std::int64_t>(l);
      return score.category_id == 0 ? 0 : -1;
    };
    const std::int64_t label = labelOf(score.category_id);
    if (label >= 0 && static_cast<std::size_t>(label) < explanation.class_scores_before.size()) {
      row.before = explanation.class_scores_before[static_cast<std::size_t>(label)];
      row.after = explanation.class_scores_after[static_cast<std::size_t>(label)];
    }
    row.isTarget = score.category_id == answer.target_category_id;
    row.isSource = score.category_id == answer.source_category_id;
    rows.push_back(row);
  };
  for (const auto& score : answer.top_before) add(score);
  for (const auto& score : answer.top_after) add(score);
  std::stable_sort(rows.begin(), rows.end(), [](const ScoreBars::Row& a, const ScoreBars::Row& b) {
    return std::max(a.before, a.after) > std::max(b.before, b.after);
  });
  if (rows.size() > 6) rows.resize(6);
  m_scores->setRows(std::move(rows));
  m_status->setText(tr("Explained annotation %1 of image %2 as %3.")
                        .arg(answer.annotation_id)
                        .arg(answer.image_id)
                        .arg(categoryName(answer.target_category_id)));
}

}  // namespace counterscope::ui
