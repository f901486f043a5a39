#include "ui/filter_bar.h"

#include <algorithm>
#include <vector>

#include <QComboBox>
#include <QCompleter>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPainter>
#include <QVBoxLayout>

#include "ui/category_colors.h"
#include "ui/error_palette.h"

namespace counterscope::ui {

namespace {

QIcon frequencyIcon(data::Frequency frequency) {
  QPixmap pixmap(12, 12);
  pixmap.fill(Qt::transparent);
  QPainter painter(&pixmap);
  painter.setRenderHint(QPainter::Antialiasing);
  painter.setPen(Qt::NoPen);
  painter.setBrush(frequencyColor(frequency));
  painter.drawEllipse(QRectF(1.5, 1.5, 9, 9));
  return QIcon(pixmap);
}

}  // namespace

FilterBar::FilterBar(QWidget* parent)
    : QWidget(parent),
      m_categoryBox(new QComboBox(this)),
      m_frequencyBox(new QComboBox(this)),
      m_errorBox(new QComboBox(this)),
      m_sortBox(new QComboBox(this)) {
  m_categoryBox->setEditable(true);
  m_categoryBox->setInsertPolicy(QComboBox::NoInsert);
  m_categoryBox->setMaxVisibleItems(20);
  m_categoryBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  m_categoryBox->setMinimumContentsLength(12);
  m_categoryBox->lineEdit()->setPlaceholderText(tr("Search categories…"));
  m_categoryBox->lineEdit()->setClearButtonEnabled(true);
  m_categoryBox->setToolTip(tr("Show images containing this category (type any part of its name)"));
  // LVIS has 1,203 categories: match anywhere in the name, not only at the start.
  auto* completer = new QCompleter(m_categoryBox->model(), m_categoryBox);
  completer->setCaseSensitivity(Qt::CaseInsensitive);
  completer->setFilterMode(Qt::MatchContains);
  completer->setCompletionMode(QCompleter::PopupCompletion);
  m_categoryBox->setCompleter(completer);

  m_frequencyBox->addItem(tr("All groups"));
  m_frequencyBox->addItem(frequencyIcon(data::Frequency::frequent), tr("Frequent (f)"),
                          static_cast<int>(data::Frequency::frequent));
  m_frequencyBox->addItem(frequencyIcon(data::Frequency::common), tr("Common (c)"),
                          static_cast<int>(data::Frequency::common));
  m_frequencyBox->addItem(frequencyIcon(data::Frequency::rare), tr("Rare (r)"),
                          static_cast<int>(data::Frequency::rare));
  m_frequencyBox->setToolTip(tr("Show images with an annotation of this LVIS frequency group"));

  // Error filter and sorts follow the model selected above the canvas (once it is evaluated).
  m_errorBox->addItem(tr("All images"));
  const std::pair<evaluation::ErrorType, evaluation::DetectionLabel> types[] = {
      {evaluation::ErrorType::classification, evaluation::DetectionLabel::classification},
      {evaluation::ErrorType::localisation, evaluation::DetectionLabel::localisation},
      {evaluation::ErrorType::both, evaluation::DetectionLabel::both},
      {evaluation::ErrorType::duplicate, evaluation::DetectionLabel::duplicate},
      {evaluation::ErrorType::background, evaluation::DetectionLabel::background}};
  for (const auto& [type, label] : types) {
    QPixmap chip(12, 12);
    chip.fill(detectionLabelColor(label));
    m_errorBox->addItem(QIcon(chip), tr("with %1 errors").arg(QString::fromLatin1(evaluation::error_type_name(type))),
                        static_cast<int>(type));
  }
  QPixmap missChip(12, 12);
  missChip.fill(truthLabelColor(evaluation::TruthLabel::missed));
  m_errorBox->addItem(QIcon(missChip), tr("with missed objects"), static_cast<int>(evaluation::ErrorType::missed));
  m_errorBox->setToolTip(tr("Show images with errors of this TIDE type (selected model, once evaluated)"));
  m_sortBox->addItem(tr("File order"), static_cast<int>(ImageSort::file));
  m_sortBox->addItem(tr("Most errors"), static_cast<int>(ImageSort::errorCount));
  m_sortBox->addItem(tr("Worst error"), static_cast<int>(ImageSort::worstError));
  m_sortBox->setToolTip(tr("Order images by their number of errors, or by their worst error (the highest-scoring "
                           "wrong detection; a missed object counts as 1)"));
  m_errorBox->setEnabled(false);
  m_sortBox->setEnabled(false);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(4);
  auto* first = new QHBoxLayout;
  first->setSpacing(6);
  first->addWidget(m_categoryBox, 3);
  first->addWidget(m_frequencyBox, 2);
  auto* second = new QHBoxLayout;
  second->setSpacing(6);
  second->addWidget(m_errorBox, 3);
  second->addWidget(m_sortBox, 2);
  layout->addLayout(first);
  layout->addLayout(second);
  connect(m_errorBox, &QComboBox::currentIndexChanged, this, &FilterBar::onControlsChanged);
  connect(m_sortBox, &QComboBox::currentIndexChanged, this, &FilterBar::onControlsChanged);

  connect(m_categoryBox, &QComboBox::currentIndexChanged, this, &FilterBar::onControlsChanged);
  connect(m_frequencyBox, &QComboBox::currentIndexChanged, this, [this] {
    if (m_updating) return;
    fillCategories();
    onControlsChanged();
  });
  // Clearing the search text means "all categories".
  connect(m_categoryBox->lineEdit(), &QLineEdit::textEdited, this, [this](const QString& text) {
    if (text.isEmpty()) m_categoryBox->setCurrentIndex(0);
  });
  fillCategories();
}

void FilterBar::setDataset(std::shared_ptr<const data::Dataset> dataset) {
  m_dataset = std::move(dataset);
  m_updating = true;
  m_frequencyBox->setCurrentIndex(0);
  m_updating = false;
  m_filter = {};
  fillCategories();
}

void FilterBar::fillCategories() {
  const bool wasUpdating = m_updating;
  m_updating = true;
  const QVariant frequencyData = m_frequencyBox->currentData();
  const QVariant selected = m_categoryBox->currentData();
  m_categoryBox->clear();
  m_categoryBox->addItem(tr("All categories"));
  if (m_dataset) {
    std::vector<std::size_t> indexes;
    for (std::size_t i = 0; i < m_dataset->categories.size(); ++i) {
      if (m_dataset->images_of_category(i).empty()) continue;  // nothing to show for it in this file
      if (frequencyData.isValid() &&
          static_cast<int>(m_dataset->categories[i].frequency) != frequencyData.toInt()) {
        continue;
      }
      indexes.push_back(i);
    }
    std::sort(indexes.begin(), indexes.end(), [&](std::size_t a, std::size_t b) {
      return m_dataset->categories[a].name < m_dataset->categories[b].name;
    });
    for (const std::size_t i : indexes) {
      const data::Category& category = m_dataset->categories[i];
      m_categoryBox->addItem(frequencyIcon(category.frequency),
                             QStringLiteral("%1  (%2)")
                                 .arg(QString::fromStdString(category.name))
                                 .arg(m_dataset->images_of_category(i).size()),
                             static_cast<qulonglong>(i));
    }
  }
  const int keep = selected.isValid() ? m_categoryBox->findData(selected) : -1;
  m_categoryBox->setCurrentIndex(std::max(keep, 0));
  if (keep < 0) m_categoryBox->lineEdit()->clear();
  m_updating = wasUpdating;
}

void FilterBar::setErrorIndex(std::shared_ptr<const ImageErrorIndex> errors) {
  m_errors = std::move(errors);
  m_errorBox->setEnabled(m_errors != nullptr);
  m_sortBox->setEnabled(m_errors != nullptr);
  onControlsChanged();
}

void FilterBar::setFilter(const ImageFilter& filter) {
  m_updating = true;
  m_errorBox->setCurrentIndex(filter.errorType ? std::max(0, m_errorBox->findData(static_cast<int>(*filter.errorType))) : 0);
  m_sortBox->setCurrentIndex(std::max(0, m_sortBox->findData(static_cast<int>(filter.sort))));
  const int frequencyRow =
      filter.frequency ? m_frequencyBox->findData(static_cast<int>(*filter.frequency)) : 0;
  m_frequencyBox->setCurrentIndex(std::max(frequencyRow, 0));
  fillCategories();
  if (filter.categoryIndex) {
    int row = m_categoryBox->findData(static_cast<qulonglong>(*filter.categoryIndex));
    if (row < 0 && m_dataset && *filter.categoryIndex < m_dataset->categories.size()) {
      const data::Category& category = m_dataset->categories[*filter.categoryIndex];
      m_categoryBox->addItem(frequencyIcon(category.frequency), QString::fromStdString(category.name),
                             static_cast<qulonglong>(*filter.categoryIndex));
      row = m_categoryBox->count() - 1;
    }
    m_categoryBox->setCurrentIndex(std::max(row, 0));
  } else {
    m_categoryBox->setCurrentIndex(0);
    m_categoryBox->lineEdit()->clear();
  }
  m_updating = false;
  onControlsChanged();
}

void FilterBar::onControlsChanged() {
  if (m_updating) return;
  ImageFilter filter;
  const QVariant category = m_categoryBox->currentData();
  if (category.isValid()) filter.categoryIndex = static_cast<std::size_t>(category.toULongLong());
  const QVariant frequency = m_frequencyBox->currentData();
  if (frequency.isValid()) filter.frequency = static_cast<data::Frequency>(frequency.toInt());
  if (m_errors) {
    filter.errors = m_errors;
    const QVariant error = m_errorBox->currentData();
    if (error.isValid()) filter.errorType = static_cast<evaluation::ErrorType>(error.toInt());
    filter.sort = static_cast<ImageSort>(m_sortBox->currentData().toInt());
  }
  if (m_categoryBox->currentIndex() == 0) m_categoryBox->lineEdit()->clear();
  if (filter == m_filter) return;
  m_filter = filter;
  Q_EMIT filterChanged(m_filter);
}

}  // namespace counterscope::ui
