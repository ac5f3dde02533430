// The checkout answer on the wire: the one to-JSON (the server) and the one from-JSON
// (`coffer run`) of domain::Checkout.
//
//   {"job_id": "...",
//    "env_vars": [{"name": "...", "value": "...", "secret": "..."}],
//    "files": [{"path": "...", "content": "<base64>", "secret": "..."}]}
//
// Both sides handle plaintext: CheckoutToJson writes straight into one string reserved up
// front (no reallocation leaves stray copies; the server wipes it after sending), and
// CheckoutFromJson parses through an arena that is wiped before it is freed. Neither puts a
// value in an error message. Thread-safe (no shared state).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "domain/checkout.h"

namespace coffer::wire {

std::string CheckoutToJson(const domain::Checkout& checkout);

// InvalidArgument ("the server's checkout answer is malformed: ...") for anything but the
// shape above: not JSON, missing arrays, an entry without a name or path, bad base64.
Result<domain::Checkout> CheckoutFromJson(std::string_view body);

}  // namespace coffer::wire
