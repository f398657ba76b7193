package fakellm

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"
)

// Recorded is one request as the server received it.
//
// Its JSON form (used by GET /_fakellm/requests) is
//
//	{"seq":1,"time":"RFC3339Nano","method":"POST","path":"/v1/chat/completions",
//	 "query":"","host":"127.0.0.1:8081","headers":{"Content-Type":["application/json"]},
//	 "body":"<raw body as a string>","proto":"HTTP/1.1"}
//
// plus "incomplete": true and "body_error" when the body did not arrive whole (the
// client reset the stream or closed the connection mid-body: the server never got a
// complete request), and "trailers" when the request ended in trailers;
//
// plus "body_base64" (the exact bytes) when the body is not valid UTF-8, in
// which case "body" has U+FFFD in place of the bad bytes. Header names are in
// Go's canonical form.
type Recorded struct {
	Seq     uint64      // 1-based arrival number (also drives response ids)
	Time    time.Time   // arrival time
	Method  string      // e.g. "POST"
	Path    string      // URL path, e.g. "/v1/chat/completions"
	Query   string      // raw query, without "?"
	Host    string      // Host header / :authority
	Headers http.Header // all request headers
	Body    []byte      // raw request body (what arrived, when Incomplete)
	Proto   string      // "HTTP/1.1" or "HTTP/2.0"
	// Incomplete is set when the body did not arrive whole: the stream was reset or the
	// connection closed mid-body (BodyError says how). Such a request was never
	// complete at this server.
	Incomplete bool
	BodyError  string
	Trailers   http.Header // request trailers (nil when none)
}

type recordedJSON struct {
	Seq        uint64      `json:"seq"`
	Time       time.Time   `json:"time"`
	Method     string      `json:"method"`
	Path       string      `json:"path"`
	Query      string      `json:"query"`
	Host       string      `json:"host"`
	Headers    http.Header `json:"headers"`
	Body       string      `json:"body"`
	BodyBase64 string      `json:"body_base64,omitempty"`
	Proto      string      `json:"proto,omitempty"`
	Incomplete bool        `json:"incomplete,omitempty"`
	BodyError  string      `json:"body_error,omitempty"`
	Trailers   http.Header `json:"trailers,omitempty"`
}

// MarshalJSON implements json.Marshaler (see the type doc).
func (r Recorded) MarshalJSON() ([]byte, error) {
	j := recordedJSON{Seq: r.Seq, Time: r.Time, Method: r.Method, Path: r.Path,
		Query: r.Query, Host: r.Host, Headers: r.Headers, Body: string(r.Body),
		Proto: r.Proto, Incomplete: r.Incomplete, BodyError: r.BodyError, Trailers: r.Trailers}
	if j.Headers == nil {
		j.Headers = http.Header{}
	}
	if !utf8.Valid(r.Body) {
		j.BodyBase64 = base64.StdEncoding.EncodeToString(r.Body)
	}
	return json.Marshal(j)
}

// UnmarshalJSON implements json.Unmarshaler, the inverse of MarshalJSON.
func (r *Recorded) UnmarshalJSON(b []byte) error {
	var j recordedJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = Recorded{Seq: j.Seq, Time: j.Time, Method: j.Method, Path: j.Path,
		Query: j.Query, Host: j.Host, Headers: j.Headers, Body: []byte(j.Body),
		Proto: j.Proto, Incomplete: j.Incomplete, BodyError: j.BodyError, Trailers: j.Trailers}
	if j.BodyBase64 != "" {
		raw, err := base64.StdEncoding.DecodeString(j.BodyBase64)
		if err != nil {
			return err
		}
		r.Body = raw
	}
	return nil
}

type recorder struct {
	mu   sync.Mutex
	max  int
	reqs []Recorded
}

func (rc *recorder) add(r Recorded) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.max > 0 && len(rc.reqs) >= rc.max {
		n := copy(rc.reqs, rc.reqs[len(rc.reqs)-rc.max+1:])
		rc.reqs = rc.reqs[:n]
	}
	rc.reqs = append(rc.reqs, r)
}

func (rc *recorder) all() []Recorded {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := make([]Recorded, len(rc.reqs))
	copy(out, rc.reqs)
	return out
}

func (rc *recorder) to(path string) []Recorded {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []Recorded
	for _, r := range rc.reqs {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

func (rc *recorder) last() (Recorded, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.reqs) == 0 {
		return Recorded{}, false
	}
	return rc.reqs[len(rc.reqs)-1], true
}

func (rc *recorder) reset() {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.reqs = nil
}

func (s *Server) handleRecorded(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("allow", http.MethodGet)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("content-type", "application/json")
	_, _ = w.Write(marshal(s.Requests()))
}

func (s *Server) handleReset(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	s.Reset()
	w.WriteHeader(http.StatusNoContent)
}
