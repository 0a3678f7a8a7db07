package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
)

// MaxVariants bounds how many variants a sweep may expand to: each is a
// full run.
const MaxVariants = 1000

// Sweep runs a scenario several times with something changed each time. The
// variants are the cross product of the named Variants (or just the base
// scenario when there are none) and the values of every parameter.
type Sweep struct {
	Parameters []SweepParameter `yaml:"parameters,omitempty" json:"parameters,omitempty"`
	Variants   []SweepVariant   `yaml:"variants,omitempty" json:"variants,omitempty"`
}

// SweepParameter sets one field to each of Values in turn.
//
// Field is a path such as consumers.prefetch (every consumer group),
// consumers[1].prefetch (the second group), consumers[workers].prefetch
// (the group named workers), publishers.rate, queues.type (short for
// topology.queues.type) or run.duration. Any field of the format may be
// swept; values are written as they would be in the file (10, 500/s, 4KiB,
// quorum, {min: 1KiB, max: 4KiB}).
type SweepParameter struct {
	Field  string `yaml:"field" json:"field"`
	Values []any  `yaml:"values" json:"values"`
}

// SweepVariant is a named partial scenario laid over the base. Sections
// (broker, topology, run) merge field by field; exchanges, queues,
// publishers and consumers merge element by element, matched by name (or by
// position when the override's element has no name); any other value,
// bindings included, replaces the base's.
type SweepVariant struct {
	Name        string         `yaml:"name" json:"name"`
	Description string         `yaml:"description,omitempty" json:"description,omitempty"`
	Override    map[string]any `yaml:"override" json:"override"`
}

// Variant is one run of a sweep.
type Variant struct {
	// Name is the variant's name, then field=value for every parameter,
	// joined by commas ("quorum,consumers.prefetch=10"); "" for a scenario
	// without a sweep.
	Name string
	// Params holds field → value for every parameter, and "variant" → the
	// named variant's name.
	Params map[string]string
	// Scenario is the base with the variant applied, defaults applied and
	// no sweep.
	Scenario *Scenario
}

