#!/usr/bin/env node
// Drives one API call through an OFFICIAL SDK (openai or @mistralai/mistralai)
// and reports the outcome as one JSON line on stdout. Used by the Go e2e
// tests as a subprocess; see README.md for the spec format.
//
// Exit codes: 0 whenever a spec was run (API errors included: the JSON line
// says so); 2 for a broken spec (message on stderr, nothing on stdout).

import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { Mistral, HTTPClient } from "@mistralai/mistralai";

// stdout carries exactly one JSON line: send any SDK console chatter (the
// openai SDK console.error()s unparsable SSE data, for one) to stderr.
for (const k of ["log", "info", "warn", "error", "debug"]) {
  console[k] = (...args) => process.stderr.write(args.map((a) => (typeof a === "string" ? a : String(a?.stack ?? JSON.stringify(a)))).join(" ") + "\n");
}

const OPS = {
  openai: ["chat", "moderate", "responses", "completions", "embeddings"],
  mistral: ["chat", "fim", "agents", "moderate", "moderate_chat", "conversations"],
  anthropic: ["messages"],
};

function die(msg) {
  process.stderr.write(`run.mjs: bad spec: ${msg}\n`);
  process.exit(2);
}

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString("utf8");
}

function parseSpec(text) {
  let spec;
  try {
    spec = JSON.parse(text);
  } catch (e) {
    die(`stdin is not JSON: ${e.message}`);
  }
  if (!spec || typeof spec !== "object" || Array.isArray(spec)) die("spec must be a JSON object");
  if (!(spec.sdk in OPS)) die(`sdk must be one of ${Object.keys(OPS).join(", ")}`);
  if (!OPS[spec.sdk].includes(spec.op)) die(`op for sdk ${spec.sdk} must be one of ${OPS[spec.sdk].join(", ")}`);
  if (typeof spec.baseURL !== "string" && typeof spec.serverURL !== "string") die("baseURL (string) is required");
  for (const u of [spec.baseURL, spec.serverURL]) {
    if (u === undefined) continue;
    try {
      new URL(u);
    } catch {
      die(`not a URL: ${u}`);
    }
  }
  if (!spec.request || typeof spec.request !== "object" || Array.isArray(spec.request)) die("request must be an object");
  if (spec.stream !== undefined && typeof spec.stream !== "boolean") die("stream must be a boolean");
  if (spec.stream && (spec.op.startsWith("moderate") || spec.op === "embeddings")) die(`${spec.op} does not stream`);
  if (spec.timeoutMs !== undefined && !(Number.isInteger(spec.timeoutMs) && spec.timeoutMs > 0)) die("timeoutMs must be a positive integer");
  if (spec.headers !== undefined && (typeof spec.headers !== "object" || Array.isArray(spec.headers))) die("headers must be an object");
  return spec;
}

// The Mistral SDK wants its server URL WITHOUT /v1: its operation paths
// are "v1/chat/completions" etc., resolved against serverURL + "/", so
// serverURL "http://h/v1" would call http://h/v1/v1/chat/completions (404).
// A gateway prefix is kept: "http://h/mistral" -> http://h/mistral/v1/...
// We therefore accept the same baseURL as for openai and strip one trailing
// "/v1"; an explicit spec.serverURL is used as is.
function mistralServerURL(spec) {
  if (spec.serverURL) return spec.serverURL;
  const u = new URL(spec.baseURL);
  u.pathname = u.pathname.replace(/\/+$/, "").replace(/\/v1$/, "") || "/";
  return u.toString().replace(/\/$/, "");
}

// snake_case -> camelCase for the Mistral SDK, whose params are camelCase
// (max_tokens -> maxTokens, agent_id -> agentId, tool_calls -> toolCalls,
// image_url -> imageUrl). Only top-level params, message fields and content
// part fields are renamed; free-form objects (JSON schemas, tool
// parameters) are passed through. Keys already in camelCase are kept.
const camel = (k) => k.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
function renameKeys(obj) {
  if (!obj || typeof obj !== "object" || Array.isArray(obj)) return obj;
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [camel(k), v]));
}
function mistralMessage(m) {
  const out = renameKeys(m);
  if (Array.isArray(out.content)) out.content = out.content.map(renameKeys);
  return out;
}
function mistralParams(op, req) {
  const out = renameKeys(req);
  delete out.stream; // chosen by the method (complete vs stream)
  if (Array.isArray(out.messages)) out.messages = out.messages.map(mistralMessage);
  if (op === "conversations") {
    // inputs entries and completion args are free-form objects in the wire shape
    if (req.completion_args !== undefined) out.completionArgs = renameKeys(req.completion_args);
    return out;
  }
  if (op === "moderate" || op === "moderate_chat") {
    if (out.input !== undefined && out.inputs === undefined) out.inputs = out.input;
    delete out.input;
    if (op === "moderate_chat" && Array.isArray(out.inputs)) {
      out.inputs = out.inputs.map((x) => (Array.isArray(x) ? x.map(mistralMessage) : mistralMessage(x)));
    }
  }
  return out;
}

