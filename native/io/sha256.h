// SHA-256 in hex, of a file or of bytes in memory (OpenSSL).
#pragma once
#include <string>

namespace verdict {

// Hex SHA-256 of a file's bytes.
std::string sha256_file(const std::string& path);
// Hex SHA-256 of a string's bytes.
std::string sha256_text(const std::string& bytes);

}  // namespace verdict
