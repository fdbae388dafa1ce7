package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// ParseFile decodes a config file strictly: an unknown key or a bad value
// is an error with file:line. Every value echoed in an error is quoted, and
// the path is quoted when it holds anything unprintable, so an error stays
// one line and writes no escape sequence to a terminal.
func ParseFile(path string, data []byte) (*Values, error) {
	v := &Values{lines: map[string]int{}}
	name := printable(path)
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return v, nil // an empty file sets nothing
		}
		return nil, fmt.Errorf("%s: %s", name, printable(strings.TrimPrefix(err.Error(), "yaml: ")))
	}
	if len(doc.Content) == 0 {
		return v, nil
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: want a mapping of settings (%s)", name, m.Line, strings.Join(Keys, ", "))
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, val := m.Content[i], m.Content[i+1]
		// yaml.v3 decodes a node tree without complaint about a repeated
		// key; the second would silently win.
		if first, dup := v.lines[k.Value]; dup {
			return nil, fmt.Errorf("%s:%d: duplicate key %+q (first on line %d)", name, k.Line, k.Value, first)
		}
		var err error
		switch {
		case k.Value == TrustKey:
			err = v.setTrust(val)
		case slices.Contains(Keys, k.Value):
			var raw string
			raw, err = scalarOrList(k.Value, val)
			if err == nil {
				err = v.Set(k.Value, raw)
			}
		default:
			err = fmt.Errorf("unknown key %+q (known: %s, %s)", k.Value, strings.Join(Keys, ", "), TrustKey)
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, k.Line, err)
		}
		v.lines[k.Value] = k.Line
	}
	return v, nil
}

// scalarOrList accepts a scalar, or for "external" and "ports" a list of
// scalars.
func scalarOrList(key string, n *yaml.Node) (string, error) {
	switch {
	case n.Kind == yaml.ScalarNode:
		return n.Value, nil
	case n.Kind == yaml.SequenceNode && (key == "external" || key == "ports"):
		var parts []string
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				if key == "ports" {
					return "", fmt.Errorf("ports: want a list of ports")
				}
				return "", fmt.Errorf("external: want a list of IP addresses")
			}
			parts = append(parts, c.Value)
		}
		return strings.Join(parts, ","), nil
	}
	return "", fmt.Errorf("%s: want a single value", key)
}

// maxTrust bounds the trust list: it is read on every run.
const maxTrust = 256

// setTrust reads the trust list: absolute directory paths, one or a list.
func (v *Values) setTrust(n *yaml.Node) error {
	var items []*yaml.Node
	switch n.Kind {
	case yaml.ScalarNode:
		items = []*yaml.Node{n}
	case yaml.SequenceNode:
		items = n.Content
	default:
		return fmt.Errorf("%s: want a list of directories", TrustKey)
	}
	if len(items) > maxTrust {
		return fmt.Errorf("%s: %d entries, at most %d", TrustKey, len(items), maxTrust)
	}
	v.trust = v.trust[:0]
	for _, c := range items {
		if c.Kind != yaml.ScalarNode {
			return fmt.Errorf("%s: want a list of directories", TrustKey)
		}
		if !filepath.IsAbs(c.Value) || !isPrintable(c.Value) {
			return fmt.Errorf("%s: %+q is not an absolute path", TrustKey, c.Value)
		}
		v.trust = append(v.trust, filepath.Clean(c.Value))
	}
	return nil
}

// printable returns s unchanged when every rune is a printable character
// (spaces included), and Go-quoted in ASCII otherwise, for paths and
// messages that go to a terminal: strconv.Quote would keep a U+FFFD (what
// a JSON decoder makes of invalid UTF-8) as it is.
func printable(s string) string {
	if isPrintable(s) {
		return s
	}
	return strconv.QuoteToASCII(s)
}

func isPrintable(s string) bool {
	for _, r := range s {
		if r == unicode.ReplacementChar || !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}
