package scenarios

import (
	"bytes"
	"testing"
	"time"
)

// FuzzLoad feeds arbitrary bytes to the loader, then validates, expands
// and routes what loads: none of it may panic.
func FuzzLoad(f *testing.F) {
	for _, name := range BuiltinNames() {
		src, err := BuiltinSource(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte(validBase))
	f.Add([]byte(sweepBase + "sweep:\n  parameters:\n    - {field: consumers.prefetch, values: [1, 2]}\n  variants:\n    - {name: a, override: {run: {duration: 1s}}}\n"))
	f.Add([]byte("name: x\npublishers:\n  - rate: {ramp: {from: 1/s, to: 9/s, over: 2s}}\n    size_distribution: [1KiB, {size: 2KiB, weight: 3}]\n    routing_keys: [\"a{1..3}.{b,c}\"]\n"))
	f.Add([]byte(validBase + "thresholds: [e2e_p99<50ms, \"lost == 0\", publish_rate>=99%, consume_rate>=900/s]\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("name: x\ntopology:\n  declare: passive\n  bindings: [{exchange: a, to_exchange: a, key: '#.#'}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Load(bytes.NewReader(data), "fuzz.yaml")
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		_ = s.Validate()
		variants, err := s.Expand()
		if err != nil {
			return
		}
		for _, v := range variants {
			sc := v.Scenario
			r := sc.Router()
			for i := range sc.Publishers {
				p := &sc.Publishers[i]
				kc, err := p.KeyChoice()
				if err == nil {
					for _, k := range kc.Keys[:min(len(kc.Keys), 20)] {
						r.Route(p.Exchange, k, p.Headers)
					}
					kc.Pick(0.5)
				}
				p.MessageSize(0.3)
				p.Rate.At(time.Second)
				p.Rate.DueAt(100)
				p.Rate.Due(time.Minute)
			}
			for i := range sc.Consumers {
				sc.Consumers[i].Outcome(0.5)
				sc.Consumers[i].ProcessingFor(0.5)
			}
		}
	})
}
