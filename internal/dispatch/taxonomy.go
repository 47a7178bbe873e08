package dispatch

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// The category tree (分类体系) in the shape of the urban-management case standards (数字城管
// 部件/事件立案结案标准): top classes (大类) of a kind — 部件 (components: street furniture and
// facilities), 事件 (events: conduct and situations) or 热线 (the hotline's own classes) — hold
// sub-classes (小类), which are what an order is filed under; a 小类 holds its filing conditions
// (立案条件), each with its own time limit and closing condition (结案条件). A 小类 also lists the
// hotline category texts (热线类别) that mean it, so intake maps the hotline's words to our code.

// Kinds of a top class.
const (
	KindComponent = "component" // 部件
	KindEvent     = "event"     // 事件
	KindHotline   = "hotline"   // 热线
)

// Levels of a node.
const (
	LevelClass     = 1 // 大类
	LevelSub       = 2 // 小类
	LevelCondition = 3 // 立案条件
)

// Limits of a tree: an editor's table, not a data set.
const (
	MaxNodes        = 5000
	MaxCodeLen      = 20
	MaxNameLen      = 60  // runes, 大类 and 小类
	MaxNameENLen    = 120 // runes
	MaxConditionLen = 300 // runes, 立案条件 and 结案条件 texts
	MaxKeywords     = 20
	MaxKeywordLen   = 20 // runes
	MaxAliases      = 20
	MaxAliasLen     = 60 // runes
	MaxLimitDays    = 365
	MaxTreeErrors   = 50 // errors reported for one tree; the rest are counted
)

// Node is one row of the tree. A condition (立案条件) node's Name is the condition's text and
// Close its closing condition; its time limit is a deadline class or a number of working days.
type Node struct {
	Code          string   `json:"code"`
	Parent        string   `json:"parent,omitempty"`
	Name          string   `json:"name"`
	NameEN        string   `json:"name_en,omitempty"`
	Kind          string   `json:"kind,omitempty"` // on a top class: component, event or hotline
	Condition     bool     `json:"condition,omitempty"`
	DeadlineClass string   `json:"deadline_class,omitempty"`
	DeadlineDays  int      `json:"deadline_days,omitempty"`
	Department    string   `json:"department,omitempty"`
	Keywords      []string `json:"keywords,omitempty"`
	Aliases       []string `json:"aliases,omitempty"` // 热线类别 texts meaning this 小类
	Close         string   `json:"close,omitempty"`   // 结案条件
	Illustrative  bool     `json:"illustrative,omitempty"`

	Row   int `json:"-"` // where the node came from (a file's row, or its place in a list), for errors
	Level int `json:"-"` // set by Validate
}

// Tree is a whole category tree, as published in a version.
type Tree struct {
	Nodes []Node `json:"nodes"`
	Note  string `json:"note,omitempty"`
}

// TreeError is one problem of a tree, named by row and column so that a person can find it in
// the file they uploaded.
type TreeError struct {
	Row    int    `json:"row"`
	Column string `json:"column"` // a column key (code, parent, name, …); empty for the row as a whole
	ZH     string `json:"zh"`
	EN     string `json:"en"`
}

func (e TreeError) Error() string { return e.Text("en") }

// Text tells the problem in a language: 第 N 行 「列」：… or row N, column …: ….
func (e TreeError) Text(lang string) string {
	col := columnByKey(e.Column)
	if lang == "zh" {
		switch {
		case e.Row > 0 && col != nil:
			return fmt.Sprintf("第 %d 行 「%s」：%s", e.Row, col.zh, e.ZH)
		case e.Row > 0:
			return fmt.Sprintf("第 %d 行：%s", e.Row, e.ZH)
		case col != nil:
			return fmt.Sprintf("「%s」：%s", col.zh, e.ZH)
		}
		return e.ZH
	}
	switch {
	case e.Row > 0 && col != nil:
		return fmt.Sprintf("row %d, column %s: %s", e.Row, col.en, e.EN)
	case e.Row > 0:
		return fmt.Sprintf("row %d: %s", e.Row, e.EN)
	case col != nil:
		return fmt.Sprintf("column %s: %s", col.en, e.EN)
	}
	return e.EN
}

// TreeErrors is a tree's problems; the tree is refused whole when there is any.
type TreeErrors struct {
	List []TreeError
	More int // problems beyond MaxTreeErrors, not listed
}

