package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed i18n/*.json
var catalogFS embed.FS

// Languages kefu speaks, the first being the default.
var Languages = []string{"zh-CN", "en"}

// catalogs maps a language to its messages. Both catalogs have the same
// keys; a test fails when they drift.
type catalogs map[string]map[string]string

func loadCatalogs() (catalogs, error) {
	cs := catalogs{}
	// Each language is i18n/<lang>.json plus any i18n/<area>.<lang>.json, so
	// features keep their strings in files of their own.
	for _, lang := range Languages {
		names, err := fs.Glob(catalogFS, "i18n/*"+lang+".json")
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		for _, name := range names {
			base := strings.TrimSuffix(strings.TrimPrefix(name, "i18n/"), ".json")
			if base != lang && !strings.HasSuffix(base, "."+lang) {
				continue
			}
			b, err := catalogFS.ReadFile(name)
			if err != nil {
				return nil, err
			}
			part := map[string]string{}
			if err := json.Unmarshal(b, &part); err != nil {
				return nil, fmt.Errorf("catalog %s: %w", name, err)
			}
			for k, v := range part {
				if _, dup := m[k]; dup {
					return nil, fmt.Errorf("catalog %s: key %s is defined twice", name, k)
				}
				m[k] = v
			}
		}
		cs[lang] = m
	}
	return cs, nil
}

// T translates key into lang, formatting args; an unknown key shows itself
// so a missing string is visible, not blank.
func (cs catalogs) T(lang, key string, args ...any) string {
	s, ok := cs[lang][key]
	if !ok {
		s = key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// pickLanguage chooses the user's setting, else the browser's preference.
func pickLanguage(userLang string, r *http.Request) string {
	if userLang == "en" || userLang == "zh-CN" {
		return userLang
	}
	if c, err := r.Cookie("kefu_lang"); err == nil && (c.Value == "en" || c.Value == "zh-CN") {
		return c.Value
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "zh"):
			return "zh-CN"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return "zh-CN"
}