function textOf(content) {
  if (content == null) return "";
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((c) => (typeof c === "string" ? c : c?.text ?? "")).join("");
  return "";
}

function normUsage(u) {
  if (!u) return null;
  const out = {
    prompt_tokens: u.prompt_tokens ?? u.promptTokens ?? u.input_tokens ?? null,
    completion_tokens: u.completion_tokens ?? u.completionTokens ?? u.output_tokens ?? null,
    total_tokens: u.total_tokens ?? u.totalTokens ?? null,
  };
  return out;
}

async function main() {
  const spec = parseSpec(await readStdin());
  const timeoutMs = spec.timeoutMs ?? 30000;
  const stream = !!spec.stream;
  const apiKey = spec.apiKey ?? "sk-test";

  // Every HTTP response passes through here: remember the status, the
  // request id and (for errors) the raw body, which the SDKs don't all keep.
  const http = { status: null, requestId: null, errorBody: null };
  const tracingFetch = async (input, init) => {
    const res = await fetch(input, init);
    http.status = res.status;
    http.requestId = res.headers.get("x-request-id");
    if (res.status >= 400) {
      try {
        http.errorBody = await res.clone().text();
      } catch {
        /* body unreadable: leave null */
      }
    }
    return res;
  };

  const out = {
    ok: false,
    status: null,
    content: "",
    chunks: 0,
    finishReason: null,
    usage: null,
    error: null,
    requestId: null,
  };

  const watchdog = setTimeout(() => {
    out.error = { name: "DriverTimeout", message: `no result within ${timeoutMs + 5000}ms`, status: null, body: null };
    finish(out, http);
  }, timeoutMs + 5000);

  try {
    if (spec.sdk === "openai") {
      const client = new OpenAI({
        apiKey,
        baseURL: spec.baseURL ?? spec.serverURL.replace(/\/+$/, "") + "/v1",
        maxRetries: 0,
        timeout: timeoutMs,
        fetch: tracingFetch,
        defaultHeaders: spec.headers,
      });
      if (spec.op === "moderate") {
        const r = await client.moderations.create(spec.request);
        out.results = r.results;
        out.model = r.model;
      } else if (spec.op === "responses") {
        if (stream) {
          const s = await client.responses.create({ ...spec.request, stream: true });
          for await (const ev of s) {
            out.chunks++;
            (out.events ??= []).push(ev.type);
            if (ev.type === "response.output_text.delta") out.content += ev.delta;
            if (ev.type === "response.completed") {
              out.usage = normUsage(ev.response.usage);
              out.model = ev.response.model;
              out.finishReason = ev.response.status;
            }
          }
        } else {
          const r = await client.responses.create({ ...spec.request, stream: false });
          out.content = r.output_text;
          out.usage = normUsage(r.usage);
          out.model = r.model;
          out.finishReason = r.status;
        }
      } else if (spec.op === "completions") {
        if (stream) {
          const s = await client.completions.create({ ...spec.request, stream: true });
          for await (const chunk of s) {
            out.chunks++;
            for (const ch of chunk.choices ?? []) {
              out.content += ch.text ?? "";
              if (ch.finish_reason) out.finishReason = ch.finish_reason;
            }
            if (chunk.usage) out.usage = normUsage(chunk.usage);
          }
        } else {
          const r = await client.completions.create({ ...spec.request, stream: false });
          out.content = r.choices?.[0]?.text ?? "";
          out.finishReason = r.choices?.[0]?.finish_reason ?? null;
          out.usage = normUsage(r.usage);
          out.model = r.model;
        }
      } else if (spec.op === "embeddings") {
        const r = await client.embeddings.create(spec.request);
        out.results = r.data.map((d) => ({ index: d.index, dims: d.embedding.length }));
        out.usage = normUsage(r.usage);
        out.model = r.model;
      } else if (stream) {
        const s = await client.chat.completions.create({ ...spec.request, stream: true });
        for await (const chunk of s) {
          out.chunks++;
          for (const ch of chunk.choices ?? []) {
            out.content += textOf(ch.delta?.content);
            if (ch.finish_reason) out.finishReason = ch.finish_reason;
          }
          if (chunk.usage) out.usage = normUsage(chunk.usage);
          if (chunk.model) out.model = chunk.model;
        }
      } else {
        const r = await client.chat.completions.create({ ...spec.request, stream: false });
        const ch = r.choices?.[0];
        out.content = textOf(ch?.message?.content);
        out.finishReason = ch?.finish_reason ?? null;
        out.usage = normUsage(r.usage);
        out.model = r.model;
      }
    } else if (spec.sdk === "anthropic") {
      const client = new Anthropic({
        apiKey,
        baseURL: (spec.baseURL ?? spec.serverURL).replace(/\/+$/, "").replace(/\/v1$/, ""),
        maxRetries: 0,
        timeout: timeoutMs,
        fetch: tracingFetch,
        defaultHeaders: spec.headers,
      });
      const params = { ...spec.request };
      delete params.stream;
      if (stream) {
        const s = client.messages.stream(params);
        s.on("streamEvent", (ev) => {
          out.chunks++;
          (out.events ??= []).push(ev.type);
        });
        s.on("text", (t) => {
          out.content += t;
        });
        const m = await s.finalMessage();
        out.finishReason = m.stop_reason;
        out.usage = normUsage(m.usage);
        out.model = m.model;
      } else {
        const m = await client.messages.create(params);
        out.content = (m.content ?? []).map((b) => (b.type === "text" ? b.text : "")).join("");
        out.finishReason = m.stop_reason;
        out.usage = normUsage(m.usage);
        out.model = m.model;
      }
    } else {
      const client = new Mistral({
        apiKey,
        serverURL: mistralServerURL(spec),
        retryConfig: { strategy: "none" },
        timeoutMs,
        httpClient: new HTTPClient({ fetcher: tracingFetch }),
      });
      const params = mistralParams(spec.op, spec.request);
      const opts = spec.headers ? { headers: spec.headers } : undefined;
      if (spec.op === "conversations") {
        const conv = client.beta.conversations;
        if (stream) {
          const s = spec.conversationId
            ? await conv.appendStream({ conversationId: spec.conversationId, conversationAppendStreamRequest: params }, opts)
            : await conv.startStream(params, opts);
          for await (const ev of s) {
            out.chunks++;
            (out.events ??= []).push(ev.event);
            if (ev.data?.type === "message.output.delta") out.content += textOf(ev.data.content);
            if (ev.data?.type === "conversation.response.done") out.usage = normUsage(ev.data.usage);
          }
        } else {
          const r = spec.conversationId
            ? await conv.append({ conversationId: spec.conversationId, conversationAppendRequest: params }, opts)
            : await conv.start(params, opts);
          out.content = r.outputs.map((o) => (o.type === "message.output" ? textOf(o.content) : "")).join("");
          out.usage = normUsage(r.usage);
          out.conversationId = r.conversationId;
        }
      } else if (spec.op === "moderate" || spec.op === "moderate_chat") {
        const r =
          spec.op === "moderate"
            ? await client.classifiers.moderate(params, opts)
            : await client.classifiers.moderateChat(params, opts);
        // back to the wire's key names, like the openai results
        out.results = r.results.map((x) => ({ categories: x.categories, category_scores: x.categoryScores }));
        out.model = r.model;
      } else {
        const api = { chat: client.chat, fim: client.fim, agents: client.agents }[spec.op];
        if (stream) {
          const s = await api.stream(params, opts);
          for await (const ev of s) {
            const chunk = ev.data;
            out.chunks++;
            for (const ch of chunk.choices ?? []) {
              out.content += textOf(ch.delta?.content);
              if (ch.finishReason) out.finishReason = ch.finishReason;
            }
            if (chunk.usage) out.usage = normUsage(chunk.usage);
            if (chunk.model) out.model = chunk.model;
          }
        } else {
          const r = await api.complete(params, opts);
          const ch = r.choices?.[0];
          out.content = textOf(ch?.message?.content);
          out.finishReason = ch?.finishReason ?? null;
          out.usage = normUsage(r.usage);
          out.model = r.model;
        }
      }
    }
    out.ok = true;
  } catch (err) {
    out.ok = false;
    out.error = describeError(err, http);
  }
  clearTimeout(watchdog);
  finish(out, http);
}

