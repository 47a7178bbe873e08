package world

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Work-order states a generated order is meant to reach, in lifecycle order.
var States = []string{"received", "filed", "rejected", "dispatched", "in_progress", "handled", "closed", "rated", "merged"}

// Channels through which a demand arrives.
var Channels = []string{"hotline", "patrol", "resident", "visit", "open311"}

// Shanghai is UTC+8 all year; a fixed zone avoids depending on tzdata.
var Shanghai = time.FixedZone("CST", 8*3600)

// DemoOrder is one generated demand. The loader replays it into the
// work-order lifecycle up to TargetState.
type DemoOrder struct {
	Content        string
	CategoryCode   string
	Address        string // address-book entry plus building number for estates
	AddressRef     string // the address-book entry (Address.Text)
	Lat, Lng       float64
	GridCode       string
	CommitteeCode  string // the address's residents' committee (co-handler for community matters)
	Channel        string
	ReceivedAt     time.Time // in Shanghai time
	CallerName     string    // empty for anonymous reports
	CallerPhone    string
	HotlineID      string // 12345 order number, hotline only
	TargetState    string
	Satisfaction   string // rated only: satisfied | basic | dissatisfied
	RatingComment  string
	DepartmentCode string // the category's default department
	ResultText     string // handled, closed, rated
	VerifyNote     string // closed, rated
	RejectReason   string // rejected, merged
	MergedInto     int    // merged: index of the earlier order it duplicates; -1 otherwise
}

var hourWeights = [24]float64{
	0.1, 0.05, 0.03, 0.03, 0.05, 0.15, 0.4, 1.0, 2.0, 3.4, 3.6, 3.0,
	1.4, 1.6, 3.2, 3.5, 3.1, 2.0, 1.3, 1.1, 0.9, 0.7, 0.4, 0.2,
}

var categoryBoost = map[string]float64{
	"0503": 3, "1003": 3, "1101": 3, "1001": 2, "0501": 2, "0502": 2, "1102": 2, "0101": 2,
	"1403": 2, "1002": 1.5, "1006": 1.5, "1201": 1.5, "1502": 1.5, "1504": 1.2,
}

// urgentCategories are emergencies handled within hours.
var urgentCategories = map[string]bool{"0401": true, "0403": true, "1202": true, "1204": true}

var openStates = map[string]bool{"received": true, "filed": true, "dispatched": true, "in_progress": true, "handled": true}

var timePhrases = []string{"晚上十点以后", "每天早上六点多", "今天上午", "近一周每天傍晚", "周末白天", "昨晚", "凌晨", "中午时段"}

var surnames = []rune("张李赵陈杨黄周吴孙朱马胡郭林何高罗郑梁谢许韩冯曹彭曾肖田董袁蔡杜叶程苏魏吕丁沈姚姜钟陆汪金顾毛钱严戴")

