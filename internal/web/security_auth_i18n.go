package web

import "github.com/civicgrid/civicgrid/internal/web/kit"

// UI strings of API tokens, account re-enabling and sign-in delays.
func init() {
	kit.RegisterMessages("web", map[string][2]string{
		"tok.title":        {"API 令牌", "API tokens"},
		"tok.mine":         {"我的 API 令牌", "My API tokens"},
		"tok.how":          {"令牌由管理员在服务器上签发，只显示一次；到期或撤销后立即失效。签发示例：", "Tokens are issued on the server by an administrator and shown once; they stop working when they expire or are revoked. To issue one:"},
		"tok.created":      {"签发时间", "Issued"},
		"tok.expires":      {"到期时间", "Expires"},
		"tok.last used":    {"最近使用", "Last used"},
		"tok.status":       {"状态", "Status"},
		"tok.never":        {"从未使用", "Never"},
		"tok.active":       {"有效", "Active"},
		"tok.expired":      {"已过期", "Expired"},
		"tok.revoked":      {"已撤销", "Revoked"},
		"tok.revoke":       {"撤销", "Revoke"},
		"tok.tokens":       {"令牌", "Tokens"},
		"throttled wait":   {"登录失败次数过多，请 %d 秒后再试", "Too many failed attempts; try again in %d seconds"},
		"throttled wait m": {"登录失败次数过多，请 %d 分钟后再试", "Too many failed attempts; try again in %d minutes"},
	})
}
