package main

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/goccy/go-yaml"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/results"
)

// k8sJob is the part of deploy/kubernetes/job.yaml the test reads.
type k8sJob struct {
	Spec struct {
		CompletionMode string `yaml:"completionMode"`
		Completions    int    `yaml:"completions"`
		Parallelism    int    `yaml:"parallelism"`
		Template       struct {
			Spec struct {
				Containers []struct {
					Command []string `yaml:"command"`
					Args    []string `yaml:"args"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

func readJob(t *testing.T, name string) k8sJob {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "deploy", "kubernetes", name))
	if err != nil {
		t.Fatal(err)
	}
	var job k8sJob
	if err := yaml.Unmarshal(data, &job); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(job.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("%s: want one container", name)
	}
	return job
}

// TestKubernetesJobRunsAndMerges runs the Kubernetes example for real, on
// this machine: the Indexed Job's container arguments, with the pod's
// variables filled in, start two warren processes side by side against the
// local broker, consuming from the same queues, so each consumes messages
// the other published; then the merge Job's command joins their run
// directories. The merged result must account for every message exactly.
func TestKubernetesJobRunsAndMerges(t *testing.T) {
	uri := testbroker.Require(t)
	job := readJob(t, "job.yaml")
	if job.Spec.CompletionMode != "Indexed" || job.Spec.Completions < 2 || job.Spec.Parallelism != job.Spec.Completions {
		t.Fatalf("job.yaml: want an Indexed Job running all its pods at once, got %+v", job.Spec)
	}
	podArgs := job.Spec.Template.Spec.Containers[0].Args
	joined := strings.Join(podArgs, " ")
	for _, want := range []string{"--instance-id=pod-$(JOB_COMPLETION_INDEX)", "--run-id=$(RUN_ID)", "--start-at=$(START_AT)"} {
		if !strings.Contains(joined, want) {
			t.Fatalf("job.yaml: the container's args lack %s: %s", want, joined)
		}
	}

	bin := buildWarren(t)
	resultsDir := t.TempDir()
	runID := testbroker.UniqueName(t, "k8s")
	prefix := runID + "."
	startAt := time.Now().Add(3 * time.Second).UTC().Format(time.RFC3339)
	pod := func(index int) []string {
		var args []string
		for _, a := range podArgs {
			a = strings.NewReplacer("$(RUN_ID)", runID, "$(JOB_COMPLETION_INDEX)", fmt.Sprint(index),
				"$(START_AT)", startAt, "/results", resultsDir).Replace(a)
			switch {
			case strings.HasPrefix(a, "--duration="):
				a = "--duration=4s" // kept short for the test
			case strings.HasPrefix(a, "--rate="):
				a = "--rate=300"
			}
			args = append(args, a)
		}
		return append(args, "--prefix", prefix, "--no-report")
	}
	t.Cleanup(func() { deleteGreenhouse(t, uri, prefix) })

	const pods = 2
	var wg sync.WaitGroup
	outputs := make([]string, pods)
	errs := make([]error, pods)
	for i := 0; i < pods; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(bin, pod(i)...)
			cmd.Env = append(os.Environ(), "WARREN_URI="+uri)
			out, err := cmd.CombinedOutput()
			outputs[i], errs[i] = string(out), err
		}()
	}
	wg.Wait()
	var dirs []string
	var published, consumed int64
	for i := 0; i < pods; i++ {
		if errs[i] != nil {
			t.Fatalf("pod %d: %v\n%s", i, errs[i], outputs[i])
		}
		dir := filepath.Join(resultsDir, runID, fmt.Sprintf("pod-%d", i))
		res, err := results.ReadResult(filepath.Join(dir, results.ResultFile))
		if err != nil {
			t.Fatal(err)
		}
		if res.Summary.Published == 0 || res.Summary.Consumed == 0 {
			t.Fatalf("pod %d published %d, consumed %d", i, res.Summary.Published, res.Summary.Consumed)
		}
		published += res.Summary.Published
		consumed += res.Summary.Consumed
		dirs = append(dirs, dir)
	}
	// Both pods began at the --start-at time, not when they were started:
	// never before it, and later only when a pod was not ready by then (a
	// busy machine), which warren then says.
	for _, dir := range dirs {
		res, _ := results.ReadResult(filepath.Join(dir, results.ResultFile))
		at, _ := time.Parse(time.RFC3339, startAt)
		late := strings.Contains(strings.Join(res.Warnings, "\n"), "after the --start-at time")
		if d := res.StartedAt.Sub(at); d < 0 || d > time.Second && !late {
			t.Errorf("%s began publishing at %s, %s from --start-at %s (warnings %q)", dir, res.StartedAt, d, startAt, res.Warnings)
		}
	}

	merge := readJob(t, "merge-job.yaml").Spec.Template.Spec.Containers[0]
	script := strings.Join(merge.Args, " ")
	m := regexp.MustCompile(`warren (merge .*)$`).FindStringSubmatch(script)
	if m == nil {
		t.Fatalf("merge-job.yaml does not run 'warren merge': %q", script)
	}
	// The shell expands $RUN_ID and the pod-* glob in the Job; here the
	// test does.
	expanded := strings.ReplaceAll(strings.ReplaceAll(m[1], "$RUN_ID", runID), "/results", resultsDir)
	var args []string
	for _, f := range strings.Fields(expanded) {
		if strings.ContainsRune(f, '*') {
			matches, _ := filepath.Glob(f)
			args = append(args, matches...)
			continue
		}
		args = append(args, f)
	}
	code, stdout, stderr := runCLI(t, nil, args...)
	if code != exitOK {
		t.Fatalf("%v: exit %d\n%s%s", args, code, stdout, stderr)
	}
	out := filepath.Join(resultsDir, runID, "merged")
	res, err := results.ReadResult(filepath.Join(out, results.ResultFile))
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Published != published || res.Summary.Consumed != consumed {
		t.Errorf("merged published %d, consumed %d; the pods' sums are %d and %d", res.Summary.Published, res.Summary.Consumed, published, consumed)
	}
	in := res.Integrity
	if in.Expected == 0 || in.Received != in.Expected || in.Lost != 0 || in.Duplicated != 0 || in.Foreign != 0 || in.Unconsumed != 0 {
		t.Errorf("merged integrity should account for every copy: %+v", in)
	}
	if e2e := res.Latency[results.MetricEndToEnd]; e2e.Count != consumed+res.Summary.Unsent {
		// Each message due but never sent adds its lower bound.
		t.Errorf("merged end-to-end histogram holds %d values; the pods consumed %d and left %d unsent", e2e.Count, consumed, res.Summary.Unsent)
	}
	if res.Environment.InstanceID != "pod-0,pod-1" {
		t.Errorf("merged instances %q", res.Environment.InstanceID)
	}
	if _, err := os.Stat(filepath.Join(out, "report.md")); err != nil {
		t.Errorf("no merged report: %v", err)
	}
	// The merged interval log holds every interval value of the pods' logs,
	// metric by metric, on one clock from the earliest start.
	podCounts := map[string]int64{}
	for _, dir := range dirs {
		for tag, n := range hlogCounts(t, filepath.Join(dir, results.HlogFile)) {
			podCounts[tag] += n
		}
	}
	if merged := hlogCounts(t, filepath.Join(out, results.HlogFile)); len(podCounts) == 0 || !maps.Equal(merged, podCounts) {
		t.Errorf("merged latency.hlog counts %v, the pods' logs %v", merged, podCounts)
	}
	// The messages really crossed: each pod's consumers took some of the
	// other pod's messages, so neither pod balances on its own.
	for _, dir := range dirs {
		acc, err := results.ReadAccounting(filepath.Join(dir, results.AccountingFile))
		if err != nil {
			t.Fatal(err)
		}
		own := map[uint64]bool{}
		for _, p := range acc.Publishers {
			own[p.ID] = true
		}
		crossed := false
		for _, q := range acc.Queues {
			for _, r := range q.Received {
				crossed = crossed || !own[r.Publisher] && r.Seqs.Len() > 0
			}
		}
		if !crossed {
			t.Errorf("%s consumed none of the other pod's messages: the test did not exercise the merge", dir)
		}
	}
}

func TestMergeBadInput(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"one directory", []string{"merge", empty, "--out", filepath.Join(dir, "m")}, "two or more"},
		{"no out", []string{"merge", empty, empty}, "--out is required"},
		{"out exists", []string{"merge", empty, empty, "--out", dir}, "exists already"},
		{"missing dir", []string{"merge", empty, filepath.Join(dir, "nope"), "--out", filepath.Join(dir, "m")}, "is not a run directory"},
		{"not a run", []string{"merge", empty, empty, "--out", filepath.Join(dir, "m")}, "has no result.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, nil, tc.args...)
			if code != exitBadInput || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Errorf("exit %d, stderr %q; want exit %d and one line with %q", code, stderr, exitBadInput, tc.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "m")); err == nil {
				t.Error("a failed merge left its output directory")
			}
		})
	}
}

// deleteGreenhouse removes the greenhouse topology declared under prefix.
func deleteGreenhouse(t *testing.T, uri, prefix string) {
	conn, err := amqp.Dial(uri)
	if err != nil {
		t.Logf("cleanup: %v", err)
		return
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return
	}
	for _, q := range []string{"greenhouse.temperature", "greenhouse.all", "greenhouse.zone1"} {
		ch.QueueDelete(prefix+q, false, false, false)
	}
	ch.ExchangeDelete(prefix+"greenhouse.telemetry", false, false)
}

// hlogCounts reads an interval log and counts its values per tag; no
// interval may end before it starts.
func hlogCounts(t *testing.T, path string) map[string]int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]int64{}
	lr := hdrhistogram.NewHistogramLogReader(f)
	for {
		h, err := lr.NextIntervalHistogram()
		if err != nil && !errors.Is(err, io.EOF) {
			t.Fatalf("%s: %v", path, err)
		}
		if h == nil {
			return out
		}
		if h.EndTimeMs() < h.StartTimeMs() {
			t.Errorf("%s: interval %s ends before it starts", path, h.Tag())
		}
		out[h.Tag()] += h.TotalCount()
	}
}
