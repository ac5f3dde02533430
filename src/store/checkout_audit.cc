#include "store/checkout_audit.h"

#include <boost/json.hpp>
#include <utility>

#include "common/encoding.h"

namespace coffer::store {

namespace json = boost::json;

namespace {

// Whether `a` and `b` differ in nothing but the secret (resource id and name, scope, version).
bool OneCheckout(const AuditRecord& a, const AuditRecord& b) {
  return a.time == b.time && a.org_id == b.org_id && a.actor_id == b.actor_id &&
         a.actor_name == b.actor_name && a.medium == b.medium && a.ip == b.ip &&
         a.request_id == b.request_id && a.action == b.action &&
         a.resource_type == b.resource_type && a.owner_id == b.owner_id && a.job_id == b.job_id &&
         a.pipeline_id == b.pipeline_id && a.workflow_id == b.workflow_id;
}

}  // namespace

std::optional<AuditRecord> CheckoutRow(const std::vector<AuditRecord>& events) {
  if (events.empty() || events.front().action != "secret.checkout" ||
      events.front().resource_type != "secret") {
    return std::nullopt;
  }
  for (const AuditRecord& e : events) {
    if (!OneCheckout(events.front(), e)) return std::nullopt;
  }
  AuditRecord row = events.front();
  // [[id, name, scope, version], ...], written directly: every checkout makes one.
  std::string list = "[";
  for (const AuditRecord& e : events) {
    list += list.size() == 1 ? "[" : ",[";
    AppendJsonString(&list, e.resource_id);
    list += ',';
    AppendJsonString(&list, e.resource_name);
    list += ',';
    AppendJsonString(&list, e.scope);
    list += ',';
    list += std::to_string(e.version);
    list += ']';
  }
  list += ']';
  row.resource_type = std::string(kCheckoutRowType);
  row.resource_id.clear();
  row.resource_name = std::move(list);
  row.scope.clear();
  row.version = 0;
  return row;
}

namespace {

struct Listed {
  std::string_view id, name, scope;
  int64_t version = 0;
};

// The row's secrets, each checked to be a [string, string, string, integer].
Status ReadSecrets(const AuditRecord& row, const json::value& v, std::vector<Listed>& out) {
  const json::array* a = v.if_array();
  if (!a || a->empty()) {
    return Status::Corruption("audit row " + std::to_string(row.seq) + ": no checkout list");
  }
  for (const json::value& e : *a) {
    const json::array* f = e.if_array();
    if (!f || f->size() != 4 || !(*f)[0].is_string() || !(*f)[1].is_string() ||
        !(*f)[2].is_string() || !(*f)[3].is_int64()) {
      return Status::Corruption("audit row " + std::to_string(row.seq) +
                                ": unreadable checkout list");
    }
    out.push_back(
        {(*f)[0].get_string(), (*f)[1].get_string(), (*f)[2].get_string(), (*f)[3].get_int64()});
  }
  return Status::Ok();
}

Result<json::value> Parse(const AuditRecord& row) {
  boost::system::error_code ec;
  json::value v = json::parse(row.resource_name, ec);
  if (ec) {
    return Status::Corruption("audit row " + std::to_string(row.seq) +
                              ": unreadable checkout list");
  }
  return v;
}

}  // namespace

Result<std::vector<std::string>> UsesOf(const AuditRecord& row) {
  if (!IsCheckoutRow(row)) {
    if (row.action == "secret.checkout") return std::vector<std::string>{row.resource_id};
    return std::vector<std::string>{};
  }
  COFFER_ASSIGN_OR_RETURN(json::value v, Parse(row));
  std::vector<Listed> listed;
  COFFER_RETURN_IF_ERROR(ReadSecrets(row, v, listed));
  std::vector<std::string> ids;
  ids.reserve(listed.size());
  for (const Listed& l : listed) ids.emplace_back(l.id);
  return ids;
}

Status AppendRowEvents(AuditRecord row, const AuditCursor& after, std::string_view only_secret,
                       std::vector<AuditRecord>& out) {
  if (!IsCheckoutRow(row)) {
    row.part = -1;
    if (after.Before(row.seq, row.part) &&
        (only_secret.empty() || row.resource_id == only_secret)) {
      out.push_back(std::move(row));
    }
    return Status::Ok();
  }
  COFFER_ASSIGN_OR_RETURN(json::value v, Parse(row));
  std::vector<Listed> listed;
  COFFER_RETURN_IF_ERROR(ReadSecrets(row, v, listed));
  for (size_t i = 0; i < listed.size(); ++i) {
    const Listed& l = listed[i];
    int part = static_cast<int>(i);
    if (!after.Before(row.seq, part) || (!only_secret.empty() && l.id != only_secret)) continue;
    AuditRecord e = row;  // the shared fields
    e.part = part;
    e.id = row.id + "." + std::to_string(i);
    e.resource_type = "secret";
    e.resource_id = l.id;
    e.resource_name = l.name;
    e.scope = l.scope;
    e.version = l.version;
    out.push_back(std::move(e));
  }
  return Status::Ok();
}

}  // namespace coffer::store
