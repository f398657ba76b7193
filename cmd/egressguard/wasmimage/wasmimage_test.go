package wasmimage

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// testWasm is the real plugin when built, else a small valid-looking module.
func testWasm(t *testing.T) []byte {
	t.Helper()
	p := os.Getenv("GUARD_WASM")
	if p == "" {
		p = filepath.Join("..", "..", "..", "build", "egressguard.wasm")
	}
	if b, err := os.ReadFile(p); err == nil {
		return b
	}
	return append([]byte{0, 'a', 's', 'm', 1, 0, 0, 0}, bytes.Repeat([]byte("egressguard"), 1000)...)
}

func TestPushPullRoundTrip(t *testing.T) {
	wasm := testWasm(t)
	img, err := Build(wasm, Options{Title: "egressguard", Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(registry.New())
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	ref, err := name.ParseReference(u.Host+"/egressguard/plugin:test", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()

	desc, err := remote.Get(ref)
	if err != nil {
		t.Fatal(err)
	}
	if desc.Digest != want {
		t.Errorf("registry digest %s, built %s", desc.Digest, want)
	}
	pulled, err := desc.Image()
	if err != nil {
		t.Fatal(err)
	}
	checkCompat(t, pulled)
	got, err := Extract(pulled)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, wasm) {
		t.Fatalf("pulled plugin.wasm (%d bytes) differs from the input (%d bytes)", len(got), len(wasm))
	}

	// Pull by digest, as a WasmPlugin pinned with url: oci://…@sha256:… does.
	byDigest, _ := name.ParseReference(u.Host+"/egressguard/plugin@"+want.String(), name.Insecure)
	if _, err := remote.Image(byDigest); err != nil {
		t.Errorf("pull by digest: %v", err)
	}
}

// checkCompat asserts the manifest is what Istio's image fetcher accepts as the compat
// variant with OCI media types.
func checkCompat(t *testing.T, img v1.Image) {
	t.Helper()
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.MediaType != types.OCIManifestSchema1 || m.Config.MediaType != types.OCIConfigJSON {
		t.Errorf("manifest %s / config %s", m.MediaType, m.Config.MediaType)
	}
	if len(m.Layers) != 1 || m.Layers[0].MediaType != types.OCILayer {
		t.Fatalf("layers %+v, want exactly one %s", m.Layers, types.OCILayer)
	}
	if m.Annotations[VariantAnnotation] != VariantCompat {
		t.Errorf("annotations %v lack %s=%s", m.Annotations, VariantAnnotation, VariantCompat)
	}
	raw, _ := img.RawManifest()
	var generic map[string]any
	if err := json.Unmarshal(raw, &generic); err != nil || generic["schemaVersion"] != float64(2) {
		t.Errorf("raw manifest: %s", raw)
	}
	cf, err := img.ConfigFile()
	if err != nil || cf.OS != "wasip1" || cf.Architecture != "wasm" {
		t.Errorf("config file %+v, %v", cf, err)
	}
}

func TestReproducible(t *testing.T) {
	wasm := testWasm(t)
	a, _ := Build(wasm, Options{Version: "1"})
	b, _ := Build(wasm, Options{Version: "1"})
	da, _ := a.Digest()
	db, _ := b.Digest()
	if da != db {
		t.Errorf("same input, digests %s and %s", da, db)
	}
	c, _ := Build(append(append([]byte{}, wasm...), 0), Options{Version: "1"})
	if dc, _ := c.Digest(); dc == da {
		t.Error("different wasm, same digest")
	}
}

func TestLayoutRoundTrip(t *testing.T) {
	wasm := testWasm(t)
	img, err := Build(wasm, Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := WriteLayout(dir, img, "egressguard:test"); err != nil {
		t.Fatal(err)
	}
	// Writing again replaces the tagged image instead of accumulating entries.
	if err := WriteLayout(dir, img, "egressguard:test"); err != nil {
		t.Fatal(err)
	}
	p, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	im, _ := idx.IndexManifest()
	if len(im.Manifests) != 1 {
		t.Fatalf("index has %d manifests", len(im.Manifests))
	}
	want, _ := img.Digest()
	if im.Manifests[0].Digest != want || im.Manifests[0].Annotations["org.opencontainers.image.ref.name"] != "egressguard:test" {
		t.Errorf("index entry %+v", im.Manifests[0])
	}
	back, err := idx.Image(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Extract(back)
	if err != nil || !bytes.Equal(got, wasm) {
		t.Fatalf("layout image: %v", err)
	}
	tarPath := filepath.Join(t.TempDir(), "img.tar")
	if err := WriteTarball(tarPath, img, "registry.example.com/egressguard:test"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(tarPath); err != nil || fi.Size() == 0 {
		t.Errorf("tarball: %v", err)
	}
}

func TestRejectsNonWasm(t *testing.T) {
	if _, err := Build([]byte("#!/bin/sh\necho hi\n"), Options{}); err == nil {
		t.Error("built an image from a shell script")
	}
}
