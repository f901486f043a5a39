#include "core/augmentation/augmentation_journal.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "core/data/mask/mask_api.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace counterscope::augmentation {
namespace {

namespace fs = std::filesystem;

void create_folder(const std::string& path) {
  std::error_code error;
  fs::create_directories(path, error);
  if (error || !fs::is_directory(path))
    throw InputError(path, "", "", "cannot create the output folder: " + (error ? error.message() : "not a folder"));
}

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path);
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& error) {
    throw InputError(path, "", "", std::string("not valid JSON: ") + error.what());
  }
}

// The first setting that differs between an earlier run and this one, for the message.
std::string first_difference(const nlohmann::json& before, const nlohmann::json& now) {
  for (const auto& item : now.items())
    if (!before.contains(item.key()) || before[item.key()] != item.value()) return item.key();
  for (const auto& item : before.items())
    if (!now.contains(item.key())) return item.key();
  return {};
}

nlohmann::json annotation_to_json(const NewAnnotation& annotation) {
  return nlohmann::json{{"category_id", annotation.category_id},
                        {"bbox", {annotation.bbox.x, annotation.bbox.y, annotation.bbox.w, annotation.bbox.h}},
                        {"area", annotation.area},
                        {"iscrowd", annotation.iscrowd},
                        {"size", {annotation.mask.height, annotation.mask.width}},
                        {"counts", data::rle_to_string(annotation.mask)}};
}

NewAnnotation annotation_from_json(const nlohmann::json& json, const std::string& source) {
  NewAnnotation out;
  out.category_id = json.at("category_id").get<std::int64_t>();
  const auto& box = json.at("bbox");
  out.bbox = {box.at(0).get<double>(), box.at(1).get<double>(), box.at(2).get<double>(), box.at(3).get<double>()};
  out.area = json.at("area").get<double>();
  out.iscrowd = json.at("iscrowd").get<bool>();
  const auto& size = json.at("size");
  out.mask = data::rle_from_string(json.at("counts").get<std::string>(), size.at(0).get<std::uint32_t>(),
                                   size.at(1).get<std::uint32_t>(), source);
  return out;
}

}  // namespace

OutputPaths output_paths(const std::string& dir) {
  const fs::path root(dir);
  OutputPaths paths;
  paths.dir = dir;
  paths.settings = (root / "augment.json").string();
  paths.incomplete = (root / "INCOMPLETE").string();
  paths.journal = (root / "journal.jsonl").string();
  paths.images_root = (root / "images").string();
  paths.images_dir = (root / "images" / "train2017").string();
  paths.annotations = (root / "annotations" / "train.json").string();
  paths.statistics = (root / "statistics.json").string();
  return paths;
}

nlohmann::json record_to_json(const JournalRecord& record) {
  nlohmann::json image{{"id", record.image.id},
                       {"width", record.image.width},
                       {"height", record.image.height},
                       {"neg_category_ids", record.image.neg_category_ids},
                       {"not_exhaustive_category_ids", record.image.not_exhaustive_category_ids}};
  if (!record.image.coco_url.empty()) image["coco_url"] = record.image.coco_url;
  if (!record.image.file_name.empty()) image["file_name"] = record.image.file_name;
  nlohmann::json annotations = nlohmann::json::array();
  for (const NewAnnotation& annotation : record.annotations) annotations.push_back(annotation_to_json(annotation));
  return nlohmann::json{{"index", record.index},
                        {"category_id", record.category_id},
                        {"attempt", record.attempt},
                        {"file", record.file},
                        {"image", image},
                        {"first_annotation_id", record.first_annotation_id},
                        {"annotations", annotations},
                        {"source_image_id", record.source_image_id},
                        {"source_annotation_id", record.source_annotation_id},
                        {"how", record.how},
                        {"target_score", record.target_score}};
}

JournalRecord record_from_json(const nlohmann::json& json, const std::string& source) {
  try {
    JournalRecord record;
    record.index = json.at("index").get<std::int64_t>();
    record.category_id = json.at("category_id").get<std::int64_t>();
    record.attempt = json.at("attempt").get<std::int64_t>();
    record.file = json.at("file").get<std::string>();
    const auto& image = json.at("image");
    record.image.id = image.at("id").get<std::int64_t>();
    record.image.width = image.at("width").get<std::int32_t>();
    record.image.height = image.at("height").get<std::int32_t>();
    record.image.coco_url = image.value("coco_url", std::string());
    record.image.file_name = image.value("file_name", std::string());
    record.image.neg_category_ids = image.at("neg_category_ids").get<std::vector<std::int64_t>>();
    record.image.not_exhaustive_category_ids = image.at("not_exhaustive_category_ids").get<std::vector<std::int64_t>>();
    record.first_annotation_id = json.at("first_annotation_id").get<std::int64_t>();
    for (const auto& annotation : json.at("annotations")) record.annotations.push_back(annotation_from_json(annotation, source));
    record.source_image_id = json.at("source_image_id").get<std::int64_t>();
    record.source_annotation_id = json.at("source_annotation_id").get<std::int64_t>();
    record.how = json.at("how").get<std::string>();
    record.target_score = json.at("target_score").get<double>();
    return record;
  } catch (const nlohmann::json::exception& error) {
    throw InputError(source, "record", "", std::string("malformed journal record: ") + error.what());
  }
}

