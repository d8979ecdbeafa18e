package kefu

import "testing"

func TestStateMachine(t *testing.T) {
	for _, tc := range []struct {
		from, to Status
		want     bool
	}{
		{StatusNew, StatusOpen, true},
		{StatusOpen, StatusPending, true},
		{StatusPending, StatusOnHold, true},
		{StatusOnHold, StatusSolved, true},
		{StatusSolved, StatusOpen, true},
		{StatusSolved, StatusPending, false},
		{StatusSolved, StatusClosed, true},
		{StatusClosed, StatusOpen, false},
		{StatusClosed, StatusClosed, true},
		{StatusOpen, StatusNew, false},
		{StatusNew, StatusNew, true},
	} {
		if got := CanTransition(tc.from, tc.to); got != tc.want {
			t.Errorf("CanTransition(%s, %s) = %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
	for _, tc := range []struct {
		from, want Status
		ok         bool
	}{
		{StatusSolved, StatusOpen, true},
		{StatusPending, StatusOpen, true},
		{StatusOnHold, StatusOnHold, true},
		{StatusNew, StatusNew, true},
		{StatusClosed, StatusClosed, false},
	} {
		got, ok := StatusAfterCustomerMessage(tc.from)
		if got != tc.want || ok != tc.ok {
			t.Errorf("StatusAfterCustomerMessage(%s) = %s, %v; want %s, %v", tc.from, got, ok, tc.want, tc.ok)
		}
	}
}

func TestNormalizeIdentity(t *testing.T) {
	for _, tc := range []struct {
		kind      IdentityKind
		in, want  string
		wantError bool
	}{
		{IdentityEmail, " Li.Na@Example.COM ", "li.na@example.com", false},
		{IdentityEmail, "not-an-email", "", true},
		{IdentityEmail, "a b@example.com", "", true},
		{IdentityPhone, "+86 138-0013-8000", "13800138000", false},
		{IdentityPhone, "0086 13800138000", "13800138000", false},
		{IdentityPhone, "１３８００１３８０００", "13800138000", false},
		{IdentityPhone, "(021) 6234 5678", "02162345678", false},
		{IdentityPhone, "+1 415 555 0100", "+14155550100", false},
		{IdentityPhone, "call me", "", true},
		{IdentityPhone, "123", "", true},
		{IdentityExternal, "U10023", "U10023", false},
		{IdentityVisitor, "", "", true},
		{"fax", "1", "", true},
	} {
		got, err := NormalizeIdentity(tc.kind, tc.in)
		if (err != nil) != tc.wantError || got != tc.want {
			t.Errorf("NormalizeIdentity(%s, %q) = %q, %v; want %q, error %v", tc.kind, tc.in, got, err, tc.want, tc.wantError)
		}
	}
}

func TestCleanText(t *testing.T) {
	if _, err := CleanText("subject", "  ", 1, 10); err == nil {
		t.Error("blank: want an error")
	}
	if _, err := CleanText("subject", "一二三四五六七八九十十", 1, 10); err == nil {
		t.Error("11 characters with max 10: want an error")
	}
	if got, err := CleanText("subject", " 一二三 ", 1, 3); err != nil || got != "一二三" {
		t.Errorf("got %q, %v", got, err)
	}
	if _, err := CleanText("subject", "\xff", 0, 10); err == nil {
		t.Error("invalid UTF-8: want an error")
	}
}
