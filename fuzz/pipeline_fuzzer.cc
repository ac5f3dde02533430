// Fuzz target: the pipeline YAML reader that decides which secrets a job imports.
#include <cstddef>
#include <cstdint>
#include <string>

#include "service/pipeline_secrets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string yaml(reinterpret_cast<const char*>(data), size);
  for (const char* block : {"Deploy", "after_pipeline", "Test"}) {
    (void)coffer::service::ReadPipelineSecrets(yaml, block, "Production");
  }
  return 0;
}
