// Package examples holds no code of its own: its tests validate the
// example integrations in the directories below with the real parsers of
// their tools (compose-go for Compose, JSON with comments for VS Code,
// encoding/xml for JetBrains run configurations, YAML for lefthook and
// pre-commit, a real mage for the mage project), and run the mage project
// and guard's editor output in the network namespace lab.
package examples
