package portal

import "github.com/civicgrid/civicgrid/internal/web/kit"

func init() {
	kit.RegisterMessages("portal", map[string][2]string{
		"po.title":        {"便民服务", "Residents' portal"},
		"po.subtitle":     {"一网通办 · 家门口的服务", "Town services at your door"},
		"po.switch":       {"切换", "Switch"},
		"po.switch town":  {"切换镇街", "Switch town"},
		"po.elderly on":   {"长辈模式", "Large text"},
		"po.elderly off":  {"标准模式", "Standard text"},
		"po.elderly now":  {"已开启长辈模式：大字、高对比", "Large-text mode is on: bigger, higher contrast"},
		"po.tasks":        {"我要办", "What do you need?"},
		"po.live":         {"本镇动态", "In the town now"},
		"po.more":         {"更多", "More"},
		"po.unavailable":  {"暂时无法读取，请点击进入查看", "Not available just now; open the section"},
		"po.track number": {"反映编号", "Report number"},
		"po.track code":   {"查询码", "Code"},
		"po.track go":     {"查询", "Look up"},
		"po.track hint":   {"编号和查询码在提交反映后的页面和短信中", "The number and code are on the page after you report, and in the text message"},
		"po.privacy":      {"本页仅公开事项名称与统计数字，不显示任何个人信息。", "This page shows public titles and figures only, never personal data."},
		"po.hotline":      {"市民服务热线 12345", "Citizens' hotline 12345"},
		"po.staff":        {"工作人员登录", "Staff sign-in"},
		"po.no towns":     {"暂无开通的镇街", "No town is open yet"},
	})
}
