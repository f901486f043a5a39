#include "ui/instance_panel.h"

#include <QFormLayout>
#include <QLabel>
#include <QRegularExpression>
#include <QVBoxLayout>

#include "ui/category_colors.h"
#include "ui/error_palette.h"
#include "ui/model_registry.h"

namespace counterscope::ui {

namespace {

QString chip(const QColor& color, const QString& text) {
  return QStringLiteral("<span style='color:%1'>&#9632;</span> %2").arg(color.name(), text.toHtmlEscaped());
}

QString frequencyText(data::Frequency frequency) {
  switch (frequency) {
    case data::Frequency::rare: return QObject::tr("rare (r)");
    case data::Frequency::common: return QObject::tr("common (c)");
    case data::Frequency::frequent: return QObject::tr("frequent (f)");
    case data::Frequency::unknown: break;
  }
  return QObject::tr("unknown");
}

}  // namespace

InstancePanel::InstancePanel(ModelRegistry* registry, QWidget* parent)
    : QWidget(parent),
      m_registry(registry),
      m_title(new QLabel(this)),
      m_category(new QLabel(this)),
      m_frequency(new QLabel(this)),
      m_score(new QLabel(this)),
      m_iou(new QLabel(this)),
      m_error(new QLabel(this)),
      m_detail(new QLabel(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(8, 6, 8, 6);
  layout->setSpacing(4);
  m_title->setStyleSheet(QStringLiteral("font-weight: 600;"));
  layout->addWidget(m_title);
  auto* form = new QFormLayout;
  form->setContentsMargins(0, 0, 0, 0);
  form->setHorizontalSpacing(10);
  form->setVerticalSpacing(3);
  form->addRow(tr("Category"), m_category);
  form->addRow(tr("Frequency"), m_frequency);
  form->addRow(tr("Score"), m_score);
  form->addRow(tr("IoU (match)"), m_iou);
  form->addRow(tr("Error type"), m_error);
  layout->addLayout(form);
  m_detail->setWordWrap(true);
  m_detail->setStyleSheet(QStringLiteral("color: #9aa2ad;"));
  layout->addWidget(m_detail);
  for (QLabel* label : {m_category, m_frequency, m_score, m_iou, m_error, m_detail}) {
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
  }
  connect(m_registry, &ModelRegistry::modelChanged, this, [this](int index) {
    if (m_picked && (index == m_model || index == m_picked->modelIndex)) refresh();
  });
  refresh();
}

void InstancePanel::setDataset(std::shared_ptr<const data::Dataset> dataset) {
  m_dataset = std::move(dataset);
  m_picked.reset();
  refresh();
}

void InstancePanel::setModel(int modelIndex) {
  m_model = modelIndex;
  refresh();
}

void InstancePanel::setPicked(std::optional<PickedInstance> picked) {
  m_picked = picked;
  refresh();
  Q_EMIT pickedChanged();
}

std::optional<std::int64_t> InstancePanel::explainableAnnotation() const { return m_explainable; }

QString InstancePanel::field(const QString& name) const {
  const QLabel* label = name == QLatin1String("category")    ? m_category
                        : name == QLatin1String("frequency") ? m_frequency
                        : name == QLatin1String("score")     ? m_score
                        : name == QLatin1String("iou")       ? m_iou
                        : name == QLatin1String("error")     ? m_error
                        : name == QLatin1String("title")     ? m_title
                                                             : m_detail;
  QString text = label->text();
  text.remove(QRegularExpression(QStringLiteral("<[^>]*>")));
  text.replace(QStringLiteral("&#9632; "), QString());
  return text.trimmed();
}

void InstancePanel::refresh() {
  m_explainable.reset();
  const QString none = QStringLiteral("–");
  for (QLabel* label : {m_category, m_frequency, m_score, m_iou, m_error}) label->setText(none);
  m_detail->clear();
  if (!m_picked || !m_dataset) {
    m_title->setText(tr("No instance picked"));
    m_detail->setText(tr("Click a mask or box on the image to pick it (the smallest under the cursor wins)."));
    return;
  }
  const data::Dataset& dataset = *m_dataset;
  auto describeCategory = [&](std::int64_t categoryId) {
    const auto index = dataset.category_index(categoryId);
    if (!index) {
      m_category->setText(tr("category %1").arg(categoryId));
      return;
    }
    const data::Category& category = dataset.categories[*index];
    m_category->setText(chip(categoryColor(categoryId), QString::fromStdString(category.name)) +
                        QStringLiteral(" <span style='color:#9aa2ad'>id %1</span>").arg(categoryId));
    m_frequency->setText(chip(frequencyColor(category.frequency), frequencyText(category.frequency)));
  };

  if (m_picked->kind == PickedInstance::Kind::annotation) {
    std::optional<std::size_t> annotationIndex;
    for (std::size_t i = 0; i < dataset.annotations.size(); ++i) {
      if (dataset.annotations[i].id == m_picked->annotationId) {
        annotationIndex = i;
        break;
      }
    }
    if (!annotationIndex) {
      m_title->setText(tr("Annotation %1 is not in the dataset").arg(m_picked->annotationId));
      return;
    }
    const data::Annotation& annotation = dataset.annotations[*annotationIndex];
    m_explainable = annotation.id;
    m_title->setText(tr("Ground truth · annotation %1").arg(annotation.id));
    describeCategory(annotation.category_id);
    m_score->setText(tr("ground truth"));
    m_detail->setText(tr("area %1 px · box %2×%3 at (%4, %5)%6")
                          .arg(annotation.area, 0, 'f', 0)
                          .arg(annotation.bbox.w, 0, 'f', 0)
                          .arg(annotation.bbox.h, 0, 'f', 0)
                          .arg(annotation.bbox.x, 0, 'f', 0)
                          .arg(annotation.bbox.y, 0, 'f', 0)
                          .arg(annotation.iscrowd ? tr(" · crowd") : QString()));
    if (m_model < 0 || m_model >= m_registry->count()) {
      m_error->setText(tr("no model selected"));
      return;
    }
    const ModelEntry& model = m_registry->entry(m_model);
    if (!model.evaluation) {
      m_error->setText(tr("%1 not evaluated yet").arg(model.displayName));
      return;
    }
    const auto* truth = model.evaluation->truthOutcome(*annotationIndex);
    if (truth == nullptr) {
      m_error->setText(tr("not evaluated (crowd or zero area)"));
      return;
    }
    m_error->setText(chip(truthLabelColor(truth->label), truthLabelText(truth->label)));
    if (truth->detection >= 0) {
      const auto detection = static_cast<std::size_t>(truth->detection);
      if (const auto* outcome = model.evaluation->detectionOutcome(detection)) {
        m_score->setText(tr("matched prediction %1").arg(outcome->score, 0, 'f', 3));
        m_iou->setText(QString::number(outcome->iou, 'f', 3));
      }
    }
    return;
  }

  // A prediction.
  if (m_picked->modelIndex < 0 || m_picked->modelIndex >= m_registry->count()) return;
  const ModelEntry& model = m_registry->entry(m_picked->modelIndex);
  if (!model.detections || m_picked->detectionIndex < 0 ||
      static_cast<std::size_t>(m_picked->detectionIndex) >= model.detections->all.size()) {
    m_title->setText(tr("Prediction no longer available"));
    return;
  }
  const auto index = static_cast<std::size_t>(m_picked->detectionIndex);
  const data::Detection& detection = model.detections->all[index];
  m_title->setText(tr("Prediction · %1").arg(model.displayName));
  describeCategory(detection.category_id);
  m_score->setText(QString::number(detection.score, 'f', 3));
  const evaluation::DetectionOutcome* outcome =
      model.evaluation ? model.evaluation->detectionOutcome(index) : nullptr;
  const std::optional<evaluation::DetectionLabel> label =
      outcome ? std::optional<evaluation::DetectionLabel>(outcome->label) : std::nullopt;
  m_error->setText(chip(detectionLabelColor(label), model.evaluation ? detectionLabelText(label)
                                                                     : tr("not evaluated yet")));
  if (outcome != nullptr && outcome->truth >= 0 &&
      static_cast<std::size_t>(outcome->truth) < dataset.annotations.size()) {
    const data::Annotation& truth = dataset.annotations[static_cast<std::size_t>(outcome->truth)];
    m_explainable = truth.id;
    const auto truthCategory = dataset.category_index(truth.category_id);
    m_iou->setText(tr("%1 with annotation %2 (%3)")
                       .arg(outcome->iou, 0, 'f', 3)
                       .arg(truth.id)
                       .arg(truthCategory ? QString::fromStdString(dataset.categories[*truthCategory].name)
                                          : QString::number(truth.category_id)));
  } else if (outcome != nullptr) {
    m_iou->setText(tr("no ground truth overlaps"));
  }
  m_detail->setText(tr("box %1×%2 at (%3, %4) · detection %5")
                        .arg(detection.bbox.w, 0, 'f', 0)
                        .arg(detection.bbox.h, 0, 'f', 0)
                        .arg(detection.bbox.x, 0, 'f', 0)
                        .arg(detection.bbox.y, 0, 'f', 0)
                        .arg(index));
}

}  // namespace counterscope::ui
