// Package cputime measures benchmarks on a shared machine: the process's CPU time next to the
// wall clock, since on a machine busy with other work the wall-clock ns/op counts the time this
// process waited for a core, and cpu-ns/op does not. Only benchmarks import it.
package cputime

import (
	"syscall"
	"testing"
	"time"
)

// Now is the process's user and system CPU time so far.
func Now() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Report adds the CPU time per operation since start (a Now value) over n operations to b's
// results as cpu-ns/op.
func Report(b *testing.B, start time.Duration, n int) {
	if n > 0 {
		b.ReportMetric(float64(Now()-start)/float64(n), "cpu-ns/op")
	}
}
