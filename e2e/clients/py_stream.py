"""Streams one chat completion with the official Python openai SDK and prints one JSON line.

Used by the Go e2e tests as a subprocess (spec on stdin: baseURL, apiKey, request,
guardEmpty). The loop is the one the SDK's documentation shows:

    for chunk in stream:
        text += chunk.choices[0].delta.content or ""

which raises IndexError on a chunk with empty choices (the usage chunk). A client
that asked for usage (guardEmpty) reads such a chunk for its usage instead.
"""

import json
import sys

from openai import OpenAI


def main() -> None:
    spec = json.load(sys.stdin)
    client = OpenAI(base_url=spec["baseURL"], api_key=spec.get("apiKey", "sk-client-test"), max_retries=0, timeout=30)
    out = {"ok": False, "content": "", "chunks": 0, "usageChunks": 0, "usage": None, "error": None}
    try:
        stream = client.chat.completions.create(stream=True, **spec["request"])
        for chunk in stream:
            out["chunks"] += 1
            if chunk.usage is not None:
                out["usage"] = chunk.usage.model_dump()
            if spec.get("guardEmpty") and not chunk.choices:
                out["usageChunks"] += 1
                continue
            out["content"] += chunk.choices[0].delta.content or ""
        out["ok"] = True
    except Exception as e:  # reported to the test, which decides
        out["error"] = {"type": type(e).__name__, "message": str(e)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
