// Audit (/api/v1alpha/audit): the organization's events, oldest first, keyset-paged, filtered
// by resource_id, actor_id and action (exact; any combination).
#include <boost/json.hpp>

#include "http/json_mapping.h"
#include "http/request_params.h"
#include "http/responses.h"
#include "http/routes.h"

namespace coffer::http {

void AddAuditRoutes(RouteTable& t, const Services& s) {
  service::AuditService* audit = s.audit;
  t.Add("GET", "/api/v1alpha/audit", kApiToken, [=](const Call& c) -> Result<Response> {
    COFFER_ASSIGN_OR_RETURN(int size, IntParam(c.query, "page_size", 0));
    const service::AuditFilter filter{c.Param("resource_id"), c.Param("actor_id"),
                                      c.Param("action")};
    COFFER_ASSIGN_OR_RETURN(service::AuditPage page,
                            audit->List(c.ctx, filter, size, c.Param("page_token")));
    json::array items;
    for (const auto& e : page.events) items.push_back(AuditToJson(e));
    return JsonResponse(
        json::object{{"events", std::move(items)}, {"next_page_token", page.next_page_token}});
  });
}

}  // namespace coffer::http
