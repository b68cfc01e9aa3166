// Obtaining data files: from a local mirror folder or over HTTPS, always checksum-verified.
#pragma once
#include <string>

#include "native/io/sha256.h"

namespace verdict {

// Places `name` at `dest` with the given sha256: copied from `mirror` (searched as
// mirror/name and mirror/<subdir>/name) when mirror is not empty, else downloaded from
// base_url + name. The file appears only once verified. Throws verdict::Error otherwise.
void fetch_verified(const std::string& base_url, const std::string& mirror,
                    const std::string& subdir, const std::string& name,
                    const std::string& sha256, const std::string& dest);

}  // namespace verdict
