//go:build !wasip1

// Command guest only does something when built with GOOS=wasip1.
package main

import "fmt"

func main() { fmt.Println("build with GOOS=wasip1 GOARCH=wasm -buildmode=c-shared") }
