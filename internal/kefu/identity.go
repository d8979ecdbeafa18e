package kefu

import (
	"strings"
	"unicode"
)

// NormalizeIdentity returns the canonical form of an identity value so that
// "Li.Na@Example.com " and "li.na@example.com" are one customer, and so are
// "+86 138-0013-8000" and "13800138000". It returns an error for a value that
// cannot be an identity of that kind.
func NormalizeIdentity(kind IdentityKind, value string) (string, error) {
	v := strings.TrimSpace(value)
	switch kind {
	case IdentityEmail:
		v = strings.ToLower(v)
		at := strings.LastIndexByte(v, '@')
		if at <= 0 || at == len(v)-1 || strings.ContainsAny(v, " \t\r\n<>") {
			return "", Invalid("email", "%q is not an email address", value)
		}
		return v, nil
	case IdentityPhone:
		var b strings.Builder
		for i, r := range v {
			switch {
			case r >= '0' && r <= '9':
				b.WriteRune(r)
			case r >= '０' && r <= '９': // full-width digits
				b.WriteRune('0' + (r - '０'))
			case r == '+' && i == 0:
				b.WriteRune(r)
			case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.' || unicode.IsSpace(r):
			default:
				return "", Invalid("phone", "%q is not a phone number", value)
			}
		}
		p := b.String()
		// Mainland numbers are stored without the country code, as shops write them.
		p = strings.TrimPrefix(strings.TrimPrefix(p, "+86"), "0086")
		if len(strings.TrimPrefix(p, "+")) < 5 {
			return "", Invalid("phone", "%q is too short for a phone number", value)
		}
		return p, nil
	case IdentityVisitor, IdentityExternal:
		if v == "" || len(v) > 200 {
			return "", Invalid(string(kind), "must be 1 to 200 characters")
		}
		return v, nil
	}
	return "", Invalid("kind", "unknown identity kind %q", kind)
}
