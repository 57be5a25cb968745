// Target listing and forcing for the dispatched kernels; the dispatch table is in lookup.cc.
#include "random_embeddings/core/dispatch.h"

#include <stdexcept>
#include <string>

#include "hwy/targets.h"

namespace random_embeddings::core {

std::vector<SimdTarget> compiled_targets() {
  std::vector<SimdTarget> targets;
  for (int64_t bits = HWY_TARGETS; bits != 0; bits &= bits - 1) targets.push_back(bits & -bits);
  return targets;
}

std::vector<SimdTarget> available_targets() { return hwy::SupportedAndGeneratedTargets(); }

const char* target_name(SimdTarget target) { return hwy::TargetName(target); }

void force_target_for_test(SimdTarget target) {
  hwy::SetSupportedTargetsForTest(0);
  const bool single = target > 0 && (target & (target - 1)) == 0;
  if (!single || (hwy::SupportedTargets() & HWY_TARGETS & target) == 0) {
    throw std::invalid_argument("force_target_for_test: target " + std::to_string(target) +
                                " is not a compiled target this CPU supports");
  }
  hwy::SetSupportedTargetsForTest(target);
}

void reset_target_for_test() { hwy::SetSupportedTargetsForTest(0); }

}  // namespace random_embeddings::core
