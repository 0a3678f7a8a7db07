package scenarios

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// readmeExample returns the first YAML block after "## Complete example".
func readmeExample(t *testing.T) (readme, example string) {
	t.Helper()
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme = string(data)
	_, rest, ok := strings.Cut(readme, "## Complete example")
	if !ok {
		t.Fatal("README.md has no complete example")
	}
	_, rest, _ = strings.Cut(rest, "```yaml\n")
	example, _, ok = strings.Cut(rest, "```")
	if !ok {
		t.Fatal("the complete example is not a yaml block")
	}
	return readme, example
}

func TestReadmeExampleIsValid(t *testing.T) {
	_, example := readmeExample(t)
	s, err := Load(strings.NewReader(example), "README.md")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(); err != nil {
		t.Fatalf("the README's example does not validate:\n%v", err)
	}
	vs, err := s.Expand()
	if err != nil || len(vs) != 6 {
		t.Fatalf("Expand = %d variants, %v", len(vs), err)
	}
	if vs[0].Name != "classic,consumers[billing].prefetch=10" || vs[0].Scenario.Topology.Queues[0].Type != QueueClassic {
		t.Errorf("first variant %s: %+v", vs[0].Name, vs[0].Scenario.Topology.Queues[0])
	}
}

// TestReadmeDocumentsEveryField checks that every YAML field of the format
// appears in the README's complete example.
func TestReadmeDocumentsEveryField(t *testing.T) {
	_, example := readmeExample(t)
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type, string)
	walk = func(typ reflect.Type, path string) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] || typ == reflect.TypeOf(Rate{}) || typ == reflect.TypeOf(SizeDistribution{}) {
			return
		}
		seen[typ] = true
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if tag == "" || tag == "-" {
				continue
			}
			if !strings.Contains(example, tag+":") {
				t.Errorf("field %s.%s is not in the README's complete example", path, tag)
			}
			walk(f.Type, path+"."+tag)
		}
	}
	walk(reflect.TypeOf(Scenario{}), "scenario")
	for _, form := range []string{"ramp:", "steps:", "every:", "min:", "max:"} {
		if !strings.Contains(example, form) {
			t.Errorf("the complete example does not show %s", form)
		}
	}
}
