// verdict compile: the model as generated C++ (Treelite style), built into a shared library
// that `verdict score --compiled` loads. The folder appears whole or not at all.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "codegen/codegen.h"
#include "commands.h"
#include "fetch.h"
#include "model_files.h"
#include "shared/error.h"

namespace fs = std::filesystem;

namespace verdict {

namespace {

struct CompileOptions {
  std::string model, out;
  std::size_t trees_per_file = 25;
  bool quantize = false, no_hints = false, no_build = false;
  unsigned jobs = 0;
};

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

void run_compile(const CompileOptions& o) {
  const ModelFiles model = load_model_files(o.model, "");
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
  std::cout << "generated " << files.size() << " files (" << model.forest.num_trees() << " trees, "
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
    std::cout << "built libmodel.so with " << jobs << " job(s) in " << build_s << " s\n";
  }
  if (fs::exists(out)) fs::remove_all(out);
  fs::rename(stage, out);
  cleanup.p.clear();
  if (o.no_build) {
    std::cout << "sources -> " << out.string() << "/ (build: cmake -S " << out.string() << " -B BUILD && cmake --build BUILD; "
              << "or scripts/build-web --compiled " << out.string() << " for the review page)\n";
  } else {
    std::cout << "compiled model -> " << (out / "libmodel.so").string() << "\nuse it: verdict score --model " << o.model
              << " --compiled " << out.string() << " --data X.csv --out X.out\n";
  }
}

}  // namespace

void add_compile_command(CLI::App& app) {
  auto o = std::make_shared<CompileOptions>();
  CLI::App* cmd = app.add_subcommand("compile", "Generate C++ for the model (Treelite style) and build it into a shared library");
  cmd->add_option("--model", o->model, "Model folder (model.json) or an XGBoost model.json")->required();
  cmd->add_option("--out", o->out, "Folder for the sources, CMakeLists.txt and libmodel.so")->required();
  cmd->add_option("--trees-per-file", o->trees_per_file, "Trees per source file (files compile in parallel)")
      ->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
  cmd->add_flag("--quantize", o->quantize, "Map each value to an integer bin once per row; integer compares in the trees");
  cmd->add_flag("--no-branch-hints", o->no_hints, "Leave out __builtin_expect (by default the child with the larger cover is likely)");
  cmd->add_flag("--no-build", o->no_build, "Write the sources only");
  cmd->add_option("--jobs", o->jobs, "Parallel compile jobs (0 = all cores)")->capture_default_str();
  cmd->callback([o] { run_compile(*o); });
}

}  // namespace verdict
