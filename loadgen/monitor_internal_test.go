package loadgen

import (
	"slices"
	"testing"
)

func TestFlowChanges(t *testing.T) {
	before := map[string]bool{"pub-a-0": true, "pub-a-1": true}
	now := map[string]bool{"pub-a-1": true, "pub-b-0": true}
	started, ended := flowChanges(before, now)
	if !slices.Equal(started, []string{"pub-b-0"}) || !slices.Equal(ended, []string{"pub-a-0"}) {
		t.Errorf("started %v, ended %v", started, ended)
	}
	if s, e := flowChanges(nil, nil); s != nil || e != nil {
		t.Errorf("no flow at all: started %v, ended %v", s, e)
	}
}
