// Package version stamps the binary: set Version and Commit with -ldflags "-X" at release time;
// otherwise the module build information is used.
package version

import (
	"runtime/debug"
)

var (
	Version = "0.1.0-dev"
	Commit  = ""
)

// String returns "civicgrid VERSION (COMMIT, GOVERSION)".
func String() string {
	commit, goVersion := Commit, ""
	if info, ok := debug.ReadBuildInfo(); ok {
		goVersion = info.GoVersion
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && commit == "" && len(s.Value) >= 12 {
				commit = s.Value[:12]
			}
		}
	}
	if commit == "" {
		commit = "unknown commit"
	}
	return "civicgrid " + Version + " (" + commit + ", " + goVersion + ")"
}
