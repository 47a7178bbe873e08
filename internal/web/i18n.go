package web

import (
	"net/http"
)

// messages holds the UI strings: Chinese first, English beside. Keys are short English phrases
// so templates stay readable.
var messages = map[string][2]string{
	"app":                 {"CivicGrid 网格化治理", "CivicGrid"},
	"tagline":             {"热线 + 网格 · 工单闭环 · 一网统管", "Hotline + grid · closed-loop work orders · one map"},
	"sign in":             {"登录", "Sign in"},
	"sign out":            {"退出", "Sign out"},
	"username":            {"用户名", "Username"},
	"password":            {"密码", "Password"},
	"home":                {"首页", "Home"},
	"map":                 {"网格地图", "Grid map"},
	"grids":               {"网格", "Grids"},
	"grid":                {"网格", "Grid"},
	"departments":         {"部门", "Departments"},
	"department":          {"部门", "Department"},
	"users":               {"用户", "Users"},
	"audit":               {"审计日志", "Audit log"},
	"members":             {"网格成员", "Members"},
	"code":                {"编码", "Code"},
	"name":                {"名称", "Name"},
	"town":                {"街镇", "Town"},
	"role":                {"角色", "Role"},
	"grid role":           {"网格职务", "Grid role"},
	"phone":               {"电话", "Phone"},
	"kind":                {"类型", "Kind"},
	"save":                {"保存", "Save"},
	"add":                 {"添加", "Add"},
	"remove":              {"移除", "Remove"},
	"disable":             {"停用", "Disable"},
	"enable":              {"启用", "Enable"},
	"disabled":            {"已停用", "Disabled"},
	"geometry":            {"边界 (GeoJSON Polygon)", "Boundary (GeoJSON Polygon)"},
	"note":                {"备注", "Note"},
	"illustrative":        {"网格边界为示意范围，非官方划分", "Grid boundaries are illustrative, not official"},
	"committees":          {"居民区", "Residents' committees"},
	"welcome":             {"欢迎", "Welcome"},
	"your towns":          {"您可查看的街镇", "Your towns"},
	"new grid":            {"新建网格", "New grid"},
	"new department":      {"新建部门", "New department"},
	"new user":            {"新建用户", "New user"},
	"display name":        {"姓名", "Display name"},
	"time":                {"时间", "Time"},
	"actor":               {"操作人", "Actor"},
	"action":              {"操作", "Action"},
	"record":              {"对象", "Record"},
	"detail":              {"详情", "Detail"},
	"saved":               {"已保存", "Saved"},
	"no tiles":            {"未配置底图，仅显示网格边界", "No base map configured: showing grid boundaries only"},
	"places":              {"地标", "Landmarks"},
	"open map":            {"打开网格地图", "Open the grid map"},
	"manage grids":        {"管理网格与成员", "Manage grids and members"},
	"quick links":         {"常用功能", "Quick links"},
	"wrong login":         {"用户名或密码错误", "Wrong username or password"},
	"throttled":           {"登录失败次数过多，请15分钟后再试", "Too many failed attempts; try again in 15 minutes"},
	"masked":              {"已脱敏", "masked"},
	"grid count":          {"网格数", "Grids"},
	"member count":        {"成员数", "Members"},
	"department count":    {"部门数", "Departments"},
	"user count":          {"用户数", "Users"},
	"language":            {"English", "中文"},
	"role home":           {"您的工作台", "Your workspace"},
	"edit":                {"编辑", "Edit"},
	"back":                {"返回", "Back"},
	"orders":              {"工单", "Work orders"},
	"new order":           {"新建工单", "New order"},
	"state":               {"状态", "State"},
	"category":            {"分类", "Category"},
	"channel":             {"来源渠道", "Channel"},
	"overdue":             {"超期", "Overdue"},
	"warning":             {"预警", "Warning"},
	"search":              {"搜索", "Search"},
	"filter":              {"筛选", "Filter"},
	"number":              {"工单编号", "Order number"},
	"content":             {"诉求内容", "Content"},
	"received":            {"受理时间", "Received"},
	"deadline":            {"办理时限", "Deadline"},
	"previous":            {"上一页", "Previous"},
	"next":                {"下一页", "Next"},
	"suspended":           {"挂起", "Suspended"},
	"escalated":           {"督办", "Escalated"},
	"tab received":        {"待受理", "To file"},
	"tab filed":           {"待派遣", "To dispatch"},
	"tab handled":         {"待核查", "To verify"},
	"tab closed":          {"待回访", "To call back"},
	"tab warning":         {"预警", "Warning"},
	"tab overdue":         {"超期", "Overdue"},
	"tab dispatched":      {"待签收", "To accept"},
	"tab in progress":     {"处置中", "In progress"},
	"tab mine":            {"本部门全部", "All of my department"},
	"tab to verify":       {"待核查", "To verify"},
	"tab my grid":         {"本网格", "My grid"},
	"tab all":             {"全部", "All"},
	"address":             {"地址", "Address"},
	"unlocated":           {"待定位", "Not located"},
	"co":                  {"协办", "co-handler"},
	"caller":              {"诉求人", "Caller"},
	"extension asked":     {"申请延期至", "extension asked until"},
	"result":              {"处置结果", "Result"},
	"satisfaction":        {"满意度", "Satisfaction"},
	"tracking":            {"查询码", "Tracking"},
	"actions":             {"可办理操作", "Actions"},
	"deadline class":      {"时限类别", "Deadline class"},
	"category default":    {"按分类默认", "Category default"},
	"lead department":     {"主办部门", "Lead department"},
	"co departments":      {"协办部门", "Co-handling departments"},
	"duplicate of":        {"重复于", "Duplicate of"},
	"order number or id":  {"工单编号或ID", "order number or id"},
	"new deadline":        {"新时限", "New deadline"},
	"reason":              {"原因", "Reason"},
	"comment":             {"评价意见", "Comment"},
	"photos":              {"照片", "Photos"},
	"similar open orders": {"同网格同类在办工单", "Similar open orders"},
	"timeline":            {"办理过程", "Timeline"},
	"no location":         {"无定位", "No location"},
	"done":                {"已办理", "Done"},
	"created":             {"已受理", "Created"},
	"auto":                {"自动", "Automatic"},
	"latitude":            {"纬度", "Latitude"},
	"longitude":           {"经度", "Longitude"},
	"tap the map":         {"点击地图可设置位置", "Tap the map to set the location"},
	"submit":              {"提交", "Submit"},
	"track order":         {"工单查询", "Track an order"},
	"short code":          {"查询码", "Short code"},
	"no such order":       {"未找到该工单，请核对编号和查询码", "No order with that number and code"},
	"rate":                {"提交评价", "Rate"},
	"notifications":       {"消息", "Notifications"},
	"mark all read":       {"全部已读", "Mark all read"},
	"none":                {"暂无", "None"},
	"leader":              {"网格长", "Grid leader"},
	"deputy":              {"副网格长", "Deputy leader"},
	"liaison":             {"联络员", "Liaison"},
	"member":              {"网格成员", "Member"},
}

// translator returns the T function for a request's language.
func translator(lang string) func(string) string {
	i := 0
	if lang == "en" {
		i = 1
	}
	return func(key string) string {
		if m, ok := messages[key]; ok {
			return m[i]
		}
		return key
	}
}

// language picks zh unless the visitor chose English (?lang=en, remembered in a cookie).
func language(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "en" || l == "zh" {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
		return l
	}
	if ck, err := r.Cookie(langCookie); err == nil && ck.Value == "en" {
		return "en"
	}
	return "zh"
}
