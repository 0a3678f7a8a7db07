package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// maxFileSize bounds what Load reads: a scenario is a page of YAML, and a
// bound keeps a mistaken path (a log file, a device) from eating memory.
const maxFileSize = 4 << 20

// Problem is one thing wrong with a scenario, located in its file when the
// file is known: "greenhouse.yaml:14:7: consumers[1].prefetch: must be ...".
type Problem struct {
	File   string // file name, or "" when unknown
	Line   int    // 1-based; 0 when unknown
	Column int    // 1-based; 0 when unknown
	Path   string // field path such as consumers[1].prefetch
	Msg    string // what is wrong and how to fix it
}

func (p *Problem) Error() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		b.WriteByte(':')
	}
	if p.Line > 0 {
		fmt.Fprintf(&b, "%d:%d:", p.Line, p.Column)
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Load reads a scenario from YAML. Unknown fields are errors. The returned
// scenario has defaults applied but is not yet validated: call Validate.
// name is used in error messages (a file name, or "" for none).
func Load(r io.Reader, name string) (*Scenario, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: read: %w", displayName(name), err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("%s: file is larger than %d MiB: is it really a scenario file?", displayName(name), maxFileSize>>20)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s: file is empty: a scenario needs at least topology, publishers, consumers and run", displayName(name))
	}
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, yamlProblem(name, err)
	}
	var s Scenario
	dec := yaml.NewDecoder(bytes.NewReader(data), yaml.DisallowUnknownField())
	if err := dec.Decode(&s); err != nil {
		return nil, yamlProblem(name, err)
	}
	s.source = &source{name: name, file: file}
	s.ApplyDefaults()
	return &s, nil
}

// LoadFile reads a scenario from a file.
func LoadFile(path string) (*Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("scenario file %s does not exist: give a path to a YAML file or a built-in name (see 'warren scenarios')", path)
		}
		return nil, fmt.Errorf("open scenario: %w", err)
	}
	defer f.Close()
	return Load(f, filepath.Base(path))
}

// Resolve finds a scenario by built-in name or by file path. A name with a
// path separator or a .yaml/.yml suffix is a file; anything else is looked up
// in the built-in library first.
func Resolve(nameOrPath string) (*Scenario, error) {
	if !strings.ContainsAny(nameOrPath, `/\`) && !strings.HasSuffix(nameOrPath, ".yaml") && !strings.HasSuffix(nameOrPath, ".yml") {
		if s, err := Builtin(nameOrPath); err == nil {
			return s, nil
		}
		if _, err := os.Stat(nameOrPath); err != nil {
			return nil, fmt.Errorf("no built-in scenario %q and no such file: see 'warren scenarios' for the built-ins (%s)", nameOrPath, strings.Join(BuiltinNames(), ", "))
		}
	}
	return LoadFile(nameOrPath)
}

func displayName(name string) string {
	if name == "" {
		return "scenario"
	}
	return name
}

// yamlProblem turns a YAML library error into a one-line Problem with the
// position, dropping the library's multi-line source excerpt.
func yamlProblem(name string, err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		p := &Problem{File: name, Msg: ye.GetMessage()}
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			p.Line, p.Column = tk.Position.Line, tk.Position.Column
		}
		var uf *yaml.UnknownFieldError
		if errors.As(err, &uf) {
			p.Msg += ": check the spelling against scenarios/README.md"
		}
		return p
	}
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return &Problem{File: name, Msg: msg}
}

// source remembers where a scenario came from so that Validate can point at
// the line and column of a bad field.
type source struct {
	name string
	file *ast.File
}

// position finds the line and column of a field path such as
// "consumers[1].prefetch" in the source, falling back to its parent when the
// field itself was not written (a default was applied).
func (src *source) position(path string) (line, col int) {
	if src == nil || src.file == nil {
		return 0, 0
	}
	for p := path; p != ""; p = parentPath(p) {
		yp, err := yaml.PathString("$." + p)
		if err != nil {
			continue
		}
		node, err := yp.FilterFile(src.file)
		if err != nil || node == nil {
			continue
		}
		tk := node.GetToken()
		if tk == nil || tk.Position == nil {
			continue
		}
		return tk.Position.Line, tk.Position.Column
	}
	return 0, 0
}

func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i <= 0 {
		return ""
	}
	return p[:i]
}
