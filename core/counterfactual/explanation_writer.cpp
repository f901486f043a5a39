#include "core/counterfactual/explanation_writer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "core/modeling/weights/safetensors.h"
#include "core/util/error.h"

namespace counterscope::counterfactual {
namespace {

/// Diverging colour (BGR) of t in [-1, 1]: blue at -1, white at 0, red at +1.
cv::Vec3b diverging(double t) {
  t = std::clamp(t, -1.0, 1.0);
  const double fade = 1.0 - std::abs(t);
  const auto c = static_cast<unsigned char>(std::lround(255 * fade));
  return t >= 0 ? cv::Vec3b(c, c, 255) : cv::Vec3b(255, c, c);
}

cv::Scalar label_colour(std::int64_t label) {
  // A fixed hue per label, spread by the golden angle.
  const double hue = std::fmod(static_cast<double>(label) * 137.508, 360.0);
  cv::Mat hsv(1, 1, CV_8UC3, cv::Scalar(hue / 2, 200, 230)), bgr;
  cv::cvtColor(hsv, bgr, cv::COLOR_HSV2BGR);
  const auto p = bgr.at<cv::Vec3b>(0, 0);
  return cv::Scalar(p[0], p[1], p[2]);
}

std::string format_number(double value, int precision = 3) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
  return buffer;
}

void write_png(const std::string& path, const cv::Mat& bgr) {
  bool written = false;
  try {
    written = cv::imwrite(path, bgr);
  } catch (const cv::Exception& error) {
    throw InputError(path, "", "", std::string("cannot write the image: ") + error.what());
  }
  if (!written) throw InputError(path, "", "", "cannot write the image");
}

nlohmann::ordered_json top_scores(const std::vector<double>& scores, const LabelNamer& name_of, std::size_t count) {
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < order.size() && i < count; ++i) {
    const auto label = static_cast<std::int64_t>(order[i]);
    out.push_back({{"label", label}, {"name", label == 0 ? "background" : name_of(label)}, {"score", scores[order[i]]}});
  }
  return out;
}

}  // namespace

nlohmann::ordered_json explanation_to_json(const Explanation& e, const LabelNamer& name_of, std::size_t top_classes) {
  const ExplanationMeasures& m = e.measures;
  nlohmann::ordered_json out;
  out["method"] = e.method;
  out["source"] = {{"label", e.source_label}, {"name", name_of(e.source_label)}};
  out["target"] = {{"label", e.target_label}, {"name", name_of(e.target_label)}};
  out["top_class_before"] = {{"label", e.top_label_before}, {"name", e.top_label_before == 0 ? "background" : name_of(e.top_label_before)}};
  out["top_class_after"] = {{"label", e.top_label_after}, {"name", e.top_label_after == 0 ? "background" : name_of(e.top_label_after)}};
  nlohmann::ordered_json measures;
  measures["target_attained"] = m.target_attained;
  measures["target_score_before"] = m.target_score_before;
  measures["target_score_after"] = m.target_score_after;
  measures["score_gain"] = m.score_gain;
  measures["source_score_before"] = m.source_score_before;
  measures["source_score_after"] = m.source_score_after;
  measures["sparsity"] = m.sparsity;
  measures["locality"] = m.locality;
  measures["ncc"] = m.ncc ? nlohmann::ordered_json(*m.ncc) : nlohmann::ordered_json(nullptr);
  measures["seconds"] = m.seconds;
  measures["map_seconds"] = m.map_seconds;
  measures["steps"] = m.steps;
  out["measures"] = measures;
  out["segmentation"] = {{"pixels_before", e.segmentation.pixels_before},
                         {"pixels_after", e.segmentation.pixels_after},
                         {"gained", e.segmentation.gained},
                         {"lost", e.segmentation.lost}};
  out["class_scores_before"] = top_scores(e.class_scores_before, name_of, top_classes);
  out["class_scores_after"] = top_scores(e.class_scores_after, name_of, top_classes);
  out["detections_before"] = e.predictions_before.size();
  out["detections_after"] = e.predictions_after.size();
  return out;
}

