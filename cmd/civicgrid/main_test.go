package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// demoData is a data directory with the demo loaded by the demo command.
func demoData(t *testing.T) string {
	t.Helper()
	data := t.TempDir()
	if code, _, errOut := cli(t, "demo", "--data", data); code != 0 {
		t.Fatalf("demo: %d %s", code, errOut)
	}
	return data
}

func TestCLIAdministration(t *testing.T) {
	data := t.TempDir()
	if code, out, _ := cli(t, "migrate", "--data", data); code != 0 || !strings.Contains(out, "schema version") {
		t.Fatalf("migrate: %d %s", code, out)
	}
	if code, out, errOut := cli(t, "demo", "--data", data); code != 0 || !strings.Contains(out, "demo-admin") {
		t.Fatalf("demo: %d %s %s", code, out, errOut)
	}
	// Idempotent: a second load adds nothing and still succeeds.
	if code, _, errOut := cli(t, "demo", "--data", data); code != 0 {
		t.Fatalf("second demo: %d %s", code, errOut)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown town", []string{"--town", "999999999", "--username", "a1", "--role", "admin"}, "town: unknown town code"},
		{"duplicate username", []string{"--town", "310105102", "--username", "admin", "--role", "admin", "--password", "longenough"}, "username: \"admin\" is already taken"},
		{"unknown role", []string{"--town", "310105102", "--username", "a2", "--role", "boss"}, "role: unknown role"},
		{"handler needs department", []string{"--town", "310105102", "--username", "a3", "--role", "handler"}, "department: a handler must belong"},
		{"unknown department", []string{"--town", "310105102", "--username", "a4", "--role", "handler", "--department", "nope"}, "department: unknown department"},
		{"gridworker needs grid", []string{"--town", "310105102", "--username", "a5", "--role", "gridworker"}, "grid: a gridworker must belong"},
		{"short password", []string{"--town", "310105102", "--username", "a6", "--role", "admin", "--password", "short"}, "password: must be at least"},
	}
	for _, c := range cases {
		code, _, errOut := cli(t, append([]string{"user", "add", "--data", data}, c.args...)...)
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if code == 0 || len(lines) != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want non-zero and one line containing %q", c.name, code, errOut, c.want)
		}
	}
	code, out, errOut := cli(t, "user", "add", "--data", data, "--town", "310105102", "--username", "new_handler", "--role", "handler", "--department", "xj-police")
	if code != 0 || !strings.Contains(out, "password: ") {
		t.Fatalf("user add: %d %s %s", code, out, errOut)
	}
	code, out, _ = cli(t, "token", "create", "--data", data, "--username", "admin")
	fields := strings.Fields(out)
	if code != 0 || len(fields) == 0 || !strings.HasPrefix(fields[len(fields)-1], "cgt_") {
		t.Fatalf("token create: %d %q", code, out)
	}
	if code, _, errOut := cli(t, "token", "create", "--data", data, "--username", "ghost"); code == 0 || !strings.Contains(errOut, "no user") {
		t.Errorf("token for unknown user: %d %s", code, errOut)
	}
	if code, _, errOut := cli(t, "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Errorf("unknown command: %d %s", code, errOut)
	}
	if code, out, _ := cli(t, "version"); code != 0 || !strings.HasPrefix(out, "civicgrid ") {
		t.Errorf("version: %d %s", code, out)
	}
	if code, out, _ := cli(t, "user", "add", "--help"); code != 0 || !strings.Contains(out, "--department") && !strings.Contains(out, "-department") {
		t.Errorf("user add --help: %d %s", code, out)
	}
}

// The command table is in the order of the names, without a name twice.
func TestCommandsInOrder(t *testing.T) {
	for i := 1; i < len(commands); i++ {
		if commands[i-1].name >= commands[i].name {
			t.Errorf("command %q stands before %q", commands[i-1].name, commands[i].name)
		}
	}
}

// The commands about one town refuse to run without --town, before they open a database.
func TestCLITownRequired(t *testing.T) {
	for _, args := range [][]string{{"consult", "list"}, {"volunteers", "list"}, {"party", "tree"}, {"party", "coverage"}} {
		data := t.TempDir()
		code, _, errOut := cli(t, append(args, "--data", data)...)
		if code == 0 || !strings.Contains(errOut, "--town is required") {
			t.Errorf("%v without --town: %d %s", args, code, errOut)
		}
	}
}