function describeError(err, http) {
  const e = {
    name: err?.constructor?.name && err.constructor.name !== "Error" ? err.constructor.name : err?.name ?? "Error",
    message: String(err?.message ?? err),
    status: null,
    body: null,
  };
  // openai: APIError.status; mistral: MistralError.statusCode.
  const st = err?.status ?? err?.statusCode;
  if (Number.isInteger(st)) e.status = st;
  if (typeof err?.body === "string") e.body = err.body;
  else if (http.errorBody != null) e.body = http.errorBody;
  else if (err?.error !== undefined) e.body = JSON.stringify(err.error);
  // Mistral schema failures: keep the zod details, they say which field.
  if (typeof err?.pretty === "function" && err.name === "ResponseValidationError") {
    e.message = err.pretty();
  }
  if (err?.cause && !(err.cause instanceof Error && err.cause.message === e.message)) {
    e.cause = String(err.cause?.message ?? err.cause);
  }
  return e;
}

let finished = false;
function finish(out, http) {
  if (finished) return;
  finished = true;
  out.status = http.status;
  out.requestId = http.requestId;
  process.stdout.write(JSON.stringify(out) + "\n", () => process.exit(0));
}

main().catch((e) => {
  // Bugs in this script, not API errors.
  process.stderr.write(`run.mjs: internal error: ${e?.stack ?? e}\n`);
  process.exit(3);
});
