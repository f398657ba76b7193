//go:build armbe || arm64be || m68k || mips || mips64 || mips64p32 || ppc || ppc64 || s390 || s390x || shbe || sparc || sparc64

package inspect

// bigEndian: eight-byte loads put the first byte in the high bits.
const bigEndian = true