func (e *TreeErrors) Error() string { return e.Text("en") }

// Is makes a tree's problems invalid input (problem.ErrInvalid: 422).
func (e *TreeErrors) Is(target error) bool { return target == problem.ErrInvalid }

// Text lists the problems in a language, one a line.
func (e *TreeErrors) Text(lang string) string {
	lines := make([]string, 0, len(e.List)+1)
	for _, t := range e.List {
		lines = append(lines, t.Text(lang))
	}
	if e.More > 0 {
		if lang == "zh" {
			lines = append(lines, fmt.Sprintf("另有 %d 处问题未列出", e.More))
		} else {
			lines = append(lines, fmt.Sprintf("and %d more problems", e.More))
		}
	}
	return strings.Join(lines, "\n")
}

func (e *TreeErrors) add(row int, col, zh, en string) {
	if len(e.List) >= MaxTreeErrors {
		e.More++
		return
	}
	e.List = append(e.List, TreeError{Row: row, Column: col, ZH: zh, EN: en})
}

func (e *TreeErrors) err() error {
	if len(e.List) == 0 {
		return nil
	}
	return e
}

// Refs are what a tree's references are checked against: the town's departments (nil: not
// checked). Deadline classes are the built-in ones (workorder.DeadlineClasses).
type Refs struct {
	Departments map[string]bool
}

// KindName names a top class's kind in a language.
func KindName(kind, lang string) string {
	for _, k := range kinds {
		if k.code == kind {
			if lang == "zh" {
				return k.zh
			}
			return k.en
		}
	}
	return kind
}

var kinds = []struct{ code, zh, en string }{
	{KindComponent, "部件", "Component"},
	{KindEvent, "事件", "Event"},
	{KindHotline, "热线", "Hotline"},
}

