// bench_explain: latency of one counterfactual explanation at 256x256 with the "tiny" preset — the
// generator explainer (one forward pass) against the optimiser explainer (Adam on M until the target is
// attained, or a step cap) on the same model, image and question. Models are random-weight unless
// --weights / --generator are given. Prints JSON.
//
//   bench_explain [--threads N] [--repeats R] [--max-steps S] [--weights W --generator G]

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "core/counterfactual/explainer.h"
#include "core/counterfactual/generator_file.h"
#include "core/modeling/model_config.h"
#include "core/modeling/weights/checkpoint.h"

using namespace counterscope;
using namespace counterscope::counterfactual;

namespace {

std::string argument(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (argv[i] == "--" + name) return argv[i + 1];
  return fallback;
}

ExplainRequest make_request(std::int64_t num_classes) {
  ExplainRequest request;
  request.image = cv::Mat(256, 256, CV_8UC3);
  cv::randu(request.image, cv::Scalar::all(60), cv::Scalar::all(140));
  cv::circle(request.image, {96, 100}, 40, cv::Scalar(210, 200, 90), cv::FILLED);
  cv::rectangle(request.image, {150, 150}, {230, 220}, cv::Scalar(40, 90, 200), cv::FILLED);
  ExplainInstance a, b;
  a.box = {56, 60, 136, 140};
  a.label = 1;
  b.box = {150, 150, 231, 221};
  b.label = 2 % (num_classes - 1) + 1;
  request.instances = {a, b};
  request.instance = 0;
  request.target_label = num_classes - 1;
  return request;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const int threads = std::stoi(argument(argc, argv, "threads", "0"));
    if (threads > 0) torch::set_num_threads(threads);
    const int repeats = std::stoi(argument(argc, argv, "repeats", "10"));
    const int max_steps = std::stoi(argument(argc, argv, "max-steps", "200"));
    const std::string weights = argument(argc, argv, "weights", "");
    const std::string generator_path = argument(argc, argv, "generator", "");

    modeling::ModelConfig config = modeling::load_model_config("tiny");
    config.num_classes = std::stoi(argument(argc, argv, "classes", "11"));
    torch::manual_seed(0);
    modeling::MaskRcnn model(config);
    if (!weights.empty()) model->load_weights(modeling::load_state_dict(weights));
    model->eval();
    CounterfactualGenerator generator = generator_path.empty()
                                            ? CounterfactualGenerator(generator_shape_for(*model, GeneratorOptions{}))
                                            : load_generator(generator_path, config);
    const ExplainRequest request = make_request(config.num_classes);

    GeneratorExplainer fast(model, generator);
    fast.explain(request);  // warm-up (allocator, thread pool)
    double total = 0, map_total = 0;
    for (int i = 0; i < repeats; ++i) {
      const Explanation e = fast.explain(request);
      total += e.measures.seconds;
      map_total += e.measures.map_seconds;
    }

    OptimizerExplainerOptions options;
    options.max_steps = max_steps;
    options.learning_rate = 0.01;
    OptimizingExplainer slow(model, options);
    const Explanation optimised = slow.explain(request);

    nlohmann::ordered_json out;
    out["image"] = "256x256";
    out["model"] = "tiny (" + std::string(weights.empty() ? "random weights" : weights) + ")";
    out["threads"] = torch::get_num_threads();
    out["generator"] = {{"explain_ms", 1000 * total / repeats}, {"map_ms", 1000 * map_total / repeats}, {"repeats", repeats}};
    out["optimizer"] = {{"explain_ms", 1000 * optimised.measures.seconds},
                        {"map_ms", 1000 * optimised.measures.map_seconds},
                        {"steps", optimised.measures.steps},
                        {"ms_per_step", optimised.measures.steps ? 1000 * optimised.measures.map_seconds / optimised.measures.steps : 0.0},
                        {"target_attained", optimised.measures.target_attained},
                        {"score_gain", optimised.measures.score_gain}};
    out["speedup_explain"] = optimised.measures.seconds / (total / repeats);
    out["speedup_map"] = optimised.measures.map_seconds / (map_total / repeats);
    std::cout << out.dump(2) << "\n";
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "bench_explain: " << error.what() << "\n";
    return 1;
  }
}
