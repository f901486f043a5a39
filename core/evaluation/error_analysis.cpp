#include "core/evaluation/error_analysis.h"

#include <algorithm>
#include <numeric>
#include <optional>

#include "core/evaluation/pair_matching.h"
#include "core/evaluation/parallel_for.h"
#include "core/evaluation/precision_recall.h"
#include "core/util/error.h"

namespace counterscope::evaluation {
namespace {

/// What the oracle needs to know of one evaluated detection.
struct DetectionRecord {
  std::uint32_t category = 0;        ///< dataset category index
  std::uint32_t fixed_category = 0;  ///< category of the ground truth a Cls/Loc fix turns it into a TP of
  double score = 0;
  DetectionLabel label = DetectionLabel::background;
  bool fix_makes_true_positive = false;  ///< the best-scoring Cls/Loc error of an unmatched ground truth
};

struct ImageAnalysis {
  std::vector<DetectionRecord> records;  // in the image's score order
  std::vector<DetectionOutcome> detections;
  std::vector<TruthOutcome> truths;
};

int frequency_group(data::Frequency frequency) {
  switch (frequency) {
    case data::Frequency::rare: return 0;
    case data::Frequency::common: return 1;
    case data::Frequency::frequent: return 2;
    default: return -1;
  }
}

std::optional<ErrorType> error_type_of(DetectionLabel label) {
  switch (label) {
    case DetectionLabel::classification: return ErrorType::classification;
    case DetectionLabel::localisation: return ErrorType::localisation;
    case DetectionLabel::both: return ErrorType::both;
    case DetectionLabel::duplicate: return ErrorType::duplicate;
    case DetectionLabel::background: return ErrorType::background;
    default: return std::nullopt;
  }
}

ImageAnalysis analyse_image(const PreparedEvaluation& prepared, const PreparedImage& image, IouType iou_type,
                            const ErrorAnalysisOptions& options) {
  ImageAnalysis out;
  const auto& dataset = prepared.dataset();
  const auto& all_detections = prepared.detections();
  const auto& all_truths = prepared.ground_truths();

  // Detections and ground truths of the image, pair after pair (category-major).
  std::vector<std::uint32_t> detections, truths, truth_category;
  struct Block {
    std::uint32_t row_begin, row_end, column_begin, column_end;
    bool not_exhaustive;
  };
  std::vector<Block> blocks;
  for (auto p = image.pair_begin; p < image.pair_end; ++p) {
    const auto& pair = prepared.pairs()[p];
    Block block{static_cast<std::uint32_t>(detections.size()), 0, static_cast<std::uint32_t>(truths.size()), 0,
                pair.not_exhaustive};
    for (auto d = pair.detection_begin; d < pair.detection_end; ++d) detections.push_back(d);
    for (auto t = pair.truth_begin; t < pair.truth_end; ++t) {
      truths.push_back(all_truths[t]);
      truth_category.push_back(pair.category_index);
    }
    block.row_end = static_cast<std::uint32_t>(detections.size());
    block.column_end = static_cast<std::uint32_t>(truths.size());
    blocks.push_back(block);
  }
  const std::size_t rows = detections.size(), columns = truths.size();
  std::vector<double> ious;
  compute_ious(prepared, detections, truths, iou_type, ious);

  // Matching per category at the foreground IoU, exactly as lvis-api's loop (area "all").
  std::vector<std::int32_t> matched_column(rows, -1);
  std::vector<std::int64_t> truth_matched_by(columns, -1);  // row
  std::vector<std::size_t> block_of_row(rows, 0);
  std::vector<double> sub;
  std::vector<std::uint8_t> no_ignore;
  std::vector<std::int32_t> matched;
  std::vector<std::uint32_t> order_scratch;
  std::vector<std::uint8_t> taken_scratch;
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    const auto& block = blocks[b];
    for (auto r = block.row_begin; r < block.row_end; ++r) block_of_row[r] = b;
    const std::size_t n = block.row_end - block.row_begin, m = block.column_end - block.column_begin;
    if (n == 0 || m == 0) continue;
    sub.resize(n * m);
    for (std::size_t r = 0; r < n; ++r) {
      for (std::size_t c = 0; c < m; ++c) sub[r * m + c] = ious[(block.row_begin + r) * columns + block.column_begin + c];
    }
    no_ignore.assign(m, 0);
    matched.resize(n);
    match_at_threshold(sub.data(), n, m, no_ignore.data(), options.foreground_iou, matched.data(), order_scratch,
                       taken_scratch);
    for (std::size_t r = 0; r < n; ++r) {
      if (matched[r] < 0) continue;
      matched_column[block.row_begin + r] = static_cast<std::int32_t>(block.column_begin + matched[r]);
      truth_matched_by[block.column_begin + matched[r]] = static_cast<std::int64_t>(block.row_begin + r);
    }
  }

