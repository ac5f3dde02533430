// Jobs (/api/v1alpha/jobs): an orchestrator opens a job and asks about debug and attach;
// the job itself, with its job token, checks out its secrets — the only answer that carries
// plaintext — and finishes. Finish takes either token.

#include <boost/json.hpp>
#include <memory>

#include "http/json_jobs.h"
#include "http/metrics.h"
#include "http/request_params.h"
#include "http/responses.h"
#include "http/routes.h"
#include "wire/checkout_json.h"

namespace coffer::http {

void AddJobRoutes(RouteTable& t, const Services& s) {
  service::JobService* jobs = s.jobs;
  const std::string one = "/api/v1alpha/jobs/{job}";
  // Opened (or refused) once its write is durable, without a thread waiting for it.
  t.AddAsync(
      "POST", "/api/v1alpha/jobs", kApiToken,
      [=](const Call& c, Done done) {
        auto body = JsonBody(c);
        if (!body.ok()) return done(body.status());
        auto req = JobRequestFromJson(*body);
        if (!req.ok()) return done(req.status());
        jobs->OpenAsync(c.ctx, *req, [done = std::move(done)](Result<service::OpenedJob> job) {
          if (!job.ok()) return done(job.status());
          if (!job->refusals.empty()) {
            for (auto kind : job->refusal_kinds) GlobalMetrics().CountJobRefusal(kind);
            return done(JobRefusedResponse(job->refusals));
          }
          Response r = JsonTextResponse(OpenedJobToJson(*job));
          r.sensitive = true;  // carries the job token
          done(std::move(r));
        });
      },
      Runs::kReadsThenCommits);
  // The answer is made before the audit commits, here rather than once it is told (on this
  // I/O thread too since the committer posts outcomes back: common/resumer.h), and goes out
  // only once the audit is durable.
  t.AddAsync(
      "GET", one + "/secrets", kJobToken,
      [=](const Call& c, Done done) {
        auto prepared =
            jobs->PrepareCheckout(c.job_token, c.params.at("job"), c.ctx.ip, c.ctx.request_id);
        if (!prepared.ok()) return done(prepared.status());
        auto r = std::make_shared<Response>();
        r->body = wire::CheckoutToJson(prepared->out);
        r->sensitive = true;
        jobs->CommitCheckout(std::move(prepared->record),
                             [r, done = std::move(done)](Status recorded) {
                               if (recorded.ok()) return done(std::move(*r));
                               r->WipeIfSensitive();
                               done(std::move(recorded));
                             });
      },
      Runs::kReadsThenCommits);
  for (bool attach : {false, true}) {
    t.Add("POST", one + (attach ? "/attach" : "/debug"), kApiToken,
          [=](const Call& c) -> Result<Response> {
            COFFER_ASSIGN_OR_RETURN(auto blocking,
                                    jobs->Blocking(c.ctx, c.params.at("job"), attach));
            if (!blocking.empty()) return AccessBlockedResponse(blocking);
            return JsonResponse(json::object{{"allowed", true}});
          });
  }
  t.AddAsync(
      "POST", one + "/finish", kApiToken | kJobToken,
      [=](const Call& c, Done done) {
        auto finished = [done = std::move(done)](Status s) {
          if (!s.ok()) return done(std::move(s));
          done(JsonResponse(json::object{}));
        };
        if (!c.job_token.empty()) {
          jobs->FinishWithTokenAsync(c.job_token, c.params.at("job"), c.ctx.ip, c.ctx.request_id,
                                     std::move(finished));
        } else {
          jobs->FinishAsync(c.ctx, c.params.at("job"), std::move(finished));
        }
      },
      Runs::kReadsThenCommits);
}

}  // namespace coffer::http
