package scenarios

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestExpandKeyTemplate(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr string
	}{
		{"a.b.c", []string{"a.b.c"}, ""},
		{"", []string{""}, ""},
		{"greenhouse.zone{1..3}.{temperature,humidity}", []string{
			"greenhouse.zone1.temperature", "greenhouse.zone1.humidity",
			"greenhouse.zone2.temperature", "greenhouse.zone2.humidity",
			"greenhouse.zone3.temperature", "greenhouse.zone3.humidity",
		}, ""},
		{"{a,b,c}", []string{"a", "b", "c"}, ""},
		{"x.{a,}", []string{"x.a", "x."}, ""},
		{"{a,b{1..2}}.z", []string{"a.z", "b1.z", "b2.z"}, ""},
		{"n{3..1}", []string{"n3", "n2", "n1"}, ""},
		{"n{1..10..4}", []string{"n1", "n5", "n9"}, ""},
		{"n{10..1..4}", []string{"n10", "n6", "n2"}, ""},
		{"n{08..11}", []string{"n08", "n09", "n10", "n11"}, ""},
		{"n{-1..1}", []string{"n-1", "n0", "n1"}, ""},
		{"{a..c}", []string{"a", "b", "c"}, ""},
		{"{C..A}", []string{"C", "B", "A"}, ""},
		{"{x}", []string{"{x}"}, ""},
		{"{}", []string{"{}"}, ""},
		{"{x}.{1..2}", []string{"{x}.1", "{x}.2"}, ""},
		{"{1..1}", []string{"1"}, ""},
		{"a{", nil, "not closed"},
		{"a}", nil, "no { before it"},
		{"{a,b", nil, "not closed"},
		{"{1..x}", nil, "is not valid"},
		{"{1..5..0}", nil, "bad step"},
		{"{1..2..3..4}", nil, "is not valid"},
		{"{1..100000}", nil, "more than 10000"},
		{"{1..100}{1..100}{1..100}", nil, "more than 10000"},
		{"{1..99999999999999999999}", nil, "is not valid"},
	}
	for _, tt := range tests {
		got, err := ExpandKeyTemplate(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ExpandKeyTemplate(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ExpandKeyTemplate(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ExpandKeyTemplate(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestKeyChoice(t *testing.T) {
	tests := []struct {
		name    string
		p       PublisherGroup
		keys    []string
		weights []float64
	}{
		{"no keys: the empty key", PublisherGroup{}, []string{""}, []float64{1}},
		{"one fixed key", PublisherGroup{RoutingKey: "a"}, []string{"a"}, []float64{1}},
		{"a list, uniform", PublisherGroup{RoutingKeys: []string{"a", "b", "c", "d"}}, []string{"a", "b", "c", "d"}, []float64{.25, .25, .25, .25}},
		{"a key listed twice counts twice", PublisherGroup{RoutingKeys: []string{"a", "b", "a"}}, []string{"a", "b"}, []float64{2. / 3, 1. / 3}},
		{"a template in the list", PublisherGroup{RoutingKeys: []string{"z{1..2}", "y"}}, []string{"z1", "z2", "y"}, []float64{1. / 3, 1. / 3, 1. / 3}},
		{"weighted", PublisherGroup{WeightedKeys: []WeightedKey{{Key: "info", Weight: 9}, {Key: "crit", Weight: 1}}}, []string{"info", "crit"}, []float64{.9, .1}},
		{"weight defaults to 1", PublisherGroup{WeightedKeys: []WeightedKey{{Key: "a"}, {Key: "b", Weight: 3}}}, []string{"a", "b"}, []float64{.25, .75}},
		{"a template's weight is shared", PublisherGroup{WeightedKeys: []WeightedKey{{Key: "t.{1..4}", Weight: 2}, {Key: "h", Weight: 2}}}, []string{"t.1", "t.2", "t.3", "t.4", "h"}, []float64{.125, .125, .125, .125, .5}},
		{"weighted keys are merged", PublisherGroup{WeightedKeys: []WeightedKey{{Key: "{a,b}", Weight: 2}, {Key: "a", Weight: 1}}}, []string{"a", "b"}, []float64{2. / 3, 1. / 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kc, err := tt.p.KeyChoice()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(kc.Keys, tt.keys) {
				t.Errorf("Keys = %q, want %q", kc.Keys, tt.keys)
			}
			sum := 0.0
			for _, w := range kc.Weights {
				sum += w
			}
			for i, w := range kc.Weights {
				if i >= len(tt.weights) || math.Abs(w-tt.weights[i]) > 1e-9 {
					t.Errorf("Weights = %v, want %v", kc.Weights, tt.weights)
					break
				}
			}
			if math.Abs(sum-1) > 1e-9 {
				t.Errorf("weights add up to %v", sum)
			}
		})
	}
}

func TestKeyChoicePick(t *testing.T) {
	p := PublisherGroup{WeightedKeys: []WeightedKey{{Key: "a", Weight: 1}, {Key: "b", Weight: 2}, {Key: "c", Weight: 1}}}
	kc, err := p.KeyChoice()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		u    float64
		want string
	}{{0, "a"}, {0.2499, "a"}, {0.25, "b"}, {0.7499, "b"}, {0.75, "c"}, {0.9999, "c"}, {1, "c"}, {-1, "a"}} {
		if got := kc.Pick(tt.u); got != tt.want {
			t.Errorf("Pick(%v) = %q, want %q", tt.u, got, tt.want)
		}
	}
	// Evenly spread u gives the weights back.
	counts := map[string]int{}
	const n = 10000
	for i := 0; i < n; i++ {
		counts[kc.Pick((float64(i)+0.5)/n)]++
	}
	if counts["a"] != 2500 || counts["b"] != 5000 || counts["c"] != 2500 {
		t.Errorf("counts = %v", counts)
	}
}

func TestKeyChoiceErrors(t *testing.T) {
	for _, p := range []PublisherGroup{
		{WeightedKeys: []WeightedKey{{Key: "a", Weight: -1}}},
		{WeightedKeys: []WeightedKey{{Key: "a{", Weight: 1}}},
		{RoutingKeys: []string{"{1..3}{1..100}{1..100}"}},
	} {
		if _, err := p.KeyChoice(); err == nil {
			t.Errorf("KeyChoice(%+v) = nil error", p)
		}
	}
}
