// How many worker threads a job uses.
#pragma once

namespace verdict {

// `requested`, or every core when it is 0.
unsigned resolve_threads(unsigned requested);

}  // namespace verdict
