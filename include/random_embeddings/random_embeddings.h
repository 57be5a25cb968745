// Everything a LibTorch user needs: the module, its options, the functional forms and the ops.
#pragma once

#include "random_embeddings/torch/functional.h"
#include "random_embeddings/torch/module.h"
#include "random_embeddings/torch/ops.h"
#include "random_embeddings/torch/options.h"
