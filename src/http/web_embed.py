#!/usr/bin/env python3
"""Build step: the web UI's files (web/) -> a .cc defining coffer::http::kWebAssets, each
file's name, content type and bytes, served by ui_routes.cc. No JavaScript build step: the
files are served as written.

usage: web_embed.py OUT.cc FILE...
"""
import os
import sys

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}


def main(dst, files):
    out = ["// Generated from web/ by src/http/web_embed.py. Do not edit.",
           '#include "http/web_assets.h"', "namespace coffer::http {", "namespace {"]
    entries = []
    for i, path in enumerate(sorted(files, key=os.path.basename)):
        name = os.path.basename(path)
        ext = os.path.splitext(name)[1]
        if ext not in TYPES:
            sys.exit(f"web_embed: {name}: unknown file type")
        with open(path, "rb") as f:
            data = f.read()
        body = ",".join(str(b) for b in data)
        out.append(f"const unsigned char k{i}[] = {{{body},0}};")
        entries.append(f'{{"{name}", "{TYPES[ext]}", k{i}, {len(data)}}}')
    out.append("}  // namespace")
    out.append("const WebAsset kWebAssets[] = {" + ", ".join(entries) + "};")
    out.append(f"const size_t kWebAssetCount = {len(entries)};")
    out.append("}  // namespace coffer::http")
    with open(dst, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