func weightedIndex(r *rand.Rand, w []float64) int {
	total := 0.0
	for _, x := range w {
		total += x
	}
	x := r.Float64() * total
	for i, v := range w {
		if x < v {
			return i
		}
		x -= v
	}
	return len(w) - 1
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// GenerateOrders returns n realistic orders received over the 90 days before
// now, sorted by ReceivedAt. The same world, n, seed and now give the same
// orders. Volume follows a weekly rhythm (weekdays busier) and a daily one
// (peaks 9–11h and 14–16h). Older orders are mostly closed or rated, open
// ones recent; every state and channel appears once n is large enough (≥ 30).
func GenerateOrders(w *World, n int, seed int64, now time.Time) []DemoOrder {
	if n <= 0 || len(w.Grids) == 0 {
		return nil
	}
	r := rand.New(rand.NewPCG(uint64(seed), 0x6369766963677269))
	now = now.In(Shanghai)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, Shanghai)

	// categories with templates, weighted
	var cats []string
	for code := range w.Templates.Orders {
		if _, ok := w.Category(code); ok {
			cats = append(cats, code)
		}
	}
	sort.Strings(cats)
	catW := make([]float64, len(cats))
	for i, c := range cats {
		catW[i] = 1
		if b, ok := categoryBoost[c]; ok {
			catW[i] = b
		}
	}
	dayW := make([]float64, 90)
	for d := range dayW {
		switch today.AddDate(0, 0, -d).Weekday() {
		case time.Saturday:
			dayW[d] = 0.5
		case time.Sunday:
			dayW[d] = 0.4
		default:
			dayW[d] = 1
		}
	}
	gridByCode := map[string]Grid{}
	for _, g := range w.Grids {
		gridByCode[g.Code] = g
	}
	patrollers := map[string][]GridMember{}
	for _, m := range w.GridMembers {
		patrollers[m.GridCode] = append(patrollers[m.GridCode], m)
	}

	orders := make([]DemoOrder, 0, n)
	for len(orders) < n {
		var at time.Time
		for {
			d := weightedIndex(r, dayW)
			h := weightedIndex(r, hourWeights[:])
			at = today.AddDate(0, 0, -d).Add(time.Duration(h)*time.Hour + time.Duration(r.IntN(3600))*time.Second)
			if at.Before(now) {
				break
			}
		}
		o := DemoOrder{ReceivedAt: at, MergedInto: -1}
		o.CategoryCode = cats[weightedIndex(r, catW)]
		o.Channel = Channels[weightedIndex(r, []float64{45, 25, 14, 8, 8})]
		fillPlace(r, w, gridByCode, &o)
		o.Content = inChannelVoice(o.Content, o.Channel)
		cat, _ := w.Category(o.CategoryCode)
		o.DepartmentCode = cat.DepartmentCode
		switch o.Channel {
		case "patrol":
			if ms := patrollers[o.GridCode]; len(ms) > 0 {
				m := pick(r, ms)
				o.CallerName, o.CallerPhone = m.Name, m.Phone
			}
		case "resident":
			if len(w.Residents) > 0 && r.IntN(2) == 0 {
				res := pick(r, w.Residents)
				o.CallerName, o.CallerPhone = res.Name, res.Phone
			} else if r.IntN(3) > 0 {
				o.CallerName, o.CallerPhone = caller(r)
			} // else anonymous
		case "open311":
			if r.IntN(2) == 0 {
				o.CallerName, o.CallerPhone = caller(r)
			}
		default:
			o.CallerName, o.CallerPhone = caller(r)
		}
		orders = append(orders, o)
	}
	sort.SliceStable(orders, func(i, j int) bool { return orders[i].ReceivedAt.Before(orders[j].ReceivedAt) })

	// hotline numbers: date + serial, unique
	seen := map[string]bool{}
	for i := range orders {
		if orders[i].Channel != "hotline" {
			continue
		}
		for {
			id := orders[i].ReceivedAt.Format("20060102") + fmt.Sprintf("%06d", 100000+r.IntN(900000))
			if !seen[id] {
				seen[id] = true
				orders[i].HotlineID = id
				break
			}
		}
	}

	for i := range orders {
		age := now.Sub(orders[i].ReceivedAt)
		orders[i].TargetState = States[weightedIndex(r, stateWeights(age))]
		// An emergency (a gas smell, an open manhole) is dealt with the same day: it is never
		// still open days later, as no town would leave it.
		if urgentCategories[orders[i].CategoryCode] && age > 48*time.Hour && openStates[orders[i].TargetState] {
			orders[i].TargetState = "closed"
		}
	}
	ensureAllStates(orders, now)
	ensureWorkInEveryGrid(orders, now)
	ensureWorkForEveryHandler(w, orders, now)
	for i := range orders {
		finish(r, w, orders, i)
	}
	return orders
}

// inChannelVoice makes a text read as its channel would write it: a patrol finding reported by a
// resident or a caller is in their words, not a grid worker's ("巡查发现…" → "发现…").
func inChannelVoice(text, channel string) string {
	rest, patrol := strings.CutPrefix(text, "巡查发现")
	switch {
	case !patrol || channel == "patrol" || channel == "visit":
		return text
	case channel == "hotline":
		return "市民来电反映：" + rest
	default:
		return "我发现" + rest
	}
}

func caller(r *rand.Rand) (string, string) {
	s := string(pick(r, surnames))
	if r.IntN(2) == 0 {
		s += "先生"
	} else {
		s += "女士"
	}
	return s, fmt.Sprintf("100%08d", 30000000+r.IntN(9999999))
}