  // The image's detections by score (stable), the order in which TIDE meets them.
  std::vector<std::uint32_t> order(rows);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return all_detections[detections[a]].score > all_detections[detections[b]].score;
  });

  std::vector<double> best_fix_score(columns, -1.0);
  std::vector<std::int64_t> best_fix_row(columns, -1);
  out.records.resize(rows);
  out.detections.resize(rows);
  std::vector<std::int64_t> target(rows, -1);
  for (std::size_t i = 0; i < rows; ++i) {
    const auto r = order[i];
    const auto& detection = all_detections[detections[r]];
    const auto& block = blocks[block_of_row[r]];
    const double* row = ious.data() + static_cast<std::size_t>(r) * columns;
    DetectionLabel label;
    std::int64_t truth = -1;
    if (matched_column[r] >= 0) {
      label = DetectionLabel::true_positive;
      truth = matched_column[r];
    } else if (block.not_exhaustive) {
      label = DetectionLabel::ignored;
    } else {
      // Best ground truth of the detection's category, of other categories, and overall (first on ties).
      std::int64_t best_same = -1, best_other = -1, best_used_same = -1, best_any = -1;
      for (std::size_t c = 0; c < columns; ++c) {
        const bool same = c >= block.column_begin && c < block.column_end;
        auto better = [&](std::int64_t current) { return current < 0 || row[c] > row[current]; };
        if (same) {
          if (better(best_same)) best_same = static_cast<std::int64_t>(c);
          if (truth_matched_by[c] >= 0 && better(best_used_same)) best_used_same = static_cast<std::int64_t>(c);
        } else if (better(best_other)) {
          best_other = static_cast<std::int64_t>(c);
        }
        if (better(best_any)) best_any = static_cast<std::int64_t>(c);
      }
      auto iou_of = [&](std::int64_t c) { return c < 0 ? 0.0 : row[c]; };
      if (best_same >= 0 && iou_of(best_same) >= options.background_iou && iou_of(best_same) < options.foreground_iou) {
        label = DetectionLabel::localisation;
        truth = best_same;
      } else if (best_other >= 0 && iou_of(best_other) >= options.foreground_iou) {
        label = DetectionLabel::classification;
        truth = best_other;
      } else if (best_used_same >= 0 && iou_of(best_used_same) >= options.foreground_iou) {
        label = DetectionLabel::duplicate;
        truth = best_used_same;
      } else if (iou_of(best_any) <= options.background_iou) {
        label = DetectionLabel::background;
      } else {
        label = DetectionLabel::both;
        truth = best_any;
      }
      // TIDE's BestGTMatch: of the Cls/Loc errors on an unmatched ground truth, the highest score (first on
      // ties) is the one the oracle turns into a true positive; the others are suppressed.
      if ((label == DetectionLabel::classification || label == DetectionLabel::localisation) &&
          truth_matched_by[truth] < 0 && detection.score > best_fix_score[truth]) {
        best_fix_score[truth] = detection.score;
        best_fix_row[truth] = r;
      }
    }
    target[r] = truth;
    auto& record = out.records[i];
    record.category = detection.category_index;
    record.fixed_category = truth >= 0 ? truth_category[truth] : detection.category_index;
    record.score = detection.score;
    record.label = label;
    auto& outcome = out.detections[i];
    const auto& source = prepared.store().detections()[detection.source];
    outcome.detection = detection.source;
    outcome.image_id = source.image_id;
    outcome.category_id = source.category_id;
    outcome.score = detection.score;
    outcome.label = label;
    outcome.truth = truth >= 0 ? static_cast<std::int64_t>(truths[truth]) : -1;
    outcome.iou = truth >= 0 ? row[truth] : 0.0;
  }
  for (std::size_t i = 0; i < rows; ++i) {
    const auto r = order[i];
    const auto t = target[r];
    auto& record = out.records[i];
    if ((record.label == DetectionLabel::classification || record.label == DetectionLabel::localisation) &&
        t >= 0 && best_fix_row[t] == static_cast<std::int64_t>(r)) {
      record.fix_makes_true_positive = true;
    }
  }

  out.truths.resize(columns);
  for (std::size_t c = 0; c < columns; ++c) {
    const auto& annotation = dataset.annotations[truths[c]];
    auto& outcome = out.truths[c];
    outcome.annotation = truths[c];
    outcome.annotation_id = annotation.id;
    outcome.image_id = annotation.image_id;
    outcome.category_id = annotation.category_id;
    if (truth_matched_by[c] >= 0) {
      outcome.label = TruthLabel::matched;
      outcome.detection = all_detections[detections[truth_matched_by[c]]].source;
    } else {
      outcome.label = best_fix_row[c] >= 0 ? TruthLabel::mistaken : TruthLabel::missed;
    }
  }
  return out;
}

