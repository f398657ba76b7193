//go:build egressguard_testhooks

package main

func init() { testHook = panicOnRequest }
