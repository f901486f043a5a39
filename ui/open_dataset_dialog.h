#pragma once
// File ▸ Open dataset: picks the annotation JSON and the image root, and checks both exist before OK.

#include <QDialog>

#include "ui/dataset_source.h"

class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace counterscope::ui {

class OpenDatasetDialog : public QDialog {
  Q_OBJECT

 public:
  explicit OpenDatasetDialog(const DatasetSource& initial, QWidget* parent = nullptr);

  DatasetSource source() const;

 private:
  void browseAnnotations();
  void browseImageRoot();
  void validate();

  QLineEdit* m_annotationEdit;
  QLineEdit* m_imageRootEdit;
  QLabel* m_problem;
  QDialogButtonBox* m_buttons;
};

}  // namespace counterscope::ui
