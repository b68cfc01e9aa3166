// The `explain-merge` job: the output folders of `verdict explain --shard I/N` (all N of them)
// joined into exactly what one `verdict explain` of the whole input writes.
#pragma once
#include <ostream>
#include <string>
#include <vector>

namespace verdict {

struct MergeShardsPlan {
  std::vector<std::string> shards;  // the N shard output folders, any order
  std::string out;
};

// Writes OUT (all or nothing) and says what it merged on `log`.
void merge_explain_shards(const MergeShardsPlan& plan, std::ostream& log);

}  // namespace verdict
