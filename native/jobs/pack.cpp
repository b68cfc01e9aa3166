#include "native/jobs/pack.h"

#include <fstream>

#include "native/io/model_files.h"
#include "native/io/staged_output.h"
#include "shared/error.h"
#include "shared/forest_pack.h"

namespace verdict {

void pack_model(const PackPlan& o, std::ostream& log) {
  ForestLoadOptions multiclass;
  multiclass.multiclass = true;
  const ModelFiles model = load_model_files(o.model, "", multiclass);
  const std::vector<std::uint8_t> bytes = pack_forest(model.forest);
  // The page must get back the forest native code scores with, node for node.
  const Forest back = unpack_forest(bytes.data(), bytes.size());
  const Forest& f = model.forest;
  if (back.left != f.left || back.right != f.right || back.feature != f.feature || back.threshold != f.threshold ||
      back.value != f.value || back.cover != f.cover || back.default_left != f.default_left ||
      back.tree_root != f.tree_root || back.base_margin != f.base_margin || back.objective != f.objective ||
      back.num_class != f.num_class || back.tree_class != f.tree_class) {
    throw Error("packing '" + model.model_path + "' does not give the same forest back (a bug: please report it)");
  }
  StagedOutputs outputs;
  {
    std::ofstream out(outputs.stage(o.out), std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) throw Error("cannot write '" + o.out + "'");
  }
  outputs.commit();
  log << "packed " << f.num_trees() << " trees, " << f.num_nodes() << " nodes: " << bytes.size() << " bytes -> " << o.out
      << "\n";
}

}  // namespace verdict
