package main

import "testing"

func TestParsePerfScriptAndSplit(t *testing.T) {
	out := []byte(`31042.924773:      55f9b2de4d4f (/venv/lib/python3.11/site-packages/envoy/_bin/envoy)
31042.926234:      141fa10ea3bc (/tmp/perf-13129.map)
31042.927000:  ffffffff8a001234 ([kernel.kallsyms])
31043.100000:      7f00aa001234 (/usr/lib/x86_64-linux-gnu/libc.so.6)
31043.200000:      141fa10ea3bc (/tmp/perf-13129.map)
not a sample line
31050.000000:      141fa10ea3bc (/tmp/perf-13129.map)
`)
	ss := parsePerfScript(out)
	if len(ss) != 6 {
		t.Fatalf("parsed %d samples, want 6", len(ss))
	}
	want := []cpuClass{classEnvoy, classGuest, classKernel, classOther, classGuest, classGuest}
	for i, s := range ss {
		if s.class != want[i] {
			t.Errorf("sample %d (t=%.6f): class %d, want %d", i, s.t, s.class, want[i])
		}
	}
	// One round of 2 requests covering the first five samples; the last lies outside.
	got := splitOf([]roundResult{{N: 2, monoStart: 31042.9, monoEnd: 31043.5}}, ss)
	if got == nil || got.Samples != 5 {
		t.Fatalf("split = %+v, want 5 samples", got)
	}
	us := 1e6 / perfHz / 2 // one sample over two requests
	if got.GuestUs != round2(2*us) || got.EnvoyUs != round2(us) || got.KernelUs != round2(us) || got.OtherUs != round2(us) {
		t.Errorf("split = %+v, want guest %.2f and %.2f for each other class", got, round2(2*us), round2(us))
	}
	if splitOf([]roundResult{{N: 0, monoStart: 0, monoEnd: 1e9}}, ss) != nil {
		t.Error("a round without requests must give no split")
	}
}