func validCode(s string) bool {
	if s == "" || len(s) > MaxCodeLen {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// Validate checks a whole tree, sets each node's level and a sub-class's kind from its top
// class, and returns every problem it finds (up to MaxTreeErrors, the rest counted) as
// *TreeErrors. Nodes are trimmed in place.
func (t *Tree) Validate(refs Refs) error {
	var errs TreeErrors
	if len(t.Nodes) == 0 {
		errs.add(0, "", "分类树为空", "the tree has no categories")
		return errs.err()
	}
	if len(t.Nodes) > MaxNodes {
		errs.add(0, "", fmt.Sprintf("共 %d 个节点，最多 %d 个", len(t.Nodes), MaxNodes),
			fmt.Sprintf("%d categories; at most %d", len(t.Nodes), MaxNodes))
		return errs.err()
	}
	byCode := make(map[string]int, len(t.Nodes))
	for i := range t.Nodes {
		n := &t.Nodes[i]
		if n.Row == 0 {
			n.Row = i + 1
		}
		n.Code, n.Parent, n.Name, n.NameEN = strings.TrimSpace(n.Code), strings.TrimSpace(n.Parent), strings.TrimSpace(n.Name), strings.TrimSpace(n.NameEN)
		n.Close, n.Department, n.DeadlineClass = strings.TrimSpace(n.Close), strings.TrimSpace(n.Department), strings.TrimSpace(n.DeadlineClass)
		switch {
		case n.Code == "":
			errs.add(n.Row, "code", "编码不能为空", "a code is required")
		case !validCode(n.Code):
			errs.add(n.Row, "code", fmt.Sprintf("编码 %q 只能由字母、数字和 . - _ 组成，最长 %d 个字符", n.Code, MaxCodeLen),
				fmt.Sprintf("code %q: letters, digits and . - _ only, at most %d characters", n.Code, MaxCodeLen))
		default:
			if first, dup := byCode[n.Code]; dup {
				errs.add(n.Row, "code", fmt.Sprintf("编码 %s 重复（第 %d 行已有）", n.Code, t.Nodes[first].Row),
					fmt.Sprintf("code %s appears twice (first on row %d)", n.Code, t.Nodes[first].Row))
			} else {
				byCode[n.Code] = i
			}
		}
		limit, what := MaxNameLen, "名称"
		if n.Condition {
			limit, what = MaxConditionLen, "立案条件"
		}
		switch l := utf8.RuneCountInString(n.Name); {
		case l == 0:
			errs.add(n.Row, "name", what+"不能为空", "a name is required")
		case l > limit:
			errs.add(n.Row, "name", fmt.Sprintf("%s有 %d 个字，最多 %d 个", what, l, limit), fmt.Sprintf("%d characters; at most %d", l, limit))
		}
		if l := utf8.RuneCountInString(n.NameEN); l > MaxNameENLen {
			errs.add(n.Row, "name_en", fmt.Sprintf("有 %d 个字符，最多 %d 个", l, MaxNameENLen), fmt.Sprintf("%d characters; at most %d", l, MaxNameENLen))
		}
		if l := utf8.RuneCountInString(n.Close); l > MaxConditionLen {
			errs.add(n.Row, "close", fmt.Sprintf("有 %d 个字，最多 %d 个", l, MaxConditionLen), fmt.Sprintf("%d characters; at most %d", l, MaxConditionLen))
		}
		if n.DeadlineClass != "" && !workorder.ValidClass(n.DeadlineClass) {
			errs.add(n.Row, "deadline", fmt.Sprintf("未知的时限类别 %q（可选 consult、general、complex、first_contact、rehandle）", n.DeadlineClass),
				fmt.Sprintf("unknown deadline class %q (consult, general, complex, first_contact or rehandle)", n.DeadlineClass))
		}
		if n.DeadlineDays < 0 || n.DeadlineDays > MaxLimitDays {
			errs.add(n.Row, "days", fmt.Sprintf("时限天数应在 1 到 %d 之间", MaxLimitDays), fmt.Sprintf("working days must be between 1 and %d", MaxLimitDays))
		}
		if n.DeadlineDays > 0 && n.DeadlineClass != "" {
			errs.add(n.Row, "days", "时限类别和时限天数只能填一个", "give a deadline class or a number of days, not both")
		}
		if n.Department != "" && refs.Departments != nil && !refs.Departments[n.Department] {
			errs.add(n.Row, "department", fmt.Sprintf("本街镇没有部门 %q", n.Department), fmt.Sprintf("unknown department %q in this town", n.Department))
		}
		n.Keywords = cleanList(n.Keywords)
		n.Aliases = cleanList(n.Aliases)
		checkList(&errs, n.Row, "keywords", n.Keywords, MaxKeywords, MaxKeywordLen)
		checkList(&errs, n.Row, "aliases", n.Aliases, MaxAliases, MaxAliasLen)
		if n.Kind != "" && n.Kind != KindComponent && n.Kind != KindEvent && n.Kind != KindHotline {
			errs.add(n.Row, "kind", fmt.Sprintf("未知的类型 %q（可选 部件、事件、热线、小类、立案条件）", n.Kind),
				fmt.Sprintf("unknown kind %q (component, event, hotline, sub-class or condition)", n.Kind))
		}
	}
	// Parents, cycles and depth: walk up from each node, at most MaxNodes steps.
	for i := range t.Nodes {
		n := &t.Nodes[i]
		if n.Parent == "" {
			n.Level = LevelClass
			continue
		}
		if n.Parent == n.Code {
			errs.add(n.Row, "parent", "上级编码不能是自己", "a category cannot be its own parent")
			n.Level = -1
			continue
		}
		if _, ok := byCode[n.Parent]; !ok {
			errs.add(n.Row, "parent", fmt.Sprintf("上级编码 %s 不在表中", n.Parent), fmt.Sprintf("parent %s is not in the tree", n.Parent))
			n.Level = -1
			continue
		}
		level, cur, seen := 1, n.Parent, map[string]bool{n.Code: true}
		for cur != "" {
			if seen[cur] {
				errs.add(n.Row, "parent", fmt.Sprintf("上级编码形成循环（经过 %s）", cur), fmt.Sprintf("the parents form a cycle (through %s)", cur))
				level = -1
				break
			}
			seen[cur] = true
			j, ok := byCode[cur]
			if !ok {
				level = -1 // reported on the node whose parent is missing
				break
			}
			level++
			cur = t.Nodes[j].Parent
		}
		n.Level = level
	}
	// Shape: top classes have a kind, sub-classes sit under a top class, conditions under a
	// sub-class, nothing deeper.
	for i := range t.Nodes {
		n := &t.Nodes[i]
		switch {
		case n.Level < 0:
		case n.Level == LevelClass:
			if n.Condition {
				errs.add(n.Row, "kind", "立案条件必须在小类之下，不能是大类", "a filing condition must be under a sub-class, not a top class")
			}
			if n.Kind == "" {
				n.Kind = KindEvent
			}
		case n.Level == LevelSub:
			if n.Condition {
				errs.add(n.Row, "parent", fmt.Sprintf("立案条件必须在小类之下，%s 是大类", n.Parent),
					fmt.Sprintf("a filing condition must be under a sub-class; %s is a top class", n.Parent))
			}
			if n.Kind != "" && n.Kind != t.Nodes[byCode[n.Parent]].Kind {
				errs.add(n.Row, "kind", "部件、事件、热线只标在大类上", "component, event and hotline mark top classes only")
			}
			n.Kind = ""
		case n.Level == LevelCondition:
			n.Condition = true
			if n.Kind != "" {
				errs.add(n.Row, "kind", "部件、事件、热线只标在大类上", "component, event and hotline mark top classes only")
			}
			if len(n.Aliases) > 0 {
				errs.add(n.Row, "aliases", "热线类别对应到小类，不是立案条件", "hotline categories map to a sub-class, not to a condition")
			}
		default:
			errs.add(n.Row, "parent", fmt.Sprintf("层级过深：第 %d 层（最多三层：大类 → 小类 → 立案条件）", n.Level),
				fmt.Sprintf("too deep: level %d (at most three: top class → sub-class → condition)", n.Level))
		}
		if n.Level == LevelClass && (len(n.Aliases) > 0 || n.Close != "") {
			errs.add(n.Row, "aliases", "大类不带热线类别和结案条件", "a top class carries no hotline categories and no closing condition")
		}
	}
	// A hotline text means one sub-class.
	alias := map[string]string{}
	for _, n := range t.Nodes {
		for _, a := range n.Aliases {
			if other, ok := alias[a]; ok && other != n.Code {
				errs.add(n.Row, "aliases", fmt.Sprintf("热线类别「%s」已对应到 %s", a, other), fmt.Sprintf("hotline category %q already maps to %s", a, other))
			}
			alias[a] = n.Code
		}
	}
	return errs.err()
}

func cleanList(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func checkList(errs *TreeErrors, row int, col string, list []string, max, maxLen int) {
	if len(list) > max {
		errs.add(row, col, fmt.Sprintf("有 %d 项，最多 %d 项", len(list), max), fmt.Sprintf("%d entries; at most %d", len(list), max))
	}
	for _, s := range list {
		if l := utf8.RuneCountInString(s); l > maxLen {
			errs.add(row, col, fmt.Sprintf("「%s」有 %d 个字，最多 %d 个", s, l, maxLen), fmt.Sprintf("%q: %d characters; at most %d", s, l, maxLen))
			return
		}
	}
}

// Sorted returns the tree's nodes depth first: each top class (部件 first, then 事件, then 热线,
// by code within a kind), its sub-classes by code, each with its conditions. It expects a
// validated tree.
func (t Tree) Sorted() []Node {
	children := map[string][]Node{}
	var tops []Node
	for _, n := range t.Nodes {
		if n.Parent == "" {
			tops = append(tops, n)
		} else {
			children[n.Parent] = append(children[n.Parent], n)
		}
	}
	rank := map[string]int{KindComponent: 0, KindEvent: 1, KindHotline: 2}
	sort.SliceStable(tops, func(i, j int) bool {
		if rank[tops[i].Kind] != rank[tops[j].Kind] {
			return rank[tops[i].Kind] < rank[tops[j].Kind]
		}
		return tops[i].Code < tops[j].Code
	})
	out := make([]Node, 0, len(t.Nodes))
	var walk func(n Node, level int)
	walk = func(n Node, level int) {
		n.Level = level
		out = append(out, n)
		kids := children[n.Code]
		if level < LevelSub { // conditions keep their order: the standard lists them so
			sort.SliceStable(kids, func(i, j int) bool { return kids[i].Code < kids[j].Code })
		}
		if level >= LevelCondition {
			return
		}
		for _, k := range kids {
			walk(k, level+1)
		}
	}
	for _, top := range tops {
		walk(top, LevelClass)
	}
	return out
}
