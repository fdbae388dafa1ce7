package sys

// The macOS system proxy, from the SystemConfiguration preferences file.
// SCDynamicStore (what scutil --proxy shows) needs cgo; the preferences
// file holds the same per-service settings as an XML property list that
// any user may read. This file has no build tag so the parser is tested on
// every OS; only the read lives in local_darwin.go.

import (
	"bytes"
	"cmp"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/netguard/netguard/checks/netstate"
)

// plistNode is one value of an XML property list: a dict, an array or a
// scalar (string, integer, true, false, ...).
type plistNode struct {
	kind  string
	text  string
	dict  map[string]*plistNode
	array []*plistNode
}

func (n *plistNode) get(path ...string) *plistNode {
	for _, k := range path {
		if n == nil || n.dict == nil {
			return nil
		}
		n = n.dict[k]
	}
	return n
}

func (n *plistNode) str() string {
	if n == nil {
		return ""
	}
	return n.text
}

// parsePlist decodes an XML property list into a tree, bounded in depth.
func parsePlist(data []byte) (*plistNode, error) {
	if bytes.HasPrefix(data, []byte("bplist")) {
		return nil, errors.New("binary property list (not read)")
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	var parse func(start xml.StartElement, depth int) (*plistNode, error)
	parse = func(start xml.StartElement, depth int) (*plistNode, error) {
		if depth > 32 {
			return nil, errors.New("property list nested too deep")
		}
		n := &plistNode{kind: start.Name.Local}
		var key string
		var text strings.Builder
		for {
			tok, err := dec.Token()
			if err != nil {
				return nil, err
			}
			switch t := tok.(type) {
			case xml.StartElement:
				if n.kind == "dict" && t.Name.Local == "key" {
					var k string
					if err := dec.DecodeElement(&k, &t); err != nil {
						return nil, err
					}
					key = k
					continue
				}
				c, err := parse(t, depth+1)
				if err != nil {
					return nil, err
				}
				switch n.kind {
				case "dict":
					if n.dict == nil {
						n.dict = map[string]*plistNode{}
					}
					n.dict[key] = c
				case "array", "plist":
					n.array = append(n.array, c)
				}
			case xml.CharData:
				text.Write(t)
			case xml.EndElement:
				n.text = strings.TrimSpace(text.String())
				return n, nil
			}
		}
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil, errors.New("no plist element")
		}
		if err != nil {
			return nil, err
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "plist" {
			root, err := parse(se, 0)
			if err != nil {
				return nil, err
			}
			if len(root.array) != 1 {
				return nil, errors.New("empty plist")
			}
			return root.array[0], nil
		}
	}
}

// darwinPrefsProxies returns the enabled HTTP, HTTPS and SOCKS proxies of
// the active services of the current network set, in service order, each
// tied to its interface: only the service of the interface that carries
// the default route applies.
func darwinPrefsProxies(data []byte) ([]netstate.ProxySetting, error) {
	root, err := parsePlist(data)
	if err != nil {
		return nil, fmt.Errorf("parse preferences: %w", err)
	}
	set := strings.TrimPrefix(root.get("CurrentSet").str(), "/Sets/")
	if set == "" {
		return nil, errors.New("parse preferences: no CurrentSet")
	}
	network := root.get("Sets", set, "Network")
	var order []string
	if o := network.get("Global", "IPv4", "ServiceOrder"); o != nil {
		for _, s := range o.array {
			order = append(order, s.str())
		}
	}
	if svc := network.get("Service"); svc != nil {
		for id := range svc.dict {
			if !strings.Contains(strings.Join(order, "\x00")+"\x00", id+"\x00") {
				order = append(order, id)
			}
		}
	}
	var out []netstate.ProxySetting
	for _, id := range order {
		s := root.get("NetworkServices", id)
		if s == nil || s.get("__INACTIVE__") != nil {
			continue
		}
		name := s.get("UserDefinedName").str()
		dev := s.get("Interface", "DeviceName").str()
		px := s.get("Proxies")
		for _, k := range []struct{ key, scheme, forWhat string }{{"HTTPS", "http", "https"}, {"HTTP", "http", "http"}, {"SOCKS", "socks5", "all"}} {
			if px.get(k.key+"Enable").str() != "1" {
				continue
			}
			host, port := px.get(k.key+"Proxy").str(), px.get(k.key+"Port").str()
			if host == "" {
				continue
			}
			if _, err := strconv.Atoi(port); err != nil {
				port = ""
			}
			value := k.scheme + "://" + host
			if port != "" {
				value += ":" + port
			}
			p := netstate.ParseProxy(fmt.Sprintf("macOS %s proxy (%s)", k.key, cmp.Or(name, dev)), value, k.forWhat)
			p.Iface = dev
			out = append(out, p)
		}
	}
	return out, nil
}
