package inspect_test

import (
	"os"
	"reflect"
	"testing"

	"github.com/egressguard/egressguard/internal/inspect"
	"github.com/egressguard/egressguard/internal/inspect/benchtext"
	"github.com/egressguard/egressguard/internal/inspect/evalset"
)

// Floors on the corpus of testdata/injection (see SOURCES.md), a few
// points under the figures measured when they were set (docs/injection.md:
// 67.1 % detection overall, 68.8 % tune / 65.2 % final split; 0.38 % of
// benign rows flagged overall, 0.69 % on the final split; business prompts
// 0 / 304 tune, 4 / 200 final), so that a regression fails the test while
// noise from a lexicon edit does not.
const (
	minDetection      = 0.64   // all rows
	minSplitDetection = 0.62   // each split
	maxFPR            = 0.008  // all rows
	maxSplitFPR       = 0.0100 // final split measured 0.69 %
	maxBusinessFPR    = 0.03   // each split of the business prompts
	minRetention      = 0.95
)

func loadCorpus(t *testing.T) []evalset.Row {
	t.Helper()
	rows, err := evalset.LoadCorpus("../../testdata/injection")
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestCorpusFloors(t *testing.T) {
	rows := loadCorpus(t)
	rep := evalset.Evaluate(eng, rows, true)
	if d := rep.Overall.TPR(); d < minDetection {
		t.Errorf("detection %.3f < %.2f", d, minDetection)
	}
	if f := rep.Overall.FPR(); f > maxFPR {
		t.Errorf("false-positive rate %.4f > %.2f", f, maxFPR)
	}
	for i, split := range rep.BySplit {
		if split.TPR() < minSplitDetection || split.FPR() > maxSplitFPR {
			t.Errorf("split %d: detection %.3f (floor %.2f), FPR %.4f (ceiling %.4f)", i, split.TPR(),
				minSplitDetection, split.FPR(), maxSplitFPR)
		}
	}
	for _, p := range rep.Perturbed {
		if p.Retained < minRetention {
			t.Errorf("%s retention %.3f < %.2f", p.Name, p.Retained, minRetention)
		}
	}
	var business [2]evalset.Counts
	for _, r := range rows {
		if r.Business() {
			business[r.Split()].Add(false, eng.Scan(r.Text).Flagged)
		}
	}
	for i, c := range business {
		if c.Benign < 100 || c.FPR() > maxBusinessFPR {
			t.Errorf("business prompts, split %d: %d of %d flagged (ceiling %.1f%%)", i, c.Flagged, c.Benign, 100*maxBusinessFPR)
		}
	}
}

// TestCorpusUntrusted: scanned as untrusted content (tool results,
// documents) detection is at least that of user turns, with a false
// positive rate still near the user-turn bound.
func TestCorpusUntrusted(t *testing.T) {
	rows := loadCorpus(t)
	user := evalset.Evaluate(eng, rows, false).Overall
	unt := evalset.EvaluateOrigin(eng, rows, false, inspect.OriginUntrusted).Overall
	if unt.TPR() < user.TPR() || unt.FPR() > 1.5*maxFPR {
		t.Errorf("untrusted detection %.3f (user %.3f), FPR %.4f", unt.TPR(), user.TPR(), unt.FPR())
	}
}

// TestFastPathMatchesGeneral checks that the inline fast path and the
// general folding path give identical results on real and perturbed text.
func TestFastPathMatchesGeneral(t *testing.T) {
	for i, r := range loadCorpus(t) {
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
