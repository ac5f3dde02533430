// The front doors: each resource's file registers its routes, declaring how each one is
// authenticated. Api (api.h) collects them; nothing else routes.
#pragma once

#include "http/route.h"
#include "http/services.h"

namespace coffer::http {

void AddHealthRoutes(RouteTable& t, const Services& s);   // health_routes.cc
void AddSecretRoutes(RouteTable& t, const Services& s);   // secret_routes.cc (org + project)
void AddProjectRoutes(RouteTable& t, const Services& s);  // project_routes.cc
void AddTargetRoutes(RouteTable& t, const Services& s);   // target_routes.cc
void AddJobRoutes(RouteTable& t, const Services& s);      // job_routes.cc (open, checkout...)
void AddAuditRoutes(RouteTable& t, const Services& s);    // audit_routes.cc
void AddTokenRoutes(RouteTable& t, const Services& s);    // token_routes.cc
void AddUserRoutes(RouteTable& t, const Services& s);     // token_routes.cc (users)
void AddKeyRoutes(RouteTable& t, const Services& s);      // key_routes.cc (the keyring)
void AddOpenApiRoutes(RouteTable& t, const Services& s);  // openapi_routes.cc
// ui_routes.cc: the web UI's sign-in sessions (API routes), and its pages and files (a
// table of their own, tried when no API route has the path).
void AddSessionRoutes(RouteTable& t, const Services& s, bool secure_cookies);
void AddUiPages(RouteTable& pages, const Services& s, bool secure_cookies);

}  // namespace coffer::http
