// EditInEditor: lets the user edit a text in their editor, as `sem edit` does.
//
// The text goes to a new temporary file (mode 0600, under $TMPDIR or /tmp, named
// sem-edit-XXXXXX.yaml); the editor is $EDITOR, else $VISUAL, else `vi`, run through
// /bin/sh so that an editor with arguments ("code --wait") works; the edited text is read
// back and the file is overwritten with zeros and removed, whatever happens (the user may
// have typed secret values into it). The editor inherits stdin, stdout and stderr.
//
// Fails with FailedPrecondition when the editor cannot be started or exits non-zero, and
// Unavailable when the temporary file cannot be written or read.
#pragma once

#include <algorithm>
#include <string>

#include "common/status.h"

namespace coffer::cli {

// A buffer that may hold values the user typed: wiped on every way out.
struct WipedString {
  std::string text;
  ~WipedString() { std::fill(text.begin(), text.end(), '\0'); }
};

// The editor command line `EditInEditor` runs: $EDITOR, $VISUAL, or "vi".
std::string EditorCommand();

Result<std::string> EditInEditor(const std::string& text);

}  // namespace coffer::cli