// stateWeights gives the weights of States for an order of the given age.
func stateWeights(age time.Duration) []float64 {
	days := age.Hours() / 24
	//                  recv filed rej disp prog hand close rated merged
	switch {
	case days < 1:
		return []float64{30, 20, 4, 25, 12, 4, 0, 0, 5}
	case days < 3:
		return []float64{3, 5, 4, 15, 30, 25, 10, 3, 5}
	case days < 7:
		return []float64{0, 0, 4, 2, 14, 18, 35, 22, 5}
	case days < 15:
		return []float64{0, 0, 4, 0, 3, 5, 33, 50, 5}
	default:
		return []float64{0, 0, 4, 0, 0.5, 0.5, 32, 58, 5}
	}
}

// ensureWorkInEveryGrid gives every grid something to verify: when none of a grid's orders is
// handled and waiting for its grid worker, the grid's most recent order of the last ten days
// (not an emergency, not a duplicate) becomes one. The demo's grid workers then always start with
// a queue, whatever day it is generated on.
func ensureWorkInEveryGrid(orders []DemoOrder, now time.Time) {
	waiting := map[string]bool{}
	for _, o := range orders {
		if o.TargetState == "handled" {
			waiting[o.GridCode] = true
		}
	}
	for i := len(orders) - 1; i >= 0; i-- {
		o := &orders[i]
		if waiting[o.GridCode] || now.Sub(o.ReceivedAt) > 10*24*time.Hour || urgentCategories[o.CategoryCode] ||
			o.TargetState == "merged" || o.TargetState == "rejected" || o.TargetState == "received" {
			continue
		}
		o.TargetState = "handled"
		waiting[o.GridCode] = true
	}
}

// ensureWorkForEveryHandler gives the department of every demo handler something in hand: when
// none of its orders is dispatched or in progress, its most recent closed order of the last week
// (else of the last month; not an emergency) is still being handled. The demo's handlers then
// always start with a queue and an inbox, whatever day it is generated on — on some days the
// random history left the police with nothing open. Only closed orders change, so every other
// state keeps its orders.
func ensureWorkForEveryHandler(w *World, orders []DemoOrder, now time.Time) {
	busy := map[string]bool{}
	for _, u := range w.Users {
		if u.Role == "handler" && u.DepartmentCode != "" {
			busy[u.DepartmentCode] = false
		}
	}
	for _, o := range orders {
		if _, ok := busy[o.DepartmentCode]; ok && (o.TargetState == "dispatched" || o.TargetState == "in_progress") {
			busy[o.DepartmentCode] = true
		}
	}
	for _, window := range []time.Duration{7 * 24 * time.Hour, 30 * 24 * time.Hour} {
		for i := len(orders) - 1; i >= 0; i-- {
			o := &orders[i]
			if b, ok := busy[o.DepartmentCode]; !ok || b || now.Sub(o.ReceivedAt) > window || urgentCategories[o.CategoryCode] ||
				(o.TargetState != "closed" && o.TargetState != "rated") {
				continue
			}
			o.TargetState = "in_progress"
			busy[o.DepartmentCode] = true
		}
	}
}

// ensureAllStates makes every state appear when there are enough orders:
// a missing open state goes to the most recent order whose state is
// plentiful, a missing final state to the oldest such order.
func ensureAllStates(orders []DemoOrder, now time.Time) {
	if len(orders) < 2*len(States) {
		return
	}
	count := map[string]int{}
	for _, o := range orders {
		count[o.TargetState]++
	}
	open := openStates
	for _, s := range States {
		if count[s] > 0 {
			continue
		}
		idx := -1
		if open[s] {
			for i := len(orders) - 1; i >= 0; i-- {
				if count[orders[i].TargetState] > 2 {
					idx = i
					break
				}
			}
		} else {
			for i := 1; i < len(orders); i++ {
				if count[orders[i].TargetState] > 2 && now.Sub(orders[i].ReceivedAt) > 24*time.Hour {
					idx = i
					break
				}
			}
		}
		if idx >= 0 {
			count[orders[idx].TargetState]--
			orders[idx].TargetState = s
			count[s]++
		}
	}
}

