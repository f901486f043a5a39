#include "ui/metrics_view.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include "ui/chart_style.h"
#include "ui/metrics_category_model.h"
#include "ui/metrics_charts.h"
#include "ui/model_registry.h"

namespace counterscope::ui {

namespace {

// Replaces the chart of `view`, deleting the old one (QChartView::setChart does not).
void replaceChart(QChartView* view, QChart* chart) {
  QChart* old = view->chart();
  view->setChart(chart);
  delete old;
}

QChart* placeholderChart(const QString& text) {
  auto* chart = new QChart;
  styleChart(chart);
  chart->setTitle(text);
  return chart;
}

QString noEvaluationText() {
  return QObject::tr("No evaluated model — open a model or a results file (it is evaluated on the open dataset), "
                     "or run an evaluation job");
}

}  // namespace

MetricsView::MetricsView(QWidget* parent)
    : QWidget(parent),
      m_refresh(new QTimer(this)),
      m_modelBox(new QComboBox(this)),
      m_iouBox(new QComboBox(this)),
      m_search(new QLineEdit(this)),
      m_note(new QLabel(this)),
      m_tabs(new QTabWidget(this)),
      m_apBars(createChartView(placeholderChart(noEvaluationText()))),
      m_errorBars(createChartView(placeholderChart(QString()))),
      m_scatter(createChartView(placeholderChart(QString()))),
      m_curves(createChartView(placeholderChart(QString()))),
      m_categoryModel(new MetricsCategoryModel(this)),
      m_proxy(new QSortFilterProxyModel(this)),
      m_table(new QTableView(this)) {
  m_iouBox->addItem(tr("Mask"), true);
  m_iouBox->addItem(tr("Box"), false);
  m_modelBox->setMinimumContentsLength(16);
  m_modelBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  m_search->setPlaceholderText(tr("Filter categories…"));
  m_search->setClearButtonEnabled(true);
  m_search->setMaximumWidth(220);
  auto* exportButton = new QPushButton(tr("Export CSV…"), this);
  exportButton->setToolTip(tr("Write the per-category table as shown (sorted, filtered) to a CSV file"));
  m_note->setObjectName(QStringLiteral("metricsNote"));

  auto* bar = new QHBoxLayout;
  bar->setContentsMargins(4, 4, 4, 0);
  bar->addWidget(new QLabel(tr("Model"), this));
  bar->addWidget(m_modelBox);
  bar->addWidget(m_iouBox);
  bar->addWidget(m_search);
  bar->addWidget(exportButton);
  bar->addWidget(m_note, 1);

  auto* overview = new QSplitter(Qt::Horizontal, this);
  overview->addWidget(m_apBars);
  overview->addWidget(m_errorBars);
  overview->setStretchFactor(0, 3);
  overview->setStretchFactor(1, 2);

  m_proxy->setSourceModel(m_categoryModel);
  m_proxy->setSortRole(MetricsCategoryModel::SortRole);
  m_proxy->setFilterKeyColumn(MetricsCategoryModel::CategoryColumn);
  m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
  m_table->setModel(m_proxy);
  m_table->setSortingEnabled(true);
  m_table->sortByColumn(MetricsCategoryModel::ApColumn, Qt::DescendingOrder);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setSelectionMode(QAbstractItemView::SingleSelection);
  m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_table->setAlternatingRowColors(true);
  m_table->setShowGrid(false);
  m_table->setWordWrap(false);
  m_table->verticalHeader()->hide();
  m_table->verticalHeader()->setDefaultSectionSize(20);
  m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  m_table->horizontalHeader()->setSectionResizeMode(MetricsCategoryModel::CategoryColumn, QHeaderView::Stretch);
  m_table->horizontalHeader()->setHighlightSections(false);

  auto* perCategory = new QSplitter(Qt::Horizontal, this);
  perCategory->addWidget(m_table);
  perCategory->addWidget(m_scatter);
  perCategory->setStretchFactor(0, 3);
  perCategory->setStretchFactor(1, 2);

  m_tabs->setDocumentMode(true);
  m_tabs->addTab(overview, tr("Overview"));
  m_tabs->addTab(perCategory, tr("Per category"));
  m_tabs->addTab(m_curves, tr("PR curves"));

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  layout->addLayout(bar);
  layout->addWidget(m_tabs, 1);

  // Registry changes come in bursts (one per predicted image); rebuild the charts once they settle.
  m_refresh->setSingleShot(true);
  m_refresh->setInterval(300);
  connect(m_refresh, &QTimer::timeout, this, &MetricsView::refreshFromRegistry);
  connect(m_modelBox, &QComboBox::currentIndexChanged, this, [this] { rebuildModelCharts(); });
  connect(m_iouBox, &QComboBox::currentIndexChanged, this, [this] {
    QSettings().setValue(QStringLiteral("metrics/mask"), m_iouBox->currentData().toBool());
    rebuildModelCharts();
  });
  connect(m_search, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
  connect(exportButton, &QPushButton::clicked, this, &MetricsView::chooseCsvFile);
  connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] { rebuildCurves(); });
  m_iouBox->setCurrentIndex(QSettings().value(QStringLiteral("metrics/mask"), true).toBool() ? 0 : 1);
  rebuildOverview();
  rebuildModelCharts();
}

MetricsView::~MetricsView() = default;

