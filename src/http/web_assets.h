// The web UI's files (web/), embedded at build time by web_embed.py (web_assets.cc in the
// build directory) and served by ui_routes.cc.
#pragma once

#include <cstddef>

namespace coffer::http {

struct WebAsset {
  const char* name;          // the file's name in web/, e.g. "app.js"
  const char* content_type;  // e.g. "text/javascript; charset=utf-8"
  const unsigned char* data;
  size_t size;
};

extern const WebAsset kWebAssets[];
extern const size_t kWebAssetCount;

}  // namespace coffer::http
