#include "predict.h"

#include "portable_exp.h"

namespace verdict {

double predict_margin(const Forest& f, const float* row) {
  double sum = f.base_margin;
  for (std::int32_t root : f.tree_root) sum += f.value[leaf_of(f, root, row)];
  return sum;
}

const char* link_name(Link link) {
  switch (link) {
    case Link::Logistic: return "logistic";
    case Link::Exp: return "exp";
    case Link::Identity: break;
  }
  return "identity";
}

double apply_link(Link link, double margin) {
  switch (link) {
    case Link::Logistic:
      return 1.0 / (1.0 + portable_exp(-margin));
    case Link::Exp:
      return portable_exp(margin);
    case Link::Identity:
      break;
  }
  return margin;
}

}  // namespace verdict
