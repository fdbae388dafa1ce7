// Package examples holds no code of its own: its tests validate the
// example integrations in the directories below with the real parsers of
// their tools (compose-go for Compose, encoding/xml for JetBrains run
// configurations, YAML for lefthook and pre-commit). It is a module of its
// own so that compose-go stays out of netguard's go.mod. The examples that
// run for real, the mage project under the real mage and the VS Code task
// against guard's output in the network namespace lab, are tested from
// guard/ (examples_vscode_test.go, lab_examples_test.go), where the lab is.
package examples
