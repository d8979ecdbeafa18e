package auth

import (
	"strings"
	"testing"
)

func TestPasswords(t *testing.T) {
	h, err := HashPassword("秘密 secret")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$") {
		t.Errorf("hash %q is not argon2id", h)
	}
	if !CheckPassword(h, "秘密 secret") {
		t.Error("the right password is refused")
	}
	for _, wrong := range []string{"", "秘密 secreT", "secret"} {
		if CheckPassword(h, wrong) {
			t.Errorf("%q accepted", wrong)
		}
	}
	if CheckPassword("garbage", "x") || CheckPassword("$argon2id$v=19$m=1,t=1,p=1$!!$!!", "x") {
		t.Error("a malformed hash accepted a password")
	}
	h2, _ := HashPassword("秘密 secret")
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	tok, hash := NewToken()
	if !strings.HasPrefix(tok, "kefu_") || HashToken(tok) != hash || len(tok) < 40 {
		t.Errorf("token %q / %q", tok, hash)
	}
}
