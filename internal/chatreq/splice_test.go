package chatreq

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

const msgs = `"messages":[{"role":"user","content":"hi"}]`

func mustParse(t testing.TB, body string) *Request {
	t.Helper()
	r, err := Parse(KindChat, []byte(body))
	if err != nil {
		t.Fatalf("Parse(%s): %v", body, err)
	}
	return r
}

type edit struct{ name, raw string }

func TestSetMember(t *testing.T) {
	cases := []struct {
		name, in string
		edits    []edit
		want     string
	}{
		{"clamp, followed by other fields", `{"model":"m","max_tokens":100000,"temperature":0.5,` + msgs + `}`,
			[]edit{{"max_tokens", "4096"}}, `{"model":"m","max_tokens":4096,"temperature":0.5,` + msgs + `}`},
		{"clamp, last field, spaces kept", `{"model":"m",` + msgs + `, "max_tokens" :  1e30 }`,
			[]edit{{"max_tokens", "10"}}, `{"model":"m",` + msgs + `, "max_tokens" :  10 }`},
		{"grow then shrink", `{"max_tokens":5,"model":"m",` + msgs + `,"max_completion_tokens":99999999}`,
			[]edit{{"max_tokens", "1234567"}, {"max_completion_tokens", "7"}},
			`{"max_tokens":1234567,"model":"m",` + msgs + `,"max_completion_tokens":7}`},
		{"default inserted", `{"model":"m",` + msgs + `}`,
			[]edit{{"max_tokens", "100"}}, `{"model":"m",` + msgs + `,"max_tokens":100}`},
		{"insert keeps newline before brace", "{\n  \"model\": \"m\",\n  " + msgs + "\n}\n",
			[]edit{{"max_tokens", "100"}, {"safe_prompt", "true"}},
			"{\n  \"model\": \"m\",\n  " + msgs + "\n,\"max_tokens\":100,\"safe_prompt\":true}\n"},
		{"replace false, then insert", "{\"safe_prompt\":false,\"model\":\"m\"," + msgs + "\t}",
			[]edit{{"safe_prompt", "true"}, {"max_tokens", "8"}, {"max_tokens", "9"}},
			"{\"safe_prompt\":true,\"model\":\"m\"," + msgs + "\t,\"max_tokens\":9}"},
		{"escaped key matches", `{"model":"m",` + msgs + `,"max\u005ftokens":50000}`,
			[]edit{{"max_tokens", "1"}}, `{"model":"m",` + msgs + `,"max\u005ftokens":1}`},
	}
	for _, c := range cases {
		r := mustParse(t, c.in)
		body := []byte(c.in)
		want := c.in
		for _, e := range c.edits {
			var err error
			if body, err = r.SetMember(body, e.name, e.raw); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if s, err := sjson.SetRaw(want, e.name, e.raw); err != nil {
				t.Fatal(err)
			} else {
				want = s
			}
		}
		if string(body) != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, body, c.want)
		}
		if string(trimWS(body)) != string(trimWS([]byte(want))) {
			t.Errorf("%s: differs from sjson:\n got %q\nsjson %q", c.name, body, want)
		}
		if _, err := Parse(KindChat, body); err != nil {
			t.Errorf("%s: result does not parse: %v", c.name, err)
		}
	}
}

