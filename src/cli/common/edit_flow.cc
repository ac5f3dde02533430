#include "cli/common/edit_flow.h"

#include <cstdio>

#include "cli/common/editor.h"

namespace coffer::cli {
namespace {

Status Unsaved(const Status& s) { return s.WithSuffix("nothing was saved"); }

Status NotChanged(const EditableResource& r) {
  std::printf("%s '%s' not changed: nothing to save.\n", r.Noun().c_str(), r.Name().c_str());
  return Status::Ok();
}

}  // namespace

Status EditInPlace(EditableResource& r) {
  COFFER_RETURN_IF_ERROR(r.Fetch());
  const std::string original = r.Render();
  WipedString edited;
  {
    auto text = EditInEditor(original);
    if (!text.ok()) return Unsaved(text.status());
    edited.text = std::move(text).value();
  }
  if (edited.text == original) return NotChanged(r);
  Status s = r.Parse(edited.text);
  if (s.ok()) s = r.Check();
  if (!s.ok()) return Unsaved(s);
  if (r.Unchanged()) return NotChanged(r);
  Result<std::string> updated = r.Save();
  if (!updated.ok()) return Unsaved(updated.status());
  std::printf("%s '%s' updated.\n", r.Noun().c_str(), updated->c_str());
  return Status::Ok();
}

}  // namespace coffer::cli
