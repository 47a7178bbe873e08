package kit

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/media"
	"github.com/civicgrid/civicgrid/internal/problem"
)

// A page's errors are told in the page's language: the API keeps its English messages (clients
// read them), a person reads a sentence. ErrorText maps the kind of problem to that sentence and
// keeps what helps — the field at fault, what was not found, the caller's role.
func init() {
	RegisterMessages("kit", map[string][2]string{
		"err.400":              {"请求有误", "Bad request"},
		"err.401":              {"需要登录", "Sign-in required"},
		"err.403":              {"无权访问", "Not allowed"},
		"err.404":              {"未找到", "Not found"},
		"err.409":              {"操作冲突", "Conflict"},
		"err.413":              {"内容过大", "Too large"},
		"err.422":              {"填写有误", "Check your input"},
		"err.429":              {"操作过于频繁", "Too many requests"},
		"err.500":              {"服务器出错", "Server error"},
		"err.503":              {"服务器繁忙", "Server busy"},
		"err.other":            {"出错了", "Something went wrong"},
		"err.bad request":      {"请求无法处理，请返回上一页重试。", "The request could not be handled; go back and try again."},
		"err.sign in":          {"请先登录。", "Please sign in first."},
		"err.forbidden":        {"您的角色（%s）无权执行此操作。", "Your role (%s) may not do this."},
		"err.forbidden.x":      {"您无权执行此操作。", "You may not do this."},
		"err.not found":        {"找不到该记录：它不存在，或不在您的管辖范围内。", "Not found: it does not exist or is outside your towns."},
		"err.not found.x":      {"找不到%s：它不存在，或不在您的管辖范围内。", "%s was not found: it does not exist or is outside your towns."},
		"err.conflict":         {"该记录刚被他人修改，或当前状态不允许此操作。请刷新页面后重试。", "The record changed meanwhile, or its state does not allow this. Reload the page and try again."},
		"err.invalid":          {"填写有误，请检查后重试。", "Something you entered is not valid; check it and try again."},
		"err.invalid.y":        {"「%s」填写有误：%s", "Check “%s”: %s."},
		"err.photo pixels":     {"照片尺寸过大（%d×%d 像素；每边最多 %d 像素、总共最多 %d 百万像素）", "The photo of %d×%d pixels is too large (at most %d pixels a side and %d megapixels in all)"},
		"err.photo bytes":      {"照片文件过大（每张最多 %d MB）", "The photo file is too large (at most %d MB each)"},
		"err.photo type":       {"不是照片：只接受 JPEG、PNG 或 WebP 图片", "Not a photo: only JPEG, PNG or WebP images"},
		"err.invalid.x":        {"「%s」填写有误，请检查后重试。", "Check “%s”: %s."},
		"err.throttled":        {"操作过于频繁，请稍后再试。", "Too many attempts; please try again later."},
		"err.too large":        {"上传的内容太大，请缩小后重试。", "What you uploaded is too large; make it smaller and try again."},
		"err.busy":             {"服务器正忙，请稍后再试。", "The server is busy; please try again in a moment."},
		"err.internal":         {"服务器出错了，请稍后再试；问题持续时请联系管理员。", "Something went wrong on the server; try again later, and tell the administrator if it persists."},
		"field.lat":            {"纬度", "Latitude"},
		"field.lng":            {"经度", "Longitude"},
		"field.photo":          {"照片", "Photo"},
		"field.file":           {"文件", "File"},
		"field.version":        {"版本", "Version"},
		"field.duplicate_of":   {"重复于工单", "Duplicate of"},
		"field.co_departments": {"协办部门", "Co-handling departments"},
		"field.deadline_class": {"时限类别", "Deadline class"},
		"field.visited_at":     {"走访时间", "Visit time"},
		"field.start":          {"开始日期", "Start date"},
		"field.end":            {"结束日期", "End date"},
		"err.what.order":       {"工单 %s", "Order %s"},
		"err.what.user":        {"用户 %s", "User %s"},
		"err.what.grid":        {"网格 %s", "Grid %s"},
		"err.what.department":  {"部门 %s", "Department %s"},
		"err.what.campaign":    {"专项行动 %s", "Campaign %s"},
		"err.what.target":      {"对象 %s", "Target %s"},
		"err.what.category":    {"分类 %s", "Category %s"},
		"err.what.photo":       {"照片 %s", "Photo %s"},
	})
}

