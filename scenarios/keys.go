package scenarios

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// MaxKeys bounds how many routing keys one template, or one publisher group,
// may expand to: a typo such as {1..1000000} should fail, not eat memory.
const MaxKeys = 10000

// ExpandKeyTemplate expands a routing key template the way a shell expands
// braces: "greenhouse.zone{1..3}.{temperature,humidity}" gives the six keys
// greenhouse.zone1.temperature, greenhouse.zone1.humidity, ... in that order.
//
//   - {a,b,c} gives each alternative; alternatives may be empty ({a,}) and
//     may hold templates themselves ({a,b{1..2}}).
//   - {1..5} is a range of integers, {5..1} counts down, {1..10..3} steps by
//     3, and {01..10} pads to the width of the widest bound.
//   - {a..e} is a range of single letters.
//   - Braces with neither a comma nor a range ({x}, {}) stay as they are.
//
// A key without braces expands to itself. Unbalanced braces, bad ranges and
// templates that give more than MaxKeys keys are errors.
func ExpandKeyTemplate(template string) ([]string, error) {
	if err := checkBraces(template); err != nil {
		return nil, err
	}
	return expandBraces(template)
}

// checkBraces rejects unbalanced braces, which are more likely a typo than
// a key meant to contain a brace.
func checkBraces(s string) error {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			if depth == 0 {
				return fmt.Errorf("template %q has a } at byte %d with no { before it", s, i+1)
			}
			depth--
		}
	}
	if depth > 0 {
		return fmt.Errorf("template %q has a { that is not closed", s)
	}
	return nil
}

// expandBraces expands the first brace expression and, recursively, what
// follows it. Braces are balanced (checkBraces).
func expandBraces(s string) ([]string, error) {
	for i := 0; i < len(s); i++ {
		if s[i] != '{' {
			continue
		}
		j := matchingBrace(s, i)
		alts, ok, err := braceAlternatives(s[i+1 : j])
		if err != nil {
			return nil, err
		}
		if !ok {
			// A literal {x}: look for a brace expression inside or after it.
			continue
		}
		rest, err := expandBraces(s[j+1:])
		if err != nil {
			return nil, err
		}
		if len(alts)*len(rest) > MaxKeys {
			return nil, fmt.Errorf("template %q gives more than %d keys: use fewer alternatives or a shorter range", s, MaxKeys)
		}
		out := make([]string, 0, len(alts)*len(rest))
		prefix := s[:i]
		for _, a := range alts {
			for _, r := range rest {
				out = append(out, prefix+a+r)
			}
		}
		return out, nil
	}
	return []string{s}, nil
}

func matchingBrace(s string, open int) int {
	depth := 0
	for j := open; j < len(s); j++ {
		switch s[j] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(s) - 1 // unreachable for balanced input
}

// braceAlternatives expands the inside of one pair of braces. ok is false
// when the braces are literal (no comma at the top level and no range).
func braceAlternatives(inner string) (alts []string, ok bool, err error) {
	var parts []string
	depth, start := 0, 0
	for k := 0; k < len(inner); k++ {
		switch inner[k] {
		case '{':
			depth++
		case '}':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, inner[start:k])
				start = k + 1
			}
		}
	}
	if parts == nil {
		if strings.Contains(inner, "..") && !strings.ContainsAny(inner, "{}") {
			alts, err := braceRange(inner)
			return alts, err == nil, err
		}
		return nil, false, nil
	}
	parts = append(parts, inner[start:])
	for _, p := range parts {
		exp, err := expandBraces(p)
		if err != nil {
			return nil, false, err
		}
		if len(alts)+len(exp) > MaxKeys {
			return nil, false, fmt.Errorf("{%s} gives more than %d keys", inner, MaxKeys)
		}
		alts = append(alts, exp...)
	}
	return alts, true, nil
}

