package inspect

import (
	"fmt"
	"testing"

	"github.com/egressguard/egressguard/internal/inspect/benchtext"
)

var benchSizes = []int{1 << 10, 4 << 10, 64 << 10}

// BenchmarkScan compares the engine with the naive regexp baseline on the
// same benign English inputs.
func BenchmarkScan(b *testing.B) {
	eng := MustNew(DefaultConfig())
	base := benchtext.NewBaseline()
	for _, n := range benchSizes {
		text := benchtext.English(n)
		b.Run(fmt.Sprintf("engine/%dKiB", n>>10), func(b *testing.B) {
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if eng.Scan(text).Flagged {
					b.Fatal("benign bench text flagged")
				}
			}
		})
		b.Run(fmt.Sprintf("baseline/%dKiB", n>>10), func(b *testing.B) {
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				base.Match(text)
			}
		})
	}
}
