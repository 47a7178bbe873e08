package ops

import "github.com/civicgrid/civicgrid/internal/web/kit"

// The UI strings of the live map and the wall screen. Registered once: a key registered twice
// panics at start-up.
func init() {
	kit.RegisterMessages("ops", map[string][2]string{
		"ops.nav":            {"城运实况", "Live map"},
		"ops.map":            {"城运实况地图", "Operations live map"},
		"ops.map text":       {"工单点位、网格着色、热力与实时新工单", "Orders as points, grids by measure, heat layer and new orders as they come"},
		"ops.wall":           {"大屏模式", "Wall screen"},
		"ops.wall text":      {"城运中心大屏：地图、关键指标、最新工单轮播", "For the operations centre's wall: map, key numbers and latest orders in turn"},
		"ops.wall title":     {"城运中心 · 实时态势", "Operations centre · live"},
		"ops.connecting":     {"连接中…", "Connecting…"},
		"ops.colour by":      {"网格着色", "Colour grids by"},
		"ops.m.open":         {"在办量", "Open load"},
		"ops.m.overdue":      {"超期量", "Overdue"},
		"ops.m.week":         {"本周受理", "Received this week"},
		"ops.m.satisfaction": {"满意率", "Satisfaction"},
		"ops.period":         {"时段", "Period"},
		"ops.d1":             {"近 1 天", "Last day"},
		"ops.d7":             {"近 7 天", "Last 7 days"},
		"ops.d30":            {"近 30 天", "Last 30 days"},
		"ops.d90":            {"近 90 天", "Last 90 days"},
		"ops.category":       {"类别", "Category"},
		"ops.all categories": {"全部类别", "All categories"},
		"ops.points":         {"工单点位（聚合）", "Orders as points (clustered)"},
		"ops.open only":      {"仅在办", "Open only"},
		"ops.heat":           {"热力图", "Heat layer"},
		"ops.truncated":      {"点位过多，仅显示最新的一部分；网格颜色与热力图计入全部工单。", "Too many points: only the latest are shown; grid colours and the heat layer count every order."},
		"ops.click a grid":   {"点击网格查看其队列与指标", "Click a grid for its queue and figures"},
		"ops.feed":           {"实时动态", "Live feed"},
		"ops.panel map":      {"地图", "Map"},
		"ops.panel numbers":  {"关键指标", "Key numbers"},
		"ops.panel feed":     {"最新工单", "Latest orders"},
		"ops.paused":         {"已暂停轮播", "Rotation paused"},
		"ops.n.today":        {"今日受理", "Received today"},
		"ops.n.week":         {"近 7 天受理", "Received, last 7 days"},
		"ops.n.open":         {"在办工单", "Open orders"},
		"ops.n.overdue":      {"超期工单", "Overdue orders"},
		"ops.n.satisfaction": {"满意率（近 90 天）", "Satisfaction (last 90 days)"},
		"ops.top grids":      {"在办量最多的网格", "Grids with the most open orders"},
		"ops.wall help":      {"空格键暂停/继续，← → 切换面板；网址加 ?pause=1 固定当前面板", "Space pauses or resumes, ← → change panel; add ?pause=1 to the address to hold a panel"},
	})
}
