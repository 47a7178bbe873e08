package kit

import (
	"fmt"
	"net/http"
)

// messages holds the UI strings of every web package: Chinese first, English beside. Keys are
// short English phrases (a capability's own start with its prefix, "cp.", "in.") so templates
// stay readable.
var messages = map[string][2]string{}

// owners says which package registered each key, for the message of a duplicate.
var owners = map[string]string{}

// RegisterMessages adds a package's UI strings; call it once from the package's init function.
// A key registered twice panics at start-up: one of the two texts would silently win.
func RegisterMessages(owner string, m map[string][2]string) {
	for key, text := range m {
		if prev, dup := owners[key]; dup {
			panic(fmt.Sprintf("kit: message %q of %s is already registered by %s", key, owner, prev))
		}
		if text[0] == "" || text[1] == "" {
			panic(fmt.Sprintf("kit: message %q of %s lacks its Chinese or English text", key, owner))
		}
		owners[key] = owner
		messages[key] = text
	}
}

// HasMessage reports whether key has a registered text (tests of completeness use it).
func HasMessage(key string) bool {
	_, ok := messages[key]
	return ok
}

// Translator returns the T function for a request's language.
func Translator(lang string) func(string) string {
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

// Language picks zh unless the visitor chose English (?lang=en, remembered in a cookie).
func Language(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "en" || l == "zh" {
		http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
		return l
	}
	if ck, err := r.Cookie(LangCookie); err == nil && ck.Value == "en" {
		return "en"
	}
	return "zh"
}
