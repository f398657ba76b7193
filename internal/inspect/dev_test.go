package inspect_test

import (
	"os"
	"reflect"
	"testing"

	"github.com/egressguard/egressguard/internal/inspect"
	"github.com/egressguard/egressguard/internal/inspect/benchtext"
	"github.com/egressguard/egressguard/internal/inspect/evalset"
)

// Targets on the copied dev set (testdata/injection, see SOURCES.md); the
// measured values are in docs/injection.md.
const (
	minDetection = 0.85
	maxFPR       = 0.01
	minRetention = 0.95
)

func loadDev(t *testing.T) []evalset.Row {
	t.Helper()
	f, err := os.Open("../../testdata/injection/prompts.dev.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := evalset.Load(f)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestDevSetTargets(t *testing.T) {
	rep := evalset.Evaluate(eng, loadDev(t), true)
	if d := rep.Overall.TPR(); d < minDetection {
		t.Errorf("detection %.3f < %.2f", d, minDetection)
	}
	if f := rep.Overall.FPR(); f > maxFPR {
		t.Errorf("false-positive rate %.4f > %.2f", f, maxFPR)
	}
	for _, split := range rep.BySplit {
		if split.FPR() > maxFPR {
			t.Errorf("split FPR %.4f > %.2f", split.FPR(), maxFPR)
		}
	}
	for _, p := range rep.Perturbed {
		if p.Retained < minRetention {
			t.Errorf("%s retention %.3f < %.2f", p.Name, p.Retained, minRetention)
		}
	}
}

// TestDevSetUntrusted: scanned as untrusted content (tool results,
// documents) detection is at least that of user turns, with the same FPR
// bound.
func TestDevSetUntrusted(t *testing.T) {
	rows := loadDev(t)
	user := evalset.Evaluate(eng, rows, false).Overall
	unt := evalset.EvaluateOrigin(eng, rows, false, inspect.OriginUntrusted).Overall
	if unt.TPR() < user.TPR() || unt.FPR() > maxFPR {
		t.Errorf("untrusted detection %.3f (user %.3f), FPR %.4f", unt.TPR(), user.TPR(), unt.FPR())
	}
}

// TestFastPathMatchesGeneral checks that the inline fast path and the
// general folding path give identical results on real and perturbed text.
func TestFastPathMatchesGeneral(t *testing.T) {
	for i, r := range loadDev(t) {
		for _, text := range []string{r.Text, evalset.Leet(r.Text, uint64(i)), evalset.Homoglyph(r.Text, uint64(i))} {
			if a, b := eng.Scan(text), eng.ScanSlow(text); !reflect.DeepEqual(a, b) {
				t.Fatalf("fast %+v != general %+v for %q", a, b, text)
			}
		}
	}
}

func TestBaselineCopiesIdentical(t *testing.T) {
	b, err := os.ReadFile("../../testdata/injection/baseline-regexps.txt")
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != benchtext.BaselineSource() {
		t.Fatal("inspect/benchtext/baseline-regexps.txt differs from testdata/injection/baseline-regexps.txt")
	}
	if n := benchtext.NewBaseline().Len(); n != 13 {
		t.Fatalf("baseline has %d regexps, want 13", n)
	}
}
