// EditInPlace: the one editor loop of `sem edit secret` and `sem edit dt`.
//
//   fetch -> render (comment header + YAML, no value) -> $EDITOR (editor.h) -> parse ->
//   check -> diff -> send
//
// The per-resource steps are an EditableResource; the loop owns the order and every
// message that does not depend on the resource:
//   - a buffer saved unchanged, or edited in a way that changes nothing (comments only),
//     prints "<Noun> '<name>' not changed: nothing to save." and sends nothing;
//   - a successful send prints "<Noun> '<name as updated>' updated.";
//   - a failure of any step after the fetch keeps its code and its message, with
//     "; nothing was saved" appended (the editor's failures too). A failed fetch is
//     returned as it is.
// The edited text may hold values the user typed: it lives in a WipedString and never
// reaches a message. Not thread-safe; runs the editor in the foreground.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace coffer::cli {

class EditableResource {
 public:
  virtual ~EditableResource() = default;

  // The start of every message: "Secret", "Project secret", "Deployment target".
  virtual std::string Noun() const = 0;
  // Reads the stored resource (the one the edit is based on).
  virtual Status Fetch() = 0;
  // The stored resource's name, once fetched.
  virtual std::string Name() const = 0;
  // The editor's text: a comment header and the stored resource's YAML, with no value.
  virtual std::string Render() const = 0;
  // Reads the edited text; the error is what the user reads ("the edited secret is
  // invalid: ...").
  virtual Status Parse(std::string_view edited) = 0;
  // Checks what was parsed against what is stored (read-only fields, validation).
  virtual Status Check() const = 0;
  // True when sending what was parsed would change nothing.
  virtual bool Unchanged() const = 0;
  // Sends the edit, guarded against a concurrent change; returns the name as updated.
  virtual Result<std::string> Save() = 0;
};

Status EditInPlace(EditableResource& resource);

}  // namespace coffer::cli
