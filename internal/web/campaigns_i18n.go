package web

import "github.com/civicgrid/civicgrid/internal/web/kit"

// UI strings of editing and deleting visit campaigns.
func init() {
	kit.RegisterMessages("campaigns", map[string][2]string{
		"cp.edit":           {"编辑走访活动", "Edit campaign"},
		"cp.save":           {"保存修改", "Save changes"},
		"cp.updated":        {"走访活动已更新", "Campaign updated"},
		"cp.team hint":      {"按住 Ctrl（Mac 上为 ⌘）可多选或取消；团队成员与本镇网格员可记录走访", "Hold Ctrl (⌘ on a Mac) to pick or drop several; the team and the town's grid staff may log visits"},
		"cp.delete":         {"删除走访活动", "Delete campaign"},
		"cp.delete confirm": {"确定删除该走访活动及其全部走访对象和团队？此操作无法撤销。", "Delete this campaign with all its targets and its team? This cannot be undone."},
		"cp.delete note":    {"尚无走访记录的活动可以删除；一旦记录了走访，活动将保留备查。", "A campaign can be deleted until its first visit is logged; after that it is kept for the record."},
		"cp.deleted":        {"走访活动已删除", "Campaign deleted"},
	})
}
