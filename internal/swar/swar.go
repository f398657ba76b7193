// Package swar holds what the byte scanners share to test eight bytes at a time
// (SIMD within a register): one word load and a few word operations, which in Go's
// wasm output cost a fraction of eight byte loads, compares and branches.
package swar

const (
	// Ones has 0x01 in every byte: c*Ones repeats the byte c eight times.
	Ones = 0x0101010101010101
	// High has bit 7 of every byte set: the bit word masks report bytes in.
	High = 0x8080808080808080
)

// Load8 reads s[i:i+8] as a little-endian word (the first byte in the low bits)
// whatever the platform; i+8 <= len(s). The compiler merges the byte loads into one.
func Load8(s string, i int) uint64 {
	t := s[i : i+8]
	return uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
		uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
}
