//go:build !wasip1

package hostcalls

// CanCollect reports whether runtime.GC may run inside a call into the VM: always
// outside WebAssembly (native tests).
func CanCollect() bool { return true }

// FinishCollection does nothing outside WebAssembly: the runtime's own threads run the
// collector's background workers.
func FinishCollection() {}
