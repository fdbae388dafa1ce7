package diagnose

import "testing"

// Every finding in the catalog has its explanation for guard explain, and
// no explanation outlives its finding.
func TestExplanationsCoverCatalog(t *testing.T) {
	for _, d := range Catalog() {
		e, ok := Explain(d.ID)
		if !ok || e.Why == "" || e.How == "" {
			t.Errorf("%s: no explanation (why %q, how %q)", d.ID, e.Why, e.How)
		}
	}
	for id := range explanations {
		if _, ok := Lookup(id); !ok {
			t.Errorf("explanation for %q, which is not in the catalog", id)
		}
	}
}