/// Per-category AP (101 recall points at one IoU threshold) of a configuration of the oracle, and the mean
/// over categories with ground truth, overall and per frequency group.
class OracleAp {
 public:
  OracleAp(const data::Dataset& dataset, std::size_t category_count) : m_dataset(dataset), m_entries(category_count) {}

  /// `fixed`: the error type the oracle fixes, or none for the base AP.
  std::array<double, 4> compute(const std::vector<ImageAnalysis>& images, const std::vector<std::size_t>& truths,
                                std::optional<ErrorType> fixed, std::array<std::size_t, 4>& defined) {
    for (auto& entries : m_entries) entries.clear();
    std::vector<std::size_t> truth_count = truths;
    for (const auto& image : images) {
      for (const auto& record : image.records) {
        if (record.label == DetectionLabel::ignored) continue;
        if (record.label == DetectionLabel::true_positive) {
          m_entries[record.category].push_back({record.score, 1});
          continue;
        }
        if (fixed && error_type_of(record.label) == *fixed) {
          if (record.fix_makes_true_positive) m_entries[record.fixed_category].push_back({record.score, 1});
          continue;  // any other fixed error disappears
        }
        m_entries[record.category].push_back({record.score, 0});
      }
      if (fixed == ErrorType::missed) {
        for (const auto& truth : image.truths) {
          if (truth.label == TruthLabel::missed) --truth_count[*m_dataset.category_index(truth.category_id)];
        }
      }
    }
    std::array<long double, 4> sums{};
    defined = {};
    std::vector<double> precision(recall_thresholds().size());
    for (std::size_t k = 0; k < m_entries.size(); ++k) {
      if (truth_count[k] == 0) continue;
      auto& entries = m_entries[k];
      // Entries arrive by image id, then score within the image: a stable sort by score gives lvis-api's order.
      std::stable_sort(entries.begin(), entries.end(),
                       [](const Entry& a, const Entry& b) { return a.score > b.score; });
      m_true_positive.resize(entries.size());
      m_false_positive.resize(entries.size());
      for (std::size_t i = 0; i < entries.size(); ++i) {
        m_true_positive[i] = entries[i].true_positive;
        m_false_positive[i] = !entries[i].true_positive;
      }
      precision_at_recall_points(m_true_positive, m_false_positive, truth_count[k], precision.data(), m_scratch);
      long double ap = 0;
      for (const double p : precision) ap += p;
      ap /= static_cast<long double>(precision.size());
      sums[0] += ap;
      ++defined[0];
      const int group = frequency_group(m_dataset.categories[k].frequency);
      if (group >= 0) {
        sums[1 + group] += ap;
        ++defined[1 + group];
      }
    }
    std::array<double, 4> means{};
    for (std::size_t g = 0; g < 4; ++g) {
      means[g] = defined[g] == 0 ? -1.0 : static_cast<double>(sums[g] / static_cast<long double>(defined[g]));
    }
    return means;
  }

 private:
  struct Entry {
    double score;
    std::uint8_t true_positive;
  };
  const data::Dataset& m_dataset;
  std::vector<std::vector<Entry>> m_entries;
  std::vector<std::uint8_t> m_true_positive, m_false_positive;
  std::vector<double> m_scratch;
};

}  // namespace

const char* detection_label_name(DetectionLabel label) {
  switch (label) {
    case DetectionLabel::true_positive: return "TP";
    case DetectionLabel::classification: return "Cls";
    case DetectionLabel::localisation: return "Loc";
    case DetectionLabel::both: return "Both";
    case DetectionLabel::duplicate: return "Dupe";
    case DetectionLabel::background: return "Bkg";
    case DetectionLabel::ignored: return "Ignored";
  }
  return "?";
}

