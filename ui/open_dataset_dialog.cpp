#include "ui/open_dataset_dialog.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace counterscope::ui {

namespace {

QWidget* withBrowseButton(QLineEdit* edit, QPushButton* button, QWidget* parent) {
  auto* row = new QWidget(parent);
  auto* layout = new QHBoxLayout(row);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(edit, 1);
  layout->addWidget(button);
  return row;
}

}  // namespace

OpenDatasetDialog::OpenDatasetDialog(const DatasetSource& initial, QWidget* parent)
    : QDialog(parent),
      m_annotationEdit(new QLineEdit(initial.annotationPath, this)),
      m_imageRootEdit(new QLineEdit(initial.imageRoot, this)),
      m_problem(new QLabel(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel, this)) {
  setWindowTitle(tr("Open dataset"));
  setMinimumWidth(560);
  m_annotationEdit->setPlaceholderText(tr("lvis_v1_val.json, instances_val2017.json, …"));
  m_imageRootEdit->setPlaceholderText(tr("folder holding train2017/ and val2017/ (or the images)"));
  auto* browseAnnotations = new QPushButton(tr("Browse…"), this);
  auto* browseImages = new QPushButton(tr("Browse…"), this);

  auto* form = new QFormLayout;
  form->addRow(tr("Annotations:"), withBrowseButton(m_annotationEdit, browseAnnotations, this));
  form->addRow(tr("Image root:"), withBrowseButton(m_imageRootEdit, browseImages, this));
  auto* hint = new QLabel(tr("LVIS v1 resolves images through coco_url (train2017/, val2017/); LVIS v0.5 and "
                             "COCO through file_name."),
                          this);
  hint->setWordWrap(true);
  hint->setEnabled(false);
  m_problem->setStyleSheet(QStringLiteral("color: #e5484d;"));
  m_problem->setWordWrap(true);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(hint);
  layout->addWidget(m_problem);
  layout->addWidget(m_buttons);

  connect(browseAnnotations, &QPushButton::clicked, this, &OpenDatasetDialog::browseAnnotations);
  connect(browseImages, &QPushButton::clicked, this, &OpenDatasetDialog::browseImageRoot);
  connect(m_annotationEdit, &QLineEdit::textChanged, this, &OpenDatasetDialog::validate);
  connect(m_imageRootEdit, &QLineEdit::textChanged, this, &OpenDatasetDialog::validate);
  connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  validate();
}

DatasetSource OpenDatasetDialog::source() const {
  return DatasetSource{m_annotationEdit->text().trimmed(), m_imageRootEdit->text().trimmed()};
}

void OpenDatasetDialog::browseAnnotations() {
  const QString start = QFileInfo(m_annotationEdit->text()).absolutePath();
  const QString file = QFileDialog::getOpenFileName(this, tr("Annotation file"), start,
                                                    tr("Annotations (*.json);;All files (*)"));
  if (file.isEmpty()) return;
  m_annotationEdit->setText(file);
  // The usual layout keeps annotations/ beside the image folders: suggest the parent as root.
  if (m_imageRootEdit->text().isEmpty()) {
    m_imageRootEdit->setText(QFileInfo(QFileInfo(file).absolutePath()).absolutePath());
  }
}

void OpenDatasetDialog::browseImageRoot() {
  const QString folder = QFileDialog::getExistingDirectory(this, tr("Image root"), m_imageRootEdit->text());
  if (!folder.isEmpty()) m_imageRootEdit->setText(folder);
}

void OpenDatasetDialog::validate() {
  const DatasetSource chosen = source();
  QString problem;
  if (chosen.annotationPath.isEmpty()) {
    problem = tr("Choose an annotation file.");
  } else if (!QFileInfo(chosen.annotationPath).isFile()) {
    problem = tr("Annotation file not found: %1").arg(chosen.annotationPath);
  } else if (chosen.imageRoot.isEmpty()) {
    problem = tr("Choose the image root.");
  } else if (!QFileInfo(chosen.imageRoot).isDir()) {
    problem = tr("Image root is not a folder: %1").arg(chosen.imageRoot);
  }
  m_problem->setText(problem);
  m_problem->setVisible(!problem.isEmpty());
  m_buttons->button(QDialogButtonBox::Open)->setEnabled(problem.isEmpty());
}

}  // namespace counterscope::ui
