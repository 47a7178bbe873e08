package projects

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/civicgrid/civicgrid/internal/web/kit"
)

func init() {
	kit.RegisterFuncs(template.FuncMap{"pjYuan": yuan, "pjRatio": ratio, "pjHasPrefix": strings.HasPrefix})
}

// yuan shows a whole number of yuan with thousands separators: ¥1,200,000; nothing for 0.
func yuan(n int64) string {
	if n == 0 {
		return "—"
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return "¥" + b.String()
}

// ratio shows a ratio in hundredths: 120 → 1.2.
func ratio(r int) string {
	return strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%d.%02d", r/100, r%100), "0"), ".0")
}

//go:embed partials/result.html
var resultPartial string

// resultTmpl is the result table with its chart, shown on the session page and the portal's
// year page alike.
var resultTmpl = template.Must(template.New("result").Funcs(template.FuncMap{"T": func(string) string { return "" }, "pjYuan": yuan}).
	Parse(resultPartial))

func resultHTML(d yearData, lang string) (template.HTML, error) {
	t, err := resultTmpl.Clone()
	if err != nil {
		return "", err
	}
	t.Funcs(template.FuncMap{"T": kit.Translator(lang)})
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil
}
