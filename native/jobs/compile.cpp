// verdict compile: the model as generated C++ (Treelite style), built into a shared library
// that `verdict score --compiled` loads. The folder appears whole or not at all.
#include "native/jobs/compile.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "native/codegen/codegen.h"
#include "native/io/fetch.h"
#include "native/io/model_files.h"
#include "shared/error.h"

namespace fs = std::filesystem;

namespace verdict {

namespace {

std::string quoted(const fs::path& p) {
  std::string s = "'";
  for (char c : p.string()) s += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return s + "'";
}

void run(const std::string& command, const fs::path& log) {
  if (std::system((command + " > " + quoted(log) + " 2>&1").c_str()) != 0) {
    std::ifstream in(log);
    std::string line, last;
    while (std::getline(in, line)) {
      if (line.find("error") != std::string::npos) {
        last = line;
        break;
      }
      if (!line.empty()) last = line;
    }
    throw Error("building the generated code failed: " + last);
  }
}

}  // namespace

void compile_model_library(const CompilePlan& o, std::ostream& log) {
  ForestLoadOptions multiclass;
  multiclass.multiclass = true;
  const ModelFiles model = load_model_files(o.model, "", multiclass);
  const fs::path out = o.out;
  if (fs::exists(out) && !(fs::exists(out / "model.h") && fs::exists(out / "main.cpp")) && !fs::is_empty(out)) {
    throw Error("--out '" + o.out + "' exists and is not a folder written by verdict compile");
  }
  const auto t0 = std::chrono::steady_clock::now();
  CodegenOptions co;
  co.trees_per_file = o.trees_per_file;
  co.quantize = o.quantize;
  co.branch_hints = !o.no_hints;
  co.fingerprint = sha256_file(model.model_path);
  const std::vector<SourceFile> files = generate_model_source(model.forest, co);

  const fs::path stage = out.string() + ".tmp-" + std::to_string(::getpid());
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } cleanup{stage};
  fs::create_directories(stage);
  std::size_t bytes = 0;
  for (const SourceFile& f : files) {
    std::ofstream(stage / f.name, std::ios::binary) << f.text;
    bytes += f.text.size();
  }
  std::ofstream(stage / "CMakeLists.txt") << generated_cmake_lists(files);
  const double codegen_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  log << "generated " << files.size() << " files (" << model.forest.num_trees() << " trees, "
      << bytes / 1024 << " KB of C++" << (o.quantize ? ", quantized thresholds" : "") << ") in "
      << codegen_s << " s\n";
  double build_s = 0;
  if (!o.no_build) {
    const auto t1 = std::chrono::steady_clock::now();
    const unsigned jobs = o.jobs ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
    run("cmake -S " + quoted(stage) + " -B " + quoted(stage / "build") + " -DCMAKE_BUILD_TYPE=Release", stage / "build.log");
    run("cmake --build " + quoted(stage / "build") + " -j " + std::to_string(jobs), stage / "build.log");
    fs::rename(stage / "build" / "libmodel.so", stage / "libmodel.so");
    fs::remove_all(stage / "build");
    fs::remove(stage / "build.log");
    build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    log << "built libmodel.so with " << jobs << " job(s) in " << build_s << " s\n";
  }
  if (fs::exists(out)) fs::remove_all(out);
  fs::rename(stage, out);
  cleanup.p.clear();
  if (o.no_build) {
    log << "sources -> " << out.string() << "/ (build: cmake -S " << out.string() << " -B BUILD && cmake --build BUILD; "
        << "or scripts/build-web --compiled " << out.string() << " for the review page)\n";
  } else {
    log << "compiled model -> " << (out / "libmodel.so").string() << "\nuse it: verdict score --model " << o.model
        << " --compiled " << out.string() << " --data X.csv --out X.out\n";
  }
}

}  // namespace verdict
