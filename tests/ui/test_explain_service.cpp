// The torch-free explain facade on an untrained tiny Mask R-CNN and a tiny world: the optimiser explains
// an instance towards another class and returns a signed map, X̃ and the instance masks at the image's
// size, class scores for every label and the top classes sorted; the refining method starts from a loaded
// generator's map; given a ground truth, the twin method shows it and every map is compared with it; bad
// questions are InputErrors.

#include <algorithm>
#include <filesystem>

#include <QtTest>

#include "core/counterfactual/counterfactual_generator.h"
#include "core/counterfactual/explain_service.h"
#include "core/counterfactual/generator_file.h"
#include "core/data/lvis/lvis_loader.h"
#include "core/modeling/model_config.h"
#include "core/util/error.h"
#include "tests/test_paths.h"
#include "tests/ui/tiny_explain_world.h"

using namespace counterscope;

namespace {
const std::string scratch = COUNTERSCOPE_TEST_TMP_DIR "/test_explain_service";
}

class TestExplainService : public QObject {
  Q_OBJECT

 private:
  testing::TinyExplainWorld m_world;
  std::unique_ptr<data::Dataset> m_dataset;

 private Q_SLOTS:
  void initTestCase() {
    std::filesystem::remove_all(scratch);
    std::filesystem::create_directories(scratch);
    m_world = testing::writeTinyExplainWorld(scratch);
    m_dataset = std::make_unique<data::Dataset>(data::load_dataset(m_world.annotations));
  }

  void optimiserReturnsAMapOfTheImageSize() {
    const counterfactual::ExplainService service(m_world.config, m_world.weights, "", *m_dataset, m_world.images);
    QVERIFY(!service.has_generator());
    counterfactual::ExplainQuestion question;
    question.image_id = 1;
    question.annotation_id = 12;      // a snowball
    question.target_category_id = 1;  // as grass
    question.method = counterfactual::ExplainMethod::optimize;
    question.optimize_steps = 3;
    const counterfactual::ExplainAnswer answer = service.explain(question);
    const auto& explanation = answer.explanation;
    QCOMPARE(explanation.map.rows, 64);
    QCOMPARE(explanation.map.cols, 64);
    QCOMPARE(explanation.map.type(), CV_32FC3);
    QCOMPARE(explanation.counterfactual.size(), explanation.map.size());
    QCOMPARE(answer.image.rows, 64);
    QCOMPARE(answer.image.type(), CV_8UC3);
    // An untrained model may already rank the target first (0 steps, no change); otherwise M moved.
    if (explanation.measures.steps > 0) QVERIFY(cv::norm(explanation.map, cv::NORM_L1) > 0);
    QCOMPARE(explanation.instance_mask_before.size(), explanation.map.size());
    QCOMPARE(answer.image_id, qint64{1});
    QCOMPARE(answer.annotation_id, qint64{12});
    QCOMPARE(answer.source_category_id, qint64{2});
    QCOMPARE(answer.target_category_id, qint64{1});
    QCOMPARE(explanation.class_scores_before.size(), std::size_t{5});
    QCOMPARE(answer.category_of_label.size(), std::size_t{5});
    QCOMPARE(answer.category_of_label[2], qint64{2});
    QCOMPARE(answer.top_before.size(), std::size_t{5});
    for (std::size_t i = 1; i < answer.top_before.size(); ++i)
      QVERIFY(answer.top_before[i - 1].score >= answer.top_before[i].score);
    QVERIFY(explanation.measures.steps >= 0 && explanation.measures.steps <= 3);
    QVERIFY(explanation.measures.locality >= 0 && explanation.measures.locality <= 1);
    QCOMPARE(answer.instance_box[0], 34.0);
  }

  void refiningStartsFromTheGeneratorsMap() {
    torch::manual_seed(5);
    modeling::MaskRcnn model(modeling::load_model_config(m_world.config));
    counterfactual::CounterfactualGenerator generator(
        counterfactual::generator_shape_for(*model, counterfactual::GeneratorOptions{}));
    const std::string generatorPath = scratch + "/generator.safetensors";
    counterfactual::save_generator(*generator, model->config(), generatorPath);
    const counterfactual::ExplainService service(m_world.config, m_world.weights, generatorPath, *m_dataset,
                                                 m_world.images);
    QVERIFY(service.has_generator());
    counterfactual::ExplainQuestion question;
    question.image_id = 1;
    question.annotation_id = 12;
    question.target_category_id = 1;
    question.method = counterfactual::ExplainMethod::generator;
    const auto proposal = service.explain(question).explanation;
    question.method = counterfactual::ExplainMethod::refine;
    question.optimize_steps = 4;
    question.outside_weight = 10;
    const auto refined = service.explain(question).explanation;
    QCOMPARE(refined.method, std::string("generator+optimize"));
    QVERIFY(refined.measures.steps >= 0 && refined.measures.steps <= 4);
    // 0 steps only when the generator's map already attains the target, and then the maps are the same.
    if (refined.measures.steps == 0) {
      QVERIFY(proposal.measures.target_attained);
      QCOMPARE(cv::norm(refined.map, proposal.map, cv::NORM_INF), 0.0);
    } else {
      QVERIFY(cv::norm(refined.map, proposal.map, cv::NORM_INF) > 0);
    }
    question.outside_weight = -1;
    QVERIFY_THROWS_EXCEPTION(InputError, service.explain(question));
  }

