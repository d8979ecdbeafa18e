package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/store"
)

// seedBatchRows is how many rows (customers, or tickets plus their
// messages) one seeding transaction writes.
const seedBatchRows = 2000

// seeded is what the load needs to know about the seeded data.
type seeded struct {
	customerIDs []int64 // customer i has email c<i>@bench.test
	ticketIDs   []int64
	statuses    []kefu.Status // of ticketIDs, as seeded
	notClosed   []int64       // ticket ids whose status is not closed
	messages    int
}

// seed fills db through the store API: customers, then tickets with their
// messages, in transactions of about seedBatchRows rows. Everything is
// derived from cfg.seed, so two runs with the same flags write the same data
// (times are relative to the start of the run).
func seed(ctx context.Context, cfg config, db *database) (*seeded, error) {
	opts := db.storeOptions()
	workers := 1
	if db.dialect == "postgres" {
		workers = cfg.seedWorkers
		opts.MaxConns = workers + 2
	}
	st, err := store.Open(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer st.Close()

	base := time.Now().UTC().Truncate(time.Second)
	g := newGenerator(cfg, base)

	agent := &kefu.User{Email: "seed-agent@bench.test", Name: "客服小王 Wang", Role: kefu.RoleAgent, Language: "zh-CN", Status: kefu.UserActive}
	if err := st.CreateUser(ctx, agent, ""); err != nil {
		return nil, fmt.Errorf("create seed agent: %w", err)
	}
	g.agentID = agent.ID
	if team, err := st.TeamByName(ctx, kefu.DefaultTeam); err == nil {
		g.teamID = &team.ID
	}
	cats, err := st.Categories(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range cats {
		if c.ParentID != nil && !c.Archived {
			g.categoryIDs = append(g.categoryIDs, c.ID)
		}
	}

	out := &seeded{
		customerIDs: make([]int64, cfg.customers),
		ticketIDs:   make([]int64, cfg.tickets),
		statuses:    make([]kefu.Status, cfg.tickets),
		messages:    cfg.messages,
	}

	// Customers.
	var custBatches [][2]int
	for lo := 0; lo < cfg.customers; lo += seedBatchRows {
		custBatches = append(custBatches, [2]int{lo, min(lo+seedBatchRows, cfg.customers)})
	}
	err = parallel(ctx, workers, len(custBatches), func(ctx context.Context, b int) error {
		lo, hi := custBatches[b][0], custBatches[b][1]
		return st.WithTx(ctx, func(ctx context.Context) error {
			for i := lo; i < hi; i++ {
				c := g.customer(i)
				if err := st.CreateCustomer(ctx, c); err != nil {
					return fmt.Errorf("customer %d: %w", i, err)
				}
				out.customerIDs[i] = c.ID
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	g.customerIDs = out.customerIDs

	// Tickets and messages, in batches of consecutive tickets.
	var batches [][2]int
	lo, rows := 0, 0
	for i := 0; i < cfg.tickets; i++ {
		rows += 1 + int(g.msgCounts[i])
		if rows >= seedBatchRows || i == cfg.tickets-1 {
			batches = append(batches, [2]int{lo, i + 1})
			lo, rows = i+1, 0
		}
	}
	var progressMu sync.Mutex
	done, lastPrint := 0, time.Now()
	start := time.Now()
	err = parallel(ctx, workers, len(batches), func(ctx context.Context, b int) error {
		lo, hi := batches[b][0], batches[b][1]
		r := rand.New(rand.NewPCG(cfg.seed, uint64(1000+b)))
		err := st.WithTx(ctx, func(ctx context.Context) error {
			for i := lo; i < hi; i++ {
				t, msgs := g.ticket(r, i)
				if err := st.CreateTicket(ctx, t); err != nil {
					return fmt.Errorf("ticket %d: %w", i, err)
				}
				for _, m := range msgs {
					m.TicketID = t.ID
					if err := st.AddMessage(ctx, m); err != nil {
						return fmt.Errorf("message of ticket %d: %w", i, err)
					}
				}
				out.ticketIDs[i] = t.ID
				out.statuses[i] = t.Status
			}
			return nil
		})
		if err != nil {
			return err
		}
		progressMu.Lock()
		done += hi - lo
		if time.Since(lastPrint) > 15*time.Second {
			lastPrint = time.Now()
			el := time.Since(start)
			fmt.Fprintf(cfg.out, "  seeding: %d/%d tickets after %v (eta %v)\n", done, cfg.tickets, el.Round(time.Second),
				time.Duration(float64(el)*float64(cfg.tickets-done)/float64(done)).Round(time.Second))
		}
		progressMu.Unlock()
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, id := range out.ticketIDs {
		if out.statuses[i] != kefu.StatusClosed {
			out.notClosed = append(out.notClosed, id)
		}
	}
	return out, nil
}

// parallel runs fn(0..n-1) on up to workers goroutines and returns the first error.
func parallel(ctx context.Context, workers, n int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	errc := make(chan error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(ctx, i); err != nil {
					errc <- err
					cancel()
					return
				}
			}
		}()
	}
feed:
	for i := 0; i < n; i++ {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errc:
		return err
	default:
		return ctx.Err()
	}
}

// generator makes the seeded rows deterministically from the seed.
type generator struct {
	seed        uint64
	base        time.Time
	customers   int
	custZH      []bool  // customer i writes Chinese
	msgCounts   []int32 // messages of ticket i
	customerIDs []int64
	agentID     int64
	teamID      *int64
	categoryIDs []int64
}

func newGenerator(cfg config, base time.Time) *generator {
	g := &generator{seed: cfg.seed, base: base, customers: cfg.customers}
	r := rand.New(rand.NewPCG(cfg.seed, 0))
	g.custZH = make([]bool, cfg.customers)
	for i := range g.custZH {
		g.custZH[i] = r.IntN(10) < 7
	}
	// Every ticket has its first message; the rest land on random tickets,
	// so conversations run from one message to a dozen or more.
	g.msgCounts = make([]int32, cfg.tickets)
	for i := range g.msgCounts {
		g.msgCounts[i] = 1
	}
	for i := cfg.tickets; i < cfg.messages; i++ {
		g.msgCounts[r.IntN(cfg.tickets)]++
	}
	return g
}

var (
	zhSurnames = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高"}
	zhGiven    = []string{"伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞", "晓东", "雨桐", "子涵", "思远"}
	enFirst    = []string{"Emma", "Liam", "Olivia", "Noah", "Ava", "James", "Sophia", "Lucas", "Mia", "Ethan", "Chloe", "Daniel", "Grace", "Henry", "Lily", "Jack"}
	enLast     = []string{"Smith", "Johnson", "Brown", "Taylor", "Wilson", "Martin", "Lee", "Walker", "Hall", "Young", "King", "Wright", "Chen", "Wong"}

	productsZH = []string{"蓝牙耳机", "羽绒服", "保温杯", "运动鞋", "连衣裙", "空气炸锅", "机械键盘", "面霜", "扫地机器人", "儿童书包", "Nike 跑鞋", "AirPods 保护套", "小米手环", "戴森吹风机"}
	productsEN = []string{"Bluetooth headphones", "down jacket", "thermos", "running shoes", "summer dress", "air fryer", "mechanical keyboard", "face cream", "robot vacuum", "school backpack", "phone case", "smart band"}

	subjectsZH = []string{
		"订单 {order} 还没有发货", "收到的{product}有色差", "申请七天无理由退货：{product}", "快递显示已签收但我没收到",
		"{product}尺码不合适，想换货", "发票怎么开？订单 {order}", "{product}质量问题，要求退款", "优惠券无法使用",
		"能否修改收货地址？", "物流一直没有更新 {order}", "{product}少发了一件", "退款什么时候到账",
	}
	subjectsEN = []string{
		"Where is my order {order}?", "Wrong size {product}, need an exchange", "Refund not received yet", "The {product} arrived damaged",
		"Can I change the delivery address?", "Coupon code not working", "Invoice request for order {order}", "{product} colour differs from the photos",
		"Missing item in my package", "How do I return the {product}?", "Tracking stuck for {order}", "Charged twice for order {order}",
	}
	customerZH = []string{
		"你好，我在 {date} 下的单，订单号 {order}，到现在还没有发货。", "收到的{product}和图片颜色差别很大，能退吗？",
		"快递显示已经签收了，但是我家里没有人收到。", "尺码偏小，想换大一号，请问怎么操作？", "包装破损，里面的{product}也有划痕。",
		"请尽快处理，谢谢！", "我已经等了一个星期了，非常着急。", "麻烦帮我查一下物流，单号 SF{track}。",
		"之前客服说三天内回复，到现在也没有消息。", "可以开增值税专用发票吗？公司抬头我发给你们。",
		"退款申请已经提交，什么时候能到账？", "商品有质量问题，用了两天就坏了。", "另外，我还想问一下有没有 {product} 的配件？",
	}
	customerEN = []string{
		"Hi, I ordered on {date} (order {order}) and it still has not shipped.", "The {product} I received looks nothing like the photos.",
		"Tracking says delivered but nothing arrived at my door.", "It runs small; can I swap it for the next size up?",
		"The box was crushed and the {product} is scratched.", "Please sort this out quickly, thanks!", "I have been waiting a full week now.",
		"Could you check tracking number SF{track} for me?", "Support promised a reply within three days and I heard nothing.",
		"Do you issue company invoices? I can send the company details.", "I filed the refund request; when will the money arrive?",
		"It stopped working after two days.", "Also, do you sell spare parts for the {product}?",
	}
	replyZH = []string{
		"您好，非常抱歉给您带来不便！", "已为您查询，订单 {order} 预计明天发出。", "我们已经为您登记换货，请将商品寄回，运费由我们承担。",
		"退款已经提交，预计 1-3 个工作日原路退回。", "麻烦您提供一下商品照片，方便我们核实问题。", "已联系快递公司核实，有结果第一时间通知您。",
		"为表歉意，给您补发一张 20 元无门槛优惠券。", "祝您生活愉快，有问题随时联系我们～",
	}
	replyEN = []string{
		"Hi, so sorry for the trouble!", "I checked order {order}: it ships tomorrow.", "We have booked an exchange; please send it back, postage is on us.",
		"The refund is on its way and should reach you within 1-3 business days.", "Could you send a photo of the item so we can confirm the issue?",
		"I have asked the courier to investigate and will update you as soon as I hear back.", "As an apology, here is a coupon for your next order.",
		"Have a great day, and let us know if there is anything else!",
	}
	notes = []string{
		"仓库确认已出库，物流延迟。", "客户情绪较激动，优先处理。", "Asked warehouse to re-ship; waiting on stock.", "需要技术支持确认是否为质量问题。",
		"VIP 客户，可以适当补偿。", "Refund approved by supervisor.", "转物流组跟进。",
	}
	channelWeights  = []weighted[kefu.Channel]{{kefu.ChannelEmail, 45}, {kefu.ChannelChat, 25}, {kefu.ChannelPortal, 15}, {kefu.ChannelPhone, 10}, {kefu.ChannelAPI, 5}}
	typeWeights     = []weighted[kefu.TicketType]{{kefu.TypeConsultation, 50}, {kefu.TypeAfterSales, 35}, {kefu.TypeComplaint, 15}}
	priorityWeights = []weighted[kefu.Priority]{{kefu.PriorityLow, 15}, {kefu.PriorityNormal, 60}, {kefu.PriorityHigh, 20}, {kefu.PriorityUrgent, 5}}
	// Recent tickets are still being worked on; older ones are mostly done.
	recentStatus = []weighted[kefu.Status]{{kefu.StatusNew, 15}, {kefu.StatusOpen, 30}, {kefu.StatusPending, 20}, {kefu.StatusOnHold, 10}, {kefu.StatusSolved, 15}, {kefu.StatusClosed, 10}}
	olderStatus  = []weighted[kefu.Status]{{kefu.StatusNew, 2}, {kefu.StatusOpen, 6}, {kefu.StatusPending, 5}, {kefu.StatusOnHold, 4}, {kefu.StatusSolved, 25}, {kefu.StatusClosed, 58}}
	tagPool      = []string{"vip", "退款", "物流", "换货", "质量问题", "urgent-followup", "发票", "repeat-customer"}
)

type weighted[T any] struct {
	v T
	w int
}

func pick[T any](r *rand.Rand, ws []weighted[T]) T {
	total := 0
	for _, x := range ws {
		total += x.w
	}
	n := r.IntN(total)
	for _, x := range ws {
		if n < x.w {
			return x.v
		}
		n -= x.w
	}
	return ws[len(ws)-1].v
}

func one[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

func (g *generator) customer(i int) *kefu.Customer {
	r := rand.New(rand.NewPCG(g.seed, uint64(1<<40+i)))
	c := &kefu.Customer{Identities: []kefu.Identity{{Kind: kefu.IdentityEmail, Value: fmt.Sprintf("c%d@bench.test", i)}}, Tags: []string{}}
	if g.custZH[i] {
		c.Name, c.Language = one(r, zhSurnames)+one(r, zhGiven), "zh-CN"
	} else {
		c.Name, c.Language = one(r, enFirst)+" "+one(r, enLast), "en"
	}
	if r.IntN(10) == 0 {
		c.Identities = append(c.Identities, kefu.Identity{Kind: kefu.IdentityPhone, Value: fmt.Sprintf("13%09d", 100000000+i)})
	}
	if r.IntN(30) == 0 {
		c.VIPTier = kefu.VIPTier(1 + r.IntN(3))
		c.Tags = append(c.Tags, "vip")
	}
	return c
}

type textArgs struct {
	order   string
	product string
	date    string
	track   int
}

// fill replaces {order}, {product}, {date} and {track} in a template.
func (a textArgs) fill(tmpl string) string {
	return strings.NewReplacer("{order}", a.order, "{product}", a.product, "{date}", a.date, "{track}", fmt.Sprint(a.track)).Replace(tmpl)
}

func (g *generator) args(r *rand.Rand, zh bool, created time.Time) textArgs {
	a := textArgs{order: fmt.Sprintf("SO%010d", r.IntN(1e10)), date: created.Add(-time.Duration(r.IntN(10*24)) * time.Hour).Format("2006-01-02"), track: 100000000000 + r.IntN(900000000000)}
	if zh {
		a.product = one(r, productsZH)
	} else {
		a.product = one(r, productsEN)
	}
	return a
}

func sentences(r *rand.Rand, pool []string, n int, a textArgs) string {
	var b strings.Builder
	for k := 0; k < n; k++ {
		if k > 0 {
			if r.IntN(3) == 0 {
				b.WriteString("\n")
			} else {
				b.WriteString(" ")
			}
		}
		b.WriteString(a.fill(one(r, pool)))
	}
	return b.String()
}

// ticket generates ticket i and its messages (without ticket ids).
func (g *generator) ticket(r *rand.Rand, i int) (*kefu.Ticket, []*kefu.Message) {
	// Busy customers: a few customers have many tickets.
	ci := int(float64(g.customers) * math.Pow(r.Float64(), 2))
	ci = min(ci, g.customers-1)
	zh := g.custZH[ci]
	if r.IntN(10) == 0 {
		zh = !zh // mixed-language shop: some customers switch
	}
	age := time.Duration(r.Int64N(int64(180 * 24 * time.Hour)))
	created := g.base.Add(-age).Truncate(time.Microsecond)
	status := pick(r, olderStatus)
	if age < 30*24*time.Hour {
		status = pick(r, recentStatus)
	}
	a := g.args(r, zh, created)
	var subject string
	if zh {
		subject = a.fill(one(r, subjectsZH))
	} else {
		subject = a.fill(one(r, subjectsEN))
	}
	t := &kefu.Ticket{
		Subject: subject, Channel: pick(r, channelWeights), Type: pick(r, typeWeights), Priority: pick(r, priorityWeights),
		Status: status, TeamID: g.teamID, CustomerID: g.customerIDs[ci], CustomFields: map[string]any{}, Tags: []string{},
	}
	if len(g.categoryIDs) > 0 && r.IntN(10) < 6 {
		id := one(r, g.categoryIDs)
		t.CategoryID = &id
	}
	if r.IntN(5) == 0 {
		t.Tags = append(t.Tags, one(r, tagPool))
		if r.IntN(3) == 0 {
			if tg := one(r, tagPool); tg != t.Tags[0] {
				t.Tags = append(t.Tags, tg)
			}
		}
	}
	if status != kefu.StatusNew && r.IntN(3) == 0 {
		id := g.agentID
		t.AssigneeID = &id
	}
	if r.IntN(8) == 0 {
		t.CustomFields["platform"] = one(r, []string{"tmall", "jd", "douyin", "shopify", "wechat"})
	}

	limit := g.base.Add(-time.Minute)
	at := created
	n := int(g.msgCounts[i])
	msgs := make([]*kefu.Message, n)
	prev := kefu.MessageCustomer
	for k := 0; k < n; k++ {
		kind := kefu.MessageCustomer
		if k > 0 && status != kefu.StatusNew {
			switch {
			case prev == kefu.MessageCustomer && r.IntN(100) < 85, prev == kefu.MessageNote:
				kind = kefu.MessageReply
			case prev == kefu.MessageCustomer:
				kind = kefu.MessageNote
			case r.IntN(100) < 80:
				kind = kefu.MessageCustomer
			default:
				kind = kefu.MessageNote
			}
			at = at.Add(time.Duration(2*60+r.IntN(36*3600)) * time.Second)
			if at.After(limit) {
				at = limit
			}
		} else if k > 0 {
			at = at.Add(time.Duration(60+r.IntN(6*3600)) * time.Second)
			if at.After(limit) {
				at = limit
			}
		}
		m := &kefu.Message{Kind: kind, CreatedAt: at}
		switch kind {
		case kefu.MessageCustomer:
			cid := t.CustomerID
			m.AuthorCustomerID = &cid
			if zh {
				m.Body = sentences(r, customerZH, 1+r.IntN(4), a)
			} else {
				m.Body = sentences(r, customerEN, 1+r.IntN(4), a)
			}
		case kefu.MessageReply:
			uid := g.agentID
			m.AuthorUserID = &uid
			if zh {
				m.Body = sentences(r, replyZH, 2+r.IntN(3), a)
			} else {
				m.Body = sentences(r, replyEN, 2+r.IntN(3), a)
			}
			if t.FirstResponseAt == nil {
				fr := at
				t.FirstResponseAt = &fr
			}
		case kefu.MessageNote:
			uid := g.agentID
			m.AuthorUserID = &uid
			m.Body = one(r, notes)
		}
		if t.Channel == kefu.ChannelEmail && kind == kefu.MessageCustomer {
			m.ExternalID = fmt.Sprintf("<seed-%d-%d-%d@mail.bench.test>", g.seed, i, k)
		}
		msgs[k] = m
		prev = kind
	}
	t.CreatedAt = created
	t.LastMessageAt = at
	t.UpdatedAt = at
	if status == kefu.StatusSolved || status == kefu.StatusClosed {
		s := at.Add(time.Duration(3600+r.IntN(3*24*3600)) * time.Second)
		if s.After(limit) {
			s = limit
		}
		t.SolvedAt, t.UpdatedAt = &s, s
		if status == kefu.StatusClosed {
			c := s.Add(time.Duration(24*3600+r.IntN(6*24*3600)) * time.Second)
			if c.After(limit) {
				c = limit
			}
			t.ClosedAt, t.UpdatedAt = &c, c
		}
	}
	return t, msgs
}
