// GET /api/openapi.json: the OpenAPI 3 document (docs/openapi.yaml, converted to JSON at
// build time by openapi_embed.py). No authentication: it describes the API, it holds no data.
#include "http/responses.h"
#include "http/routes.h"

namespace coffer::http {

extern const char kOpenApiJson[];  // generated: openapi_json.cc in the build directory

void AddOpenApiRoutes(RouteTable& t, const Services&) {
  t.Add(
      "GET", "/api/openapi.json", kNoAuth,
      [](const Call&) -> Result<Response> {
        Response r;
        r.body = kOpenApiJson;  // status 200, application/json
        return r;
      },
      Runs::kNoStore);
}

}  // namespace coffer::http
