// Package config reads kefu's settings: defaults, then an optional file,
// then KEFU_* environment variables, then command-line flags, each
// overriding the one before. Nothing here is global; the binary passes a
// Config to whatever needs it.
package config

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of a kefu process.
type Config struct {
	Addr            string        // HTTP listen address
	DataDir         string        // SQLite database and attachments
	DatabaseURL     string        // postgres://… to use PostgreSQL instead of SQLite
	Demo            bool          // load the demo shop on first start
	LogLevel        string        // debug, info, warn, error
	LogFormat       string        // json or text
	ShutdownTimeout time.Duration // how long in-flight requests get to finish
	MaxDBConns      int           // PostgreSQL pool size
	NATSURL         string        // nats://… to share live updates between nodes
	SMTPAddr        string        // inbound SMTP listener HOST:PORT; empty: no listener
}

// Defaults are what kefu runs with when told nothing.
func Defaults() Config {
	return Config{Addr: "127.0.0.1:8080", DataDir: "kefu-data", LogLevel: "info", LogFormat: "json", ShutdownTimeout: 20 * time.Second, MaxDBConns: 20}
}

// setting binds one setting to its flag and environment variable.
type setting struct {
	flag, env, usage string
	str              *string
	b                *bool
	dur              *time.Duration
	n                *int
}

func (c *Config) settings(serve bool) []setting {
	s := []setting{
		{flag: "data-dir", env: "KEFU_DATA_DIR", usage: "folder for the SQLite database and attachments", str: &c.DataDir},
		{flag: "database-url", env: "KEFU_DATABASE_URL", usage: "postgres://user@host/db to use PostgreSQL instead of SQLite", str: &c.DatabaseURL},
		{flag: "log-level", env: "KEFU_LOG_LEVEL", usage: "debug, info, warn or error", str: &c.LogLevel},
		{flag: "log-format", env: "KEFU_LOG_FORMAT", usage: "json or text", str: &c.LogFormat},
		{flag: "max-db-conns", env: "KEFU_MAX_DB_CONNS", usage: "PostgreSQL connection pool size", n: &c.MaxDBConns},
	}
	if serve {
		s = append(s,
			setting{flag: "addr", env: "KEFU_ADDR", usage: "HTTP listen address HOST:PORT", str: &c.Addr},
			setting{flag: "demo", env: "KEFU_DEMO", usage: "load the demo shop on first start (demo users have the password demo)", b: &c.Demo},
			setting{flag: "nats-url", env: "KEFU_NATS_URL", usage: "NATS server for live updates across several nodes (nats://host:4222); empty: in-process", str: &c.NATSURL},
			setting{flag: "shutdown-timeout", env: "KEFU_SHUTDOWN_TIMEOUT", usage: "time in-flight requests get to finish on shutdown", dur: &c.ShutdownTimeout},
			setting{flag: "smtp-addr", env: "KEFU_SMTP_ADDR", usage: "start the inbound SMTP listener on HOST:PORT, for a mail server that forwards support addresses to kefu", str: &c.SMTPAddr},
		)
	}
	return s
}

// Flags registers the settings on fs, with the server's own settings when
// serve is true. Call Load after fs.Parse.
func (c *Config) Flags(fs *flag.FlagSet, serve bool) {
	fs.String("config", "", "optional settings file of KEFU_NAME=value lines (also KEFU_CONFIG)")
	for _, s := range c.settings(serve) {
		usage := s.usage + " (" + s.env + ")"
		switch {
		case s.str != nil:
			fs.String(s.flag, *s.str, usage)
		case s.b != nil:
			fs.Bool(s.flag, *s.b, usage)
		case s.dur != nil:
			fs.Duration(s.flag, *s.dur, usage)
		case s.n != nil:
			fs.Int(s.flag, *s.n, usage)
		}
	}
}

// Load applies the file, the environment and the flags set on fs, in that
// order, then validates.
func (c *Config) Load(fs *flag.FlagSet, serve bool, getenv func(string) string) error {
	file := getenv("KEFU_CONFIG")
	if f := fs.Lookup("config"); f != nil && f.Value.String() != "" {
		file = f.Value.String()
	}
	fileVals := map[string]string{}
	if file != "" {
		var err error
		if fileVals, err = readFile(file); err != nil {
			return err
		}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, s := range c.settings(serve) {
		v, src := "", ""
		if fv, ok := fileVals[s.env]; ok {
			v, src = fv, file
		}
		if ev := getenv(s.env); ev != "" {
			v, src = ev, s.env
		}
		if set[s.flag] {
			v, src = fs.Lookup(s.flag).Value.String(), "--"+s.flag
		}
		if src == "" {
			continue
		}
		if err := s.assign(v); err != nil {
			return fmt.Errorf("%s: %w", src, err)
		}
	}
	return c.Validate()
}

func (s setting) assign(v string) error {
	switch {
	case s.str != nil:
		*s.str = v
	case s.b != nil:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		*s.b = b
	case s.dur != nil:
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%q is not a duration like 20s", v)
		}
		*s.dur = d
	case s.n != nil:
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%q is not a number", v)
		}
		*s.n = n
	}
	return nil
}

// Validate checks the settings make sense together.
func (c *Config) Validate() error {
	var errs []error
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") && !strings.HasPrefix(c.DatabaseURL, "sqlite:") {
		errs = append(errs, errors.New("database URL must start with postgres:// (or sqlite:PATH)"))
	}
	if c.DatabaseURL == "" && c.DataDir == "" {
		errs = append(errs, errors.New("data dir is empty"))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log level %q: use debug, info, warn or error", c.LogLevel))
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		errs = append(errs, fmt.Errorf("log format %q: use json or text", c.LogFormat))
	}
	if c.SMTPAddr != "" {
		if _, _, err := net.SplitHostPort(c.SMTPAddr); err != nil {
			errs = append(errs, fmt.Errorf("SMTP listen address %q: want HOST:PORT", c.SMTPAddr))
		}
	}
	if c.MaxDBConns < 1 {
		errs = append(errs, errors.New("max DB connections must be at least 1"))
	}
	return errors.Join(errs...)
}

func readFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read settings file: %w", err)
	}
	defer f.Close()
	vals := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || !strings.HasPrefix(k, "KEFU_") {
			return nil, fmt.Errorf("%s:%d: want KEFU_NAME=value", path, n)
		}
		vals[k] = strings.Trim(strings.TrimSpace(v), `"`)
	}
	return vals, sc.Err()
}
