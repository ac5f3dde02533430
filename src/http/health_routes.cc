// Health: /healthz (the process answers) and /readyz (it can serve: the store answers).
// No authentication, so load balancers and probes need no token.
#include <boost/json.hpp>

#include "http/responses.h"
#include "http/routes.h"

namespace coffer::http {

void AddHealthRoutes(RouteTable& t, const Services& s) {
  t.Add(
      "GET", "/healthz", kNoAuth,
      [](const Call&) -> Result<Response> {
        Response r;  // 200, application/json: the bytes JsonResponse would serialize
        r.body = R"({"status":"ok"})";
        return r;
      },
      Runs::kNoStore);
  t.Add(
      "GET", "/readyz", kNoAuth,
      [s](const Call&) -> Result<Response> {
        Status ready = s.ready ? s.ready() : Status::Ok();
        return ready.ok() ? JsonResponse(json::object{{"status", "ok"}})
                          : JsonResponse(json::object{{"status", "unavailable"}}, 503);
      },
      Runs::kStoreRead);
}

}  // namespace coffer::http