// braceRange expands "1..5", "05..10", "10..1..2" or "a..e".
func braceRange(r string) ([]string, error) {
	bounds := strings.Split(r, "..")
	if len(bounds) != 2 && len(bounds) != 3 {
		return nil, fmt.Errorf("range {%s} is not valid: use {1..5}, {1..10..2} or {a..e}", r)
	}
	step := int64(1)
	if len(bounds) == 3 {
		s, err := strconv.ParseInt(bounds[2], 10, 32)
		if err != nil || s == 0 {
			return nil, fmt.Errorf("range {%s} has a bad step %q: use a whole number other than 0", r, bounds[2])
		}
		if s < 0 {
			s = -s
		}
		step = s
	}
	lo, hi := bounds[0], bounds[1]
	if isLetter(lo) && isLetter(hi) {
		a, b := int64(lo[0]), int64(hi[0])
		var out []string
		for _, v := range rangeValues(a, b, step) {
			out = append(out, string(rune(v)))
		}
		return out, nil
	}
	a, errA := strconv.ParseInt(lo, 10, 64)
	b, errB := strconv.ParseInt(hi, 10, 64)
	if errA != nil || errB != nil || math.Abs(float64(a)) > 1e15 || math.Abs(float64(b)) > 1e15 {
		return nil, fmt.Errorf("range {%s} is not valid: use whole numbers such as {1..5}, or single letters such as {a..e}", r)
	}
	n := (abs(b-a))/step + 1
	if n > MaxKeys {
		return nil, fmt.Errorf("range {%s} gives %d keys, more than %d", r, n, MaxKeys)
	}
	width := 0
	if padded(lo) || padded(hi) {
		width = max(len(lo), len(hi))
	}
	var out []string
	for _, v := range rangeValues(a, b, step) {
		s := strconv.FormatInt(v, 10)
		if width > 0 {
			neg := v < 0
			digits := strings.TrimPrefix(s, "-")
			w := width
			if neg {
				w--
			}
			if len(digits) < w {
				digits = strings.Repeat("0", w-len(digits)) + digits
			}
			if neg {
				digits = "-" + digits
			}
			s = digits
		}
		out = append(out, s)
	}
	return out, nil
}

func rangeValues(a, b, step int64) []int64 {
	var out []int64
	if a <= b {
		for v := a; v <= b; v += step {
			out = append(out, v)
		}
	} else {
		for v := a; v >= b; v -= step {
			out = append(out, v)
		}
	}
	return out
}