const char* error_type_name(ErrorType type) {
  switch (type) {
    case ErrorType::classification: return "Cls";
    case ErrorType::localisation: return "Loc";
    case ErrorType::both: return "Both";
    case ErrorType::duplicate: return "Dupe";
    case ErrorType::background: return "Bkg";
    case ErrorType::missed: return "Miss";
  }
  return "?";
}

const char* truth_label_name(TruthLabel label) {
  switch (label) {
    case TruthLabel::matched: return "matched";
    case TruthLabel::missed: return "missed";
    case TruthLabel::mistaken: return "mistaken";
  }
  return "?";
}

ErrorAnalysis analyse_errors(const PreparedEvaluation& prepared, IouType iou_type, const ErrorAnalysisOptions& options,
                             const JobContext& context) {
  if (!(options.background_iou > 0 && options.background_iou <= options.foreground_iou &&
        options.foreground_iou <= 1)) {
    throw InputError("error analysis options", "background_iou, foreground_iou",
                     std::to_string(options.background_iou) + ", " + std::to_string(options.foreground_iou),
                     "expected 0 < background <= foreground <= 1");
  }
  const auto& dataset = prepared.dataset();
  ErrorAnalysis analysis;
  analysis.iou_type = iou_type;
  analysis.options = options;

  const auto& images = prepared.images();
  std::vector<ImageAnalysis> per_image(images.size());
  parallel_for(
      images.size(), options.threads,
      [&](std::size_t i, int) { per_image[i] = analyse_image(prepared, images[i], iou_type, options); }, context,
      std::string("error analysis ") + iou_type_name(iou_type));

  std::vector<std::size_t> truth_count(dataset.categories.size(), 0);
  for (const auto& image : per_image) {
    for (const auto& truth : image.truths) ++truth_count[*dataset.category_index(truth.category_id)];
  }

  // Counts, overall and by frequency group (a detection's error by its category, a miss by the truth's).
  auto count_record = [](ErrorSummary& summary, const DetectionRecord& record) {
    if (record.label == DetectionLabel::true_positive) ++summary.true_positives;
    if (const auto type = error_type_of(record.label)) ++summary.count[static_cast<std::size_t>(*type)];
  };
  for (const auto& image : per_image) {
    for (const auto& record : image.records) {
      count_record(analysis.overall, record);
      const int group = frequency_group(dataset.categories[record.category].frequency);
      if (group >= 0) count_record(analysis.by_frequency[static_cast<std::size_t>(group)], record);
    }
    for (const auto& truth : image.truths) {
      if (truth.label != TruthLabel::missed) continue;
      const auto k = *dataset.category_index(truth.category_id);
      const int group = frequency_group(dataset.categories[k].frequency);
      ++analysis.overall.count[static_cast<std::size_t>(ErrorType::missed)];
      if (group >= 0) ++analysis.by_frequency[static_cast<std::size_t>(group)].count[static_cast<std::size_t>(ErrorType::missed)];
    }
    analysis.detections.insert(analysis.detections.end(), image.detections.begin(), image.detections.end());
    analysis.truths.insert(analysis.truths.end(), image.truths.begin(), image.truths.end());
  }

  OracleAp oracle(dataset, dataset.categories.size());
  std::array<std::size_t, 4> defined{};
  const auto base = oracle.compute(per_image, truth_count, std::nullopt, defined);
  analysis.overall.ap = base[0];
  analysis.overall.category_count = defined[0];
  for (std::size_t g = 0; g < 3; ++g) {
    analysis.by_frequency[g].ap = base[1 + g];
    analysis.by_frequency[g].category_count = defined[1 + g];
  }
  for (std::size_t e = 0; e < error_type_count; ++e) {
    std::array<std::size_t, 4> fixed_defined{};
    const auto fixed = oracle.compute(per_image, truth_count, static_cast<ErrorType>(e), fixed_defined);
    // As TIDE: a negative change (possible when fixing misses drops a category) counts as 0.
    auto gain = [](double after, double before) {
      return (after < 0 || before < 0) ? 0.0 : std::max(after - before, 0.0);
    };
    analysis.overall.dap[e] = gain(fixed[0], base[0]);
    for (std::size_t g = 0; g < 3; ++g) analysis.by_frequency[g].dap[e] = gain(fixed[1 + g], base[1 + g]);
  }
  return analysis;
}

}  // namespace counterscope::evaluation
