package config

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "kefu.conf")
	if err := os.WriteFile(file, []byte("# settings\nKEFU_ADDR=0.0.0.0:9000\nKEFU_DATA_DIR=/from/file\nKEFU_LOG_LEVEL=warn\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"KEFU_CONFIG": file, "KEFU_DATA_DIR": "/from/env", "KEFU_SHUTDOWN_TIMEOUT": "5s"}
	c := Defaults()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.Flags(fs, true)
	if err := fs.Parse([]string{"--log-level", "debug", "--demo"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Load(fs, true, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, got, want string }{
		{"addr from file", c.Addr, "0.0.0.0:9000"},
		{"data dir: env beats file", c.DataDir, "/from/env"},
		{"log level: flag beats file", c.LogLevel, "debug"},
		{"log format default", c.LogFormat, "json"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	if !c.Demo || c.ShutdownTimeout != 5*time.Second {
		t.Errorf("demo = %v, shutdown = %v", c.Demo, c.ShutdownTimeout)
	}
}

func TestInvalid(t *testing.T) {
	for _, args := range [][]string{{"--database-url", "mysql://x"}, {"--log-level", "loud"}, {"--demo=maybe"}} {
		c := Defaults()
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(os.Stderr)
		c.Flags(fs, true)
		err := fs.Parse(args)
		if err == nil {
			err = c.Load(fs, true, func(string) string { return "" })
		}
		if err == nil {
			t.Errorf("%v: want an error", args)
		}
	}
	c := Defaults()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.Flags(fs, true)
	_ = fs.Parse(nil)
	if err := c.Load(fs, true, func(k string) string { return map[string]string{"KEFU_DEMO": "yes please"}[k] }); err == nil {
		t.Error("KEFU_DEMO=yes please: want an error naming the variable")
	}
}

// TestSMTPAddr: the inbound SMTP listener is set by --smtp-addr or
// KEFU_SMTP_ADDR, the flag winning, and must be HOST:PORT.
func TestSMTPAddr(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		env     string
		want    string
		wantErr bool
	}{
		{nil, "", "", false},
		{nil, "127.0.0.1:2525", "127.0.0.1:2525", false},
		{[]string{"--smtp-addr", ":2526"}, "127.0.0.1:2525", ":2526", false},
		{[]string{"--smtp-addr", "nonsense"}, "", "", true},
	} {
		c := Defaults()
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		c.Flags(fs, true)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		err := c.Load(fs, true, func(k string) string {
			if k == "KEFU_SMTP_ADDR" {
				return tc.env
			}
			return ""
		})
		if (err != nil) != tc.wantErr {
			t.Errorf("%v %q: error %v", tc.args, tc.env, err)
		}
		if err == nil && c.SMTPAddr != tc.want {
			t.Errorf("%v %q: got %q, want %q", tc.args, tc.env, c.SMTPAddr, tc.want)
		}
	}
}