// Expand returns the variants a sweep runs: the cross product of the named
// variants and the parameters' values, in file order with the last
// parameter changing fastest. A scenario without a sweep gives one variant,
// itself. The variants are not validated (Validate does that); errors are
// *Problem values joined, naming the sweep entry that cannot be applied.
func (s *Scenario) Expand() ([]Variant, error) {
	if s.Sweep == nil || (len(s.Sweep.Parameters) == 0 && len(s.Sweep.Variants) == 0) {
		c := s.Clone()
		c.Sweep = nil
		return []Variant{{Scenario: c}}, nil
	}
	v := &validator{src: s.source}
	base, err := s.baseTree()
	if err != nil {
		v.add("sweep", "the scenario cannot be written out for the sweep: %v", err)
		return nil, v.err()
	}
	sw := s.Sweep

	// Check every entry on its own first, so an error names the one at
	// fault, and count the variants before making any.
	total := 1
	if len(sw.Variants) > 0 {
		total = len(sw.Variants)
	}
	names := map[string]bool{}
	for i, sv := range sw.Variants {
		path := fmt.Sprintf("sweep.variants[%d]", i)
		switch {
		case sv.Name == "":
			v.add(path+".name", "is missing: every variant needs a name (it names the run)")
		case names[sv.Name]:
			v.add(path+".name", "variant %q is named twice", sv.Name)
		case strings.ContainsAny(sv.Name, ",=/\\"):
			v.add(path+".name", "%q: use letters, digits, dots and dashes only (it names a directory)", sv.Name)
		}
		names[sv.Name] = true
		if _, ok := sv.Override["sweep"]; ok {
			v.add(path+".override", "a variant cannot have a sweep of its own: move its parameters to the top-level sweep")
			continue
		}
		tree, err := overlay(cloneTree(base), sv.Override)
		if err == nil {
			_, err = decodeTree(tree)
		}
		if err != nil {
			v.add(path+".override", "cannot be applied: %v", err)
		}
	}
	fields := map[string]bool{}
	for i, p := range sw.Parameters {
		path := fmt.Sprintf("sweep.parameters[%d]", i)
		segs, err := parseField(p.Field)
		if err != nil {
			v.add(path+".field", "%v", err)
			continue
		}
		if fields[p.Field] {
			v.add(path+".field", "%s is swept twice: give all its values in one parameter", p.Field)
		}
		fields[p.Field] = true
		if len(p.Values) == 0 {
			v.add(path+".values", "is empty: give the values to sweep %s over", p.Field)
			continue
		}
		for j, val := range p.Values {
			tree := cloneTree(base)
			if err := setField(tree, segs, val, p.Field); err != nil {
				v.add(path+".field", "%v", err)
				break
			}
			if _, err := decodeTree(tree); err != nil {
				if te, ok := err.(*treeError); ok && te.unknownField {
					v.add(path+".field", "%s is not a field of the scenario format: %v (see scenarios/README.md)", p.Field, err)
					break
				}
				v.add(fmt.Sprintf("%s.values[%d]", path, j), "%s: %v", p.Field, err)
			}
		}
		if total > MaxVariants/len(p.Values) {
			total = MaxVariants + 1
		} else {
			total *= len(p.Values)
		}
	}
	if total > MaxVariants {
		v.add("sweep", "expands to more than %d variants: sweep fewer values", MaxVariants)
	}
	if len(v.problems) > 0 {
		return nil, v.err()
	}

	// Make the cross product.
	variants := []Variant{{Params: map[string]string{}}}
	trees := []any{base}
	if len(sw.Variants) > 0 {
		variants, trees = nil, nil
		for _, sv := range sw.Variants {
			tree, _ := overlay(cloneTree(base), sv.Override)
			variants = append(variants, Variant{Name: sv.Name, Params: map[string]string{"variant": sv.Name}})
			trees = append(trees, tree)
		}
	}
	for _, p := range sw.Parameters {
		segs, _ := parseField(p.Field)
		var nextV []Variant
		var nextT []any
		for k, vr := range variants {
			for _, val := range p.Values {
				tree := cloneTree(trees[k])
				if err := setField(tree, segs, val, p.Field); err != nil {
					v.add("sweep", "%v", err)
					return nil, v.err()
				}
				text := valueText(val)
				params := maps.Clone(vr.Params)
				params[p.Field] = text
				name := p.Field + "=" + text
				if vr.Name != "" {
					name = vr.Name + "," + name
				}
				nextV = append(nextV, Variant{Name: name, Params: params})
				nextT = append(nextT, tree)
			}
		}
		variants, trees = nextV, nextT
	}
	for k := range variants {
		sc, err := decodeTree(trees[k])
		if err != nil {
			v.add("sweep", "variant %s cannot be applied: %v", variants[k].Name, err)
			continue
		}
		variants[k].Scenario = sc
	}
	if len(v.problems) > 0 {
		return nil, v.err()
	}
	return variants, nil
}

// baseTree writes the scenario, without its sweep and without the values
// ApplyDefaults derives from other fields, as a generic YAML tree.
func (s *Scenario) baseTree() (map[string]any, error) {
	c := s.Clone()
	c.Sweep = nil
	c.underive()
	data, err := yaml.Marshal(c)
	if err != nil {
		return nil, err
	}
	var tree map[string]any
	if err := yaml.Unmarshal(data, &tree); err != nil {
		return nil, err
	}
	if tree == nil {
		tree = map[string]any{}
	}
	return tree, nil
}

// underive clears what ApplyDefaults copied from one field to another, so
// that an override of the original does not leave a stale copy behind.
func (s *Scenario) underive() {
	for i := range s.Publishers {
		p := &s.Publishers[i]
		if !p.sizeGiven() {
			p.Size = 0
		}
		if !p.keysGiven() && (len(p.WeightedKeys) > 0 || p.RoutingKey != "") {
			p.RoutingKeys = nil
		}
		p.derived = 0
	}
}

