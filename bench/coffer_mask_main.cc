// `coffer-mask`: `coffer mask` as a binary of its own, so bench/run.sh can measure the masker
// before src/main.cc dispatches to it (and the same code either way).
#include "mask/mask_command.h"

int main(int argc, char** argv) { return coffer::mask::MaskCommand(argc, argv); }
