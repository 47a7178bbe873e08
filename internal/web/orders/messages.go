package orders

import "github.com/civicgrid/civicgrid/internal/web/kit"

// The UI strings of work orders, registered once (a key registered twice panics at start-up).
func init() {
	kit.RegisterMessages("orders", map[string][2]string{
		"channel":             {"来源渠道", "Channel"},
		"confirm action":      {"确定要「%s」吗？", "Really “%s”?"},
		"filter":              {"筛选", "Filter"},
		"deadline":            {"办理时限", "Deadline"},
		"previous":            {"上一页", "Previous"},
		"suspended":           {"挂起", "Suspended"},
		"escalated":           {"督办", "Escalated"},
		"tab mine":            {"本部门全部", "All of my department"},
		"tab all":             {"全部", "All"},
		"co":                  {"协办", "co-handler"},
		"caller":              {"诉求人", "Caller"},
		"hotline kind":        {"诉求类型", "Kind of call"},
		"hotline category":    {"热线分类", "Hotline's category"},
		"search hint":         {"诉求内容、地址、工单号或热线编号", "Words of the text or address, an order number or a hotline id"},
		"extension asked":     {"申请延期至", "extension asked until"},
		"tracking":            {"查询码", "Tracking"},
		"deadline class":      {"时限类别", "Deadline class"},
		"category default":    {"按分类默认", "Category default"},
		"lead department":     {"主办部门", "Lead department"},
		"co departments":      {"协办部门", "Co-handling departments"},
		"duplicate of":        {"重复于", "Duplicate of"},
		"order number or id":  {"工单编号或ID", "order number or id"},
		"new deadline":        {"新时限", "New deadline"},
		"similar open orders": {"同网格同类在办工单", "Similar open orders"},
		"no location":         {"无定位", "No location"},
		"latitude":            {"纬度", "Latitude"},
		"longitude":           {"经度", "Longitude"},
		"mark all read":       {"全部已读", "Mark all read"},
		"so.channel": {"来源渠道由系统按您的身份确定（%[2]s），不能指定为 %[1]q；12345热线工单只能经热线导入或推送接口进入，Open311 工单只能经 Open311 接口进入",
			"%[1]q is not yours to choose: the server sets the channel from who you are (%[2]s); hotline orders come only through the hotline import or push API, Open311 requests through Open311"},
		"so.external id":   {"外部编号只能由受理渠道（热线导入或推送接口、Open311）设定，请勿填写", "only an intake channel (the hotline import or push API, Open311) sets an order's external id; leave it out"},
		"so.channel note":  {"由系统按您的身份确定", "set by the server from who you are"},
		"so.too long":      {"%s最多 %d 个字，现有 %d 个", "%s: at most %d characters, %d given"},
		"so.nul":           {"%s含有无法保存的空字符（NUL），请删除后重试", "%s contains a NUL character, which cannot be stored; remove it"},
		"so.utf8":          {"%s含有无效的字符（不是 UTF-8 编码），请重新输入", "%s is not valid UTF-8 text; type it again"},
		"so.too many":      {"%s最多 %d 项，现有 %d 项", "%s: at most %d, %d given"},
		"sort":             {"排序", "Sort"},
		"notification ids": {"通知编号", "Notification ids"},
	})
}
