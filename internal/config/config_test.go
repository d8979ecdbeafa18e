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