  void twinShowsTheGroundTruthAndEveryMapIsComparedWithIt() {
    counterfactual::ExplainService service(m_world.config, m_world.weights, "", *m_dataset, m_world.images);
    counterfactual::ExplainQuestion question;
    question.image_id = 1;
    question.annotation_id = 12;
    question.target_category_id = 1;
    question.method = counterfactual::ExplainMethod::twin;
    QVERIFY(!service.has_ground_truth());
    QVERIFY_THROWS_EXCEPTION(InputError, service.explain(question));

    // A made-up twin: the instance's box shifted towards green. The service asks for the category by name.
    std::vector<std::string> asked;
    service.set_ground_truth([&asked](std::int64_t imageId, std::int64_t annotationId, const std::string& target) {
      asked.push_back(std::to_string(imageId) + "/" + std::to_string(annotationId) + "/" + target);
      cv::Mat difference(64, 64, CV_32FC3, cv::Scalar::all(0.0));
      difference(cv::Rect(36, 36, 8, 8)).setTo(cv::Scalar(-0.05, 0.05, -0.05));  // X stays in [0, 1]
      return difference;
    });
    QVERIFY(service.has_ground_truth());
    const auto twin = service.explain(question).explanation;
    QCOMPARE(twin.method, std::string("twin"));
    QVERIFY(twin.measures.ncc.has_value());
    QVERIFY(*twin.measures.ncc > 0.99);
    QCOMPARE(twin.measures.steps, std::int64_t{0});
    QCOMPARE(asked.size(), std::size_t{1});
    QCOMPARE(asked.front(), std::string("1/12/") + m_dataset->categories[*m_dataset->category_index(1)].name);
    // The other methods are compared with the same ground truth.
    question.method = counterfactual::ExplainMethod::optimize;
    question.optimize_steps = 2;
    const auto optimised = service.explain(question).explanation;
    QVERIFY(optimised.measures.ncc.has_value());
    QVERIFY(std::abs(*optimised.measures.ncc) <= 1.0);
  }

  void badQuestionsAreInputErrors() {
    const counterfactual::ExplainService service(m_world.config, m_world.weights, "", *m_dataset, m_world.images);
    counterfactual::ExplainQuestion question;
    question.image_id = 1;
    question.annotation_id = 12;
    question.target_category_id = 1;
    question.method = counterfactual::ExplainMethod::generator;  // none loaded
    QVERIFY_THROWS_EXCEPTION(InputError, service.explain(question));
    question.method = counterfactual::ExplainMethod::refine;  // refines a generator's map: none loaded
    QVERIFY_THROWS_EXCEPTION(InputError, service.explain(question));
    question.method = counterfactual::ExplainMethod::optimize;
    question.optimize_steps = 1;
    question.target_category_id = 2;  // its own class
    QVERIFY_THROWS_EXCEPTION(InputError, service.explain(question));
    question.target_category_id = 1;
    question.annotation_id = 21;  // of image 2, not image 1
    QVERIFY_THROWS_EXCEPTION(InputError, service.explain(question));
    question.annotation_id = 12;
    question.optimize_steps = 0;
    QVERIFY_THROWS_EXCEPTION(InputError, service.explain(question));
  }

  void aModelOfAnotherClassCountIsRefused() {
    data::Dataset fewer = *m_dataset;
    fewer.categories.pop_back();
    fewer.annotations.erase(std::remove_if(fewer.annotations.begin(), fewer.annotations.end(),
                                           [](const data::Annotation& a) { return a.category_id == 4; }),
                            fewer.annotations.end());
    fewer.build_indexes();
    QVERIFY_THROWS_EXCEPTION(InputError, counterfactual::ExplainService(m_world.config, m_world.weights, "", fewer,
                                                                        m_world.images));
    QVERIFY_THROWS_EXCEPTION(InputError, counterfactual::ExplainService(m_world.config, m_world.weights,
                                                                        m_world.annotations, *m_dataset, m_world.images));
  }
};

QTEST_GUILESS_MAIN(TestExplainService)
#include "test_explain_service.moc"
