#pragma once
// A searchable class box: type part of a category name or synonym (case-insensitive, anywhere in the
// word, e.g. "snow") and pick from the completer; synonyms are listed as "synonym → name".

#include <cstdint>
#include <optional>

#include <QLineEdit>

#include "core/data/lvis/dataset.h"

class QCompleter;
class QStringListModel;

namespace counterscope::ui {

class ClassSearchBox : public QLineEdit {
  Q_OBJECT

 public:
  explicit ClassSearchBox(QWidget* parent = nullptr);

  /// Fills the completer with the dataset's category names and synonyms (null: empty).
  void setDataset(const data::Dataset* dataset);
  /// The category the text names (a name, a synonym, "synonym → name", or an id), if any.
  std::optional<std::int64_t> categoryId() const;
  /// Sets the text to the name of this category.
  void setCategory(std::int64_t categoryId);
  QCompleter* classCompleter() const { return m_completer; }
  /// Entries of the completer (for tests).
  QStringList entries() const;

 Q_SIGNALS:
  /// The text names a category now (or no longer: -1).
  void categoryChanged(qint64 categoryId);

 private:
  const data::Dataset* m_dataset = nullptr;
  QCompleter* m_completer;
  QStringListModel* m_model;
};

}  // namespace counterscope::ui