cv::Mat render_map_heatmap(const cv::Mat& map) {
  CV_Assert(map.type() == CV_32FC3);
  cv::Mat mean;
  cv::transform(map, mean, cv::Matx13f(1.f / 3, 1.f / 3, 1.f / 3));
  double low = 0, high = 0;
  cv::minMaxLoc(mean, &low, &high);
  const double scale = std::max({std::abs(low), std::abs(high), 1e-6});
  const int legend_width = 70, height = std::max(map.rows, 120);
  cv::Mat out(height, map.cols + legend_width, CV_8UC3, cv::Scalar(255, 255, 255));
  for (int y = 0; y < map.rows; ++y)
    for (int x = 0; x < map.cols; ++x) out.at<cv::Vec3b>(y, x) = diverging(mean.at<float>(y, x) / scale);
  // Legend: a vertical bar from +scale (top) to -scale (bottom), with its values.
  const int bar_x = map.cols + 8, bar_w = 14, top = 14, bottom = height - 14;
  for (int y = top; y <= bottom; ++y) {
    const double t = 1.0 - 2.0 * (y - top) / std::max(1, bottom - top);
    cv::line(out, {bar_x, y}, {bar_x + bar_w, y}, cv::Scalar(diverging(t)[0], diverging(t)[1], diverging(t)[2]));
  }
  cv::rectangle(out, {bar_x, top}, {bar_x + bar_w, bottom}, cv::Scalar(0, 0, 0));
  const auto text = [&](const std::string& s, int y) {
    cv::putText(out, s, {bar_x + bar_w + 3, y}, cv::FONT_HERSHEY_PLAIN, 0.8, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  };
  text("+" + format_number(scale, 2), top + 6);
  text("0", (top + bottom) / 2 + 4);
  text("-" + format_number(scale, 2), bottom);
  cv::putText(out, "M", {bar_x, top - 3}, cv::FONT_HERSHEY_PLAIN, 0.8, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  return out;
}

cv::Mat render_predictions(const cv::Mat& rgb, const std::vector<PredictedInstance>& predictions,
                           const std::array<double, 4>& instance_box, const LabelNamer& name_of, double min_score) {
  cv::Mat bgr;
  if (rgb.type() == CV_32FC3) {
    cv::Mat bytes;
    rgb.convertTo(bytes, CV_8UC3, 255.0);
    cv::cvtColor(bytes, bgr, cv::COLOR_RGB2BGR);
  } else {
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  }
  for (const auto& p : predictions) {
    if (p.score < min_score) continue;
    const cv::Scalar colour = label_colour(p.label);
    if (!p.mask.empty()) {
      cv::Mat tinted = bgr.clone();
      tinted.setTo(colour, p.mask);
      cv::addWeighted(bgr, 0.55, tinted, 0.45, 0, bgr);
    }
    const cv::Point a(static_cast<int>(p.box[0]), static_cast<int>(p.box[1]));
    const cv::Point b(static_cast<int>(p.box[2]), static_cast<int>(p.box[3]));
    cv::rectangle(bgr, a, b, colour, 1, cv::LINE_AA);
    cv::putText(bgr, name_of(p.label) + " " + format_number(p.score, 2), {a.x, std::max(10, a.y - 3)},
                cv::FONT_HERSHEY_PLAIN, 0.8, colour, 1, cv::LINE_AA);
  }
  cv::rectangle(bgr, cv::Point(static_cast<int>(instance_box[0]), static_cast<int>(instance_box[1])),
                cv::Point(static_cast<int>(instance_box[2]), static_cast<int>(instance_box[3])),
                cv::Scalar(255, 255, 255), 2, cv::LINE_AA);
  return bgr;
}

void write_explanation(const std::string& directory, const cv::Mat& original_rgb, const Explanation& explanation,
                       const std::array<double, 4>& instance_box, const LabelNamer& name_of,
                       const nlohmann::ordered_json& extra) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::create_directories(directory, error);
  if (error) throw InputError(directory, "", "", "cannot create the folder: " + error.message());
  const fs::path dir(directory);
  write_png((dir / "map.png").string(), render_map_heatmap(explanation.map));
  cv::Mat counterfactual;
  explanation.counterfactual.convertTo(counterfactual, CV_8UC3, 255.0);
  cv::cvtColor(counterfactual, counterfactual, cv::COLOR_RGB2BGR);
  write_png((dir / "counterfactual.png").string(), counterfactual);
  write_png((dir / "before.png").string(), render_predictions(original_rgb, explanation.predictions_before, instance_box, name_of));
  write_png((dir / "after.png").string(),
            render_predictions(explanation.counterfactual, explanation.predictions_after, instance_box, name_of));

  const cv::Mat map = explanation.map.isContinuous() ? explanation.map : explanation.map.clone();
  auto tensor = torch::from_blob(const_cast<float*>(map.ptr<float>()), {map.rows, map.cols, 3}, torch::kFloat)
                    .permute({2, 0, 1})
                    .contiguous();
  modeling::StateDict state;
  state.insert("map", tensor);
  modeling::save_safetensors(state, (dir / "map.safetensors").string(),
                             {{"layout", "[3, H, W] RGB, [0, 1] units: M = X~ - X"}, {"method", explanation.method}});

  nlohmann::ordered_json json = extra;
  // Keep the JSON alive: items() of a temporary would dangle inside the loop.
  const nlohmann::ordered_json measures = explanation_to_json(explanation, name_of);
  for (const auto& item : measures.items()) json[item.key()] = item.value();
  const std::string path = (dir / "explanation.json").string();
  std::ofstream stream(path);
  stream << json.dump(2) << "\n";
  if (!stream) throw InputError(path, "", "", "cannot write the file");
}

}  // namespace counterscope::counterfactual
