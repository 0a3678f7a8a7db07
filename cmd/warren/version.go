package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3"; a
// plain build reports the module version or "devel".
var version = ""

func warrenVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

func versionCmd(_ context.Context, c *cli, args []string) int {
	fs := newFlags(c, "version", "version", "warren version")
	if done, code := parseFlags(c, fs, args); done {
		return code
	}
	fmt.Fprintf(c.stdout, "warren %s (%s, %s/%s)\n", warrenVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitOK
}
