// Model code generation in the style of Treelite / TL2cgen: a forest as C++ source, each tree
// a nest of if/else on float32 thresholds (or, quantized, on integer bins), the likely branch
// marked from the covers, the trees spread over several files so the build runs in parallel
// and within memory. Pure string building: the caller writes and compiles the files.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "shared/forest.h"

namespace verdict {

struct CodegenOptions {
  std::size_t trees_per_file = 25;  // a file's trees stay in the instruction cache over a block of rows
  bool quantize = false;       // integer bins per feature instead of float compares
  bool branch_hints = true;    // __builtin_expect towards the child with the larger cover
  std::string fingerprint;     // identifies the model the code was made from (e.g. its sha256)
};

struct SourceFile {
  std::string name, text;
};

// The files: model.h (shared declarations), main.cpp (the C ABI below) and trees_<k>.cpp.
// The library exports (extern "C"):
//   int vd_compiled_abi();                       // 1
//   int vd_compiled_num_features();
//   unsigned long vd_compiled_num_trees();
//   const char* vd_compiled_fingerprint();
//   void vd_compiled_predict_margin(const float* rows, unsigned long n, double* out);
// The margin is base_margin + Σ leaf values in tree order, in double: the very sum
// shared/predict.h's predict_margin computes, so the two agree bit for bit.
std::vector<SourceFile> generate_model_source(const Forest& forest, const CodegenOptions& options);

// A CMakeLists.txt that builds the files into libmodel.so (-O2, -fPIC).
std::string generated_cmake_lists(const std::vector<SourceFile>& files);

}  // namespace verdict
