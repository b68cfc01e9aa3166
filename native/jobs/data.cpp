// verdict data: obtain a UCI data set (checksum-verified) or generate the synthetic loan set,
// and write clean CSVs with a header.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <vector>

#include "native/jobs/data.h"

#include "native/datasets/adult.h"
#include "native/datasets/abalone.h"
#include "native/datasets/breast_cancer.h"
#include "native/datasets/loan.h"
#include "native/datasets/split.h"
#include "native/io/fetch.h"
#include "shared/error.h"
#include "native/io/staged_output.h"

namespace fs = std::filesystem;

namespace verdict {

namespace {

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
void fetch_all(const UciSource& source, const DataPlan& o, const fs::path& dir) {
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

}  // namespace

void prepare_dataset(const DataPlan& o, std::ostream& log) {
  const std::string& name = o.dataset;
  if (name != "adult" && name != "abalone" && name != "breast-cancer" && name != "loan") {
    throw Error("unknown data set '" + name + "' (known: " + kDataSets + ")");
  }
  const fs::path dir = o.out;
  fs::create_directories(dir);
  SplitTables split;
  nlohmann::json describe;  // descriptions for `verdict schema --describe`, when known
  if (name == "adult") {  // UCI's own split
    fetch_all(kAdult, o, dir);
    split.train = read_adult((dir / "adult.data").string(), false);
    split.test = read_adult((dir / "adult.test").string(), true);
    describe = adult_descriptions();
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
    lo.outcomes = o.outcomes;
    split = split_table(generate_loan(lo), o.seed, o.test_fraction);
    describe = loan_descriptions(o.outcomes);
  }
  StagedOutputs out;
  write_table(out, dir / "train.csv", split.train);
  write_table(out, dir / "test.csv", split.test);
  if (!describe.is_null()) out.write(dir / "describe.json", describe.dump(2) + "\n");
  out.commit();
  log << name << ": " << split.train.rows.size() << " training rows -> " << (dir / "train.csv").string()
      << "\n" << name << ": " << split.test.rows.size() << " test rows -> " << (dir / "test.csv").string()
      << "\n";
  if (!describe.is_null()) {
    log << name << ": descriptions, units and class names -> " << (dir / "describe.json").string()
        << " (verdict schema --model MODEL --describe it)\n";
  }
}

}  // namespace verdict
