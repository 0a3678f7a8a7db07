package scenarios

import (
	"errors"
	"strings"
	"testing"
)

const badPrefetch = `name: bad
topology:
  queues:
    - name: q
publishers:
  - exchange: ""
    routing_keys: [q]
consumers:
    - name: first
      queue: q
      prefetch: 10
    - name: second
      queue: q
      prefetch: -3
run:
  duration: 10s
`

func TestValidateErrorLine(t *testing.T) {
	s, err := Load(strings.NewReader(badPrefetch), "bad.yaml")
	if err != nil {
		t.Fatal(err)
	}
	err = s.Validate()
	want := "bad.yaml:14:7: consumers[1].prefetch: must be between 0 and 65535, got -3"
	if err == nil || err.Error() != want {
		t.Fatalf("Validate() = %v\nwant %s", err, want)
	}
	var p *Problem
	if !errors.As(err, &p) || p.Line != 14 || p.Column != 7 || p.Path != "consumers[1].prefetch" {
		t.Errorf("problem = %+v", p)
	}
}

func TestLoadErrorPositions(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"unknown field", "name: x\nrun:\n  duration: 1s\n  durration: 2s\n", "x.yaml:4:3: unknown field \"durration\""},
		{"bad duration", "name: x\nrun:\n  duration: 10\n", "x.yaml:3:13: invalid duration \"10\""},
		{"bad size", "name: x\npublishers:\n  - exchange: e\n    size: 12Q\n", "x.yaml:4:11: invalid size \"12Q\""},
		{"bad rate", "name: x\npublishers:\n  - exchange: e\n    rate: fast\n", "x.yaml:4:11: invalid rate \"fast\""},
		{"bad rate mapping", "name: x\npublishers:\n  - exchange: e\n    rate: {ramp: {from: 1/s, to: 2/s, over: 1s}, steps: [1]}\n", "x.yaml:4:11: a rate has one of constant, ramp or steps"},
		{"unknown field in a rate", "name: x\npublishers:\n  - exchange: e\n    rate:\n      ramp: {from: 1/s, to: 2/s, ovr: 1s}\n", "x.yaml:5:34: unknown field \"ovr\""},
		{"bad declare", "name: x\ntopology:\n  declare: maybe\n", "x.yaml:3:12: declare is true, false or passive"},
		{"wrong type", "name: x\nconsumers:\n  - prefetch: lots\n", "x.yaml:3:15: "},
		{"syntax", "name: x\n  bad: [\n", "x.yaml:"},
		{"empty", "  \n", "file is empty"},
		{"comments only", "# nothing\n", "no YAML document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(tt.src), "x.yaml")
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) && !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load error = %v, want it to start with %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestLoadTooLarge(t *testing.T) {
	big := strings.Repeat("#", maxFileSize+10)
	if _, err := Load(strings.NewReader(big), "big.yaml"); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("Load of a huge file: %v", err)
	}
}

func TestPositionFallsBackToParent(t *testing.T) {
	src := "name: x\nconsumers:\n  - queue: nowhere\nrun:\n  duration: 1s\n"
	s, err := Load(strings.NewReader(src), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// ack_mode was never written: the position is its group's.
	if line, col := s.source.position("consumers[0].ack_mode"); line != 3 || col != 5 {
		t.Errorf("position = %d:%d, want 3:5", line, col)
	}
	if line, col := s.source.position("consumers[0].queue"); line != 3 || col != 5 {
		t.Errorf("position = %d:%d, want 3:5", line, col)
	}
	if line, col := s.source.position("run.duration"); line != 5 || col != 3 {
		t.Errorf("position = %d:%d, want 5:3", line, col)
	}
	if line, _ := s.source.position("nothing.here"); line != 0 {
		t.Errorf("position of a missing path = %d", line)
	}
}

func TestResolve(t *testing.T) {
	if s, err := Resolve("greenhouse"); err != nil || s.Name != "greenhouse" {
		t.Errorf("Resolve(greenhouse) = %v, %v", s, err)
	}
	if _, err := Resolve("no-such-scenario"); err == nil || !strings.Contains(err.Error(), "warren scenarios") {
		t.Errorf("Resolve(no-such-scenario) = %v", err)
	}
	if _, err := Resolve("missing/file.yaml"); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("Resolve(missing file) = %v", err)
	}
}

func TestLoadRejectsAliasBombs(t *testing.T) {
	bomb := `name: x
topology:
  queues:
    - name: q
      arguments:
        x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        x-b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        x-c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        x-d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        x-e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
        x-f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
`
	if _, err := Load(strings.NewReader(bomb), "bomb.yaml"); err == nil || !strings.Contains(err.Error(), "aliases expand") {
		t.Errorf("Load of an alias bomb: %v", err)
	}
	// Ordinary reuse is fine.
	reuse := validBase + "broker:\n  tls: &t {ca_file: a.pem}\n"
	reuse = strings.Replace(reuse, "  - queue: t.q\n", "  - &c {queue: t.q}\n  - *c\n", 1)
	if _, err := Load(strings.NewReader(reuse), "reuse.yaml"); err != nil {
		t.Errorf("Load with aliases: %v", err)
	}
	deep := "name: x\nrun: {duration: 1s}\npublishers: [{headers: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "}]\n"
	if _, err := Load(strings.NewReader(deep), "deep.yaml"); err == nil {
		t.Errorf("Load of a deeply nested file succeeded")
	}
}
