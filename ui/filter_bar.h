#pragma once
// The browser's filter controls: a searchable category list (type any part of a name) and the LVIS
// frequency group. Emits the resulting ImageFilter.

#include <memory>

#include <QWidget>

#include "ui/image_filter.h"

class QComboBox;

namespace counterscope::ui {

class FilterBar : public QWidget {
  Q_OBJECT

 public:
  explicit FilterBar(QWidget* parent = nullptr);

  /// Lists the categories that occur in `dataset` (null empties the lists) and resets the filter.
  void setDataset(std::shared_ptr<const data::Dataset> dataset);
  ImageFilter filter() const { return m_filter; }
  /// Selects the given filter in the controls (a category outside the chosen group is still honoured).
  void setFilter(const ImageFilter& filter);
  QComboBox* categoryBox() const { return m_categoryBox; }
  QComboBox* frequencyBox() const { return m_frequencyBox; }
  QComboBox* errorBox() const { return m_errorBox; }
  QComboBox* sortBox() const { return m_sortBox; }
  /// The errors of the model the browser follows (null: none; the error filter and sorts are disabled).
  void setErrorIndex(std::shared_ptr<const ImageErrorIndex> errors);

 Q_SIGNALS:
  void filterChanged(const counterscope::ui::ImageFilter& filter);

 private:
  void fillCategories();
  void onControlsChanged();

  std::shared_ptr<const data::Dataset> m_dataset;
  ImageFilter m_filter;
  QComboBox* m_categoryBox;
  QComboBox* m_frequencyBox;
  QComboBox* m_errorBox;
  QComboBox* m_sortBox;
  std::shared_ptr<const ImageErrorIndex> m_errors;
  bool m_updating = false;  ///< true while the controls are filled programmatically
};

}  // namespace counterscope::ui
