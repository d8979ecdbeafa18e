package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kefu-dev/kefu/internal/store"
	"github.com/kefu-dev/kefu/internal/store/storetest"
)

// TestTagsAdmin renders the tags page for each role (admins and
// supervisors only), then renames, merges and deletes demo tags through
// its forms, with refusals shown on the page and nothing changed.
func TestTagsAdmin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		base := newSite(t, st, true)
		ctx := context.Background()
		count := func(tag string) int {
			cs, _, err := st.TicketTagCounts(ctx, store.TagFilter{Query: tag, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cs {
				if c.Tag == tag {
					return c.Tickets
				}
			}
			return 0
		}
		pages := []struct {
			path string
			want map[string]int
		}{
			{"/admin/tags", map[string]int{"admin": 200, "lead": 200, "agent": 403, "warehouse": 403, "": 303}},
			{"/admin/tags?q=退款&sort=-name", map[string]int{"lead": 200}},
			{"/admin/tags?sort=-count&page=99", map[string]int{"admin": 200}},
			{"/admin/tags?q=nothing-is-called-this", map[string]int{"admin": 200}},
		}
		browsers := map[string]*browser{}
		for _, role := range []string{"admin", "lead", "agent", "warehouse", ""} {
			b := newBrowser(t, base)
			if role != "" {
				if code := b.signIn(role+"@demo.test", "demo"); code != http.StatusSeeOther {
					t.Fatalf("sign in as %s: %d", role, code)
				}
			}
			browsers[role] = b
			for _, p := range pages {
				want, ok := p.want[role]
				if !ok {
					continue
				}
				code, body, _ := b.get(p.path)
				if code != want || strings.Contains(body, "text/template") {
					t.Errorf("GET %s as %q: %d, want %d", p.path, role, code, want)
				}
			}
		}
		admin, lead, agent := browsers["admin"], browsers["lead"], browsers["agent"]
		if _, body, _ := agent.get("/admin/tags"); !strings.Contains(body, "管理员") || !strings.Contains(body, "主管") {
			t.Error("the agent's 403 does not name the roles that may manage tags")
		}
		refunded, partial := count("已退款"), count("部分退款")
		if refunded == 0 || partial == 0 {
			t.Fatal("the demo lacks the tags this test needs")
		}
		_, body, _ := lead.get("/admin/tags")
		if !strings.Contains(body, `data-tag="已退款"`) || !strings.Contains(body, fmt.Sprintf(`从 %d 张工单上删除标签“已退款”`, refunded)) {
			t.Error("the list lacks a demo tag with its delete confirmation")
		}
		if _, body, _ := admin.get("/admin/tags?q=nothing-is-called-this"); !strings.Contains(body, `class="empty"`) {
			t.Error("a search finding nothing shows no empty state")
		}

		post := func(b *browser, form url.Values) (int, string, http.Header) {
			form.Set("csrf", b.csrf)
			return b.post("/admin/tags", form)
		}
		if code, _, _ := post(agent, url.Values{"action": {"delete"}, "tag": {"已退款"}}); code != http.StatusForbidden || count("已退款") != refunded {
			t.Errorf("agent deletes a tag: %d, %d tickets left of %d", code, count("已退款"), refunded)
		}
		refusals := []struct {
			form url.Values
			code int
			says string
		}{
			{url.Values{"action": {"rename"}, "tag": {"已退款"}, "name": {" "}}, 422, "请填写标签名称"},
			{url.Values{"action": {"rename"}, "tag": {"已退款"}, "name": {"已退款"}}, 422, "新名称和原名称相同"},
			{url.Values{"action": {"rename"}, "tag": {"已退款"}, "name": {"部分退款"}}, 409, "标签“部分退款”已存在"},
			{url.Values{"action": {"merge"}, "tag": {"已退款"}, "name": {"没有这个"}}, 422, "没有标签“没有这个”"},
			{url.Values{"action": {"delete"}, "tag": {"没有这个"}}, 404, "已经没有工单带标签“没有这个”"},
		}
		for _, r := range refusals {
			code, body, _ := post(lead, r.form)
			if code != r.code || !strings.Contains(body, r.says) || !strings.Contains(body, `data-tag="已退款"`) {
				t.Errorf("%v: %d, want %d with %q and the list", r.form, code, r.code, r.says)
			}
			if count("已退款") != refunded || count("部分退款") != partial {
				t.Errorf("%v changed the tags", r.form)
			}
		}

		code, _, h := post(lead, url.Values{"action": {"rename"}, "tag": {"已退款"}, "name": {"退款完成"}})
		if code != http.StatusSeeOther || count("已退款") != 0 || count("退款完成") != refunded {
			t.Fatalf("rename: %d; %d left, %d renamed of %d", code, count("已退款"), count("退款完成"), refunded)
		}
		if _, body, _ := lead.get(h.Get("Location")); !strings.Contains(body, fmt.Sprintf("已把“已退款”改名为“退款完成”，涉及 %d 张工单", refunded)) {
			t.Error("no flash after the rename")
		}
		if code, _, _ := post(admin, url.Values{"action": {"merge"}, "tag": {"部分退款"}, "name": {"退款完成"}}); code != http.StatusSeeOther {
			t.Fatalf("merge: %d", code)
		}
		if count("部分退款") != 0 || count("退款完成") != refunded+partial {
			t.Errorf("merge: %d left, %d in the target, want 0 and %d", count("部分退款"), count("退款完成"), refunded+partial)
		}
		if code, _, _ := post(admin, url.Values{"action": {"delete"}, "tag": {"退款完成"}}); code != http.StatusSeeOther || count("退款完成") != 0 {
			t.Errorf("delete: %d, %d left", code, count("退款完成"))
		}
	})
}