func fillPlace(r *rand.Rand, w *World, grids map[string]Grid, o *DemoOrder) {
	if len(w.Addresses) == 0 {
		g := pick(r, w.Grids)
		b := g.Polygon.Bound()
		for {
			pt := orb.Point{b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])}
			if planar.PolygonContains(g.Polygon, pt) {
				o.Lng, o.Lat, o.GridCode = pt[0], pt[1], g.Code
				o.Address = w.Town.Name + g.Name
				o.Content = fillTemplate(r, pick(r, w.Templates.Orders[o.CategoryCode]), o.Address, "小区", "附近道路")
				return
			}
		}
	}
	a := pick(r, w.Addresses)
	o.AddressRef, o.GridCode, o.CommitteeCode = a.Text, a.GridCode, a.CommitteeCode
	o.Address = a.Text
	building := ""
	if strings.HasSuffix(a.Text, "弄") {
		building = fmt.Sprint(1 + r.IntN(40))
		o.Address = a.Text + building + "号"
	}
	// within about 30 m of the address, inside the same grid
	o.Lng, o.Lat = a.Lng, a.Lat
	poly := grids[a.GridCode].Polygon
	for range 10 {
		ang := r.Float64() * 2 * math.Pi
		d := r.Float64() * 0.0003
		pt := orb.Point{a.Lng + d*math.Cos(ang), a.Lat + d*math.Sin(ang)}
		if planar.PolygonContains(poly, pt) {
			o.Lng, o.Lat = math.Round(pt[0]*1e6)/1e6, math.Round(pt[1]*1e6)/1e6
			if planar.PolygonContains(poly, orb.Point{o.Lng, o.Lat}) {
				break
			}
			o.Lng, o.Lat = a.Lng, a.Lat
		}
	}
	text := pick(r, w.Templates.Orders[o.CategoryCode])
	if building == "" {
		building = fmt.Sprint(1 + r.IntN(40))
	}
	o.Content = fillTemplate(r, text, o.Address, a.Estate, a.Road, building)
}

func fillTemplate(r *rand.Rand, text, address, estate, road string, building ...string) string {
	b := fmt.Sprint(1 + r.IntN(40))
	if len(building) > 0 {
		b = building[0]
	}
	return strings.NewReplacer("{address}", address, "{estate}", estate, "{road}", road,
		"{building}", b, "{time}", pick(r, timePhrases)).Replace(text)
}

func finish(r *rand.Rand, w *World, orders []DemoOrder, i int) {
	o := &orders[i]
	top := o.CategoryCode[:2]
	switch o.TargetState {
	case "rejected":
		var reasons []string
		for _, s := range w.Templates.RejectReasons {
			if !strings.Contains(s, "重复") {
				reasons = append(reasons, s)
			}
		}
		o.RejectReason = pick(r, reasons)
	case "merged":
		// duplicate of the closest earlier order that is not itself merged
		j := i - 1
		for j >= 0 && orders[j].TargetState == "merged" {
			j--
		}
		if j < 0 {
			o.TargetState = "rejected"
			finish(r, w, orders, i)
			return
		}
		src := orders[j]
		o.MergedInto = j
		o.CategoryCode, o.DepartmentCode = src.CategoryCode, src.DepartmentCode
		o.Address, o.AddressRef, o.GridCode, o.CommitteeCode = src.Address, src.AddressRef, src.GridCode, src.CommitteeCode
		o.Lat, o.Lng = src.Lat, src.Lng
		o.Content = "再次反映：" + src.Content
		for _, s := range w.Templates.RejectReasons {
			if strings.Contains(s, "重复") {
				o.RejectReason = s
			}
		}
	case "handled", "closed", "rated":
		results := w.Templates.Results[o.CategoryCode]
		if len(results) == 0 {
			results = w.Templates.Results[top]
		}
		o.ResultText = pick(r, results)
		if o.TargetState != "handled" {
			o.VerifyNote = pick(r, w.Templates.Verifications)
		}
		if o.TargetState == "rated" {
			o.Satisfaction = []string{"satisfied", "basic", "dissatisfied"}[weightedIndex(r, []float64{80, 13, 7})]
			o.RatingComment = pick(r, w.Templates.RatingComments[o.Satisfaction])
		}
	}
}