func TestSetMemberOtherBodies(t *testing.T) {
	r := mustParse(t, `{"model":"m",`+msgs+`,"max_tokens":5}`)
	// A body the request does not know (e.g. rewritten by sjson) is located first.
	for _, c := range []struct{ in, want string }{
		{`{}`, `{"max_tokens":7}`},
		{"{ \n }", "{ \n \"max_tokens\":7}"},
		{` {"a":{"max_tokens":1},"max_tokens":[1,2]} `, ` {"a":{"max_tokens":1},"max_tokens":7} `},
		{`{"a":"}"}`, `{"a":"}","max_tokens":7}`},
	} {
		out, err := r.SetMember([]byte(c.in), "max_tokens", "7")
		if err != nil || string(out) != c.want {
			t.Errorf("SetMember(%q) = %q, %v; want %q", c.in, out, err, c.want)
		}
	}
	for _, in := range []string{``, `[]`, `{"a":1`, `{"a":1}}`, `"x"`} {
		if out, err := r.SetMember([]byte(in), "max_tokens", "7"); err == nil {
			t.Errorf("SetMember(%q) = %q, want an error", in, out)
		}
	}
	body := []byte(`{"model":"m",` + msgs + `}`)
	r = mustParse(t, string(body))
	for _, e := range []edit{{"max_tokens", ""}, {"max_tokens", "1 2"}, {"max_tokens", "{"}, {"", "1"}, {`a"b`, "1"}, {"a\nb", "1"}} {
		if out, err := r.SetMember(body, e.name, e.raw); err == nil {
			t.Errorf("SetMember(%q, %q) = %q, want an error", e.name, e.raw, out)
		}
	}
	// The caller's body is never modified.
	orig := string(body)
	if _, err := r.SetMember(body, "max_tokens", "1"); err != nil || string(body) != orig {
		t.Errorf("body modified or error %v", err)
	}
	// Setting on the parsed body again (ignoring the first result) starts from that body.
	out, err := r.SetMember(body, "max_tokens", "2")
	if err != nil || gjson.GetBytes(out, "max_tokens").Raw != "2" || bytes.Count(out, []byte("max_tokens")) != 1 {
		t.Errorf("second SetMember on the original body = %q, %v", out, err)
	}
}

func trimWS(b []byte) []byte { return bytes.Trim(b, " \t\n\r") }

// FuzzSetMember checks the splice against sjson on the same edits: same bytes (up to
// the whitespace around the root object, which sjson drops when it adds a key), and a
// valid body holding the new value. Bodies that Parse accepts use the recorded
// positions; every valid JSON object is also tried through the locating path.
func FuzzSetMember(f *testing.F) {
	f.Add([]byte(`{"model":"m",`+msgs+`,"max_tokens":100000,"temperature":0.5}`), uint8(0), uint32(100))
	f.Add([]byte("{\"model\":\"m\",\n"+msgs+"\n}\n"), uint8(0x1b), uint32(7))
	f.Add([]byte(`{"safe_prompt":false,"model":"m",`+msgs+`,"max_completion_tokens":1e9}`), uint8(0x36), uint32(1<<31))
	f.Add([]byte(`{}`), uint8(0x2d), uint32(3))
	f.Add([]byte(` { "a" : { "max_tokens" : 1 } , "max\u005ftokens" : "x" } `), uint8(0x09), uint32(0))
	names := [...]string{"max_tokens", "max_completion_tokens", "safe_prompt", "x"}
	f.Fuzz(func(t *testing.T, body []byte, sel uint8, n uint32) {
		if !gjson.ValidBytes(body) || !gjson.ParseBytes(body).IsObject() {
			return
		}
		var edits []edit
		for k := 0; k < 3; k++ {
			raw := strconv.FormatUint(uint64(n>>k), 10)
			if sel>>(6+k/2)&1 == 1 {
				raw = `true`
			}
			edits = append(edits, edit{names[sel>>(2*k)&3], raw})
		}
		want := string(body)
		for _, e := range edits {
			s, err := sjson.SetRaw(want, e.name, e.raw)
			if err != nil {
				t.Fatal(err)
			}
			want = s
		}
		check := func(how string, r *Request, in []byte) {
			out := in
			for _, e := range edits {
				var err error
				if out, err = r.SetMember(out, e.name, e.raw); err != nil {
					t.Fatalf("%s: SetMember(%q, %s): %v", how, in, e.name, err)
				}
			}
			if !bytes.Equal(trimWS(out), trimWS([]byte(want))) {
				t.Fatalf("%s: SetMember(%q) = %q, sjson %q", how, body, out, want)
			}
			if !gjson.ValidBytes(out) {
				t.Fatalf("%s: invalid JSON %q", how, out)
			}
			last := edits[len(edits)-1]
			if v := gjson.GetBytes(out, last.name); v.Raw != last.raw {
				t.Fatalf("%s: %s = %q in %q", how, last.name, v.Raw, out)
			}
			if !bytes.Equal(in, body) {
				t.Fatalf("%s: input modified", how)
			}
		}
		if r, err := Parse(KindChat, body); err == nil {
			check("parsed", r, body)
		}
		check("located", &Request{}, append([]byte(nil), body...))
	})
}
