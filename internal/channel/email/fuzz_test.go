package email

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse feeds the parser arbitrary bytes, seeded with the corpus (and
// the inputs kept in testdata/fuzz/FuzzParse). Whatever comes in, Parse
// must return, with valid UTF-8 text and a fold point inside the text.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/mails/*.eml")
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		if len(raw) < 64<<10 {
			f.Add(raw)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m := Parse(raw)
		for what, s := range map[string]string{"subject": m.Subject, "text": m.Text, "name": m.From.Name, "html": m.HTML} {
			if !utf8.ValidString(s) {
				t.Fatalf("%s is not valid UTF-8: %q", what, s)
			}
		}
		if m.QuoteAt < 0 || m.QuoteAt > len(m.Text) {
			t.Fatalf("QuoteAt %d outside a text of %d bytes", m.QuoteAt, len(m.Text))
		}
		if m.QuoteAt > 0 && strings.TrimSpace(m.Text[:m.QuoteAt]) == "" {
			t.Fatalf("folding at %d would hide everything", m.QuoteAt)
		}
		for _, p := range m.Parts {
			if strings.ContainsAny(p.Filename, "/\\\x00") {
				t.Fatalf("unsafe file name %q", p.Filename)
			}
		}
		Classify(m)
		ThreadIDs(m)
	})
}
