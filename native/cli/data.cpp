// verdict data: obtain a UCI data set (checksum-verified) or generate the synthetic loan set,
// and write clean CSVs with a header.
#include <iostream>

#include "native/cli/commands.h"
#include "native/jobs/data.h"

namespace verdict {

void add_data_command(CLI::App& app) {
  auto o = std::make_shared<DataPlan>();
  CLI::App* cmd = app.add_subcommand(
      "data", "Fetch a UCI data set (sha256-verified) or generate the loan set; write train.csv / test.csv with a header");
  cmd->footer(
      "Data sets:\n"
      "  adult          UCI Adult (Census Income): adult.data -> train.csv, adult.test -> test.csv; label Target (>50K)\n"
      "  abalone        UCI Abalone, regression: abalone.data with a header, seeded split; target Rings\n"
      "  breast-cancer  UCI Breast Cancer Wisconsin (Diagnostic): wdbc.data, ID dropped, 30 named features,\n"
      "                 seeded split; label diagnosis (M = malignant, positive; B = benign)\n"
      "  loan           synthetic loan approvals, generated offline (--rows, --seed), with a bias against\n"
      "                 gender F put in on purpose; seeded split; label approved (1); with --outcomes 3\n"
      "                 the label decision: approve / refer / decline (a multi-class target)\n"
      "The seeded split sends exactly round(rows x --test-fraction) rows to test.csv: those whose key\n"
      "SplitMix64(--seed, row index) is smallest; both files keep the source's row order.");
  cmd->add_option("dataset", o->dataset, "Data set name: adult | abalone | breast-cancer | loan")->required();
  cmd->add_option("--out", o->out, "Folder for the raw files and the CSVs")->required();
  cmd->add_option("--mirror", o->mirror,
                  "Local folder holding the UCI files instead of the network (env VERDICT_DATA_MIRROR)");
  cmd->add_option("--rows", o->rows, "loan: rows to generate (train + test)")
      ->capture_default_str()->check(CLI::Range(std::size_t{10}, std::size_t{100000000}));
  cmd->add_option("--outcomes", o->outcomes, "loan: 2 (label approved, 1/0) or 3 (label decision: approve, refer, decline)")
      ->capture_default_str()->check(CLI::IsMember({2, 3}));
  cmd->add_option("--seed", o->seed, "loan: generator seed; abalone, breast-cancer, loan: split seed")
      ->capture_default_str();
  cmd->add_option("--test-fraction", o->test_fraction, "abalone, breast-cancer, loan: share of rows in test.csv")
      ->capture_default_str()->check(CLI::Range(0.0, 1.0));
  cmd->callback([o] { prepare_dataset(*o, std::cout); });
}

}  // namespace verdict