// ErrorTitle is the message key of an error page's title for a status.
func ErrorTitle(status int) string {
	switch status {
	case 400, 401, 403, 404, 409, 413, 422, 429, 500, 503:
		return fmt.Sprintf("err.%d", status)
	}
	return "err.other"
}

// ErrorText is err told to a person in lang: the HTTP status StatusOf gives, a sentence, and the
// field at fault (for the form to mark).
func ErrorText(r *http.Request, lang string, err error) (status int, msg, field string) {
	status, body := StatusOf(err)
	T := Translator(lang)
	field = body.Field
	if reason := PhotoReason(lang, err); reason != "" {
		return status, reason, field
	}
	// A handler's own message (a form's limits, a body too large) is written for the page and
	// kept when it is in the page's language; a role's missing permission is told below.
	var he *HTTPError
	if errors.As(err, &he) && status != http.StatusForbidden && hasHan(he.Msg) == (lang != "en") {
		return status, he.Msg, field
	}
	switch status {
	case http.StatusNotFound:
		msg = T("err.not found")
		if what := notFoundWhat(err); what != nil {
			msg = fmt.Sprintf(T("err.not found.x"), what(lang))
		}
	case http.StatusForbidden:
		msg = T("err.forbidden.x")
		if c := CallerFrom(r.Context()); c != nil {
			msg = fmt.Sprintf(T("err.forbidden"), auth.RoleName(c.User.Role, lang))
		}
	case http.StatusConflict:
		msg = T("err.conflict")
	case http.StatusUnprocessableEntity:
		msg = T("err.invalid")
		if field != "" {
			name := field
			if HasMessage("field." + field) {
				name = T("field." + field)
			} else if HasMessage(field) {
				name = T(field)
			}
			// The reason is kept when it is in the page's language: the domain's are English, a
			// page's own checks (too long, too many) are already translated.
			reason := reasonOf(err)
			if hasHan(reason) == (lang != "en") {
				msg = fmt.Sprintf(T("err.invalid.y"), name, reason)
			} else {
				msg = fmt.Sprintf(T("err.invalid.x"), name)
			}
		}
	case http.StatusUnauthorized:
		msg = T("err.sign in")
	case http.StatusTooManyRequests:
		msg = T("err.throttled")
	case http.StatusRequestEntityTooLarge:
		msg = T("err.too large")
	case http.StatusServiceUnavailable:
		msg = T("err.busy")
	case http.StatusBadRequest:
		msg = T("err.bad request")
	default:
		msg = T("err.internal")
	}
	return status, msg, field
}

// PhotoReason tells why a photo was refused (its pixels, its size, not an image) in lang, or ""
// when err is not about a photo.
func PhotoReason(lang string, err error) string {
	T := Translator(lang)
	var pe *media.PixelError
	switch {
	case errors.As(err, &pe):
		return fmt.Sprintf(T("err.photo pixels"), pe.Width, pe.Height, media.MaxSide, media.MaxPixels/1_000_000)
	case errors.Is(err, media.ErrTooLarge):
		return fmt.Sprintf(T("err.photo bytes"), media.MaxBytes>>20)
	case errors.Is(err, media.ErrNotImage):
		return T("err.photo type")
	}
	return ""
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// reasonOf is the English reason of a field error, without the field's name in front.
func reasonOf(err error) string {
	var fe *problem.FieldError
	if errors.As(err, &fe) {
		return fe.Reason
	}
	return err.Error()
}

// notFoundWhat reads "order 12: not found" (problem.NotFound's wording) as what was looked for,
// told in a language; nil when the noun is not one a page names.
func notFoundWhat(err error) func(lang string) string {
	msg := err.Error()
	i := strings.Index(msg, ": not found")
	if i <= 0 {
		return nil
	}
	noun, id, _ := strings.Cut(msg[:i], " ")
	key := "err.what." + strings.ToLower(noun)
	if !HasMessage(key) || id == "" || strings.ContainsAny(id, " :") {
		return nil
	}
	return func(lang string) string { return fmt.Sprintf(Translator(lang)(key), id) }
}