// decodeTree reads a generic tree back into a scenario, strictly, with
// defaults applied.
func decodeTree(tree any) (*Scenario, error) {
	data, err := yaml.Marshal(tree)
	if err != nil {
		return nil, err
	}
	var sc Scenario
	if err := yaml.NewDecoder(bytes.NewReader(data), yaml.DisallowUnknownField()).Decode(&sc); err != nil {
		var uf *yaml.UnknownFieldError
		return nil, &treeError{msg: oneLine(err), unknownField: errors.As(err, &uf)}
	}
	sc.ApplyDefaults()
	return &sc, nil
}

// treeError is a variant that does not decode, without the positions in
// the generated YAML that would mislead.
type treeError struct {
	msg          string
	unknownField bool
}

func (e *treeError) Error() string { return e.msg }

// oneLine is an error's message without the YAML library's position and
// source excerpt, which point into generated text.
func oneLine(err error) string {
	var ve *valueError
	if errors.As(err, &ve) {
		return ve.msg
	}
	var ye yaml.Error
	if errors.As(err, &ye) {
		return ye.GetMessage()
	}
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return msg
}

func cloneTree(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = cloneTree(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneTree(e)
		}
		return out
	}
	return v
}

// mergedSection reports whether an override merges the mapping at path
// field by field.
func mergedSection(path string) bool {
	switch path {
	case "broker", "broker.tls", "topology", "run":
		return true
	}
	return false
}

// namedList reports whether an override merges the list at path element by
// element, matching names.
func namedList(path string) bool {
	switch path {
	case "publishers", "consumers", "topology.exchanges", "topology.queues":
		return true
	}
	return false
}

// overlay lays an override over a tree (see SweepVariant).
func overlay(base any, over map[string]any) (any, error) {
	root, ok := base.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the base scenario is not a mapping")
	}
	return root, mergeMap(root, over, "")
}

func mergeMap(dst, src map[string]any, path string) error {
	keys := make([]string, 0, len(src))
	for k := range src {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		full := k
		if path != "" {
			full = path + "." + k
		}
		val := cloneTree(src[k])
		switch {
		case mergedSection(full):
			sub, ok := val.(map[string]any)
			if !ok {
				return fmt.Errorf("%s is a section: give it as a mapping", full)
			}
			cur, _ := dst[k].(map[string]any)
			if cur == nil {
				cur = map[string]any{}
			}
			if err := mergeMap(cur, sub, full); err != nil {
				return err
			}
			dst[k] = cur
		case namedList(full):
			list, ok := val.([]any)
			if !ok {
				return fmt.Errorf("%s is a list: give it as a list", full)
			}
			cur, _ := dst[k].([]any)
			dst[k] = mergeNamedList(cur, list)
		default:
			dst[k] = val
		}
	}
	return nil
}

// mergeNamedList merges each element of over into the base element with the
// same name, or at the same position when it has no name; others are added.
func mergeNamedList(base, over []any) []any {
	out := base
	for i, e := range over {
		m, ok := e.(map[string]any)
		if !ok {
			out = append(out, e)
			continue
		}
		target := -1
		if name, has := m["name"]; has {
			for j, b := range out {
				if bm, ok := b.(map[string]any); ok && fmt.Sprint(bm["name"]) == fmt.Sprint(name) {
					target = j
					break
				}
			}
		} else if i < len(out) {
			target = i
		}
		if target < 0 {
			out = append(out, m)
			continue
		}
		bm, ok := out[target].(map[string]any)
		if !ok {
			out[target] = m
			continue
		}
		for k, v := range m {
			bm[k] = v
		}
	}
	return out
}

// fieldSeg is one step of a sweep field path: a name, and for lists an
// optional selector (an index or a name).
type fieldSeg struct {
	name   string
	sel    string
	hasSel bool
}

