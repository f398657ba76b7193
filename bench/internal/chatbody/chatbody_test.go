package chatbody

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"
)

func TestMake(t *testing.T) {
	for _, tc := range []struct {
		size   int
		stream bool
	}{{1024, false}, {16384, false}, {1024, true}, {600, false}} {
		bodies, err := Make(tc.size, 4, 1024, tc.stream)
		if err != nil {
			t.Fatalf("size %d: %v", tc.size, err)
		}
		seen := map[string]bool{}
		for i, b := range bodies {
			if len(b) != tc.size {
				t.Errorf("size %d body %d: %d bytes", tc.size, i, len(b))
			}
			var c chatBody
			if err := json.Unmarshal(b, &c); err != nil {
				t.Fatalf("size %d body %d: %v", tc.size, i, err)
			}
			if above := c.MaxTokens > 1024; above != (i%2 == 0) {
				t.Errorf("size %d body %d: max_tokens %d, want above the cap only for even bodies", tc.size, i, c.MaxTokens)
			}
			if c.Stream != tc.stream {
				t.Errorf("size %d body %d: stream %v", tc.size, i, c.Stream)
			}
			seen[string(b)] = true
		}
		if len(seen) != len(bodies) {
			t.Errorf("size %d: %d distinct bodies of %d", tc.size, len(seen), len(bodies))
		}
		again, _ := Make(tc.size, 4, 1024, tc.stream)
		if !bytes.Equal(again[1], bodies[1]) {
			t.Errorf("size %d: not deterministic", tc.size)
		}
	}
	if _, err := Make(200, 2, 1024, false); err == nil {
		t.Error("a 200-byte body cannot hold the messages: want an error")
	}
}

func TestHTTPRequest(t *testing.T) {
	body := []byte(`{"model":"m"}`)
	req := HTTPRequest(body)
	head, got, ok := bytes.Cut(req, []byte("\r\n\r\n"))
	if !ok || !bytes.Equal(got, body) {
		t.Fatalf("request does not end with the body: %q", req)
	}
	if !bytes.HasPrefix(head, []byte("POST "+Path+" HTTP/1.1\r\n")) ||
		!bytes.Contains(head, []byte("content-length: "+strconv.Itoa(len(body)))) {
		t.Errorf("bad head %q", head)
	}
}
