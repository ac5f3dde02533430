// Writing the YAML that `sem` shows (`sem get ... NAME`, the buffer of `sem edit`): one
// line at a time, scalars quoted only where a plain one would read back as something else.
// Never given a value: the resources it prints hold names and paths only.
#pragma once

#include <string>
#include <string_view>

namespace coffer::cli {

// YAML scalar as `sem` prints it: plain when that reads back as the same string (under
// YAML 1.1 and 1.2: not a number, bool, null or timestamp), else double-quoted.
std::string YamlScalar(std::string_view s);

// Appends `indent` spaces, `text` and '\n'.
void AppendYamlLine(std::string& out, int indent, const std::string& text);

}  // namespace coffer::cli
