// Command demo-upstream serves the fake OpenAI/Mistral API of
// internal/fakellm, for demos and end-to-end tests of the egress guard.
//
//	go run ./cmd/demo-upstream -addr 127.0.0.1:8081
//
// It logs one line per request (method, path, status, duration; never
// bodies or headers) and shuts down cleanly on SIGINT/SIGTERM. See the
// fakellm package doc for endpoints and test markers.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/egressguard/egressguard/internal/fakellm"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	name := flag.String("name", "", "server name shown in default replies and the x-fakellm-name header")
	flavor := flag.String("flavor", "", `force the chat dialect: "openai" or "mistral" (default: by path and model name)`)
	modFormat := flag.String("moderation-format", "", `force the moderation format: "openai" or "mistral" (default: by model name)`)
	apiKey := flag.String("api-key", "", "when set, require Authorization: Bearer <key>")
	quiet := flag.Bool("quiet", false, "do not log requests")
	flag.Parse()

	logger := log.New(os.Stderr, "demo-upstream: ", log.LstdFlags|log.Lmicroseconds)
	switch *flavor {
	case "", "openai", "mistral":
	default:
		logger.Fatalf("bad -flavor %q", *flavor)
	}
	switch *modFormat {
	case "", "auto", "openai", "mistral":
	default:
		logger.Fatalf("bad -moderation-format %q", *modFormat)
	}

	srv := fakellm.New(fakellm.Options{
		Name:             *name,
		Flavor:           *flavor,
		ModerationFormat: *modFormat,
		APIKey:           *apiKey,
	})
	var h http.Handler = srv
	if !*quiet {
		h = logRequests(logger, srv)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		logger.Fatal(err)
	}
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          logger,
	}
	logger.Printf("listening on http://%s", ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()

	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			logger.Fatal(err)
		}
	case <-ctx.Done():
		stop()
		logger.Printf("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := hs.Shutdown(sctx); err != nil {
			// Streams still open after the grace period: cut them.
			logger.Printf("shutdown: %v; closing", err)
			hs.Close()
		}
	}
	logger.Printf("stopped")
}

// statusWriter remembers the status code; Unwrap lets
// http.ResponseController reach the real writer's Flush.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func logRequests(logger *log.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			status := fmt.Sprint(sw.status)
			if p := recover(); p != nil {
				status += " aborted"
				defer panic(p)
			}
			logger.Printf("%s %s %s %dB %s", r.Method, r.URL.Path, status, sw.bytes,
				time.Since(start).Round(time.Millisecond))
		}()
		next.ServeHTTP(sw, r)
	})
}
