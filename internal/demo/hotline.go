package demo

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/demo/world"
)

// HotlineCSV writes n realistic hotline rows for benchmarks and crash tests, deterministically
// for a seed: addresses from the 新泾镇 demo address book (half of the rows with the address's
// coordinates, a few with an address nobody knows), texts from the demo's order templates,
// receipt times running forward through 2025 as in a real export, every kind and most time limits. ids are
// HL<seed><n>, so two seeds never share an order.
func HotlineCSV(w io.Writer, n int, seed uint64) error { return HotlineCSVOrder(w, n, seed, true) }

// HotlineCSVOrder is HotlineCSV with the call times either running forward through the file, as
// a hotline export lists them (chronological), or scattered over the year (the worst case for the
// time indexes).
func HotlineCSVOrder(w io.Writer, n int, seed uint64, chronological bool) error {
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
