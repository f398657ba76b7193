package llmreq

import (
	"encoding/base64"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/jsonscan"
)

// MediaKind is a kind of input the guard cannot read as text.
type MediaKind uint8

// Media kinds, as named in injection.opaque_inputs.
const (
	MediaImage  MediaKind = iota // images: data, URLs and file ids
	MediaAudio                   // audio
	MediaVideo                   // video
	MediaFile                    // files and documents that are not UTF-8 text (PDFs, …), file ids and URLs
	MediaTokens                  // prompts given as token ids (legacy completions, embeddings)
	numMedia
)

var mediaNames = [numMedia]string{"image", "audio", "video", "file", "tokens"}

// String names the kind as the configuration does.
func (k MediaKind) String() string { return mediaNames[k] }

// MediaKinds lists the names injection.opaque_inputs accepts.
func MediaKinds() []string { return append([]string(nil), mediaNames[:]...) }

// MediaSet is a set of media kinds.
type MediaSet uint8

// Has reports whether k is in the set.
func (s MediaSet) Has(k MediaKind) bool { return s&(1<<k) != 0 }

// ParseMediaSet reads configuration names ("image", …); ok is false for an unknown one.
func ParseMediaSet(names []string) (set MediaSet, bad string, ok bool) {
	for _, n := range names {
		found := false
		for k, m := range mediaNames {
			if n == m {
				set |= 1 << k
				found = true
			}
		}
		if !found {
			return 0, n, false
		}
	}
	return set, "", true
}

// mediaTypes maps the "type" of a content part or block to the kind of media it
// carries (OpenAI chat and Responses, Mistral, Anthropic).
var mediaTypes = map[string]MediaKind{
	"image_url": MediaImage, "input_image": MediaImage, "image": MediaImage, "computer_screenshot": MediaImage,
	"input_audio": MediaAudio, "audio": MediaAudio, "audio_url": MediaAudio,
	"video_url": MediaVideo, "input_video": MediaVideo, "video": MediaVideo,
	"file": MediaFile, "input_file": MediaFile, "document_url": MediaFile, "document": MediaFile, "container_upload": MediaFile,
}

// payloadKeys are the members of a media part that hold the media itself (data,
// URLs, file ids); the part's other strings (titles, context, file names) are text.
var payloadKeys = map[string]bool{
	"image_url": true, "url": true, "data": true, "file_data": true, "file_id": true, "file_url": true,
	"input_audio": true, "audio_url": true, "video_url": true, "document_url": true, "source": true, "file": true,
}

// opaqueError is the 400 for media the configuration does not let through.
func opaqueError(kind MediaKind, path string) *apierr.Error {
	return apierr.Invalid("unsupported_content", path,
		"%s carries %s input, which the guard cannot inspect; allow it with injection.opaque_inputs: [%q]",
		path, articled(kind), kind.String())
}

func articled(k MediaKind) string {
	if k == MediaImage || k == MediaAudio {
		return "an " + k.String()
	}
	if k == MediaTokens {
		return "token-id"
	}
	return "a " + k.String()
}

// media finds media parts by their "type", marks their payload as not text, turns
// base64 files that decode to UTF-8 text into text segments, and refuses what the
// options do not allow.
func (p *parser) media() *apierr.Error {
	t := p.t
	for i := range t.Nodes {
		if t.Nodes[i].Kind != jsonscan.Object {
			continue
		}
		ty := t.Member(i, "type")
		if ty < 0 || t.Nodes[ty].Kind != jsonscan.String {
			continue
		}
		kind, ok := mediaTypes[t.Str(ty)]
		if !ok {
			continue
		}
		if kind == MediaFile && p.documentText(i) {
			continue
		}
		decoded := false
		for j := t.First(i); j >= 0; j = t.Next(j) {
			if !payloadKeys[t.Key(j)] {
				continue
			}
			p.opaque(j)
			if kind == MediaFile && !decoded {
				decoded = p.decodeText(j)
			}
		}
		if decoded {
			continue
		}
		if err := p.allow(kind, i); err != nil {
			return err
		}
	}
	return nil
}

// allow records media kind at node i, or refuses it.
func (p *parser) allow(kind MediaKind, i int) *apierr.Error {
	if !p.opt.SkipMediaCheck && !p.opt.Opaque.Has(kind) {
		return opaqueError(kind, p.t.Path(i))
	}
	p.r.Media = append(p.r.Media, Media{Kind: kind, Path: p.t.Path(i)})
	return nil
}

// documentText handles an Anthropic document whose source is plain text
// ({"type":"text","data":…}) or content blocks ({"type":"content",…}): text the
// guard reads like any other. It reports whether block i was one.
func (p *parser) documentText(i int) bool {
	t := p.t
	src := t.Member(i, "source")
	if src < 0 || t.Nodes[src].Kind != jsonscan.Object {
		return false
	}
	st := t.Member(src, "type")
	switch {
	case st < 0:
		return false
	case t.Str(st) == "text":
		if d := t.Member(src, "data"); d >= 0 && t.Nodes[d].Kind == jsonscan.String {
			p.mark(d, FieldContent)
		}
		return true
	case t.Str(st) == "content":
		return true
	}
	return false
}

// decodeText looks for a base64 payload under node j (a data: URL, or base64 in a
// "data" or "file_data" string) that decodes to UTF-8 text, and adds the text as a
// segment of origin document. It reports whether it found one.
func (p *parser) decodeText(j int) bool {
	t := p.t
	for k := j; k < int(t.Nodes[j].Skip); k++ {
		if t.Nodes[k].Kind != jsonscan.String {
			continue
		}
		s := t.Str(k)
		if rest, ok := strings.CutPrefix(s, "data:"); ok {
			comma := strings.IndexByte(rest, ',')
			if comma < 0 || !strings.HasSuffix(rest[:comma], ";base64") {
				continue
			}
			s = rest[comma+1:]
		} else if key := t.Key(k); key != "data" && key != "file_data" {
			continue
		}
		text, ok := base64Text(s)
		if !ok {
			continue
		}
		p.decoded = append(p.decoded, decodedText{node: int32(k), text: text})
		return true
	}
	return false
}

// base64Text decodes s (standard or URL alphabet, padded or not) and returns the
// result when it is UTF-8 text: valid, without NUL, and printable but for
// whitespace.
func base64Text(s string) (string, bool) {
	if len(s) < 4 {
		return "", false
	}
	var out []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if out, err = enc.DecodeString(s); err == nil {
			break
		}
	}
	if err != nil || !utf8.Valid(out) {
		return "", false
	}
	for _, r := range string(out) {
		if r == 0 || (!unicode.IsPrint(r) && !unicode.IsSpace(r) && r != '\ufeff') {
			return "", false
		}
	}
	return string(out), true
}
