#pragma once
// The output folder of an augmentation run and its journal, which make a run resumable after an interruption
// (cancel, crash, full disk) with no image duplicated or lost:
//   DIR/augment.json      the settings of the run; a resumed run must have the same (else InputError)
//   DIR/INCOMPLETE        present from the first write until the final dataset is written
//   DIR/journal.jsonl     one line per accepted image, appended and flushed after its file is complete, and
//                         one line per category found unreachable
//   DIR/images/train2017/ the new images (PNG)
// An image file without a journal line (interrupted between the two) is simply made again: attempts are
// deterministic, so the same attempt writes the same file. A torn last journal line is dropped on resume.

#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/augmentation/new_image.h"
#include "core/data/lvis/dataset.h"

namespace counterscope::augmentation {

struct OutputPaths {
  std::string dir;
  std::string settings;     ///< DIR/augment.json
  std::string incomplete;   ///< DIR/INCOMPLETE
  std::string journal;      ///< DIR/journal.jsonl
  std::string images_root;  ///< DIR/images: the --images root of the output dataset
  std::string images_dir;   ///< DIR/images/train2017
  std::string annotations;  ///< DIR/annotations/train.json
  std::string statistics;   ///< DIR/statistics.json
};
OutputPaths output_paths(const std::string& dir);

/// One accepted image as journaled: its dataset entry and annotations (ids assigned) and its provenance.
struct JournalRecord {
  std::int64_t index = 0;          ///< position among the run's new images
  std::int64_t category_id = 0;    ///< the category it was made for
  std::int64_t attempt = 0;        ///< the attempt (of that category) that made it
  std::string file;                ///< name under images/train2017/
  data::ImageInfo image;
  std::int64_t first_annotation_id = 0;
  std::vector<NewAnnotation> annotations;  ///< ids first_annotation_id, +1, ...
  std::int64_t source_image_id = 0;
  std::int64_t source_annotation_id = -1;
  std::string how;
  double target_score = -1;
};

/// A category given up on, and why.
struct UnreachableRecord {
  std::int64_t category_id = 0;
  std::int64_t attempts = 0;
  std::string reason;
};

class AugmentationJournal {
 public:
  /// Prepares DIR for a run with `settings`: creates the folders, refuses a non-empty folder that is not an
  /// augmentation output and one whose run had other settings, reads the journal of an earlier run and marks the
  /// folder incomplete. Throws InputError naming the path when DIR cannot be created or written.
  AugmentationJournal(const std::string& dir, const nlohmann::json& settings);

  const OutputPaths& paths() const { return m_paths; }
  const std::vector<JournalRecord>& images() const { return m_images; }
  const std::map<std::int64_t, UnreachableRecord>& unreachable() const { return m_unreachable; }
  /// Records read from an earlier run when the journal was opened.
  std::size_t resumed_images() const { return m_resumed; }

  /// Appends (and flushes) a line; the image file must already be complete. InputError when it cannot be written.
  void append(const JournalRecord& record);
  void append(const UnreachableRecord& record);
  /// Removes DIR/INCOMPLETE (call after the final dataset is written).
  void mark_complete();

 private:
  void write_line(const nlohmann::json& line);

  OutputPaths m_paths;
  std::vector<JournalRecord> m_images;
  std::map<std::int64_t, UnreachableRecord> m_unreachable;
  std::size_t m_resumed = 0;
  std::ofstream m_stream;
};

nlohmann::json record_to_json(const JournalRecord& record);
/// Throws InputError (naming `source`) on a malformed record.
JournalRecord record_from_json(const nlohmann::json& json, const std::string& source);

}  // namespace counterscope::augmentation
