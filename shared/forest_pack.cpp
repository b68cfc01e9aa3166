#include "forest_pack.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "error.h"

namespace verdict {

namespace {

constexpr char kMagic[8] = {'V', 'D', 'F', 'O', 'R', 'E', 'S', 'T'};
constexpr std::uint32_t kVersion = 1;
constexpr std::uint32_t kVersionClasses = 2;  // version 1 + the class of each tree (multi-class)

class Writer {
 public:
  std::vector<std::uint8_t> bytes;

  void raw(const void* p, std::size_t n) {
    const auto* b = static_cast<const std::uint8_t*>(p);
    bytes.insert(bytes.end(), b, b + n);
  }
  template <typename T>
  void put(T v) { raw(&v, sizeof v); }  // little-endian hosts only (x86, arm64, wasm)
  void str(const std::string& s) {
    put(static_cast<std::uint32_t>(s.size()));
    raw(s.data(), s.size());
  }
  // An unsigned value in `width` bytes (2 or 4).
  void uint(std::uint32_t v, int width) {
    if (width == 2) put(static_cast<std::uint16_t>(v)); else put(v);
  }
};

class Reader {
 public:
  Reader(const std::uint8_t* data, std::size_t size) : p_(data), left_(size) {}

  void raw(void* out, std::size_t n, const char* what) {
    need(n, what);
    std::memcpy(out, p_, n);
    p_ += n, left_ -= n;
  }
  template <typename T>
  T get(const char* what) {
    T v;
    raw(&v, sizeof v, what);
    return v;
  }
  std::string str(const char* what) {
    const auto n = get<std::uint32_t>(what);
    need(n, what);
    std::string s(reinterpret_cast<const char*>(p_), n);
    p_ += n, left_ -= n;
    return s;
  }
  std::uint32_t uint(int width, const char* what) {
    return width == 2 ? get<std::uint16_t>(what) : get<std::uint32_t>(what);
  }
  // Refuses a count the remaining bytes cannot hold before anything is allocated for it.
  void need_items(std::uint64_t count, std::uint64_t bytes_each, const char* what) const {
    if (count > left_ / (bytes_each ? bytes_each : 1)) truncated(what);
  }
  std::size_t left() const { return left_; }

