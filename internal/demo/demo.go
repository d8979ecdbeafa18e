// Package demo fills a kefu database with a believable after-sales shop: a
// team of agents and the departments they hand work to, some sixty customers
// (most Chinese-speaking, a few English-speaking), three hundred orders with
// their parcels and about a hundred and fifty tickets whose conversations
// read like real after-sales work. It is meant for trying kefu out and for
// screenshots, and is deterministic: the same reference time gives the same
// shop, so tests and demos are stable.
package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/kefu-dev/kefu/internal/auth"
	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// AdminEmail is the demo administrator; its presence means the demo is loaded.
const AdminEmail = "admin@demo.test"

// Password is the password of every demo user.
const Password = "demo"

// Summary counts what Load created. Teams counts the departments it added
// (the default after-sales team exists before the demo).
type Summary struct{ Users, Teams, Customers, Orders, Tickets, Messages int }

// Load fills st with the demo shop unless it is already there: when the user
// admin@demo.test exists it changes nothing and returns a nil Summary and a
// nil error. Everything is drawn from a fixed seed and every time is relative
// to now, so the same now gives the same shop. All rows are written in one
// transaction; the attachment pictures are stored first.
func Load(ctx context.Context, st *store.Store, now time.Time) (*Summary, error) {
	if _, _, err := st.UserByEmail(ctx, AdminEmail); err == nil {
		return nil, nil
	} else if !errors.Is(err, kefu.ErrNotFound) {
		return nil, fmt.Errorf("check for the demo: %w", err)
	}
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return nil, fmt.Errorf("hash demo password: %w", err)
	}
	g := newGen(now)
	g.plan()

	sum := &Summary{}
	err = st.WithTx(ctx, func(ctx context.Context) error {
		w := &writer{st: st, g: g, sum: sum, hash: hash}
		if err := w.write(ctx); err != nil {
			return err
		}
		return writeCanned(ctx, st)
	})
	if err != nil {
		return nil, fmt.Errorf("load demo: %w", err)
	}
	return sum, nil
}

// cst is China Standard Time, the shop's clock for dates and order numbers.
var cst = time.FixedZone("CST", 8*3600)

// gen draws the whole demo shop in memory before anything is written.
type gen struct {
	rng  *rand.Rand
	now  time.Time
	seen map[string]bool // tracking numbers and phones already used

	admin, lead, agentEN *staff
	agents               []*staff // Chinese-speaking agents, with how much work each takes
	collabs              []*staff
	staffAll             []*staff
	teams                []*teamPlan // the departments to create
	support              *teamPlan   // the default after-sales team, looked up

	customers []*custPlan
	orders    []*orderPlan
	tickets   []*ticketPlan
}

// staff is a demo user with the nickname they sign replies with.
type staff struct {
	u      *kefu.User
	nick   string
	weight int
	team   *teamPlan
}

// teamPlan is a team whose id is known once it is written.
type teamPlan struct {
	t *kefu.Team
}

func newGen(now time.Time) *gen {
	return &gen{
		rng:  rand.New(rand.NewPCG(1, 2)),
		now:  now.UTC().Truncate(time.Microsecond),
		seen: map[string]bool{},
	}
}

// plan draws users, customers, orders and tickets.
func (g *gen) plan() {
	g.makeStaff()
	g.customers = g.makeCustomers()
	g.planTickets()
	g.planBackgroundOrders()
	g.numberOrders()
	g.renderTickets()
}

