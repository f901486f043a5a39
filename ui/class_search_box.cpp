#include "ui/class_search_box.h"

#include <QCompleter>
#include <QStringListModel>

#include "core/counterfactual/explain_request.h"

namespace counterscope::ui {

namespace {
const QString synonymArrow = QStringLiteral(" → ");
}

ClassSearchBox::ClassSearchBox(QWidget* parent)
    : QLineEdit(parent), m_completer(new QCompleter(this)), m_model(new QStringListModel(this)) {
  m_completer->setModel(m_model);
  m_completer->setCaseSensitivity(Qt::CaseInsensitive);
  m_completer->setFilterMode(Qt::MatchContains);
  m_completer->setCompletionMode(QCompleter::PopupCompletion);
  m_completer->setMaxVisibleItems(14);
  setCompleter(m_completer);
  setPlaceholderText(tr("Target class (name or synonym, e.g. snow)"));
  setClearButtonEnabled(true);
  connect(m_completer, qOverload<const QString&>(&QCompleter::activated), this, [this](const QString& text) {
    // "synonym → name" stands for the category's name.
    const int arrow = text.indexOf(synonymArrow);
    if (arrow >= 0) setText(text.mid(arrow + synonymArrow.size()));
  });
  connect(this, &QLineEdit::textChanged, this, [this] { Q_EMIT categoryChanged(categoryId().value_or(-1)); });
}

void ClassSearchBox::setDataset(const data::Dataset* dataset) {
  m_dataset = dataset;
  QStringList entries;
  if (dataset != nullptr) {
    for (const data::Category& category : dataset->categories) {
      const QString name = QString::fromStdString(category.name);
      entries.append(name);
      for (const std::string& synonym : category.synonyms) {
        const QString text = QString::fromStdString(synonym);
        if (text.compare(name, Qt::CaseInsensitive) != 0) entries.append(text + synonymArrow + name);
      }
    }
  }
  entries.sort(Qt::CaseInsensitive);
  m_model->setStringList(entries);
}

QStringList ClassSearchBox::entries() const { return m_model->stringList(); }

std::optional<std::int64_t> ClassSearchBox::categoryId() const {
  if (m_dataset == nullptr) return std::nullopt;
  QString query = text().trimmed();
  const int arrow = query.indexOf(synonymArrow);
  if (arrow >= 0) query = query.mid(arrow + synonymArrow.size());
  if (query.isEmpty()) return std::nullopt;
  try {
    return counterfactual::resolve_target_category(*m_dataset, query.toStdString(), "target");
  } catch (const std::exception&) {
    return std::nullopt;  // not (yet) a category: the Explain button stays disabled
  }
}

void ClassSearchBox::setCategory(std::int64_t categoryId) {
  if (m_dataset == nullptr) return;
  if (const auto index = m_dataset->category_index(categoryId))
    setText(QString::fromStdString(m_dataset->categories[*index].name));
}

}  // namespace counterscope::ui
