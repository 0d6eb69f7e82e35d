//go:build uccert_startup_floor

package main

import "os"

// Built only by make bench (scenario 5, docs/PERFORMANCE.md): a uccert that
// ends after every package it links has been initialised, before main
// runs. Its start-up is the floor that no work in main can go below; the
// rest of the gap to a bare Go program is what linking costs
// (docs/dependencies.md, "Start-up").
func init() { os.Exit(0) }