 private:
  void need(std::size_t n, const char* what) const { if (n > left_) truncated(what); }
  [[noreturn]] static void truncated(const char* what) {
    throw Error(std::string("packed model: ends inside ") + what + " (the file is cut short or not a packed model)");
  }
  const std::uint8_t* p_;
  std::size_t left_;
};

int width_for(std::uint64_t largest) { return largest < 0xFFFF ? 2 : 4; }
std::uint32_t mask_of(int width) { return width == 2 ? 0xFFFFu : 0xFFFFFFFFu; }

float as_float32(double v, const char* what, std::size_t node) {
  const auto f = static_cast<float>(v);
  if (static_cast<double>(f) != v) {
    throw Error(std::string("cannot pack the model: the ") + what + " of node " + std::to_string(node) + " is not a float32");
  }
  return f;
}

}  // namespace

std::vector<std::uint8_t> pack_forest(const Forest& f) {
  const bool classes = f.num_class > 1;
  Writer w;
  w.raw(kMagic, sizeof kMagic);
  w.put(classes ? kVersionClasses : kVersion);
  w.put(static_cast<std::uint32_t>(f.num_trees()));
  w.put(static_cast<std::uint32_t>(f.num_nodes()));
  w.put(static_cast<std::int32_t>(f.num_features));
  w.put(f.base_margin);
  w.str(f.objective);
  w.put(static_cast<std::uint32_t>(f.feature_names.size()));
  for (const std::string& name : f.feature_names) w.str(name);

  std::uint64_t largest_tree = 0;
  for (std::size_t t = 0; t < f.num_trees(); ++t) {
    const std::size_t end = t + 1 < f.num_trees() ? static_cast<std::size_t>(f.tree_root[t + 1]) : f.num_nodes();
    const auto n = static_cast<std::uint32_t>(end - static_cast<std::size_t>(f.tree_root[t]));
    largest_tree = std::max<std::uint64_t>(largest_tree, n);
    w.put(n);
  }
  const int index_width = width_for(largest_tree);
  w.put(static_cast<std::uint8_t>(index_width));
  std::size_t tree = 0;
  std::vector<std::uint32_t> root_of(f.num_nodes());
  for (std::size_t i = 0; i < f.num_nodes(); ++i) {
    while (tree + 1 < f.num_trees() && static_cast<std::size_t>(f.tree_root[tree + 1]) <= i) ++tree;
    root_of[i] = static_cast<std::uint32_t>(f.tree_root[tree]);
  }
  for (std::size_t i = 0; i < f.num_nodes(); ++i) {
    w.uint(f.is_leaf(static_cast<std::int32_t>(i)) ? mask_of(index_width) : static_cast<std::uint32_t>(f.left[i]) - root_of[i], index_width);
  }
  for (std::size_t i = 0; i < f.num_nodes(); ++i) {
    // right - left modulo the width (XGBoost's right child follows the left: all ones).
    w.uint(f.is_leaf(static_cast<std::int32_t>(i)) ? 0 : static_cast<std::uint32_t>(f.right[i] - f.left[i]) & mask_of(index_width), index_width);
  }
  const int feature_width = width_for(static_cast<std::uint64_t>(f.num_features));
  w.put(static_cast<std::uint8_t>(feature_width));
  for (std::size_t i = 0; i < f.num_nodes(); ++i) w.uint(static_cast<std::uint32_t>(f.feature[i]), feature_width);
  w.raw(f.default_left.data(), f.default_left.size());
  for (int leaves = 0; leaves < 2; ++leaves) {
    for (std::size_t i = 0; i < f.num_nodes(); ++i) {
      if (f.is_leaf(static_cast<std::int32_t>(i)) != (leaves == 1)) continue;
      if (static_cast<double>(f.threshold[i]) != f.value[i]) {
        throw Error("cannot pack the model: node " + std::to_string(i) + "'s value is not its split condition");
      }
      w.put(f.threshold[i]);
    }
  }
  for (std::size_t i = 0; i < f.num_nodes(); ++i) w.put(as_float32(f.cover[i], "cover", i));
  if (classes) {
    w.put(static_cast<std::uint32_t>(f.num_class));
    for (int c : f.tree_class) w.put(static_cast<std::uint32_t>(c));
  }
  return std::move(w.bytes);
}

Forest unpack_forest(const std::uint8_t* data, std::size_t size) {
  Reader r(data, size);
  char magic[sizeof kMagic];
  r.raw(magic, sizeof magic, "the header");
  if (std::memcmp(magic, kMagic, sizeof magic) != 0) throw Error("packed model: not a packed model (no VDFOREST header)");
  const auto version = r.get<std::uint32_t>("the header");
  if (version != kVersion && version != kVersionClasses) {
    throw Error("packed model: version " + std::to_string(version) + " (this build reads versions " + std::to_string(kVersion) +
                " and " + std::to_string(kVersionClasses) + ")");
  }
  Forest f;
  const auto trees = r.get<std::uint32_t>("the header");
  const auto nodes = r.get<std::uint32_t>("the header");
  f.num_features = r.get<std::int32_t>("the header");
  f.base_margin = r.get<double>("the header");
  if (f.num_features < 0) throw Error("packed model: a negative number of features");
  if (!std::isfinite(f.base_margin)) throw Error("packed model: the base margin is not finite");
  f.objective = r.str("the objective");
  f.link = link_of_objective(f.objective);
  if ((f.link == Link::Softmax) != (version == kVersionClasses)) {
    throw Error("packed model: objective '" + f.objective + "' in a version " + std::to_string(version) +
                " file (multi-class objectives are version " + std::to_string(kVersionClasses) + " only)");
  }
  const auto names = r.get<std::uint32_t>("the feature names");
  r.need_items(names, 4, "the feature names");
  for (std::uint32_t i = 0; i < names; ++i) f.feature_names.push_back(r.str("the feature names"));
  if (!f.feature_names.empty() && f.feature_names.size() != static_cast<std::size_t>(f.num_features)) {
    throw Error("packed model: " + std::to_string(names) + " feature names for " + std::to_string(f.num_features) + " features");
  }
  if (nodes > static_cast<std::uint32_t>(std::numeric_limits<std::int32_t>::max())) throw Error("packed model: more than 2^31 - 1 nodes");
  // Every node takes at least 2 + 2 + 2 + 1 + 4 + 4 bytes below: a count the file cannot hold
  // is refused before anything is allocated for it.
  r.need_items(trees, 4, "the tree sizes");
  r.need_items(nodes, 15, "the nodes");

  std::vector<std::uint32_t> tree_size(trees);
  std::uint64_t total = 0, largest_tree = 0;
  for (std::uint32_t t = 0; t < trees; ++t) {
    tree_size[t] = r.get<std::uint32_t>("the tree sizes");
    if (tree_size[t] == 0) throw Error("packed model: tree " + std::to_string(t) + " has no nodes");
    total += tree_size[t];
    largest_tree = std::max<std::uint64_t>(largest_tree, tree_size[t]);
  }
  if (total != nodes) throw Error("packed model: the trees hold " + std::to_string(total) + " nodes, the header says " + std::to_string(nodes));
  const int index_width = r.get<std::uint8_t>("the index width");
  if (index_width != width_for(largest_tree)) throw Error("packed model: index width " + std::to_string(index_width) + " does not fit its trees");
  std::vector<std::uint32_t> left(nodes), step(nodes);
  for (auto& v : left) v = r.uint(index_width, "the left children");
  for (auto& v : step) v = r.uint(index_width, "the right children");
  const int feature_width = r.get<std::uint8_t>("the feature width");
  if (feature_width != width_for(static_cast<std::uint64_t>(f.num_features))) throw Error("packed model: feature width " + std::to_string(feature_width) + " does not fit its features");
  f.feature.resize(nodes);
  for (auto& v : f.feature) v = static_cast<std::int32_t>(r.uint(feature_width, "the split features"));
  f.default_left.resize(nodes);
  r.raw(f.default_left.data(), nodes, "default_left");

  f.left.resize(nodes);
  f.right.resize(nodes);
  std::uint32_t root = 0;
  for (std::uint32_t t = 0; t < trees; ++t) {
    const std::uint32_t n = tree_size[t];
    std::vector<std::int32_t> lc(n), rc(n);
    const std::string path = "tree " + std::to_string(t);
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::uint32_t node = root + i;
      const bool leaf = left[node] == mask_of(index_width);
      if (leaf) {
        // One form only (what pack_forest writes): a leaf's right step is 0.
        if (step[node] != 0) throw Error("packed model: " + path + " leaf " + std::to_string(i) + " has a right child");
        lc[i] = rc[i] = -1;
      } else {
        const std::uint32_t right = (left[node] + step[node]) & mask_of(index_width);
        if (left[node] == 0 || left[node] >= n || right == 0 || right >= n) {
          throw Error("packed model: " + path + " node " + std::to_string(i) + " has a child out of range");
        }
        if (f.feature[node] < 0 || f.feature[node] >= f.num_features) {
          throw Error("packed model: " + path + " node " + std::to_string(i) + " splits on feature " + std::to_string(f.feature[node]) + " of " + std::to_string(f.num_features));
        }
        lc[i] = static_cast<std::int32_t>(left[node]);
        rc[i] = static_cast<std::int32_t>(right);
      }
      f.left[node] = leaf ? -1 : static_cast<std::int32_t>(root) + lc[i];
      f.right[node] = leaf ? -1 : static_cast<std::int32_t>(root) + rc[i];
      if (leaf && f.feature[node] != 0) throw Error("packed model: " + path + " leaf " + std::to_string(i) + " names a feature");
      if (f.default_left[node] > 1) throw Error("packed model: " + path + " node " + std::to_string(i) + " has default_left " + std::to_string(f.default_left[node]));
    }
    f.tree_root.push_back(static_cast<std::int32_t>(root));
    f.depth_of_tree.push_back(static_cast<std::uint8_t>(check_tree_shape(lc, rc, "packed " + path)));
    root += n;
  }

