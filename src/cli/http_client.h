// Forwarding header: the HTTP client lives in cli/common/http_client.h (src/agent still
// includes this path).
#pragma once

#include "cli/common/http_client.h"
