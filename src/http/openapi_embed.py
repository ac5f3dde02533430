#!/usr/bin/env python3
"""Build step: docs/openapi.yaml -> a .cc defining coffer::http::kOpenApiJson, the document
as compact JSON, served at GET /api/openapi.json (openapi_routes.cc).

usage: openapi_embed.py IN.yaml OUT.cc
"""
import json
import sys

import yaml

DELIM = "coffer_openapi"


def main(src, dst):
    with open(src, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False, sort_keys=False)
    if ")" + DELIM + '"' in text:
        sys.exit("openapi_embed: the document contains the raw-string delimiter")
    with open(dst, "w", encoding="utf-8") as f:
        f.write("// Generated from docs/openapi.yaml by src/http/openapi_embed.py. Do not edit.\n")
        f.write("namespace coffer::http {\n")
        f.write(f'extern const char kOpenApiJson[] = R"{DELIM}({text}){DELIM}";\n')
        f.write("}  // namespace coffer::http\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
