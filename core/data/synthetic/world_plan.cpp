#include "core/data/synthetic/world_plan.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "core/data/synthetic/random.h"
#include "core/util/error.h"

namespace counterscope::data::synthetic {
namespace {

// Random-stream tags, so that the plan, the images and the layouts of both splits draw from unrelated streams.
std::uint64_t split_seed(const WorldOptions& options, Split split) {
  return derive_seed(options.seed, split == Split::train ? 0x7472616Eull : 0x76616Cull);
}

// Instances of one category in one image: mostly one, sometimes a small group.
int draw_instance_count(Rng& rng) {
  const double r = rng.uniform();
  return r < 0.70 ? 1 : (r < 0.90 ? 2 : 3);
}

// Chance that an image/category pair with several instances is marked not exhaustive, leaving one instance
// unannotated (as LVIS annotators flag categories whose instances they did not all outline).
constexpr double not_exhaustive_chance = 0.1;
// Chance that an absent category that is not a sibling of a present one is verified absent (neg_category_ids).
constexpr double negative_chance = 0.15;
// Load balancing: an image's key is its current category count plus this much random jitter, and the
// images with the smallest keys receive the next category.
constexpr double load_jitter = 1.5;

std::vector<int> background_image_counts(const std::vector<int>& targets, const std::vector<CategorySpec>& specs,
                                         double bias, int image_count) {
  std::vector<double> demand(background_count, 0.0);
  for (std::size_t c = 0; c < specs.size(); ++c) {
    for (int b = 0; b < background_count; ++b) {
      const bool preferred = static_cast<int>(specs[c].context) == b;
      demand[b] += targets[c] * (preferred ? bias : (1.0 - bias) / (background_count - 1));
    }
  }
  const double total = std::accumulate(demand.begin(), demand.end(), 0.0);
  std::vector<int> counts(background_count, 0);
  std::vector<std::pair<double, int>> remainders;
  int assigned = 0;
  for (int b = 0; b < background_count; ++b) {
    const double quota = total > 0 ? image_count * demand[b] / total : double(image_count) / background_count;
    counts[b] = static_cast<int>(std::floor(quota));
    assigned += counts[b];
    remainders.emplace_back(quota - counts[b], b);
  }
  // Largest remainder first; ties go to the lower background index.
  std::sort(remainders.begin(), remainders.end(),
            [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  for (int k = 0; assigned < image_count; ++k, ++assigned) counts[remainders[k % background_count].second] += 1;
  return counts;
}

// Picks up to `wanted` images of `pool` with the smallest load keys; removes them from consideration by
// returning them (the caller marks them).
std::vector<int> pick_least_loaded(const std::vector<int>& pool, int wanted, const std::vector<int>& load,
                                   Rng& rng) {
  std::vector<std::pair<double, int>> keyed;
  keyed.reserve(pool.size());
  for (int image : pool) keyed.emplace_back(load[image] + load_jitter * rng.uniform(), image);
  const auto take = std::min<std::size_t>(static_cast<std::size_t>(std::max(wanted, 0)), keyed.size());
  std::partial_sort(keyed.begin(), keyed.begin() + static_cast<long>(take), keyed.end());
  std::vector<int> picked;
  for (std::size_t k = 0; k < take; ++k) picked.push_back(keyed[k].second);
  return picked;
}

template <typename T>
void shuffle(std::vector<T>& values, Rng& rng) {
  for (std::size_t i = values.size(); i > 1; --i) std::swap(values[i - 1], values[rng.below(i)]);
}

}  // namespace

std::vector<int> planned_image_counts(const WorldOptions& options, const std::vector<CategorySpec>& specs,
                                      Split split) {
  const int images = split_image_count(options, split);
  const double scale = double(images) / reference_train_images;
  // A val split too small to give every category the minimum gets what half its capacity allows.
  const int category_count = std::max<int>(1, static_cast<int>(specs.size()));
  const int val_minimum =
      std::max(1, std::min(options.val_min_images_per_category,
                           images * options.max_categories_per_image / (2 * category_count)));
  std::vector<int> counts;
  for (const auto& spec : specs) {
    int count = std::max(1, static_cast<int>(std::lround(spec.default_train_images * scale)));
    if (split == Split::val) count = std::max(count, val_minimum);
    counts.push_back(std::min(count, images));
  }
  return counts;
}

SplitPlan plan_split(const WorldOptions& options, const std::vector<CategorySpec>& specs, Split split) {
  const int image_count = split_image_count(options, split);
  const std::string count_option = split == Split::train ? "train_images" : "val_images";
  const std::vector<int> targets = planned_image_counts(options, specs, split);
  const long long needed = std::accumulate(targets.begin(), targets.end(), 0LL);
  const long long capacity = static_cast<long long>(image_count) * options.max_categories_per_image;
  if (needed > capacity) {
    throw InputError("synthetic world", count_option, std::to_string(image_count),
                     "too few images for " + std::to_string(specs.size()) + " categories: the planned " +
                         std::to_string(needed) + " category/image pairs need at least " +
                         std::to_string((needed + options.max_categories_per_image - 1) /
                                        options.max_categories_per_image) +
                         " images");
  }

  Rng rng(split_seed(options, split));
  SplitPlan plan;
  plan.split = split;
  plan.images.resize(static_cast<std::size_t>(image_count));

  // Backgrounds in proportion to the demand of the categories that prefer them, in random image order.
  const auto per_background = background_image_counts(targets, specs, options.context_bias, image_count);
  std::vector<Background> backgrounds;
  for (int b = 0; b < background_count; ++b)
    backgrounds.insert(backgrounds.end(), per_background[b], static_cast<Background>(b));
  shuffle(backgrounds, rng);

  // Categories into images: the largest first, each to the least-loaded images, a context_bias share of them
  // on its context background.
  std::vector<int> order(specs.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return targets[a] > targets[b]; });
  std::vector<int> load(image_count, 0);
  std::vector<std::vector<int>> categories_of_image(image_count);
  for (int c : order) {
    const int wanted = targets[c];
    std::vector<char> taken(image_count, 0);
    std::vector<int> context_pool, other_pool;
    for (int image = 0; image < image_count; ++image) {
      if (load[image] >= options.max_categories_per_image) continue;
      (backgrounds[image] == specs[c].context ? context_pool : other_pool).push_back(image);
    }
    const int on_context = static_cast<int>(std::lround(options.context_bias * wanted));
    std::vector<int> chosen = pick_least_loaded(context_pool, on_context, load, rng);
    for (int image : chosen) taken[image] = 1;
    for (int image : pick_least_loaded(other_pool, wanted - static_cast<int>(chosen.size()), load, rng)) {
      chosen.push_back(image);
      taken[image] = 1;
    }
    if (static_cast<int>(chosen.size()) < wanted) {  // the other backgrounds are full: back to the context
      std::vector<int> rest;
      for (int image : context_pool)
        if (!taken[image]) rest.push_back(image);
      for (int image : pick_least_loaded(rest, wanted - static_cast<int>(chosen.size()), load, rng))
        chosen.push_back(image);
    }
    if (static_cast<int>(chosen.size()) < wanted) {
      throw InputError("synthetic world", count_option, std::to_string(image_count),
                       "too few images to place category " + quote_for_message(specs[c].name) + " in " +
                           std::to_string(wanted) + " images");
    }
    for (int image : chosen) {
      load[image] += 1;
      categories_of_image[image].push_back(c);
    }
  }

  std::vector<int> sibling(specs.size(), -1);
  for (std::size_t c = 0; c < specs.size(); ++c)
    if (auto found = find_category(specs, specs[c].sibling)) sibling[c] = static_cast<int>(*found);

  const std::uint64_t image_seed_base = derive_seed(split_seed(options, split), 0x696D616765ull);
  plan.category_image_counts.assign(specs.size(), 0);
  std::int64_t next_annotation_id = 1;
  for (int image = 0; image < image_count; ++image) {
    ImagePlan& planned = plan.images[image];
    planned.id = image + 1;
    planned.background = backgrounds[image];
    planned.seed = derive_seed(image_seed_base, static_cast<std::uint64_t>(planned.id));
    std::vector<int>& present = categories_of_image[image];
    std::sort(present.begin(), present.end());

    int extra_budget = options.max_instances_per_image - static_cast<int>(present.size());
    for (int c : present) {
      const int extra = std::min(draw_instance_count(rng) - 1, extra_budget);
      extra_budget -= extra;
      const int count = 1 + extra;
      // Mark the annotated ones with a placeholder id (-1); real ids are given in drawing order below.
      int unannotated = -1;
      if (count >= 2 && rng.chance(not_exhaustive_chance)) {
        unannotated = static_cast<int>(rng.below(static_cast<std::uint64_t>(count)));
        planned.not_exhaustive_category_ids.push_back(c + 1);
      }
      for (int k = 0; k < count; ++k) planned.instances.push_back(PlannedInstance{c, k == unannotated ? 0 : -1});
      plan.category_image_counts[c] += 1;
    }
    shuffle(planned.instances, rng);
    for (auto& instance : planned.instances)
      if (instance.annotation_id != 0) instance.annotation_id = next_annotation_id++;

    std::vector<char> is_present(specs.size(), 0);
    for (int c : present) is_present[c] = 1;
    for (std::size_t c = 0; c < specs.size(); ++c) {
      if (is_present[c]) continue;
      bool confusable = sibling[c] >= 0 && is_present[sibling[c]];
      for (int p : present) confusable = confusable || sibling[p] == static_cast<int>(c);
      // The draw happens for every absent category so that the stream does not depend on the siblings.
      const bool sampled = rng.chance(negative_chance);
      if (confusable || sampled) planned.neg_category_ids.push_back(static_cast<std::int64_t>(c) + 1);
    }
  }
  return plan;
}

}  // namespace counterscope::data::synthetic
