// Which SIMD target the fast kernels (lookup_rows, reduce_bag) run on, for tests and diagnostics.
//
// The kernels are compiled once per Highway target and the best one this CPU supports is chosen
// on first use. A target is named by its Highway bit (e.g. HWY_AVX3 == 1 << 8), so it can be
// compared with the constants of hwy/targets.h without this header depending on Highway.
#pragma once

#include <cstdint>
#include <vector>

namespace random_embeddings::core {

using SimdTarget = int64_t;

// Targets compiled into the kernels, best first.
std::vector<SimdTarget> compiled_targets();
// Compiled targets this CPU can run, best first (only the forced one while one is forced).
std::vector<SimdTarget> available_targets();
// Highway's name of a target, e.g. "AVX3", "AVX2", "SSE4", "EMU128"; "Unknown" if not one.
const char* target_name(SimdTarget target);
// Name of the target the kernels dispatch to now.
const char* active_target();

// Makes the kernels dispatch to `target` until reset_target_for_test(); throws
// std::invalid_argument unless it is one of the unforced available_targets(). For tests only: it
// changes process-wide state, so call it only while no kernel is running.
void force_target_for_test(SimdTarget target);
void reset_target_for_test();

}  // namespace random_embeddings::core