  f.threshold.resize(nodes);
  f.value.resize(nodes);
  for (int leaves = 0; leaves < 2; ++leaves) {
    for (std::uint32_t i = 0; i < nodes; ++i) {
      if ((f.left[i] < 0) != (leaves == 1)) continue;
      f.threshold[i] = r.get<float>(leaves ? "the leaf values" : "the split conditions");
      if (std::isnan(f.threshold[i])) throw Error("packed model: node " + std::to_string(i) + (leaves ? "'s leaf value" : "'s split condition") + " is NaN");
      f.value[i] = static_cast<double>(f.threshold[i]);
    }
  }
  f.cover.resize(nodes);
  for (std::uint32_t i = 0; i < nodes; ++i) {
    const auto c = r.get<float>("the covers");
    if (!std::isfinite(c)) throw Error("packed model: node " + std::to_string(i) + "'s cover is not finite");
    f.cover[i] = static_cast<double>(c);
  }
  if (version == kVersionClasses) {
    const auto num_class = r.get<std::uint32_t>("the class count");
    if (num_class < 2 || num_class > 65536) throw Error("packed model: " + std::to_string(num_class) + " classes (2 to 65536)");
    f.num_class = static_cast<int>(num_class);
    r.need_items(trees, 4, "the classes of the trees");
    for (std::uint32_t t = 0; t < trees; ++t) {
      const auto c = r.get<std::uint32_t>("the classes of the trees");
      if (c >= num_class) throw Error("packed model: tree " + std::to_string(t) + " is of class " + std::to_string(c) + " of " + std::to_string(num_class));
      f.tree_class.push_back(static_cast<int>(c));
    }
  }
  if (r.left() != 0) throw Error("packed model: " + std::to_string(r.left()) + " bytes after the end");
  return f;
}

}  // namespace verdict