func (g *gen) makeStaff() {
	g.support = &teamPlan{}
	dept := func(name, desc string) *teamPlan {
		tp := &teamPlan{t: &kefu.Team{Name: name, Kind: kefu.TeamDepartment, Description: desc}}
		g.teams = append(g.teams, tp)
		return tp
	}
	tech := dept(teamTech, "技术支持 Tech support: 故障判断、返修、激活码与软件问题")
	wh := dept(teamWarehouse, "仓库 Warehouse: 库存、打包、补发、退货验收")
	logi := dept(teamLogistics, "物流 Logistics: 快递催派、拦截、改派、丢件理赔")
	mk := func(email, name string, role kefu.Role, lang, nick string, weight int, team *teamPlan) *staff {
		s := &staff{u: &kefu.User{Email: email, Name: name, Role: role, Language: lang, Status: kefu.UserActive}, nick: nick, weight: weight, team: team}
		g.staffAll = append(g.staffAll, s)
		return s
	}
	g.admin = mk(AdminEmail, "管理员 Admin", kefu.RoleAdmin, "zh-CN", "管理员", 0, nil)
	g.lead = mk("lead@demo.test", "王蕾", kefu.RoleSupervisor, "zh-CN", "王蕾", 0, g.support)
	g.agents = []*staff{
		mk("agent@demo.test", "林小雨", kefu.RoleAgent, "zh-CN", "小雨", 5, g.support),
		mk("chen.hao@demo.test", "陈浩", kefu.RoleAgent, "zh-CN", "小浩", 3, g.support),
		mk("zhang.min@demo.test", "张敏", kefu.RoleAgent, "zh-CN", "小敏", 3, g.support),
		mk("liu.yang@demo.test", "刘洋", kefu.RoleAgent, "zh-CN", "阿洋", 2, g.support),
	}
	g.agentEN = mk("emily@demo.test", "Emily Carter", kefu.RoleAgent, "en", "Emily", 0, g.support)
	g.collabs = []*staff{
		mk("warehouse@demo.test", "周强（仓库）", kefu.RoleCollaborator, "zh-CN", "周强", 0, wh),
		mk("tech@demo.test", "黄志刚（技术支持）", kefu.RoleCollaborator, "zh-CN", "黄工", 0, tech),
		mk("logistics@demo.test", "孙丽（物流）", kefu.RoleCollaborator, "zh-CN", "孙丽", 0, logi),
	}
}

// Department names.
const (
	teamTech      = "技术支持"
	teamWarehouse = "仓库"
	teamLogistics = "物流"
)

// department returns the planned department called name.
func (g *gen) department(name string) *teamPlan {
	for _, t := range g.teams {
		if t.t.Name == name {
			return t
		}
	}
	panic("demo: no department " + name)
}

// collaborator returns the member of a department.
func (g *gen) collaborator(team *teamPlan) *staff {
	for _, s := range g.collabs {
		if s.team == team {
			return s
		}
	}
	panic("demo: no member in " + team.t.Name)
}

// Random helpers. Every draw goes through g.rng so the shop is reproducible.

func pick[T any](g *gen, xs []T) T { return xs[g.rng.IntN(len(xs))] }

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

// between returns a uniform float in [lo, hi).
func (g *gen) between(lo, hi float64) float64 { return lo + (hi-lo)*g.rng.Float64() }

// hours returns a random duration of lo to hi hours.
func (g *gen) hours(lo, hi float64) time.Duration {
	return time.Duration(g.between(lo, hi) * float64(time.Hour)).Truncate(time.Second)
}

// minutes returns a random duration of lo to hi minutes.
func (g *gen) minutes(lo, hi float64) time.Duration {
	return time.Duration(g.between(lo, hi) * float64(time.Minute)).Truncate(time.Second)
}

// days returns a random duration of lo to hi days.
func (g *gen) days(lo, hi float64) time.Duration { return g.hours(lo*24, hi*24) }

// ptr returns a pointer to a copy of t.
func ptr(t time.Time) *time.Time { return &t }

// yuan writes an amount in fen as yuan: 7900 → "79", 7950 → "79.50".
func yuan(fen int64) string {
	if fen%100 == 0 {
		return fmt.Sprintf("%d", fen/100)
	}
	return fmt.Sprintf("%d.%02d", fen/100, fen%100)
}
