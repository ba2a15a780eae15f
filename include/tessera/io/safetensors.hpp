#pragma once
// safetensors support: one file (safetensors_file), a possibly sharded checkpoint
// (safetensors_model), and the writer (save_safetensors). The byte layout and every check
// the reader makes are described at the top of safetensors_header.hpp.
#include "tessera/io/safetensors_file.hpp"
#include "tessera/io/safetensors_header.hpp"
#include "tessera/io/safetensors_model.hpp"
#include "tessera/io/safetensors_writer.hpp"
