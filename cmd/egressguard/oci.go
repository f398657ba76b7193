package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/egressguard/egressguard/cmd/egressguard/wasmimage"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func runOCI(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("oci", stderr)
	wasmPath := fs.String("wasm", defaultWasm(), "compiled plugin")
	layoutDir := fs.String("layout", "build/oci", "write an OCI image layout here (\"\" to skip)")
	tarPath := fs.String("tar", "", "also write a docker-save style tarball here (for docker load / crane push)")
	tag := fs.String("tag", "egressguard:dev", "image reference recorded in the layout / tarball")
	push := fs.String("push", "", "push to this reference (e.g. registry.example.com/egressguard:v1) with the local docker credentials")
	insecure := fs.Bool("insecure", false, "with -push: allow plain-HTTP registries")
	version := fs.String("version", "", "org.opencontainers.image.version annotation")
	source := fs.String("source", "https://github.com/egressguard/egressguard", "org.opencontainers.image.source annotation")
	revision := fs.String("revision", "", "org.opencontainers.image.revision annotation (e.g. $(git rev-parse HEAD))")
	digestFile := fs.String("digest-file", "", "write the manifest digest (hex, for WasmPlugin spec.sha256) to this file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	wasm, err := os.ReadFile(*wasmPath)
	if err != nil {
		return fmt.Errorf("%v (run `make build`)", err)
	}
	img, err := wasmimage.Build(wasm, wasmimage.Options{Title: "egressguard", Version: *version, Source: *source, Revision: *revision})
	if err != nil {
		return fmt.Errorf("%s: %v", *wasmPath, err)
	}
	digest, err := img.Digest()
	if err != nil {
		return err
	}
	sum := sha256.Sum256(wasm)
	fmt.Fprintf(stdout, "wasm:    %s  %d bytes  sha256 %s\n", *wasmPath, len(wasm), hex.EncodeToString(sum[:]))
	if *layoutDir != "" {
		if err := wasmimage.WriteLayout(*layoutDir, img, *tag); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "layout:  %s (OCI image layout, ref %s; push with: crane push %s <registry>/egressguard:<tag>)\n", *layoutDir, *tag, *layoutDir)
	}
	if *tarPath != "" {
		if err := wasmimage.WriteTarball(*tarPath, img, *tag); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "tarball: %s\n", *tarPath)
	}
	ref := "<registry>/egressguard:<tag>"
	if *push != "" {
		var opts []name.Option
		if *insecure {
			opts = append(opts, name.Insecure)
		}
		r, err := name.ParseReference(*push, opts...)
		if err != nil {
			return err
		}
		if err := remote.Write(r, img, remote.WithAuthFromKeychain(authn.DefaultKeychain)); err != nil {
			return fmt.Errorf("push %s: %v", r, err)
		}
		ref = r.Context().Name() + ":" + strings.TrimPrefix(r.Identifier(), "sha256:")
		fmt.Fprintf(stdout, "pushed:  %s\n", r)
	}
	fmt.Fprintf(stdout, "digest:  %s\n", digest)
	fmt.Fprintf(stdout, "\nWasmPlugin (pin the image by digest):\n  url: oci://%s\n  sha256: %s\n", ref, digest.Hex)
	if *digestFile != "" {
		if err := os.WriteFile(*digestFile, []byte(digest.Hex+"\n"), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// defaultWasm is $GUARD_WASM or build/egressguard.wasm.
func defaultWasm() string {
	if p := os.Getenv("GUARD_WASM"); p != "" {
		return p
	}
	return "build/egressguard.wasm"
}
