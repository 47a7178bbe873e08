package intake

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/intake/hotline"
	"github.com/civicgrid/civicgrid/internal/store"
)

// GenerateCSV writes n realistic hotline rows for benchmarks and crash tests, deterministically
// for a seed: addresses from the 新泾镇 demo address book (half of the rows with the address's
// coordinates, a few with an address nobody knows), texts from the demo's order templates,
// receipt times running forward through 2025 as in a real export, every kind and most time limits. ids are
// HL<seed><n>, so two seeds never share an order.
func GenerateCSV(w io.Writer, n int, seed uint64) error { return GenerateCSVOrder(w, n, seed, true) }

// GenerateCSVOrder is GenerateCSV with the call times either running forward through the file, as
// a hotline export lists them (chronological), or scattered over the year (the worst case for the
// time indexes).
func GenerateCSVOrder(w io.Writer, n int, seed uint64, chronological bool) error {
	wd, err := world.Xinjing()
	if err != nil {
		return err
	}
	var leaves []world.Category
	for _, c := range wd.Categories {
		if c.IsLeaf() && len(wd.Templates.Orders[c.Code]) > 0 {
			leaves = append(leaves, c)
		}
	}
	sort.Slice(leaves, func(i, j int) bool { return leaves[i].Code < leaves[j].Code })
	names := map[string]string{}
	for _, c := range wd.Categories {
		names[c.Code] = c.Name
	}
	rng := rand.New(rand.NewPCG(seed, 0x12345))
	bw := bufio.NewWriterSize(w, 1<<16)
	cw := csv.NewWriter(bw)
	if err := cw.Write([]string{"工单编号", "来电时间", "诉求人", "联系电话", "诉求地址", "经度", "纬度", "诉求类型", "诉求分类", "诉求内容", "办理时限", "街镇"}); err != nil {
		return err
	}
	kinds := []string{"咨询", "求助", "投诉", "建议", "表扬", "投诉", "求助"}
	surnames := []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	rec := make([]string, 12)
	for i := range n {
		a := wd.Addresses[rng.IntN(len(wd.Addresses))]
		c := leaves[rng.IntN(len(leaves))]
		tpls := wd.Templates.Orders[c.Code]
		// Exports list calls in the order they came in: time runs forward through the file (with
		// a few minutes of jitter between neighbours), spread over a year.
		at := base.Add(time.Duration(float64(i)/float64(n)*364*24*float64(time.Hour)) + time.Duration(rng.IntN(300))*time.Second)
		if !chronological {
			at = base.Add(time.Duration(rng.IntN(364))*24*time.Hour + time.Duration(7*3600+rng.IntN(13*3600))*time.Second)
		}
		addr := "长宁区新泾镇" + a.Text
		if a.Estate != "" && rng.IntN(3) == 0 {
			addr = a.Estate + strconv.Itoa(1+rng.IntN(30)) + "号楼"
		}
		if rng.IntN(50) == 0 {
			addr = "某某路" + strconv.Itoa(rng.IntN(900)) + "号" // not in the address book: 待定位
		}
		text := strings.NewReplacer("{address}", a.Text, "{estate}", a.Estate, "{road}", a.Road,
			"{building}", strconv.Itoa(1+rng.IntN(30))+"号楼", "{time}", "今天上午").Replace(tpls[rng.IntN(len(tpls))])
		rec[0] = fmt.Sprintf("HL%d%09d", seed, i)
		rec[1] = at.Format("2006-01-02 15:04:05")
		rec[2] = string(surnames[rng.IntN(len(surnames))]) + []string{"先生", "女士"}[rng.IntN(2)]
		rec[3] = fmt.Sprintf("1%d%09d", 3+rng.IntN(7), rng.IntN(1_000_000_000))
		rec[4] = addr
		rec[5], rec[6] = "", ""
		if i%2 == 0 {
			rec[5] = strconv.FormatFloat(a.Lng+float64(rng.IntN(41)-20)*1e-5, 'f', 6, 64)
			rec[6] = strconv.FormatFloat(a.Lat+float64(rng.IntN(41)-20)*1e-5, 'f', 6, 64)
		}
		rec[7] = kinds[rng.IntN(len(kinds))]
		rec[8] = names[c.ParentCode] + "/" + c.Name
		rec[9] = text
		rec[10] = []string{"", "1", "3", "5", "5个工作日", "15"}[rng.IntN(6)]
		rec[11] = "新泾镇"
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// BaselineInsert is the benchmark's yardstick: it reads the same file with the same reader and
// writes every valid row into a plain table with the orders' columns — no routing, no
// idempotency, no events, no indexes — with the same batch size and multi-row statements, and
// returns the rows written. The table bench_plain_orders is created (and emptied) first.
func BaselineInsert(ctx context.Context, db *store.DB, path string, enc hotline.Encoding, batch int) (int, error) {
	if batch <= 0 {
		batch = DefaultBatch
	}
	real := "REAL"
	if db.Dialect() == store.Postgres {
		real = "DOUBLE PRECISION"
	}
	if _, err := db.Exec(ctx, `DROP TABLE IF EXISTS bench_plain_orders`); err != nil {
		return 0, err
	}
	if _, err := db.Exec(ctx, `CREATE TABLE bench_plain_orders (id BIGINT PRIMARY KEY, town_code TEXT, number TEXT, short_code TEXT,
		state TEXT, version INTEGER, channel TEXT, external_id TEXT, content TEXT, address TEXT, lat `+real+`, lng `+real+`,
		grid_code TEXT, category_code TEXT, deadline_class TEXT, limit_days INTEGER, caller_name TEXT, caller_phone TEXT,
		raised_by BIGINT, received_at BIGINT, updated_at BIGINT)`); err != nil {
		return 0, err
	}
	r, err := hotline.Open(path, enc)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	const cols = 21
	const chunk = 400
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	full := "INSERT INTO bench_plain_orders VALUES " + strings.TrimSuffix(strings.Repeat(row+", ", chunk), ", ")
	total := 0
	now := time.Now().UnixMilli()
	var rows []hotline.Row
	write := func() error {
		return db.InTx(ctx, func(tx *store.Tx) error {
			stmt, err := tx.Prepare(ctx, full)
			if err != nil {
				return err
			}
			defer stmt.Close()
			args := make([]any, 0, cols*chunk)
			for start := 0; start < len(rows); start += chunk {
				part := rows[start:min(start+chunk, len(rows))]
				args = args[:0]
				for _, x := range part {
					total++
					var lat, lng any
					if x.Lat != nil {
						lat, lng = *x.Lat, *x.Lng
					}
					args = append(args, total, "310105102", "N"+strconv.Itoa(total), "ABCDEF", "received", 1, "hotline", x.HotlineID,
						x.Content, x.Address, lat, lng, nil, "", "", x.LimitDays, x.Caller, x.Phone, nil, x.ReceivedAt.UnixMilli(), now)
				}
				if len(part) == chunk {
					_, err = stmt.ExecContext(ctx, args...)
				} else {
					_, err = tx.Exec(ctx, "INSERT INTO bench_plain_orders VALUES "+strings.TrimSuffix(strings.Repeat(row+", ", len(part)), ", "), args...)
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	for {
		x, errs, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return total, err
		}
		if len(errs) == 0 {
			rows = append(rows, x)
		}
		if len(rows) == batch {
			if err := write(); err != nil {
				return total, err
			}
			rows = rows[:0]
		}
	}
	if len(rows) > 0 {
		if err := write(); err != nil {
			return total, err
		}
	}
	return total, nil
}
