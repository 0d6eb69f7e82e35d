package main

import "errors"

// peakRSS is not measured on Windows (make bench runs on Linux).
func peakRSS([]string) (int64, error) {
	return 0, errors.New("peak RSS is measured on Linux and macOS only")
}
