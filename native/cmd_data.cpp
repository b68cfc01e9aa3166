// verdict data: obtain a UCI data set (checksum-verified) and write clean CSVs with a header.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "adult.h"
#include "commands.h"
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
};

struct RemoteFile {
  const char* name;
  const char* sha256;
};

const char* kAdultUrl = "https://archive.ics.uci.edu/ml/machine-learning-databases/adult/";
const RemoteFile kAdultFiles[] = {
    {"adult.data", "5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d"},
    {"adult.test", "a2a9044bc167a35b2361efbabec64e89d69ce82d9790d2980119aac5fd7e9c05"},
};

void write_table(StagedOutputs& out, const fs::path& path, const Table& t) {
  const fs::path temp = out.stage(path);
  std::ofstream f(temp, std::ios::binary);
  write_csv_row(f, t.header);
  for (const auto& row : t.rows) write_csv_row(f, row);
  f.close();
  if (!f) throw Error("cannot write '" + path.string() + "'");
}

void run_data(const DataOptions& o) {
  if (o.dataset != "adult") throw Error("unknown data set '" + o.dataset + "' (known: adult)");
  std::string mirror = o.mirror;
  if (mirror.empty()) {
    if (const char* env = std::getenv("VERDICT_DATA_MIRROR")) mirror = env;
  }
  if (!mirror.empty() && !fs::is_directory(mirror)) {
    throw Error("mirror folder '" + mirror + "' does not exist");
  }
  const fs::path dir = o.out;
  fs::create_directories(dir);
  for (const RemoteFile& file : kAdultFiles) {
    const fs::path dest = dir / file.name;
    if (fs::exists(dest) && sha256_file(dest.string()) == file.sha256) continue;
    fetch_verified(kAdultUrl, mirror, "adult", file.name, file.sha256, dest.string());
    std::cerr << "fetched " << file.name << " (sha256 verified) from "
              << (mirror.empty() ? kAdultUrl : mirror) << "\n";
  }
  const Table train = read_adult((dir / "adult.data").string(), false);
  const Table test = read_adult((dir / "adult.test").string(), true);
  StagedOutputs out;
  write_table(out, dir / "train.csv", train);
  write_table(out, dir / "test.csv", test);
  out.commit();
  std::cout << "adult: " << train.rows.size() << " training rows -> " << (dir / "train.csv").string()
            << "\nadult: " << test.rows.size() << " test rows -> " << (dir / "test.csv").string()
            << "\n";
}

}  // namespace

void add_data_command(CLI::App& app) {
  auto o = std::make_shared<DataOptions>();
  CLI::App* cmd = app.add_subcommand(
      "data", "Fetch a UCI data set (sha256-verified) and write train.csv / test.csv with a header");
  cmd->add_option("dataset", o->dataset, "Data set name: adult")->required();
  cmd->add_option("--out", o->out, "Folder for the raw files and the CSVs")->required();
  cmd->add_option("--mirror", o->mirror,
                  "Local folder holding the UCI files instead of the network (env VERDICT_DATA_MIRROR)");
  cmd->callback([o] { run_data(*o); });
}

}  // namespace verdict
