// The `data` job: obtain a UCI data set (checksum-verified) or generate the synthetic loan set,
// and write train.csv and test.csv with a header.
#pragma once
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>

namespace verdict {

struct DataPlan {
  std::string dataset;          // adult | abalone | breast-cancer | loan
  std::string out;              // folder for the raw files and the CSVs
  std::string mirror;           // local folder with UCI's files (default: env VERDICT_DATA_MIRROR)
  std::size_t rows = 10000;     // loan
  int outcomes = 2;             // loan: 2 (approved 1/0) or 3 (decision approve/refer/decline)
  std::uint64_t seed = 0;       // loan rows; the train/test split of abalone, breast-cancer, loan
  double test_fraction = 0.2;   // abalone, breast-cancer, loan
};

// Writes OUT/train.csv and OUT/test.csv (both or neither); says where on `log`.
void prepare_dataset(const DataPlan& plan, std::ostream& log);

}  // namespace verdict