// parseField reads a field path such as consumers[workers].prefetch.
func parseField(field string) ([]fieldSeg, error) {
	if strings.TrimSpace(field) == "" {
		return nil, fmt.Errorf("is missing: name the field to sweep, for example consumers.prefetch")
	}
	var segs []fieldSeg
	for _, part := range splitOutsideBrackets(field) {
		seg := fieldSeg{name: part}
		if i := strings.IndexByte(part, '['); i >= 0 {
			if !strings.HasSuffix(part, "]") || i == 0 {
				return nil, fmt.Errorf("field %q: write a group as publishers[0] or publishers[NAME]", field)
			}
			seg = fieldSeg{name: part[:i], sel: part[i+1 : len(part)-1], hasSel: true}
			if seg.sel == "" || strings.ContainsAny(seg.sel, "[]") {
				return nil, fmt.Errorf("field %q: write a group as publishers[0] or publishers[NAME]", field)
			}
		}
		if seg.name == "" {
			return nil, fmt.Errorf("field %q has an empty part: write it as consumers.prefetch", field)
		}
		segs = append(segs, seg)
	}
	switch segs[0].name {
	case "exchanges", "queues", "bindings":
		segs = append([]fieldSeg{{name: "topology"}}, segs...)
	case "sweep":
		return nil, fmt.Errorf("field %q: a sweep cannot sweep itself", field)
	}
	if len(segs) == 1 && segs[0].name == "topology" {
		return nil, fmt.Errorf("field %q: sweep a field inside it, such as queues.type", field)
	}
	return segs, nil
}

// splitOutsideBrackets splits at dots that are not inside [...], so that a
// group named a.b can be selected as queues[a.b].
func splitOutsideBrackets(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			depth++
		case ']':
			depth--
		case '.':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

// setField sets the field at segs to val in every element it selects.
func setField(tree any, segs []fieldSeg, val any, field string) error {
	m, ok := tree.(map[string]any)
	if !ok {
		return fmt.Errorf("field %q: %s is not a section", field, segs[0].name)
	}
	seg := segs[0]
	if len(segs) == 1 && !seg.hasSel {
		m[seg.name] = cloneTree(val)
		return nil
	}
	child := m[seg.name]
	if list, isList := child.([]any); isList || seg.hasSel {
		if !isList || len(list) == 0 {
			return fmt.Errorf("field %q: the scenario has no %s", field, seg.name)
		}
		targets := make([]int, 0, len(list))
		if seg.hasSel {
			i, err := selectElement(list, seg.sel)
			if err != nil {
				return fmt.Errorf("field %q: %v", field, err)
			}
			targets = append(targets, i)
		} else {
			for i := range list {
				targets = append(targets, i)
			}
		}
		for _, i := range targets {
			if len(segs) == 1 {
				list[i] = cloneTree(val)
				continue
			}
			elem, ok := list[i].(map[string]any)
			if !ok {
				elem = map[string]any{}
				list[i] = elem
			}
			if err := setField(elem, segs[1:], val, field); err != nil {
				return err
			}
		}
		return nil
	}
	sub, ok := child.(map[string]any)
	if !ok {
		if child != nil {
			return fmt.Errorf("field %q: %s is a single value, not a section", field, seg.name)
		}
		sub = map[string]any{}
		m[seg.name] = sub
	}
	return setField(sub, segs[1:], val, field)
}

func selectElement(list []any, sel string) (int, error) {
	if i, err := strconv.Atoi(sel); err == nil {
		if i < 0 || i >= len(list) {
			return 0, fmt.Errorf("index %d is out of range: there are %d", i, len(list))
		}
		return i, nil
	}
	var names []string
	for i, e := range list {
		if m, ok := e.(map[string]any); ok {
			name := fmt.Sprint(m["name"])
			if name == sel {
				return i, nil
			}
			names = append(names, name)
		}
	}
	return 0, fmt.Errorf("no element named %q (there are %s)", sel, strings.Join(names, ", "))
}

// valueText formats a swept value for names and Params: 10, 500/s,
// {min: 1KiB, max: 4KiB}.
func valueText(v any) string {
	switch v.(type) {
	case map[string]any, []any:
		data, err := yaml.MarshalWithOptions(v, yaml.Flow(true))
		if err == nil {
			return strings.TrimSpace(string(data))
		}
	case nil:
		return "null"
	}
	return fmt.Sprint(v)
}
