// Reading the headerless comma-separated files UCI publishes (abalone.data, wdbc.data).
#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace verdict {

// Calls `record(cells, where, line)` for each non-blank line of `path` after checking that it
// has `fields` fields; `where` is "path:line: " for error messages. Throws verdict::Error when
// the file cannot be opened, a field count is wrong, or no line holds a record (`what` names
// the records in that message).
void for_each_uci_record(const std::string& path, std::size_t fields, const std::string& what,
                         const std::function<void(std::vector<std::string>& cells, const std::string& where,
                                                  std::size_t line)>& record);

// Throws "<where><column> is "<cell>", not a number" unless `cell` is a number.
void require_number(const std::string& cell, const std::string& column, const std::string& where);

}  // namespace verdict
