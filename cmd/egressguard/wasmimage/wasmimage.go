// Package wasmimage packages the plugin as an OCI image in the Wasm Image
// Specification's "compat" variant, which Istio's agent (WasmPlugin url: oci://…) and
// Envoy Gateway pull: one application/vnd.oci.image.layer.v1.tar+gzip layer holding
// plugin.wasm, and the manifest annotation module.wasm.image/variant=compat
// (https://github.com/solo-io/wasm/blob/master/spec/spec-compat.md).
//
// Images are built without Docker (go-containerregistry) and are reproducible: the
// same wasm gives the same manifest digest, which is the value of WasmPlugin
// spec.sha256.
package wasmimage

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"path"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/match"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Spec constants.
const (
	// FileName is the wasm binary's name inside the layer.
	FileName = "plugin.wasm"
	// VariantAnnotation marks a compat image with an OCI layer media type.
	VariantAnnotation = "module.wasm.image/variant"
	VariantCompat     = "compat"
)

// Options are image metadata (all optional).
type Options struct {
	Title    string // org.opencontainers.image.title
	Version  string // org.opencontainers.image.version
	Source   string // org.opencontainers.image.source
	Revision string // org.opencontainers.image.revision
}

var wasmMagic = []byte{0x00, 'a', 's', 'm'}

// Build returns the compat image holding wasm as plugin.wasm.
func Build(wasm []byte, opt Options) (v1.Image, error) {
	if len(wasm) < 8 || !bytes.Equal(wasm[:4], wasmMagic) {
		return nil, errors.New("not a wasm binary (missing \\0asm header)")
	}
	gz, err := layerBytes(wasm)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(gz)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{
		Layer:     layer,
		MediaType: types.OCILayer,
		History:   v1.History{CreatedBy: "egressguard oci: " + FileName, Created: v1.Time{Time: time.Unix(0, 0).UTC()}},
	})
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "wasip1", "wasm"
	cf.Created = v1.Time{Time: time.Unix(0, 0).UTC()}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		return nil, err
	}
	anns := map[string]string{VariantAnnotation: VariantCompat}
	for k, v := range map[string]string{
		"org.opencontainers.image.title":    opt.Title,
		"org.opencontainers.image.version":  opt.Version,
		"org.opencontainers.image.source":   opt.Source,
		"org.opencontainers.image.revision": opt.Revision,
	} {
		if v != "" {
			anns[k] = v
		}
	}
	out, ok := mutate.Annotations(img, anns).(v1.Image)
	if !ok {
		return nil, errors.New("annotating the image did not return an image")
	}
	return out, nil
}

// layerBytes is a reproducible tar.gz holding plugin.wasm (fixed mtime, owner and
// mode; no gzip name or time).
func layerBytes(wasm []byte) ([]byte, error) {
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	hdr := &tar.Header{
		Name:     FileName,
		Mode:     0o644,
		Size:     int64(len(wasm)),
		ModTime:  time.Unix(0, 0),
		Typeflag: tar.TypeReg,
		Format:   tar.FormatPAX,
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return nil, err
	}
	if _, err := tw.Write(wasm); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	var gb bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gb, gzip.DefaultCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(tb.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return gb.Bytes(), nil
}

// Extract returns plugin.wasm from an image the way Istio's agent does: the last layer
// must be an OCI (or Docker) tar+gzip layer and hold a file whose base name is
// plugin.wasm.
func Extract(img v1.Image) ([]byte, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	if len(layers) == 0 {
		return nil, errors.New("image has no layers")
	}
	l := layers[len(layers)-1]
	mt, err := l.MediaType()
	if err != nil {
		return nil, err
	}
	if mt != types.OCILayer && mt != types.DockerLayer {
		return nil, fmt.Errorf("layer media type %s, want %s", mt, types.OCILayer)
	}
	rc, err := l.Compressed()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	zr, err := gzip.NewReader(rc)
	if err != nil {
		return nil, fmt.Errorf("layer is not gzip: %w", err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, fmt.Errorf("%s not found in the layer", FileName)
		}
		if err != nil {
			return nil, err
		}
		if path.Base(h.Name) == FileName {
			return io.ReadAll(tr)
		}
	}
}

// WriteLayout writes img into an OCI image layout directory (created if needed),
// tagged ref (org.opencontainers.image.ref.name), replacing an earlier image with the
// same tag. Push it with `crane push <dir> <ref>` or `oras cp`/`skopeo copy oci:<dir>`.
func WriteLayout(dir string, img v1.Image, ref string) error {
	p, err := layout.FromPath(dir)
	if err != nil {
		if p, err = layout.Write(dir, empty.Index); err != nil {
			return err
		}
	}
	anns := map[string]string{"org.opencontainers.image.ref.name": ref}
	return p.ReplaceImage(img, match.Annotation("org.opencontainers.image.ref.name", ref), layout.WithAnnotations(anns))
}

// WriteTarball writes img as a `docker save`-style tarball tagged ref (loadable with
// `docker load`, pushable with `crane push`). Registries get the OCI media types either
// way; the compat annotation survives only the layout and direct pushes.
func WriteTarball(file string, img v1.Image, ref string) error {
	tag, err := name.NewTag(ref)
	if err != nil {
		return err
	}
	return tarball.WriteToFile(file, tag, img)
}
