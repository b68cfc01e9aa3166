// The one error type the core throws. Each boundary converts it once:
// the CLI prints it and exits 2, the wasm binding returns it as text.
#pragma once
#include <stdexcept>
#include <string>

namespace verdict {

struct Error : std::runtime_error {
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace verdict
