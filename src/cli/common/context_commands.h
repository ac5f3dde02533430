// sem connect HOST TOKEN, sem context [NAME]: the contexts of ~/.sem.yaml (config.h).
//
// Each prints its result on stdout and returns Ok, or returns the error for SemMain to
// print as "error: ..." (exit code 1). The token is never printed.
#pragma once

#include <string>

#include "cli/common/session.h"
#include "common/status.h"

namespace coffer::cli {

// sem connect HOST TOKEN: checks the token, then saves a context and makes it active.
Status Connect(const GlobalOptions& g, const std::string& host, const std::string& token);
// sem context: lists contexts, the active one marked '*'.
Status ListContexts();
// sem context NAME: makes NAME the active context.
Status UseContext(const std::string& name);

}  // namespace coffer::cli
