package config

import (
	"fmt"
	"strings"
)

// ParseBool is the one reading of a yes/no setting, for flags
// (--json=yes), NETGUARD_* variables and config files alike: 1, true,
// yes, on and 0, false, no, off, in any case.
func ParseBool(raw string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	return false, fmt.Errorf("want 1, true, yes, on or 0, false, no, off; got %+q", raw)
}

// Skip reports whether NETGUARD_SKIP asks every entry point to skip the
// check. Unset or empty is no; anything ParseBool does not know is an
// error, so a typo never skips (or keeps) a check by accident.
func Skip(getenv func(string) string) (bool, error) {
	raw := getenv("NETGUARD_SKIP")
	if raw == "" {
		return false, nil
	}
	v, err := ParseBool(raw)
	if err != nil {
		return false, fmt.Errorf("NETGUARD_SKIP: %w", err)
	}
	return v, nil
}
