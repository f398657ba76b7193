//! rustfloor: the benchmark's lower bound for a proxy-wasm filter in Rust, doing the same
//! work as bench/envoy/floors/gofloor (see its doc comment for the modes, chosen by the
//! plugin configuration `{"mode":"empty"|"body"|"body+response","cap":N}`).
//!
//! The JSON work is a top-level key scan that skips nested values, like gjson's
//! `GetBytes(body, "max_tokens")` in the Go floor: a correct clamp, not a substring search.

use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action, ContextType, LogLevel};

proxy_wasm::main! {{
    proxy_wasm::set_log_level(LogLevel::Warn);
    proxy_wasm::set_root_context(|_| -> Box<dyn RootContext> { Box::new(Root::default()) });
}}

#[derive(Clone, Copy, Default, PartialEq)]
enum Mode {
    #[default]
    Empty,
    Body,
    BodyResponse,
}

#[derive(Default)]
struct Root {
    mode: Mode,
    cap: i64,
}

impl Context for Root {}

impl RootContext for Root {
    fn on_configure(&mut self, _: usize) -> bool {
        let cfg = self.get_plugin_configuration().unwrap_or_default();
        let mode = top_level(&cfg, b"mode").map(|(s, e)| &cfg[s..e]);
        self.cap = top_level(&cfg, b"cap").and_then(|(s, e)| int(&cfg[s..e])).unwrap_or(0);
        self.mode = match mode {
            Some(b"\"empty\"") => Mode::Empty,
            Some(b"\"body\"") if self.cap > 0 => Mode::Body,
            Some(b"\"body+response\"") if self.cap > 0 => Mode::BodyResponse,
            _ => {
                log::error!("rustfloor: want {{\"mode\":\"empty\"|\"body\"|\"body+response\",\"cap\":N>0}}");
                return false;
            }
        };
        true
    }

    fn create_http_context(&self, _: u32) -> Option<Box<dyn HttpContext>> {
        if self.mode == Mode::Empty {
            return Some(Box::new(Empty));
        }
        Some(Box::new(Exchange { cap: self.cap, response: self.mode == Mode::BodyResponse, stream: false }))
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }
}

/// No code of this filter runs per request: only the crate's dispatch.
struct Empty;

impl Context for Empty {}
impl HttpContext for Empty {}

struct Exchange {
    cap: i64,
    response: bool,
    stream: bool,
}

impl Context for Exchange {}

impl HttpContext for Exchange {
    fn on_http_request_headers(&mut self, _: usize, end_of_stream: bool) -> Action {
        if end_of_stream {
            Action::Continue
        } else {
            Action::Pause
        }
    }

    fn on_http_request_body(&mut self, size: usize, end_of_stream: bool) -> Action {
        if !end_of_stream {
            return Action::Pause;
        }
        let Some(body) = self.get_http_request_body(0, size) else {
            return Action::Continue;
        };
        let Some((s, e)) = top_level(&body, b"max_tokens") else {
            return Action::Continue;
        };
        match int(&body[s..e]) {
            Some(n) if n > self.cap => {}
            _ => return Action::Continue,
        }
        let cap = self.cap.to_string();
        let mut out = Vec::with_capacity(body.len());
        out.extend_from_slice(&body[..s]);
        out.extend_from_slice(cap.as_bytes());
        out.extend_from_slice(&body[e..]);
        self.set_http_request_body(0, size, &out);
        self.set_http_request_header("content-length", Some(&out.len().to_string()));
        Action::Continue
    }

    fn on_http_response_headers(&mut self, _: usize, _: bool) -> Action {
        if self.response {
            self.stream = self
                .get_http_response_header("content-type")
                .is_some_and(|ct| ct.starts_with("text/event-stream"));
            self.set_http_response_header("content-length", None);
        }
        Action::Continue
    }

    fn on_http_response_body(&mut self, size: usize, end_of_stream: bool) -> Action {
        if !self.response || size == 0 {
            return Action::Continue;
        }
        if !self.stream && !end_of_stream {
            return Action::Pause;
        }
        if let Some(body) = self.get_http_response_body(0, size) {
            self.set_http_response_body(0, size, &body);
        }
        Action::Continue
    }
}

fn int(b: &[u8]) -> Option<i64> {
    std::str::from_utf8(b).ok()?.parse().ok()
}

/// The byte range of a top-level key's raw value in a JSON object (keys compared raw).
fn top_level(json: &[u8], key: &[u8]) -> Option<(usize, usize)> {
    let mut i = ws(json, 0);
    if *json.get(i)? != b'{' {
        return None;
    }
    i += 1;
    loop {
        i = ws(json, i);
        if *json.get(i)? != b'"' {
            return None;
        }
        let kend = string_end(json, i)?;
        let k = &json[i + 1..kend - 1];
        i = ws(json, kend);
        if *json.get(i)? != b':' {
            return None;
        }
        let vs = ws(json, i + 1);
        let ve = value_end(json, vs)?;
        if k == key {
            return Some((vs, ve));
        }
        i = ws(json, ve);
        match *json.get(i)? {
            b',' => i += 1,
            _ => return None,
        }
    }
}

fn ws(json: &[u8], mut i: usize) -> usize {
    while i < json.len() && matches!(json[i], b' ' | b'\t' | b'\r' | b'\n') {
        i += 1;
    }
    i
}

/// json[i] is '"'; returns the index after the closing quote.
fn string_end(json: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while j < json.len() {
        match json[j] {
            b'\\' => j += 2,
            b'"' => return Some(j + 1),
            _ => j += 1,
        }
    }
    None
}

/// The index after the value starting at json[i] (objects and arrays skipped by depth).
fn value_end(json: &[u8], i: usize) -> Option<usize> {
    match *json.get(i)? {
        b'"' => string_end(json, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            while j < json.len() {
                match json[j] {
                    b'"' => {
                        j = string_end(json, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            None
        }
        _ => {
            let mut j = i;
            while j < json.len() && !matches!(json[j], b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n') {
                j += 1;
            }
            Some(j)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_top_level_keys_only() {
        let j = br#"{"messages":[{"role":"user","content":"\"max_tokens\": 5 {"}],"max_tokens": 4096 ,"x":{"max_tokens":1}}"#;
        let (s, e) = top_level(j, b"max_tokens").unwrap();
        assert_eq!(&j[s..e], b"4096");
        assert!(top_level(j, b"missing").is_none());
        assert!(top_level(b"[1]", b"a").is_none());
    }
}
