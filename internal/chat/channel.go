package chat

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
)

var colorRe = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// cleanChannel checks a channel's settings and fills defaults.
func cleanChannel(c *kefu.ChatChannel) error {
	name, err := kefu.CleanText("name", c.Name, 1, 100)
	if err != nil {
		return err
	}
	c.Name = name
	if c.Color == "" {
		c.Color = "#1f6feb"
	}
	if !colorRe.MatchString(c.Color) {
		return kefu.Invalid("color", "must be a colour like #1f6feb")
	}
	if c.Language != "" && c.Language != "en" && c.Language != "zh-CN" {
		return kefu.Invalid("language", "must be zh-CN, en or empty (the visitor's browser decides)")
	}
	if _, err := ParseHours(c.Hours); err != nil {
		return kefu.Invalid("hours", "%v", err)
	}
	if c.TimeZone == "" {
		c.TimeZone = "Asia/Shanghai"
	}
	for _, o := range c.Origins {
		if o != "*" && !strings.HasPrefix(o, "https://") && !strings.HasPrefix(o, "http://") {
			return kefu.Invalid("origins", "%q: write origins like https://shop.example.com or https://*.example.com", o)
		}
	}
	if c.MaxChats < 1 || c.MaxChats > 50 {
		return kefu.Invalid("max_chats", "must be 1 to 50")
	}
	if c.MaxUploadMB < 1 || c.MaxUploadMB > 25 {
		return kefu.Invalid("max_upload_mb", "must be 1 to 25")
	}
	if c.RatePerMin < 1 || c.RatePerMin > 600 {
		return kefu.Invalid("rate_per_min", "must be 1 to 600")
	}
	return nil
}

// CreateChannel adds a chat channel (admins) with a fresh key and secret.
func (s *Service) CreateChannel(ctx context.Context, actor *kefu.User, c *kefu.ChatChannel) error {
	if err := auth.Can(actor, auth.ManageUsers); err != nil {
		return err
	}
	if err := cleanChannel(c); err != nil {
		return err
	}
	if c.Key == "" {
		c.Key = strings.ToLower(randomString(9))
	}
	c.Secret = randomString(24)
	return s.st.CreateChatChannel(ctx, c)
}

// UpdateChannel changes a channel's settings (admins).
func (s *Service) UpdateChannel(ctx context.Context, actor *kefu.User, c *kefu.ChatChannel) error {
	if err := auth.Can(actor, auth.ManageUsers); err != nil {
		return err
	}
	if err := cleanChannel(c); err != nil {
		return err
	}
	defer s.forgetChannels()
	return s.st.UpdateChatChannel(ctx, c)
}

// Channels lists the chat channels (any signed-in role may see the list).
func (s *Service) Channels(ctx context.Context) ([]*kefu.ChatChannel, error) {
	return s.st.ChatChannels(ctx)
}

// DemoKey is the key of the demo shop's channel.
const DemoKey = "demo"

// EnsureDemoChannel creates the demo shop's channel if it is missing.
func (s *Service) EnsureDemoChannel(ctx context.Context) (*kefu.ChatChannel, error) {
	ch, err := s.st.ChatChannelByKey(ctx, DemoKey)
	if err == nil {
		return ch, nil
	}
	if !errors.Is(err, kefu.ErrNotFound) {
		return nil, err
	}
	ch = &kefu.ChatChannel{Key: DemoKey, Name: "星河小铺 Xinghe Shop", Secret: randomString(24), PreChat: true, Color: "#d9480f",
		TimeZone: "Asia/Shanghai", AutoAssign: false, MaxChats: 4, MaxUploadMB: 10, RatePerMin: 30}
	if err := s.st.CreateChatChannel(ctx, ch); err != nil {
		var ce *kefu.ConflictError
		if errors.As(err, &ce) {
			return s.st.ChatChannelByKey(ctx, DemoKey)
		}
		return nil, err
	}
	return ch, nil
}
