package diagnose

import "testing"

// Every finding in the catalog has its explanation for guard explain.
func TestExplanationsCoverCatalog(t *testing.T) {
	for _, d := range Catalog() {
		e, ok := Explain(d.ID)
		if !ok || e.Why == "" || e.How == "" {
			t.Errorf("%s: no explanation (why %q, how %q)", d.ID, e.Why, e.How)
		}
	}
}
