// A forest in a compact binary form made for the review page: what the engine's arrays hold,
// little-endian, float32 where XGBoost itself keeps float32 (split conditions, leaf values,
// covers), so unpacking gives back exactly the Forest that load_xgboost_json built (the page
// stays bit-identical to native). About a tenth of XGBoost's JSON, and no parsing: the arrays
// are copied out as they are.
//
// Layout (version 1), each array one block so a compressor finds the repeats:
//   "VDFOREST" u32 version  u32 trees  u32 nodes  i32 features  f64 base_margin
//   str objective  u32 names, str each (str = u32 length + bytes)
//   u32 nodes of each tree
//   u8 index width (2 or 4): left child (local, all ones for a leaf), right - left
//   u8 feature width (2 or 4): split feature of each node (0 for a leaf)
//   u8 default_left of each node
//   f32 split condition of each internal node, then f32 value of each leaf
//   f32 cover of each node
// Version 2 (multi-class objectives only; single-output forests stay version 1): the same,
// then u32 classes and u32 class of each tree (XGBoost's tree_info).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "forest.h"

namespace verdict {

// Throws verdict::Error for a forest this form cannot hold exactly (a cover or leaf value that
// is not a float32, a leaf value that differs from its split condition's float32).
std::vector<std::uint8_t> pack_forest(const Forest& forest);

// Checks everything (sizes against the bytes there are, children in range, trees that are
// trees, features in range, the objective) and throws verdict::Error naming what is wrong.
Forest unpack_forest(const std::uint8_t* data, std::size_t size);

}  // namespace verdict
