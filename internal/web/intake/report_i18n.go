package intake

import "github.com/civicgrid/civicgrid/internal/web/kit"

// UI strings of the patrol and resident report pages.
func init() {
	kit.RegisterMessages("intake", map[string][2]string{
		"patrol report":         {"巡查上报", "Patrol report"},
		"patrol report text":    {"拍照定位，上报巡查发现；能当场解决的直接自行处置", "Photo and position of what you find on patrol; fix small things on the spot"},
		"resident report":       {"市民随手拍", "Report a problem"},
		"resident report text":  {"拍照上报身边的问题，凭编号和查询码跟进", "Photograph a problem nearby and follow it with its number and code"},
		"your grid":             {"本网格", "Your grid"},
		"take photo":            {"拍照 / 选择照片", "Take or choose photos"},
		"location":              {"位置", "Location"},
		"use my location":       {"使用当前位置", "Use my location"},
		"choose category":       {"选择分类（可不选）", "Choose a category (optional)"},
		"what did you find":     {"发现的问题", "What did you find"},
		"patrol placeholder":    {"例如：新泾一村12号门口共享单车乱停放约10辆", "e.g. about 10 shared bikes blocking the gate of 12 Xinjing Village 1"},
		"address placeholder":   {"门牌、小区或路口（可不填）", "House number, estate or crossing (optional)"},
		"self handled":          {"已现场处置 (自行处置)", "Handled on the spot (self-handled)"},
		"handling result":       {"处置结果", "Result"},
		"result placeholder":    {"例如：已联系运维人员清理，现场恢复通行", "e.g. the operator removed the bikes; the way is clear"},
		"submit report":         {"提交上报", "Submit"},
		"offline hint":          {"没有网络时会先保存在手机上，联网后自动提交。", "Without a network the report is kept on the phone and sent when you are back online."},
		"resident report intro": {"发现身边的问题？拍张照、点一下位置，我们会派给负责的部门处理。可以匿名。", "Seen a problem nearby? Take a photo, tap the place, and we route it to the department in charge. Anonymous is fine."},
		"town if no location":   {"（未定位时使用）", "(used when no location is given)"},
		"what is the problem":   {"问题描述", "What is the problem"},
		"resident placeholder":  {"什么问题、在哪里、持续多久", "What, where, since when"},
		"optional":              {"选填", "optional"},
		"not sure":              {"不确定", "Not sure"},
		"your name":             {"称呼", "Your name"},
		"your phone":            {"联系电话", "Your phone"},
		"anonymous hint":        {"留下电话便于回访；电话仅工作人员可见。", "A phone number lets us call back; only staff see it."},
		"urgent hint":           {"紧急情况请拨打 110 / 119 / 120，一般诉求也可拨打 12345 市民服务热线。", "In an emergency call 110 / 119 / 120; the 12345 citizen hotline takes any request."},
		"patrol closed":         {"已上报并自行处置结案", "Reported and closed on the spot"},
		"patrol received":       {"已上报，等待立案派遣", "Reported; awaiting filing and dispatch"},
		"report another":        {"继续上报", "Report another"},
		"open order":            {"查看工单", "Open the order"},
		"report received":       {"已收到您的上报", "We have your report"},
		"keep number":           {"请截图或记下编号和查询码，凭它们查询办理进度。", "Keep the number and code (a screenshot will do): you need both to follow the order."},
		"follow progress":       {"查询办理进度", "Follow its progress"},
	})
}
