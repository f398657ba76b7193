package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// perfHz is the sampling frequency of `perf record`: per thread, one sample per
// 1/perfHz seconds of CPU time (cpu-clock is a software event, the only one these
// virtual machines have).
const perfHz = 999

// cpuClass is where a sample of Envoy's CPU landed.
type cpuClass int

const (
	classGuest  cpuClass = iota // code V8 generated at run time: the wasm modules (and V8's stubs)
	classEnvoy                  // the envoy binary: Envoy, V8's compiler and runtime, the host functions
	classKernel                 // system calls, network stack, scheduler
	classOther                  // libc, vdso and the rest
	numClasses
)

// perfSample is one sample: its CLOCK_MONOTONIC time and class.
type perfSample struct {
	t     float64
	class cpuClass
}

// perfRecorder samples one process with `perf record` for the whole measured run.
type perfRecorder struct {
	cmd  *exec.Cmd
	file string
	errs bytes.Buffer
}

// startPerf starts sampling pid. The samples carry CLOCK_MONOTONIC timestamps, so they
// can be matched to the rounds' windows (monoNow).
func startPerf(pid int) (*perfRecorder, error) {
	if pid == 0 {
		return nil, fmt.Errorf("-perf: no Envoy process id to sample")
	}
	dir, err := os.MkdirTemp("", "bench-perf-")
	if err != nil {
		return nil, err
	}
	p := &perfRecorder{file: filepath.Join(dir, "perf.data")}
	p.cmd = exec.Command("perf", "record", "-q", "-e", "cpu-clock", "-F", strconv.Itoa(perfHz),
		"-k", "CLOCK_MONOTONIC", "-p", strconv.Itoa(pid), "-o", p.file)
	p.cmd.Stderr = &p.errs
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("-perf: %w (is perf installed?)", err)
	}
	time.Sleep(500 * time.Millisecond) // attached before the first measured round
	if p.cmd.ProcessState != nil {
		return nil, fmt.Errorf("-perf: perf record exited: %s", strings.TrimSpace(p.errs.String()))
	}
	return p, nil
}

// stop ends the recording and returns its samples, sorted by time.
func (p *perfRecorder) stop() ([]perfSample, error) {
	defer os.RemoveAll(filepath.Dir(p.file))
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	if err := p.cmd.Wait(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			return nil, fmt.Errorf("-perf: perf record: %w", err)
		}
	}
	out, err := exec.Command("perf", "script", "-i", p.file, "-F", "time,ip,dso").Output()
	if err != nil {
		return nil, fmt.Errorf("-perf: perf script: %w (perf record said: %s)", err, strings.TrimSpace(p.errs.String()))
	}
	return parsePerfScript(out), nil
}

// parsePerfScript reads `perf script -F time,ip,dso` lines such as
// "31042.924773:      55f9b2de4d4f (/path/to/envoy)". Lines it cannot read are skipped.
func parsePerfScript(out []byte) []perfSample {
	var ss []perfSample
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		ts, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		t, err := strconv.ParseFloat(ts, 64)
		if err != nil {
			continue
		}
		dso := rest
		if i := strings.LastIndexByte(rest, '('); i >= 0 {
			dso = strings.TrimSuffix(rest[i+1:], ")")
		}
		ss = append(ss, perfSample{t: t, class: classify(dso)})
	}
	sort.Slice(ss, func(i, j int) bool { return ss[i].t < ss[j].t })
	return ss
}

// classify names a sample's class by its DSO. V8's generated code has no file: perf
// reports it as /tmp/perf-PID.map (or [JIT]) whether or not such a map exists.
func classify(dso string) cpuClass {
	switch {
	case strings.Contains(dso, "/perf-") && strings.HasSuffix(dso, ".map"), strings.HasPrefix(dso, "[JIT]"):
		return classGuest
	case strings.HasPrefix(dso, "[kernel"):
		return classKernel
	case filepath.Base(dso) == "envoy":
		return classEnvoy
	}
	return classOther
}

// monoNow is CLOCK_MONOTONIC in seconds, the clock of perf's timestamps (-k).
func monoNow() float64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0
	}
	return float64(ts.Sec) + float64(ts.Nsec)/1e9
}

// cpuSplit is Envoy's sampled CPU per request, by class, over a variant's rounds.
type cpuSplit struct {
	GuestUs  float64 `json:"guest_jit_us"`
	EnvoyUs  float64 `json:"envoy_binary_us"`
	KernelUs float64 `json:"kernel_us"`
	OtherUs  float64 `json:"other_us"`
	TotalUs  float64 `json:"sampled_total_us"`
	Samples  int     `json:"samples"`
}

// splitOf counts the samples inside the rounds' windows. The samples' times are sorted.
func splitOf(rounds []roundResult, ss []perfSample) *cpuSplit {
	var n [numClasses]int
	var reqs, all int
	for _, r := range rounds {
		reqs += r.N
		i := sort.Search(len(ss), func(i int) bool { return ss[i].t >= r.monoStart })
		for ; i < len(ss) && ss[i].t < r.monoEnd; i++ {
			n[ss[i].class]++
			all++
		}
	}
	if reqs == 0 || all == 0 {
		return nil
	}
	per := func(k int) float64 { return round2(float64(k) * 1e6 / perfHz / float64(reqs)) }
	return &cpuSplit{GuestUs: per(n[classGuest]), EnvoyUs: per(n[classEnvoy]), KernelUs: per(n[classKernel]),
		OtherUs: per(n[classOther]), TotalUs: per(all), Samples: all}
}
