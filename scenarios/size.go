package scenarios

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// SizeDistribution spreads message sizes: a uniform range (Min to Max), or
// a weighted list of sizes (Choices). In YAML:
//
//	size_distribution: {min: 100B, max: 4KiB}
//	size_distribution: [{size: 256B, weight: 9}, {size: 64KiB, weight: 1}]
//	size_distribution: [512B, 1KiB, 2KiB]          # equal weights
type SizeDistribution struct {
	Min, Max ByteSize
	Choices  []WeightedSize
}

// WeightedSize is one entry of a weighted list of sizes.
type WeightedSize struct {
	Size ByteSize `yaml:"size" json:"size"`
	// Weight is relative to the other entries (default 1).
	Weight float64 `yaml:"weight,omitempty" json:"weight,omitempty"`
}

type sizeRange struct {
	Min ByteSize `yaml:"min" json:"min"`
	Max ByteSize `yaml:"max" json:"max"`
}

// IsUniform reports whether the distribution is a range rather than a list.
func (d SizeDistribution) IsUniform() bool { return len(d.Choices) == 0 }

func (w WeightedSize) weight() float64 {
	if w.Weight == 0 {
		return 1
	}
	return w.Weight
}

// Pick returns the size for a uniform random number u in [0, 1). Callers own
// the randomness, so a run with a seed is repeatable.
func (d SizeDistribution) Pick(u float64) ByteSize {
	if u < 0 || math.IsNaN(u) {
		u = 0
	}
	if u >= 1 {
		u = math.Nextafter(1, 0)
	}
	if d.IsUniform() {
		if d.Max <= d.Min {
			return d.Min
		}
		return d.Min + ByteSize(u*float64(d.Max-d.Min+1))
	}
	total := 0.0
	for _, c := range d.Choices {
		total += c.weight()
	}
	x := u * total
	for _, c := range d.Choices {
		x -= c.weight()
		if x < 0 {
			return c.Size
		}
	}
	return d.Choices[len(d.Choices)-1].Size
}

// Smallest is the smallest size the distribution gives.
func (d SizeDistribution) Smallest() ByteSize {
	if d.IsUniform() {
		return d.Min
	}
	s := d.Choices[0].Size
	for _, c := range d.Choices {
		s = min(s, c.Size)
	}
	return s
}

// Largest is the largest size the distribution gives.
func (d SizeDistribution) Largest() ByteSize {
	if d.IsUniform() {
		return d.Max
	}
	s := d.Choices[0].Size
	for _, c := range d.Choices {
		s = max(s, c.Size)
	}
	return s
}

// Mean is the average size, in bytes.
func (d SizeDistribution) Mean() float64 {
	if d.IsUniform() {
		return (float64(d.Min) + float64(d.Max)) / 2
	}
	total, sum := 0.0, 0.0
	for _, c := range d.Choices {
		total += c.weight()
		sum += c.weight() * float64(c.Size)
	}
	if total == 0 {
		return 0
	}
	return sum / total
}

// String formats the distribution: "100B..4KiB" or "256B×9, 64KiB×1".
func (d SizeDistribution) String() string {
	if d.IsUniform() {
		return d.Min.String() + ".." + d.Max.String()
	}
	parts := make([]string, len(d.Choices))
	for i, c := range d.Choices {
		parts[i] = fmt.Sprintf("%s×%g", c.Size, c.weight())
	}
	return strings.Join(parts, ", ")
}

func (d SizeDistribution) mapping() any {
	if d.IsUniform() {
		return sizeRange{Min: d.Min, Max: d.Max}
	}
	return d.Choices
}