void MetricsView::setRegistry(ModelRegistry* registry) {
  if (m_registry) disconnect(m_registry, nullptr, this, nullptr);
  m_registry = registry;
  if (!registry) return;
  connect(registry, &ModelRegistry::evaluationReady, this, [this] { m_refresh->start(); });
  connect(registry, &ModelRegistry::modelChanged, this, [this] { m_refresh->start(); });
  connect(registry, &ModelRegistry::modelAdded, this, [this] { m_refresh->start(); });
  refreshFromRegistry();
}

void MetricsView::refreshFromRegistry() {
  if (!m_registry) return;
  QList<EvaluatedModel> models;
  for (int i = 0; i < m_registry->count(); ++i) {
    const ModelEntry& entry = m_registry->entry(i);
    if (entry.evaluation) models.append({entry.displayName, entry.evaluation});
  }
  // Unchanged evaluations: keep the charts (and the user's table selection).
  bool same = models.size() == m_models.size() && m_dataset == m_registry->dataset();
  for (int i = 0; same && i < models.size(); ++i)
    same = models[i].evaluation == m_models[i].evaluation && models[i].name == m_models[i].name;
  if (!same) setModels(models, m_registry->dataset());
}

void MetricsView::setModels(const QList<EvaluatedModel>& models, std::shared_ptr<const data::Dataset> dataset) {
  const QString current = m_modelBox->currentText();
  m_models = models;
  m_dataset = std::move(dataset);
  {
    const QSignalBlocker blocker(m_modelBox);
    m_modelBox->clear();
    for (const EvaluatedModel& model : m_models) m_modelBox->addItem(model.name);
    const int keep = m_modelBox->findText(current);
    m_modelBox->setCurrentIndex(keep >= 0 ? keep : (m_models.isEmpty() ? -1 : 0));
  }
  m_note->setText(m_models.isEmpty() ? noEvaluationText()
                                     : tr("%n evaluated model(s); AP in percent, — = undefined", nullptr,
                                          static_cast<int>(m_models.size())));
  rebuildOverview();
  rebuildModelCharts();
}

void MetricsView::setCurrentModel(int index) { m_modelBox->setCurrentIndex(index); }

void MetricsView::setMaskResults(bool mask) { m_iouBox->setCurrentIndex(mask ? 0 : 1); }

QString MetricsView::exportCsv(const QString& path) const { return exportTableCsv(*m_proxy, path); }

void MetricsView::rebuildOverview() {
  QList<ModelMetrics> metrics;
  for (const EvaluatedModel& model : std::as_const(m_models)) {
    const ModelEvaluation& e = *model.evaluation;
    metrics.append({model.name, &e.box, e.hasMask ? &e.mask : nullptr, &e.errors()});
  }
  if (metrics.isEmpty()) {
    replaceChart(m_apBars, placeholderChart(noEvaluationText()));
    replaceChart(m_errorBars, placeholderChart(QString()));
    return;
  }
  replaceChart(m_apBars, createApBarsChart(metrics));
  replaceChart(m_errorBars, createErrorBarsChart(metrics));
}

void MetricsView::rebuildModelCharts() {
  const int index = m_modelBox->currentIndex();
  if (index < 0 || index >= m_models.size() || !m_dataset) {
    m_categoryModel->setEvaluation(nullptr, nullptr);
    replaceChart(m_scatter, placeholderChart(QString()));
    replaceChart(m_curves, placeholderChart(noEvaluationText()));
    return;
  }
  const auto& evaluation = m_models[index].evaluation;
  const bool mask = m_iouBox->currentData().toBool() && evaluation->hasMask;
  // Aliasing pointer: the table keeps the whole evaluation alive while it shows one of its results.
  std::shared_ptr<const evaluation::EvaluationResult> result(evaluation, mask ? &evaluation->mask : &evaluation->box);
  m_categoryModel->setEvaluation(result, m_dataset);
  const QString kind = mask ? tr("mask") : tr("box");
  replaceChart(m_scatter, createApScatterChart(*result, *m_dataset,
                                               tr("%1 — per-category %2 AP vs training images")
                                                   .arg(m_models[index].name, kind)));
  rebuildCurves();
}

void MetricsView::rebuildCurves() {
  const evaluation::EvaluationResult* result = m_categoryModel->evaluation();
  const int index = m_modelBox->currentIndex();
  if (!result || index < 0 || index >= m_models.size()) return;
  std::optional<std::size_t> category;
  const QModelIndex current = m_table->selectionModel()->currentIndex();
  if (current.isValid()) category = static_cast<std::size_t>(m_proxy->mapToSource(current).row());
  replaceChart(m_curves, createPrCurveChart(*result, category,
                                            tr("%1 — precision / recall (mean over IoU 0.50:0.95)%2")
                                                .arg(m_models[index].name,
                                                     category ? tr("; white: selected category") : QString())));
}

void MetricsView::chooseCsvFile() {
  QSettings settings;
  const QString last = settings.value(QStringLiteral("metrics/lastCsv"), QStringLiteral("per_category.csv")).toString();
  const QString path = QFileDialog::getSaveFileName(this, tr("Export per-category table"), last,
                                                    tr("CSV (*.csv);;All files (*)"));
  if (path.isEmpty()) return;
  settings.setValue(QStringLiteral("metrics/lastCsv"), path);
  const QString error = exportCsv(path);
  if (!error.isEmpty()) QMessageBox::warning(this, tr("Export failed"), error);
}

}  // namespace counterscope::ui
