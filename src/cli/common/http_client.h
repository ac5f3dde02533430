// The CLI's names for the shared HTTP client (src/client/http_client.h).
#pragma once

#include "client/http_client.h"

namespace coffer::cli {

using client::HttpClient;
using client::HttpResponse;
using client::UrlEncode;

}  // namespace coffer::cli
