package results

import (
	"bufio"
	"encoding/json"
	"io"
	"sync"
)

// seriesLine is one line of series.jsonl.
type seriesLine struct {
	Second *Second       `json:"second,omitempty"`
	Broker *BrokerSample `json:"broker,omitempty"`
}

// SeriesWriter streams series.jsonl: each second of a run as it ends, one
// JSON object a line, {"second": …} from the generator and {"broker": …}
// from the broker's sampler. What was streamed survives the process being
// killed, and Recover reads it back.
//
// A SeriesWriter is safe for concurrent use. The first write error stops
// the stream; Err reports it. A nil *SeriesWriter writes nothing, so a run
// that streams no series needs no checks.
type SeriesWriter struct {
	mu  sync.Mutex
	enc *json.Encoder
	err error
}

// NewSeriesWriter streams to w; it returns nil for a nil w.
func NewSeriesWriter(w io.Writer) *SeriesWriter {
	if w == nil {
		return nil
	}
	return &SeriesWriter{enc: json.NewEncoder(w)}
}

// WriteSecond writes one second of the generator's figures.
func (s *SeriesWriter) WriteSecond(sec Second) { s.write(seriesLine{Second: &sec}) }

// WriteBroker writes one of the broker sampler's looks at the broker.
func (s *SeriesWriter) WriteBroker(b BrokerSample) { s.write(seriesLine{Broker: &b}) }

// Err reports the error that stopped the stream, if any.
func (s *SeriesWriter) Err() error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *SeriesWriter) write(l seriesLine) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = s.enc.Encode(l)
	}
}

// readSeries reads series.jsonl; a last line cut short by the crash is
// ignored.
func readSeries(f io.Reader, r *Result) {
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var l seriesLine
		if json.Unmarshal(sc.Bytes(), &l) != nil {
			continue
		}
		if l.Second != nil {
			r.Series = append(r.Series, *l.Second)
		}
		if l.Broker != nil {
			r.Broker.Samples = append(r.Broker.Samples, *l.Broker)
		}
	}
}
