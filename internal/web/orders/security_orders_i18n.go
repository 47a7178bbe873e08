package orders

import "github.com/civicgrid/civicgrid/internal/web/kit"

// UI strings of the limits on orders (issue #9): who decides an order's channel, and how long
// each field may be.
func init() {
	kit.RegisterMessages("orders", map[string][2]string{
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
