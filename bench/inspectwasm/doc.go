// Package inspectwasm benchmarks the inspect engine compiled to wasm
// (GOOS=wasip1, -buildmode=c-shared, as the Envoy plugin is built) under
// the wazero runtime, next to the naive regexp baseline. See README.md.
package inspectwasm
