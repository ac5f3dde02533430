#include "http/json_tokens.h"

#include <boost/json.hpp>

#include "http/json_fields.h"

namespace coffer::http {

json::object TokenToJson(const service::TokenInfo& t) {
  return json::object{
      {"id", t.id},
      {"user_id", t.user_id},
      {"user_name", t.user_name},
      {"description", t.description},
      {"create_time", Str(t.create_time)},
      {"last_used", Str(t.last_used)},
      {"expires_at", Str(t.expires_at)},
  };
}

}  // namespace coffer::http
