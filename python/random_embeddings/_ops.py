"""Loads the op library the CMake build produced; every module here calls its operators."""
import os

import torch

_LIBRARY_NAME = "librandom_embeddings.so"


def _library_path():
    explicit = os.environ.get("RANDOM_EMBEDDINGS_LIBRARY")
    if explicit:
        return explicit
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "_lib", _LIBRARY_NAME)


def _load():
    path = _library_path()
    if not os.path.exists(path):
        raise ImportError(
            f"random_embeddings: the op library {path} does not exist; build it first with "
            "`cmake -S . -B build -G Ninja && ninja -C build` (or set RANDOM_EMBEDDINGS_LIBRARY)")
    torch.ops.load_library(path)
    return path


library_path = _load()
ops = torch.ops.random_embeddings
