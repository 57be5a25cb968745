#include <gtest/gtest.h>

#include "random_embeddings/core/circulant.h"

TEST(Core, NumBlocks) { EXPECT_EQ(random_embeddings::core::num_blocks(10, 3), 4); }
