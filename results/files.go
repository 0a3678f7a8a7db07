package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// File is one file for WriteFiles: its name in the directory and its
// content.
type File struct {
	Name string
	Data []byte
}

// WriteFiles writes files into dir atomically, in order. Each is written
// whole to a hidden temporary file in dir first; only when every one is
// written are they renamed into place, in the order given. So a reader sees
// each file either as it was or whole, never half of it, and one who sees
// the last file sees the others new already: a report's charts are in place
// before the report that links them. The files are readable by everyone,
// like any report. On error no temporary file is left behind, and no file
// after the one that failed is renamed.
func WriteFiles(dir string, files ...File) (err error) {
	temps := make([]string, 0, len(files))
	defer func() {
		if err != nil {
			for _, t := range temps {
				os.Remove(t)
			}
		}
	}()
	for _, f := range files {
		tmp, err := writeTemp(dir, f)
		if err != nil {
			return err
		}
		temps = append(temps, tmp)
	}
	for i, f := range files {
		if err := os.Rename(temps[i], filepath.Join(dir, f.Name)); err != nil {
			temps = temps[i:]
			return fmt.Errorf("write %s: %w", f.Name, err)
		}
	}
	temps = nil
	return nil
}

func writeTemp(dir string, f File) (string, error) {
	tmp, err := os.CreateTemp(dir, "."+f.Name+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", f.Name, err)
	}
	name := tmp.Name()
	_, err = tmp.Write(f.Data)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		// On disk before the rename: after a crash the new name holds
		// the whole file, not an empty one.
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", fmt.Errorf("write %s: %w", filepath.Join(dir, f.Name), err)
	}
	return name, nil
}

// WriteFile writes data to path atomically (see WriteFiles).
func WriteFile(path string, data []byte) error {
	return WriteFiles(filepath.Dir(path), File{Name: filepath.Base(path), Data: data})
}

// WriteJSONFile writes v as indented JSON to path atomically (see
// WriteFiles). Every JSON file warren writes goes through it, so they all
// look alike: two-space indent, a final newline.
func WriteJSONFile(path string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return WriteFile(path, buf.Bytes())
}

// readJSONFile reads a file warren wrote into v, and checks that the
// schema it names (read into *schema) is want; what names the kind of file
// for the error.
func readJSONFile(path, what, want string, v any, schema *string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: not a warren %s: %w", path, what, err)
	}
	if *schema != want {
		return fmt.Errorf("%s: schema %q, want %q: this warren cannot read it", path, *schema, want)
	}
	return nil
}
