// The Flip Test's neighbour step over threads: facet d's rows in chunks taken in turn by each
// thread; the integer counts add up to exactly what one pass gives.
#pragma once
#include "shared/flip_test.h"

namespace verdict {

// Counts the flips of all of facet d's rows on `threads` threads (0 = every core).
FlipTestCounts count_flip_test(const FlipTest& test, unsigned threads);

// The same as a runner for post_training_bias.
FlipTestRunner flip_test_runner(unsigned threads);

}  // namespace verdict
