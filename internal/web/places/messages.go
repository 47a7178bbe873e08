package places

import "github.com/civicgrid/civicgrid/internal/web/kit"

// The UI strings of grids, departments and the map.
// Registered once: a key registered twice panics at start-up.
func init() {
	kit.RegisterMessages("places", map[string][2]string{
		"grids":          {"网格", "Grids"},
		"departments":    {"部门", "Departments"},
		"members":        {"网格成员", "Members"},
		"grid role":      {"网格职务", "Grid role"},
		"remove":         {"移除", "Remove"},
		"geometry":       {"边界 (GeoJSON Polygon)", "Boundary (GeoJSON Polygon)"},
		"illustrative":   {"网格边界为示意范围，非官方划分", "Grid boundaries are illustrative, not official"},
		"committees":     {"居民区", "Residents' committees"},
		"new grid":       {"新建网格", "New grid"},
		"new department": {"新建部门", "New department"},
		"no tiles":       {"未配置在线底图：显示本系统已知的街镇边界、网格、居民区与地标", "No online base map configured: showing the town boundaries, grids, committees and landmarks this system knows"},
		"open map":       {"打开网格地图", "Open the grid map"},
		"manage grids":   {"管理网格与成员", "Manage grids and members"},
		"edit":           {"编辑", "Edit"},
		"leader":         {"网格长", "Grid leader"},
		"deputy":         {"副网格长", "Deputy leader"},
		"liaison":        {"联络员", "Liaison"},
		"member":         {"网格成员", "Member"},
	})
}
