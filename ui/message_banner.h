#pragma once
// A dismissible message strip above the canvas for errors and notices that must not block the window
// (a modal box would stall scripted runs and tests).

#include <QFrame>

class QLabel;
class QToolButton;

namespace counterscope::ui {

class MessageBanner : public QFrame {
  Q_OBJECT

 public:
  enum class Kind { error, information };

  explicit MessageBanner(QWidget* parent = nullptr);

  void showMessage(Kind kind, const QString& title, const QString& details);
  Kind kind() const { return m_kind; }
  QString text() const;

 private:
  QLabel* m_text;
  QToolButton* m_closeButton;
  Kind m_kind = Kind::information;
};

}  // namespace counterscope::ui