// UnmarshalYAML reads a range mapping or a list of sizes.
func (d *SizeDistribution) UnmarshalYAML(node ast.Node) error {
	kind, err := kindOf(node)
	if err != nil {
		return wrapNodeError(node, err)
	}
	switch kind {
	case kindNull:
		*d = SizeDistribution{}
		return nil
	case kindMapping:
		var r sizeRange
		if err := decodeNode(node, &r); err != nil {
			return err
		}
		*d = SizeDistribution{Min: r.Min, Max: r.Max}
		return nil
	case kindSequence:
		seq, ok := unwrapSequence(node)
		if !ok {
			return nodeError(node, "size_distribution: expected a list")
		}
		var choices []WeightedSize
		for _, item := range seq.Values {
			k, err := kindOf(item)
			if err != nil {
				return wrapNodeError(item, err)
			}
			var w WeightedSize
			if k == kindMapping {
				if err := decodeNode(item, &w); err != nil {
					return err
				}
			} else if err := w.Size.UnmarshalYAML(item); err != nil {
				return err
			}
			choices = append(choices, w)
		}
		if len(choices) == 0 {
			return nodeError(node, "size_distribution is an empty list: give at least one size")
		}
		*d = SizeDistribution{Choices: choices}
		return nil
	}
	return nodeError(node, "size_distribution is a range such as {min: 100B, max: 4KiB} or a list of sizes such as [{size: 256B, weight: 9}, {size: 64KiB, weight: 1}]")
}

// unwrapSequence finds the sequence under tags and anchors.
func unwrapSequence(node ast.Node) (*ast.SequenceNode, bool) {
	for {
		switch n := node.(type) {
		case *ast.SequenceNode:
			return n, true
		case *ast.TagNode:
			node = n.Value
		case *ast.AnchorNode:
			node = n.Value
		default:
			return nil, false
		}
	}
}

// MarshalYAML writes the range or list form.
func (d SizeDistribution) MarshalYAML() (any, error) { return d.mapping(), nil }

// MarshalJSON writes the range or list form, as in YAML.
func (d SizeDistribution) MarshalJSON() ([]byte, error) { return json.Marshal(d.mapping()) }

// UnmarshalJSON reads the range or list form.
func (d *SizeDistribution) UnmarshalJSON(b []byte) error {
	if t := strings.TrimSpace(string(b)); strings.HasPrefix(t, "[") {
		var choices []WeightedSize
		if err := json.Unmarshal(b, &choices); err != nil {
			return err
		}
		*d = SizeDistribution{Choices: choices}
		return nil
	}
	var r sizeRange
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	*d = SizeDistribution{Min: r.Min, Max: r.Max}
	return nil
}

// UnmarshalJSON reads a size written as "1KiB" or as a number of bytes.
func (b *ByteSize) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		return b.UnmarshalText([]byte(s))
	}
	return b.UnmarshalText(data)
}

// sizeGiven reports whether size was given alongside a size distribution
// (rather than set by ApplyDefaults to its largest size).
func (p *PublisherGroup) sizeGiven() bool {
	if p.SizeDistribution == nil {
		return p.derived&derivedSize == 0
	}
	return p.derived&derivedSize == 0 && p.Size != 0 && p.Size != p.SizeDistribution.Largest()
}

// MessageSize returns the size of a message for a uniform random number u in
// [0, 1): Size, or a pick from the size distribution when there is one.
func (p *PublisherGroup) MessageSize(u float64) ByteSize {
	if p.SizeDistribution != nil {
		return p.SizeDistribution.Pick(u)
	}
	return p.Size
}

// MinSize is the smallest message the group sends.
func (p *PublisherGroup) MinSize() ByteSize {
	if p.SizeDistribution != nil {
		return p.SizeDistribution.Smallest()
	}
	return p.Size
}

// MaxSize is the largest message the group sends (a buffer this size holds
// every message).
func (p *PublisherGroup) MaxSize() ByteSize {
	if p.SizeDistribution != nil {
		return p.SizeDistribution.Largest()
	}
	return p.Size
}

// MeanSize is the average message size, in bytes, for estimates.
func (p *PublisherGroup) MeanSize() float64 {
	if p.SizeDistribution != nil {
		return p.SizeDistribution.Mean()
	}
	return float64(p.Size)
}
