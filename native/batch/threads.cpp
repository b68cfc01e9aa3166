#include "native/batch/threads.h"

#include <thread>

namespace verdict {

unsigned resolve_threads(unsigned requested) {
  if (requested) return requested;
  const unsigned n = std::thread::hardware_concurrency();
  return n ? n : 1;
}

}  // namespace verdict
