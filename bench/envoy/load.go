package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// variant is one Envoy listener with its own pool of keep-alive connections (one per
// worker), kept across rounds and body sizes.
type variant struct {
	name   string
	spec   spec
	config string // plugin configuration ("" without a wasm filter)
	// extraPID is a process whose CPU counts with Envoy's for this variant (the ext_proc
	// server); 0 if none.
	extraPID int
	addr     string // host:port
	conns    []*client
}

func (v *variant) connect(addr string, concurrency int) {
	v.addr = addr
	for range concurrency {
		v.conns = append(v.conns, &client{addr: addr})
	}
}

// client is a minimal HTTP/1.1 keep-alive client on one connection: the request is one
// pre-encoded write, the response is parsed by net/http. Cheaper than http.Client and it
// pins exactly one connection per worker.
type client struct {
	addr string
	nc   *timedConn
	br   *bufio.Reader
	// badBody is the start of the last non-200 response body, for the diagnosis.
	badBody string
}

// timedConn notes when the first response byte arrives after arm().
type timedConn struct {
	net.Conn
	armed bool
	first time.Time
}

func (t *timedConn) Read(p []byte) (int, error) {
	n, err := t.Conn.Read(p)
	if n > 0 && t.armed {
		t.first, t.armed = time.Now(), false
	}
	return n, err
}

// do sends one pre-encoded request and reads the whole response (all SSE events for a
// stream). ttfb is the time to the first response byte, total the time to the last.
func (c *client) do(req []byte) (status int, ttfb, total time.Duration, err error) {
	if c.nc == nil {
		nc, err := net.DialTimeout("tcp", c.addr, 5*time.Second)
		if err != nil {
			return 0, 0, 0, err
		}
		c.nc = &timedConn{Conn: nc}
		c.br = bufio.NewReaderSize(c.nc, 32<<10)
	}
	start := time.Now()
	c.nc.SetDeadline(start.Add(30 * time.Second))
	c.nc.armed = true
	if _, err = c.nc.Write(req); err != nil {
		c.close()
		return 0, 0, 0, err
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		c.close()
		return 0, 0, 0, err
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 240))
		c.badBody = string(b)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	total = time.Since(start)
	ttfb = c.nc.first.Sub(start)
	if err != nil {
		c.close()
		return 0, 0, 0, err
	}
	if resp.Close {
		c.close()
	}
	return resp.StatusCode, ttfb, total, nil
}

func (c *client) close() {
	if c.nc != nil {
		c.nc.Close()
		c.nc, c.br = nil, nil
	}
}

// roundResult is one round of one variant.
type roundResult struct {
	N      int `json:"requests"`
	Errors int `json:"errors"`
	Non200 int `json:"non_200"`
	// Statuses counts the non-200 answers by status; Sample is one such body (truncated).
	Statuses map[int]int   `json:"non_200_statuses,omitempty"`
	Sample   string        `json:"non_200_sample,omitempty"`
	Elapsed  time.Duration `json:"elapsed_ns"`
	EnvoyCPU time.Duration `json:"envoy_cpu_ns"` // user+sys of the Envoy process (+ the ext_proc server) during the round
	SelfCPU  time.Duration `json:"bench_cpu_ns"` // user+sys of this process (load generator + upstream)
	// monoStart and monoEnd bound the round on CLOCK_MONOTONIC, perf's clock (-perf).
	monoStart, monoEnd float64
	lat                []time.Duration
	ttfb               []time.Duration
}

func (r roundResult) rps() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.N) / r.Elapsed.Seconds()
}

func (r roundResult) envoyCPUPerReq() time.Duration {
	if r.N == 0 {
		return 0
	}
	return r.EnvoyCPU / time.Duration(r.N)
}

// runRound drives v closed-loop for d: every worker sends its next request as soon as
// the previous response has been read completely. Requests in flight at the deadline
// finish and count; the round's time runs until the last one is done.
func runRound(v *variant, reqs [][]byte, d time.Duration, envoyPID int) roundResult {
	type perWorker struct {
		lat, ttfb      []time.Duration
		errors, non200 int
		statuses       map[int]int
	}
	out := make([]perWorker, len(v.conns))
	cpu0, self0 := procCPU(envoyPID)+procCPU(v.extraPID), selfCPU()
	mono0 := monoNow()
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for w, c := range v.conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &out[w]
			r.lat = make([]time.Duration, 0, 8192)
			r.ttfb = make([]time.Duration, 0, 8192)
			for i := w; time.Now().Before(deadline); i++ {
				status, ttfb, total, err := c.do(reqs[i%len(reqs)])
				switch {
				case err != nil:
					r.errors++
					time.Sleep(10 * time.Millisecond) // no hot loop against a dead listener
				case status != http.StatusOK:
					r.non200++
					if r.statuses == nil {
						r.statuses = map[int]int{}
					}
					r.statuses[status]++
				default:
					r.lat = append(r.lat, total)
					r.ttfb = append(r.ttfb, ttfb)
				}
			}
		}()
	}
	wg.Wait()
	res := roundResult{Elapsed: time.Since(start), SelfCPU: selfCPU() - self0, monoStart: mono0, monoEnd: monoNow()}
	if envoyPID != 0 {
		res.EnvoyCPU = procCPU(envoyPID) + procCPU(v.extraPID) - cpu0
	}
	for i, w := range out {
		for st, n := range w.statuses {
			if res.Statuses == nil {
				res.Statuses = map[int]int{}
			}
			res.Statuses[st] += n
			res.Sample = v.conns[i].badBody
		}
		res.lat = append(res.lat, w.lat...)
		res.ttfb = append(res.ttfb, w.ttfb...)
		res.Errors += w.errors
		res.Non200 += w.non200
	}
	res.N = len(res.lat)
	slices.Sort(res.lat)
	slices.Sort(res.ttfb)
	return res
}

// pct is the nearest-rank percentile of sorted durations.
func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// procCPU is user+system time of a process (all threads) from /proc/PID/stat.
func procCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	b, err := readFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+1:]
	}
	f := strings.Fields(s) // f[0] is field 3 (state); utime, stime are fields 14, 15
	if len(f) < 13 {
		return 0
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	const clkTck = 100 // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / clkTck
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
