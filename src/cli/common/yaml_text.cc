#include "cli/common/yaml_text.h"

#include <cctype>
#include <set>

namespace coffer::cli {
namespace {

// Could a plain scalar with this text be read back as something other than this string
// (a number, bool, null or timestamp, under YAML 1.1 or 1.2)?
bool LooksTyped(const std::string& s) {
  static const std::set<std::string> kWords = {"y",     "n",  "yes", "no",   "true",
                                               "false", "on", "off", "null", "~"};
  std::string lower = s;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (kWords.count(lower) != 0) return true;
  // Numbers (decimal, 0x/0o/0b, floats, sexagesimal 1:20), .inf/.nan and timestamps.
  // Conservative: quoting a plain string too many is harmless, too few is not.
  std::string t = lower;
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) t = t.substr(1);
  if (t == ".inf" || t == ".nan") return true;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (t.size() >= 5 && digit(t[0]) && digit(t[1]) && digit(t[2]) && digit(t[3]) && t[4] == '-') {
    return true;
  }
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'o' || t[1] == 'b') &&
      t.find_first_not_of("0123456789abcdef_", 2) == std::string::npos) {
    return true;
  }
  bool starts_numeric = !t.empty() && (digit(t[0]) || (t[0] == '.' && t.size() > 1 && digit(t[1])));
  return starts_numeric && t.find_first_not_of("0123456789_.:e+-") == std::string::npos;
}

}  // namespace

std::string YamlScalar(std::string_view sv) {
  std::string s(sv);
  bool plain = !s.empty() && !LooksTyped(s) &&
               std::string_view("-?:,[]{}#&*!|>'\"%@`~ ").find(s[0]) == std::string_view::npos;
  for (char c : s) {
    plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' ||
                      c == '/' || c == '-' || c == '@' || c == '+');
  }
  if (plain) return s;
  std::string out = "\"";
  static const char* kHex = "0123456789abcdef";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

void AppendYamlLine(std::string& out, int indent, const std::string& text) {
  out.append(static_cast<size_t>(indent), ' ');
  out += text;
  out += '\n';
}

}  // namespace coffer::cli
