# Installs the build into a fresh prefix, builds tests/package/consumer against it with
# find_package(random_embeddings), runs it, and imports the installed Python package.
# Usage: cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -DPYTHON=... -P run_package_test.cmake
file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")

function(run)
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY "${WORK_DIR}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}")
  endif()
endfunction()

file(MAKE_DIRECTORY "${WORK_DIR}")
run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")
run(${CMAKE_COMMAND} -S "${SOURCE_DIR}/tests/package/consumer" -B "${WORK_DIR}/consumer-build"
    -G Ninja -DCMAKE_BUILD_TYPE=Release "-DCMAKE_PREFIX_PATH=${prefix}")
run(${CMAKE_COMMAND} --build "${WORK_DIR}/consumer-build")
run("${WORK_DIR}/consumer-build/consumer")
if(NOT EXISTS "${WORK_DIR}/embedding.pt")
  message(FATAL_ERROR "the consumer did not write embedding.pt")
endif()
# The installed Python package finds its own copy of the op library, without the source tree.
run(${CMAKE_COMMAND} -E env --unset=RANDOM_EMBEDDINGS_LIBRARY
    "PYTHONPATH=${prefix}/lib/python3/dist-packages" ${PYTHON} -c
    "import random_embeddings as r, torch; assert r.library_path.startswith('${prefix}'), r.library_path; e = r.RandomEmbedding(1000, 30); assert e(torch.tensor([5, 999])).shape == (2, 30); print('installed package OK:', r.library_path)")
