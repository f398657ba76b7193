// Command extproc is the benchmark's ext_proc floor: a minimal Envoy external processor
// (gRPC, envoy.service.ext_proc.v3) for Envoy's ext_proc filter with the request body in
// BUFFERED mode. It does the same work as the wasm floors — clamp a top-level max_tokens
// above -cap by splicing its bytes and replace the body — so it measures what moving the
// guard out of process would cost (Envoy AI Gateway's architecture).
//
// It prints its listen address on stdout and serves until stdin closes or it is signalled.
// It is its own Go module so gRPC and go-control-plane stay out of the product's
// dependencies; bench/envoy builds and starts it.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extproc "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"github.com/tidwall/gjson"
	"google.golang.org/grpc"
)

func main() {
	tokenCap := flag.Int64("cap", 1024, "max_tokens cap")
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "extproc:", err)
		os.Exit(1)
	}
	srv := grpc.NewServer()
	extproc.RegisterExternalProcessorServer(srv, &processor{tokenCap: *tokenCap})
	fmt.Println(ln.Addr().String())
	go func() { // the parent's end of stdin closes when it exits
		io.Copy(io.Discard, os.Stdin)
		srv.Stop()
	}()
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, "extproc:", err)
		os.Exit(1)
	}
}

type processor struct {
	extproc.UnimplementedExternalProcessorServer
	tokenCap int64
}

// Process answers every message of one HTTP exchange: headers pass, the buffered body is
// clamped.
func (p *processor) Process(stream extproc.ExternalProcessor_ProcessServer) error {
	for {
		req, err := stream.Recv()
		if err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		var resp *extproc.ProcessingResponse
		switch r := req.Request.(type) {
		case *extproc.ProcessingRequest_RequestHeaders:
			resp = &extproc.ProcessingResponse{Response: &extproc.ProcessingResponse_RequestHeaders{
				RequestHeaders: &extproc.HeadersResponse{}}}
		case *extproc.ProcessingRequest_RequestBody:
			resp = &extproc.ProcessingResponse{Response: &extproc.ProcessingResponse_RequestBody{
				RequestBody: &extproc.BodyResponse{Response: p.clamp(r.RequestBody.GetBody())}}}
		case *extproc.ProcessingRequest_ResponseHeaders:
			resp = &extproc.ProcessingResponse{Response: &extproc.ProcessingResponse_ResponseHeaders{
				ResponseHeaders: &extproc.HeadersResponse{}}}
		case *extproc.ProcessingRequest_ResponseBody:
			resp = &extproc.ProcessingResponse{Response: &extproc.ProcessingResponse_ResponseBody{
				ResponseBody: &extproc.BodyResponse{}}}
		default:
			continue
		}
		if err := stream.Send(resp); err != nil {
			return err
		}
	}
}

// clamp returns the body mutation for an above-cap max_tokens, nil to leave the body.
func (p *processor) clamp(body []byte) *extproc.CommonResponse {
	mt := gjson.GetBytes(body, "max_tokens")
	if mt.Type != gjson.Number || mt.Int() <= p.tokenCap || mt.Index <= 0 {
		return nil
	}
	out := make([]byte, 0, len(body))
	out = append(out, body[:mt.Index]...)
	out = strconv.AppendInt(out, p.tokenCap, 10)
	out = append(out, body[mt.Index+len(mt.Raw):]...)
	return &extproc.CommonResponse{
		HeaderMutation: &extproc.HeaderMutation{SetHeaders: []*core.HeaderValueOption{{
			Header: &core.HeaderValue{Key: "content-length", RawValue: []byte(strconv.Itoa(len(out)))},
		}}},
		BodyMutation: &extproc.BodyMutation{Mutation: &extproc.BodyMutation_Body{Body: out}},
	}
}
