#include "ui/message_banner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

namespace counterscope::ui {

MessageBanner::MessageBanner(QWidget* parent)
    : QFrame(parent), m_text(new QLabel(this)), m_closeButton(new QToolButton(this)) {
  setObjectName(QStringLiteral("messageBanner"));
  m_text->setWordWrap(true);
  m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);  // users copy paths out of error messages
  m_text->setTextFormat(Qt::RichText);
  m_closeButton->setText(QStringLiteral("✕"));
  m_closeButton->setAutoRaise(true);
  m_closeButton->setToolTip(tr("Dismiss"));
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(12, 8, 6, 8);
  layout->addWidget(m_text, 1);
  layout->addWidget(m_closeButton, 0, Qt::AlignTop);
  connect(m_closeButton, &QToolButton::clicked, this, &QWidget::hide);
  hide();
}

void MessageBanner::showMessage(Kind kind, const QString& title, const QString& details) {
  m_kind = kind;
  const bool error = kind == Kind::error;
  setStyleSheet(error ? QStringLiteral("#messageBanner { background: #4a2327; border-bottom: 1px solid #8c3a40; }"
                                       " QLabel { color: #f6dada; }")
                      : QStringLiteral("#messageBanner { background: #1f3347; border-bottom: 1px solid #35597a; }"
                                       " QLabel { color: #d8e7f5; }"));
  m_text->setText(QStringLiteral("<b>%1</b><br>%2").arg(title.toHtmlEscaped(), details.toHtmlEscaped()));
  show();
}

QString MessageBanner::text() const { return m_text->text(); }

}  // namespace counterscope::ui
