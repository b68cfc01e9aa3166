// verdict data: obtain a UCI data set (checksum-verified) or generate the synthetic loan set,
// and write clean CSVs with a header.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "adult.h"
#include "commands.h"
#include "datasets/abalone.h"
#include "datasets/breast_cancer.h"
#include "datasets/loan.h"
#include "datasets/split.h"
#include "fetch.h"
#include "shared/error.h"
#include "staged_output.h"

namespace fs = std::filesystem;

namespace verdict {

namespace {

struct DataOptions {
  std::string dataset;
  std::string out;
  std::string mirror;
  std::size_t rows = 10000;     // loan
  std::uint64_t seed = 0;       // loan rows; the train/test split of abalone, breast-cancer, loan
  double test_fraction = 0.2;   // abalone, breast-cancer, loan
};

struct RemoteFile {
  const char* name;
  const char* sha256;
};

// A UCI data set: where it lives and the files it needs (looked for in a mirror as
// MIRROR/<file> or MIRROR/<subdir>/<file>).
struct UciSource {
  const char* url;
  const char* subdir;
  std::vector<RemoteFile> files;
};

const UciSource kAdult = {
    "https://archive.ics.uci.edu/ml/machine-learning-databases/adult/",
    "adult",
    {{"adult.data", "5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d"},
     {"adult.test", "a2a9044bc167a35b2361efbabec64e89d69ce82d9790d2980119aac5fd7e9c05"}}};
const UciSource kAbalone = {
    "https://archive.ics.uci.edu/ml/machine-learning-databases/abalone/",
    "abalone",
    {{"abalone.data", "de37cdcdcaaa50c309d514f248f7c2302a5f1f88c168905eba23fe2fbc78449f"}}};
const UciSource kBreastCancer = {
    "https://archive.ics.uci.edu/ml/machine-learning-databases/breast-cancer-wisconsin/",
    "breast-cancer",
    {{"wdbc.data", "d606af411f3e5be8a317a5a8b652b425aaf0ff38ca683d5327ffff94c3695f4a"}}};

const char* kDataSets = "adult, abalone, breast-cancer, loan";

void write_table(StagedOutputs& out, const fs::path& path, const Table& t) {
  const fs::path temp = out.stage(path);
  std::ofstream f(temp, std::ios::binary);
  write_csv_row(f, t.header);
  for (const auto& row : t.rows) write_csv_row(f, row);
  f.close();
  if (!f) throw Error("cannot write '" + path.string() + "'");
}

// Places the source's files in `dir` (kept when already there with the right sha256).
void fetch_all(const UciSource& source, const DataOptions& o, const fs::path& dir) {
  std::string mirror = o.mirror;
  if (mirror.empty()) {
    if (const char* env = std::getenv("VERDICT_DATA_MIRROR")) mirror = env;
  }
  if (!mirror.empty() && !fs::is_directory(mirror)) {
    throw Error("mirror folder '" + mirror + "' does not exist");
  }
  for (const RemoteFile& file : source.files) {
    const fs::path dest = dir / file.name;
    if (fs::exists(dest) && sha256_file(dest.string()) == file.sha256) continue;
    fetch_verified(source.url, mirror, source.subdir, file.name, file.sha256, dest.string());
    std::cerr << "fetched " << file.name << " (sha256 verified) from "
              << (mirror.empty() ? source.url : mirror) << "\n";
  }
}

void run_data(const DataOptions& o) {
  const std::string& name = o.dataset;
  if (name != "adult" && name != "abalone" && name != "breast-cancer" && name != "loan") {
    throw Error("unknown data set '" + name + "' (known: " + kDataSets + ")");
  }
  const fs::path dir = o.out;
  fs::create_directories(dir);
  SplitTables split;
  if (name == "adult") {  // UCI's own split
    fetch_all(kAdult, o, dir);
    split.train = read_adult((dir / "adult.data").string(), false);
    split.test = read_adult((dir / "adult.test").string(), true);
  } else if (name == "abalone") {
    fetch_all(kAbalone, o, dir);
    split = split_table(read_abalone((dir / "abalone.data").string()), o.seed, o.test_fraction);
  } else if (name == "breast-cancer") {
    fetch_all(kBreastCancer, o, dir);
    split = split_table(read_wdbc((dir / "wdbc.data").string()), o.seed, o.test_fraction);
  } else {
    LoanOptions lo;
    lo.rows = o.rows;
    lo.seed = o.seed;
    split = split_table(generate_loan(lo), o.seed, o.test_fraction);
  }
  StagedOutputs out;
  write_table(out, dir / "train.csv", split.train);
  write_table(out, dir / "test.csv", split.test);
  out.commit();
  std::cout << name << ": " << split.train.rows.size() << " training rows -> " << (dir / "train.csv").string()
            << "\n" << name << ": " << split.test.rows.size() << " test rows -> " << (dir / "test.csv").string()
            << "\n";
}

}  // namespace

void add_data_command(CLI::App& app) {
  auto o = std::make_shared<DataOptions>();
  CLI::App* cmd = app.add_subcommand(
      "data", "Fetch a UCI data set (sha256-verified) or generate the loan set; write train.csv / test.csv with a header");
  cmd->footer(
      "Data sets:\n"
      "  adult          UCI Adult (Census Income): adult.data -> train.csv, adult.test -> test.csv; label Target (>50K)\n"
      "  abalone        UCI Abalone, regression: abalone.data with a header, seeded split; target Rings\n"
      "  breast-cancer  UCI Breast Cancer Wisconsin (Diagnostic): wdbc.data, ID dropped, 30 named features,\n"
      "                 seeded split; label diagnosis (M = malignant, positive; B = benign)\n"
      "  loan           synthetic loan approvals, generated offline (--rows, --seed), with a bias against\n"
      "                 gender F put in on purpose; seeded split; label approved (1)\n"
      "The seeded split sends exactly round(rows x --test-fraction) rows to test.csv: those whose key\n"
      "SplitMix64(--seed, row index) is smallest; both files keep the source's row order.");
  cmd->add_option("dataset", o->dataset, "Data set name: adult | abalone | breast-cancer | loan")->required();
  cmd->add_option("--out", o->out, "Folder for the raw files and the CSVs")->required();
  cmd->add_option("--mirror", o->mirror,
                  "Local folder holding the UCI files instead of the network (env VERDICT_DATA_MIRROR)");
  cmd->add_option("--rows", o->rows, "loan: rows to generate (train + test)")
      ->capture_default_str()->check(CLI::Range(std::size_t{10}, std::size_t{100000000}));
  cmd->add_option("--seed", o->seed, "loan: generator seed; abalone, breast-cancer, loan: split seed")
      ->capture_default_str();
  cmd->add_option("--test-fraction", o->test_fraction, "abalone, breast-cancer, loan: share of rows in test.csv")
      ->capture_default_str()->check(CLI::Range(0.0, 1.0));
  cmd->callback([o] { run_data(*o); });
}

}  // namespace verdict
