package fakellm

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestAbortOnceCutStall(t *testing.T) {
	s := newTest(Options{})
	ts := httptest.NewServer(s)
	defer ts.Close()
	post := func(content string) (*http.Response, error) {
		return http.Post(ts.URL+"/v1/chat/completions", "application/json", strings.NewReader(chatBody("gpt-4o-mini", content, "")))
	}
	if _, err := post("[[abort-once:x1]]"); err == nil {
		t.Error("abort-once: the first request got a response")
	}
	if resp, err := post("[[abort-once:x1]]"); err != nil || resp.StatusCode != 200 {
		t.Errorf("abort-once: the retry got %v %v, want 200", resp, err)
	}
	resp, err := post("[[cut]]")
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || err == nil || int64(len(b)) >= resp.ContentLength {
		t.Errorf("cut: status %d, %d of %d bytes, err %v; want a 200 whose body breaks", resp.StatusCode, len(b), resp.ContentLength, err)
	}
	resp, err = post("[[resp-trailers]]")
	if err != nil {
		t.Fatal(err)
	}
	b, err = io.ReadAll(resp.Body)
	if err != nil || resp.Trailer.Get("X-Fakellm-Trailer") != "done" || !strings.Contains(string(b), `"choices"`) {
		t.Errorf("resp-trailers: %v trailer %v body %s", err, resp.Trailer, b)
	}
	start := time.Now()
	resp, err = post("[[stall:200ms]]")
	if err != nil {
		t.Fatal(err)
	}
	b, err = io.ReadAll(resp.Body)
	if err == nil || len(b) != 0 || time.Since(start) < 200*time.Millisecond {
		t.Errorf("stall: %d bytes after %v, err %v", len(b), time.Since(start), err)
	}
}

// A body cut short (the client went away mid-body) is recorded as incomplete, over
// HTTP/1.1 with content-length and chunked.
func TestRecordsIncompleteBodies(t *testing.T) {
	s := newTest(Options{})
	ts := httptest.NewServer(s)
	defer ts.Close()
	for _, head := range []string{"Content-Length: 500\r\n", "Transfer-Encoding: chunked\r\n"} {
		s.Reset()
		conn, err := net.Dial("tcp", ts.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		body := `{"model":"m","messages":[`
		if strings.Contains(head, "chunked") {
			body = fmt.Sprintf("%x\r\n%s\r\n", len(body), body)
		}
		fmt.Fprintf(conn, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n%s\r\n%s", head, body)
		time.Sleep(50 * time.Millisecond)
		conn.Close()
		deadline := time.Now().Add(2 * time.Second)
		for len(s.Requests()) == 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		r, ok := s.Last()
		if !ok || !r.Incomplete || r.BodyError == "" || r.Proto != "HTTP/1.1" {
			t.Errorf("%s: recorded %+v, want incomplete", strings.TrimSpace(head), r)
		}
	}
	// A complete chunked body with trailers is complete, trailers recorded.
	s.Reset()
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := chatBody("gpt-4o-mini", "hi", "")
	fmt.Fprintf(conn, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n%x\r\n%s\r\n0\r\nX-T: v\r\n\r\n", len(body), body)
	if resp, err := http.ReadResponse(bufio.NewReader(conn), nil); err != nil || resp.StatusCode != 200 {
		t.Fatalf("chunked with trailers: %v %v", resp, err)
	}
	if r, _ := s.Last(); r.Incomplete || r.Trailers.Get("X-T") != "v" || string(r.Body) != body {
		t.Errorf("recorded %+v", r)
	}
}
