package scenarios

import (
	"fmt"
	"strconv"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// valueError is a bad value found while decoding, located at its YAML node,
// so that Load can say where it is ("bad.yaml:7:11: invalid rate ...").
type valueError struct {
	line, col int
	msg       string
}

func (e *valueError) Error() string { return e.msg }

// nodeError makes a valueError at node.
func nodeError(node ast.Node, format string, args ...any) error {
	e := &valueError{msg: fmt.Sprintf(format, args...)}
	if tk := node.GetToken(); tk != nil && tk.Position != nil {
		e.line, e.col = tk.Position.Line, tk.Position.Column
	}
	return e
}

// wrapNodeError locates err at node unless it already carries a position.
func wrapNodeError(node ast.Node, err error) error {
	if err == nil {
		return nil
	}
	switch err.(type) {
	case *valueError, yaml.Error:
		return err
	}
	return nodeError(node, "%s", err.Error())
}

// decodeNode decodes a node strictly (unknown fields are errors), as Load
// decodes the whole file.
func decodeNode(node ast.Node, v any) error {
	return yaml.NodeToValue(node, v, yaml.DisallowUnknownField())
}

// nodeKind tells a scalar from a mapping or a sequence, looking through
// tags, anchors and aliases.
type nodeKind int

const (
	kindScalar nodeKind = iota
	kindMapping
	kindSequence
	kindNull
)

func kindOf(node ast.Node) (nodeKind, error) {
	var v any
	if err := decodeNode(node, &v); err != nil {
		return kindScalar, err
	}
	switch v.(type) {
	case nil:
		return kindNull, nil
	case map[string]any:
		return kindMapping, nil
	case []any:
		return kindSequence, nil
	}
	return kindScalar, nil
}

// scalarText returns the text of a scalar node: "500/s", "1KiB", "30".
func scalarText(node ast.Node) (string, error) {
	var v any
	if err := decodeNode(node, &v); err != nil {
		return "", err
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case nil:
		return "", nil
	case bool:
		return strconv.FormatBool(x), nil
	case int, int64, uint64, int32, uint32:
		return fmt.Sprint(x), nil
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32), nil
	}
	return "", nodeError(node, "expected a single value, got %s", describeYAML(v))
}

func describeYAML(v any) string {
	switch v.(type) {
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("%T", v)
}
