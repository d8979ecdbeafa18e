package portal

import (
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"testing"

	"github.com/kefu-dev/kefu/internal/kefu"
)

// TestCatalogComplete: every string a template or handler asks for exists
// in both languages, including those built from statuses and conditions.
func TestCatalogComplete(t *testing.T) {
	keyRe := regexp.MustCompile(`\b(?:T|Tf|tr\([a-zA-Z.]+,) "([a-z_.]+)"`)
	var keys []string
	_ = fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := templateFS.ReadFile(path)
		for _, m := range keyRe.FindAllStringSubmatch(string(b), -1) {
			keys = append(keys, m[1])
		}
		return nil
	})
	for _, f := range []string{"portal.go", "auth.go", "pages.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`\.T\("([a-z_.]+)"\)`).FindAllStringSubmatch(string(b), -1) {
			keys = append(keys, m[1])
		}
	}
	for _, s := range kefu.CaseStatuses {
		keys = append(keys, "status."+string(s))
	}
	for _, s := range kefu.Statuses {
		keys = append(keys, "tstatus."+string(s))
	}
	for _, c := range customerConditions {
		keys = append(keys, "cond."+c)
	}
	for i := 1; i <= 5; i++ {
		keys = append(keys, fmt.Sprintf("stars.%d", i))
	}
	if len(keys) < 60 {
		t.Fatalf("found only %d keys; the pattern is broken", len(keys))
	}
	for _, k := range keys {
		v, ok := catalog[k]
		if !ok || v[0] == "" || v[1] == "" {
			t.Errorf("catalog lacks %q in a language", k)
		}
	}
}
