package swar

import (
	"encoding/binary"
	"testing"
)

func TestLoad8IsLittleEndian(t *testing.T) {
	s := "xx\x01\x02\x03\x04\x05\x06\x07\x88yy"
	for i := 0; i+8 <= len(s); i++ {
		if got, want := Load8(s, i), binary.LittleEndian.Uint64([]byte(s[i:i+8])); got != want {
			t.Errorf("Load8(s, %d) = %#x, want %#x", i, got, want)
		}
	}
}