func isLetter(s string) bool {
	return len(s) == 1 && (s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z')
}

func padded(s string) bool {
	s = strings.TrimPrefix(s, "-")
	return len(s) > 1 && s[0] == '0'
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// WeightedKey is one entry of a weighted routing key choice. Key may be a
// template (ExpandKeyTemplate); its weight is then shared evenly among the
// keys it expands to.
type WeightedKey struct {
	Key string `yaml:"key" json:"key"`
	// Weight is relative to the other entries (default 1).
	Weight float64 `yaml:"weight,omitempty" json:"weight,omitempty"`
}

// KeyChoice is the set of routing keys a publisher group sends to, with the
// share of messages each gets.
type KeyChoice struct {
	// Keys are distinct, in the order the file gives them.
	Keys []string
	// Weights are each key's share of messages; they add up to 1.
	Weights []float64
	cum     []float64
}

// KeyChoice expands the group's routing keys (routing_key, routing_keys or
// weighted_routing_keys; templates expanded) into distinct keys and their
// shares. A key listed twice in routing_keys gets twice the share. With no
// keys at all the choice is the empty key.
func (p *PublisherGroup) KeyChoice() (KeyChoice, error) {
	var entries []WeightedKey
	switch {
	case len(p.WeightedKeys) > 0:
		entries = p.WeightedKeys
	case len(p.RoutingKeys) > 0:
		// Each key a template gives counts as one entry, as when
		// ApplyDefaults expands the list in place.
		for _, k := range expandKeyList(p.RoutingKeys) {
			entries = append(entries, WeightedKey{Key: k, Weight: 1})
		}
	case p.RoutingKey != "":
		entries = []WeightedKey{{Key: p.RoutingKey, Weight: 1}}
	default:
		return newKeyChoice([]string{""}, []float64{1})
	}
	keys, weights, err := expandWeighted(entries)
	if err != nil {
		return KeyChoice{}, err
	}
	return newKeyChoice(keys, weights)
}

var errTooManyKeys = fmt.Errorf("the routing keys expand to more than %d keys: use fewer", MaxKeys)

// expandWeighted expands the entries' templates into distinct keys, sharing
// each entry's weight evenly among its keys.
func expandWeighted(entries []WeightedKey) (keys []string, weights []float64, err error) {
	index := map[string]int{}
	for _, e := range entries {
		w := e.Weight
		if w == 0 {
			w = 1
		}
		if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
			err = fmt.Errorf("weight of %q must be a number > 0, got %v", e.Key, e.Weight)
			w = 0
		}
		exp, xerr := ExpandKeyTemplate(e.Key)
		if xerr != nil {
			return nil, nil, xerr
		}
		for _, k := range exp {
			i, ok := index[k]
			if !ok {
				if len(keys) >= MaxKeys {
					return nil, nil, errTooManyKeys
				}
				i = len(keys)
				index[k] = i
				keys = append(keys, k)
				weights = append(weights, 0)
			}
			weights[i] += w / float64(len(exp))
		}
	}
	return keys, weights, err
}

// keysGiven reports whether routing_keys was given (rather than filled in
// by ApplyDefaults from routing_key or weighted_routing_keys). A scenario
// read back from JSON has no record of that: keys equal to what would be
// filled in count as filled in.
func (p *PublisherGroup) keysGiven() bool {
	if len(p.RoutingKeys) == 0 || p.derived&derivedKeys != 0 {
		return false
	}
	derived := p.derivedKeys()
	return derived == nil || !slices.Equal(p.RoutingKeys, derived)
}

// derivedKeys are the keys ApplyDefaults copies into RoutingKeys from
// routing_key or weighted_routing_keys (nil when it copies none).
func (p *PublisherGroup) derivedKeys() []string {
	switch {
	case len(p.WeightedKeys) > 0:
		keys, _, err := expandWeighted(p.WeightedKeys)
		if keys == nil && err != nil {
			return nil
		}
		return keys
	case p.RoutingKey != "":
		keys, err := ExpandKeyTemplate(p.RoutingKey)
		if err != nil {
			return []string{p.RoutingKey}
		}
		return keys
	}
	return nil
}

func newKeyChoice(keys []string, weights []float64) (KeyChoice, error) {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	if total <= 0 || math.IsInf(total, 0) {
		return KeyChoice{}, fmt.Errorf("routing key weights must add up to a number > 0")
	}
	kc := KeyChoice{Keys: keys, Weights: make([]float64, len(weights)), cum: make([]float64, len(weights))}
	sum := 0.0
	for i, w := range weights {
		kc.Weights[i] = w / total
		sum += w / total
		kc.cum[i] = sum
	}
	kc.cum[len(kc.cum)-1] = 1
	return kc, nil
}

// Index returns the index in Keys of the key for a uniform random number u
// in [0, 1): keys are chosen in proportion to their weights. Callers own the
// randomness (seeded from run.seed), so a choice is repeatable.
func (k KeyChoice) Index(u float64) int {
	if len(k.cum) <= 1 {
		return 0
	}
	i := sort.Search(len(k.cum), func(i int) bool { return k.cum[i] > u })
	if i >= len(k.cum) {
		i = len(k.cum) - 1
	}
	return i
}

// Pick returns the key for a uniform random number u in [0, 1).
func (k KeyChoice) Pick(u float64) string {
	if len(k.Keys) == 0 {
		return ""
	}
	return k.Keys[k.Index(u)]
}

// expandKeyList expands the templates in a list of keys, keeping order and
// repeats; entries that fail to expand are kept as they are (Validate
// reports them).
func expandKeyList(keys []string) []string {
	if !anyBrace(keys) {
		return keys
	}
	var out []string
	for _, k := range keys {
		exp, err := ExpandKeyTemplate(k)
		if err != nil || len(out)+len(exp) > MaxKeys {
			out = append(out, k)
			continue
		}
		out = append(out, exp...)
	}
	return out
}

func anyBrace(keys []string) bool {
	for _, k := range keys {
		if strings.ContainsAny(k, "{}") {
			return true
		}
	}
	return false
}
