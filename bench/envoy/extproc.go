package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// extProcServer is the running ext_proc floor (bench/envoy/extproc).
type extProcServer struct {
	addr  string
	cmd   *exec.Cmd
	stdin io.Closer
}

// startExtProc builds and starts the ext_proc server; it prints its address first.
func startExtProc(ctx context.Context, root string, tokenCap int) (*extProcServer, error) {
	bin, err := buildModule("extproc", root, "", "")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-cap", strconv.Itoa(tokenCap))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &extProcServer{cmd: cmd, stdin: stdin}
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- strings.TrimSpace(l)
		_, _ = io.Copy(io.Discard, stdout) // drain until the server exits
	}()
	select {
	case s.addr = <-line:
	case <-time.After(10 * time.Second):
	case <-ctx.Done():
	}
	if s.addr == "" {
		s.stop()
		return nil, fmt.Errorf("%s printed no address", bin)
	}
	return s, nil
}

func (s *extProcServer) pid() int { return s.cmd.Process.Pid }

func (s *extProcServer) stop() {
	_ = s.stdin.Close() // the server stops when its stdin closes
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }() // stopped on purpose: its exit status says nothing
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}