AugmentationJournal::AugmentationJournal(const std::string& dir, const nlohmann::json& settings)
    : m_paths(output_paths(dir)) {
  create_folder(dir);
  if (fs::exists(m_paths.settings)) {
    const nlohmann::json before = read_json_file(m_paths.settings);
    if (before != settings) {
      const std::string key = first_difference(before, settings);
      throw InputError(m_paths.settings, key, before.contains(key) ? before[key].dump() : "(none)",
                       "the run in this folder used other settings (now " +
                           (settings.contains(key) ? settings[key].dump() : "(none)") +
                           "): resume with the same options or choose another --out");
    }
  } else {
    std::error_code error;
    if (!fs::is_empty(dir, error))
      throw InputError(dir, "", "", "not empty and not an augmentation output (no augment.json): choose a new or empty folder");
    write_file_atomically(m_paths.settings, [&](std::ostream& out) { out << settings.dump(2) << "\n"; });
  }
  write_file_atomically(m_paths.incomplete, [](std::ostream& out) {
    out << "This augmentation run has not finished: run the same augment command again to resume it.\n";
  });
  create_folder(m_paths.images_dir);
  create_folder(fs::path(m_paths.annotations).parent_path().string());

  // Read what an earlier run journaled; keep the prefix whose images are all on disk.
  std::vector<std::string> kept_lines;
  bool dropped = false;
  {
    std::ifstream in(m_paths.journal);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    for (std::size_t n = 0; n < lines.size(); ++n) {
      const std::string where = m_paths.journal + " line " + std::to_string(n + 1);
      nlohmann::json line;
      try {
        line = nlohmann::json::parse(lines[n]);
      } catch (const nlohmann::json::exception&) {
        if (n + 1 == lines.size()) {  // torn by an interruption while it was written
          dropped = true;
          break;
        }
        throw InputError(where, "", quote_for_message(lines[n]), "not a journal record: the journal is damaged");
      }
      if (line.contains("unreachable")) {
        UnreachableRecord record{line.at("unreachable").get<std::int64_t>(), line.value("attempts", std::int64_t{0}),
                                 line.value("reason", std::string())};
        m_unreachable[record.category_id] = record;
      } else {
        JournalRecord record = record_from_json(line, where);
        if (record.index != static_cast<std::int64_t>(m_images.size()))
          throw InputError(where, "index", std::to_string(record.index),
                           "expected " + std::to_string(m_images.size()) + ": the journal is damaged");
        if (!fs::is_regular_file(fs::path(m_paths.images_dir) / record.file)) {
          dropped = true;  // image removed since: this and everything after it is made again
          break;
        }
        m_images.push_back(std::move(record));
      }
      kept_lines.push_back(lines[n]);
    }
  }
  m_resumed = m_images.size();
  if (dropped) {
    write_file_atomically(m_paths.journal, [&](std::ostream& out) {
      for (const std::string& line : kept_lines) out << line << "\n";
    });
  }
  m_stream.open(m_paths.journal, std::ios::app);
  if (!m_stream) throw InputError(m_paths.journal, "", "", std::string("cannot open for writing: ") + std::strerror(errno));
}

void AugmentationJournal::write_line(const nlohmann::json& line) {
  m_stream << line.dump() << "\n";
  m_stream.flush();
  if (!m_stream)
    throw InputError(m_paths.journal, "", "",
                     "cannot write (disk full?); the output stays marked INCOMPLETE: free space and run again to resume");
}

void AugmentationJournal::append(const JournalRecord& record) {
  write_line(record_to_json(record));
  m_images.push_back(record);
}

void AugmentationJournal::append(const UnreachableRecord& record) {
  write_line(nlohmann::json{{"unreachable", record.category_id}, {"attempts", record.attempts}, {"reason", record.reason}});
  m_unreachable[record.category_id] = record;
}

void AugmentationJournal::mark_complete() {
  std::error_code error;
  fs::remove(m_paths.incomplete, error);
  if (error) throw InputError(m_paths.incomplete, "", "", "cannot remove the marker: " + error.message());
}

}  // namespace counterscope::augmentation
