package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
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
func Load(r io.Reader, name string) (s *Scenario, err error) {
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
	// The YAML library is not ours: should it ever panic on strange input,
	// report a problem rather than take the caller down.
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, &Problem{File: name, Msg: fmt.Sprintf("the YAML parser failed on this file (%v): check its syntax", r)}
		}
	}()
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, yamlProblem(name, err)
	}
	if err := checkAliases(file); err != nil {
		return nil, &Problem{File: name, Msg: err.Error()}
	}
	var sc Scenario
	dec := yaml.NewDecoder(bytes.NewReader(data), yaml.DisallowUnknownField())
	if err := dec.Decode(&sc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: file has no YAML document: a scenario needs at least topology, publishers, consumers and run", displayName(name))
		}
		return nil, yamlProblem(name, err)
	}
	sc.source = &source{name: name, file: file}
	sc.ApplyDefaults()
	return &sc, nil
}

// maxAliasGrowth bounds how many values YAML aliases may add to a file once
// expanded. A few anchors reused a few times are fine; a "billion laughs"
// file, a few lines that expand to billions of values, is not.
const maxAliasGrowth = 100_000

// maxNesting bounds how deeply a file may nest.
const maxNesting = 1000

// checkAliases rejects files whose aliases expand to far more than is
// written, before anything expands them.
func checkAliases(file *ast.File) error {
	c := aliasCounter{anchors: map[string]int{}}
	for _, doc := range file.Docs {
		c.size(doc, 0)
	}
	switch {
	case c.tooDeep:
		return fmt.Errorf("the file nests more than %d levels deep: is it really a scenario?", maxNesting)
	case c.expanded-c.written > maxAliasGrowth:
		return fmt.Errorf("the file's YAML aliases expand to more than %d values: write the values out, or reuse fewer", maxAliasGrowth)
	}
	return nil
}

type aliasCounter struct {
	anchors           map[string]int
	written, expanded int
	tooDeep           bool
}

// size returns how many values node stands for once aliases are expanded.
func (c *aliasCounter) size(node ast.Node, depth int) int {
	if node == nil || c.tooDeep {
		return 0
	}
	if depth > maxNesting {
		c.tooDeep = true
		return 0
	}
	c.written++
	n := 1
	switch x := node.(type) {
	case *ast.DocumentNode:
		n = c.size(x.Body, depth+1)
	case *ast.MappingNode:
		for _, v := range x.Values {
			n += c.size(v, depth+1)
		}
	case *ast.MappingValueNode:
		n += c.size(x.Key, depth+1) + c.size(x.Value, depth+1)
	case *ast.SequenceNode:
		for _, v := range x.Values {
			n += c.size(v, depth+1)
		}
	case *ast.TagNode:
		n += c.size(x.Value, depth+1)
	case *ast.AnchorNode:
		n += c.size(x.Value, depth+1)
		if x.Name != nil {
			c.anchors[x.Name.GetToken().Value] = n
		}
	case *ast.AliasNode:
		if x.Value != nil {
			n += c.anchors[x.Value.GetToken().Value]
		}
	case *ast.MappingKeyNode:
		n += c.size(x.Value, depth+1)
	}
	n = min(n, 1<<40) // enough to know it is too many, far from overflow
	if _, isDoc := node.(*ast.DocumentNode); isDoc {
		c.expanded += n
	}
	return n
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
	var ve *valueError
	if errors.As(err, &ve) {
		return &Problem{File: name, Line: ve.line, Column: ve.col, Msg: ve.msg}
	}
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
// "consumers[1].prefetch" in the source: where its key is written, or for a
// list element, its first key. When the field itself was not written (a
// default was applied) it falls back to the nearest parent that was.
func (src *source) position(path string) (line, col int) {
	if src == nil || src.file == nil || len(src.file.Docs) == 0 {
		return 0, 0
	}
	for p := path; p != ""; p = parentPath(p) {
		if tk := findToken(src.file.Docs[0].Body, p); tk != nil && tk.Position != nil {
			return tk.Position.Line, tk.Position.Column
		}
	}
	return 0, 0
}

// findToken walks the YAML tree along path.
func findToken(node ast.Node, path string) *token.Token {
	var tok *token.Token
	for _, seg := range splitPath(path) {
		node = unwrapNode(node)
		if node == nil {
			return nil
		}
		if seg.index >= 0 {
			seq, ok := node.(*ast.SequenceNode)
			if !ok || seg.index >= len(seq.Values) {
				return nil
			}
			node = seq.Values[seg.index]
			tok = firstToken(node)
			continue
		}
		var values []*ast.MappingValueNode
		switch m := node.(type) {
		case *ast.MappingNode:
			values = m.Values
		case *ast.MappingValueNode:
			values = []*ast.MappingValueNode{m}
		default:
			return nil
		}
		found := false
		for _, mv := range values {
			if mv.Key == nil {
				continue
			}
			if kt := mv.Key.GetToken(); kt != nil && kt.Value == seg.key {
				tok, node, found = kt, mv.Value, true
				break
			}
		}
		if !found {
			return nil
		}
	}
	return tok
}

// firstToken is where a node starts as a reader sees it: a mapping's first
// key rather than its first colon.
func firstToken(node ast.Node) *token.Token {
	switch m := unwrapNode(node).(type) {
	case *ast.MappingNode:
		if len(m.Values) > 0 && m.Values[0].Key != nil {
			return m.Values[0].Key.GetToken()
		}
	case *ast.MappingValueNode:
		if m.Key != nil {
			return m.Key.GetToken()
		}
	}
	if node == nil {
		return nil
	}
	return node.GetToken()
}

func unwrapNode(node ast.Node) ast.Node {
	for i := 0; i < 100; i++ {
		switch n := node.(type) {
		case *ast.TagNode:
			node = n.Value
		case *ast.AnchorNode:
			node = n.Value
		case *ast.DocumentNode:
			node = n.Body
		default:
			return node
		}
	}
	return node
}

type pathSeg struct {
	key   string
	index int // -1 for a key
}

// splitPath reads "consumers[1].prefetch" as consumers, 1, prefetch.
func splitPath(path string) []pathSeg {
	var segs []pathSeg
	for _, part := range strings.Split(path, ".") {
		key := part
		var idx []int
		if i := strings.IndexByte(part, '['); i >= 0 {
			key = part[:i]
			for _, ix := range strings.Split(part[i+1:], "[") {
				n, err := strconv.Atoi(strings.TrimSuffix(ix, "]"))
				if err != nil {
					n = 1 << 30 // never found
				}
				idx = append(idx, n)
			}
		}
		if key != "" {
			segs = append(segs, pathSeg{key: key, index: -1})
		}
		for _, n := range idx {
			segs = append(segs, pathSeg{index: n})
		}
	}
	return segs
}

func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i <= 0 {
		return ""
	}
	return p[:i]
}
