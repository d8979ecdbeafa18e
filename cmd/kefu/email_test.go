package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// TestServeSMTPContract checks the contract outside tools rely on: `kefu
// serve --demo --smtp-addr HOST:PORT` starts the inbound SMTP listener, the
// demo's email channel for support@demo.test exists, and a mail sent to
// that address through the listener becomes an email ticket visible through
// GET /api/v1/tickets.
func TestServeSMTPContract(t *testing.T) {
	dir := t.TempDir()
	getenv := func(string) string { return "" }
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--smtp-addr", "127.0.0.1:0", "--data-dir", dir, "--log-level", "error"},
			nil, pw, io.Discard, getenv)
		pw.Close()
	}()
	defer func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	httpRe := regexp.MustCompile(`listening on http://(\S+)`)
	smtpRe := regexp.MustCompile(`SMTP listener on (\S+)`)
	var httpAddr, smtpAddr string
	// Buffered: a line written while the test is not yet receiving must
	// wait for it, not be dropped (an unbuffered send with a default lost
	// the announcement now and then).
	lines := make(chan string, 256)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default: // full: keep draining once the test has what it needs
			}
		}
	}()
	deadline := time.After(60 * time.Second)
	for httpAddr == "" || smtpAddr == "" {
		select {
		case l := <-lines:
			if m := httpRe.FindStringSubmatch(l); m != nil {
				httpAddr = m[1]
			}
			if m := smtpRe.FindStringSubmatch(l); m != nil {
				smtpAddr = m[1]
			}
		case err := <-errc:
			t.Fatalf("serve ended: %v", err)
		case <-deadline:
			t.Fatal("kefu serve did not announce its HTTP and SMTP addresses")
		}
	}

	var out bytes.Buffer
	if err := run(context.Background(), []string{"token", "add", "--email", "admin@demo.test", "--data-dir", dir}, nil, &out, io.Discard, getenv); err != nil {
		t.Fatalf("token add: %v", err)
	}
	token := strings.TrimSpace(out.String())

	c, err := smtp.Dial(smtpAddr)
	if err != nil {
		t.Fatal(err)
	}
	raw := "From: 张三 <zhangsan@example.com>\r\nTo: support@demo.test\r\nSubject: =?UTF-8?B?6YCA6LSn55Sz6K+3?= contract\r\nMessage-ID: <contract-1@example.com>\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n衣服尺码不对，想退货。\r\n"
	if err := c.SendMail("zhangsan@example.com", []string{"support@demo.test"}, strings.NewReader(raw)); err != nil {
		t.Fatalf("send through the listener: %v", err)
	}
	_ = c.Quit()

	req, _ := http.NewRequest("GET", "http://"+httpAddr+"/api/v1/tickets?channel=email&sort=created_at&limit=200", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var page struct {
		Items []struct {
			Number  int64  `json:"number"`
			Subject string `json:"subject"`
			Channel string `json:"channel"`
		} `json:"items"`
	}
	if err := json.NewDecoder(res.Body).Decode(&page); err != nil || res.StatusCode != 200 {
		t.Fatalf("list tickets: %d %v", res.StatusCode, err)
	}
	found := false
	for _, tk := range page.Items {
		if tk.Subject == "退货申请 contract" && tk.Channel == "email" {
			found = true
		}
	}
	if !found {
		t.Errorf("the mail's ticket is not among %d email tickets", len(page.Items))
	}
}
