package orders

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// Limits on what one order and one action may carry. They hold on every way in — the forms, the
// JSON API, the hotline import and push, Open311, patrol and resident reports, visits — because
// normalise (every new order and every channel correction) and checkActionInput (every action)
// apply them, and they are listed in docs/SECURITY.md. They are generous for real demands (a
// hotline address is rarely over 60 characters) and small enough that no request can make the
// database or the search index do unbounded work.
const (
	// MaxContentRunes bounds an order's text; the hotline's longest records are well below it.
	MaxContentRunes = 4000
	// MaxAddressRunes bounds an address (a hotline 诉求地址 with a room number is under 100).
	MaxAddressRunes = 200
	// MaxNameRunes bounds a caller's name.
	MaxNameRunes = 64
	// MaxPhoneRunes bounds a caller's phone (a landline with area code and extension fits).
	MaxPhoneRunes = 32
	// MaxCodeRunes bounds codes and ids: town, grid, category, department, deadline class,
	// satisfaction, an upload id, a channel's external id.
	MaxCodeRunes = 64
	// MaxChannelDataRunes bounds each value a channel keeps beyond the columns (a hotline's 诉求分类
	// text, its 街镇 text); MaxChannelDataKeys bounds how many there are.
	MaxChannelDataRunes = 200
	MaxChannelDataKeys  = 16
	// MaxNoteRunes bounds the free text of an action: reason, note, result, comment.
	MaxNoteRunes = 2000
	// MaxCoDepartments bounds the co-handling departments of a dispatch (多部门协办).
	MaxCoDepartments = 20
	// MaxPhotos bounds the photos an order's intake or one action cites, as a report's form does.
	MaxPhotos = 6
	// MaxExtension is how far past the current deadline (or now, if the order has none) an
	// extension (延期) may ask for: a year is already far beyond any hotline time limit.
	MaxExtension = 365 * 24 * time.Hour
)

// TextFault is what makes a text unfit to store.
type TextFault int

const (
	TextOK      TextFault = iota
	TextNotUTF8           // bytes that are not UTF-8: PostgreSQL refuses them
	TextNUL               // a NUL character: PostgreSQL's text type cannot hold it
	TextTooLong           // more runes than the limit
)

// CheckText says whether s may be stored as a text of at most max runes (max 0: any length),
// and how many runes it has when it is too long. Every text an order or an action stores
// passes here, so that SQLite and PostgreSQL accept the same input and a bad value is a field
// error instead of a failed statement.
func CheckText(s string, max int) (TextFault, int) {
	if !utf8.ValidString(s) {
		return TextNotUTF8, 0
	}
	if strings.IndexByte(s, 0) >= 0 {
		return TextNUL, 0
	}
	// len(s) ≥ the rune count, so most texts need no count at all.
	if max > 0 && len(s) > max {
		if n := utf8.RuneCountInString(s); n > max {
			return TextTooLong, n
		}
	}
	return TextOK, 0
}

// textReason is CheckText's verdict in English, "" when s is fine.
func textReason(s string, max int) string {
	switch fault, n := CheckText(s, max); fault {
	case TextNotUTF8:
		return "is not valid UTF-8 text"
	case TextNUL:
		return "contains a NUL character"
	case TextTooLong:
		return fmt.Sprintf("is %d characters long; at most %d are allowed", n, max)
	}
	return ""
}

// checkText is CheckText as a *problem.FieldError naming field, nil when s is fine.
func checkText(field, s string, max int) error {
	if r := textReason(s, max); r != "" {
		return problem.Field(field, "%s", r)
	}
	return nil
}

// checkOrderTexts checks every text of a new order or a channel's correction.
func checkOrderTexts(n *NewOrder) error {
	for _, f := range [...]struct {
		name, value string
		max         int
	}{
		{"town", n.TownCode, MaxCodeRunes},
		{"channel", n.Channel, MaxCodeRunes},
		{"external_id", n.ExternalID, MaxCodeRunes},
		{"content", n.Content, MaxContentRunes},
		{"address", n.Address, MaxAddressRunes},
		{"category", n.Category, MaxCodeRunes},
		{"grid", n.Grid, MaxCodeRunes},
		{"caller_name", n.CallerName, MaxNameRunes},
		{"caller_phone", n.CallerPhone, MaxPhoneRunes},
		{"deadline_class", n.DeadlineClass, MaxCodeRunes},
	} {
		if err := checkText(f.name, f.value, f.max); err != nil {
			return err
		}
	}
	if len(n.Photos) > MaxPhotos {
		return problem.Field("photos", "%d photos; at most %d are allowed", len(n.Photos), MaxPhotos)
	}
	for i, p := range n.Photos {
		if r := textReason(p, MaxCodeRunes); r != "" {
			return problem.Field("photos", "photo %d %s", i+1, r)
		}
	}
	if len(n.ChannelData) > MaxChannelDataKeys {
		return problem.Field("channel_data", "%d entries; at most %d are allowed", len(n.ChannelData), MaxChannelDataKeys)
	}
	for k, v := range n.ChannelData {
		if err := checkText("channel_data", k, MaxCodeRunes); err != nil {
			return err
		}
		if err := checkText(k, v, MaxChannelDataRunes); err != nil {
			return err
		}
	}
	return nil
}

// checkActionInput checks the texts and lists of an action's input, whichever action it is, so
// that nothing an action stores or looks up can be refused by the database.
func checkActionInput(in workorder.Input) error {
	for _, f := range [...]struct {
		name, value string
		max         int
	}{
		{workorder.FieldCategory, in.Category, MaxCodeRunes},
		{workorder.FieldGrid, in.Grid, MaxCodeRunes},
		{workorder.FieldDeadlineClass, in.DeadlineClass, MaxCodeRunes},
		{workorder.FieldDepartment, in.Department, MaxCodeRunes},
		{workorder.FieldReason, in.Reason, MaxNoteRunes},
		{workorder.FieldResult, in.Result, MaxNoteRunes},
		{workorder.FieldNote, in.Note, MaxNoteRunes},
		{workorder.FieldSatisfaction, in.Satisfaction, MaxCodeRunes},
		{workorder.FieldCallbackOutcome, in.CallbackOutcome, MaxCodeRunes},
		{workorder.FieldComment, in.Comment, MaxNoteRunes},
	} {
		if r := textReason(f.value, f.max); r != "" {
			return &workorder.FieldError{Field: f.name, Reason: r}
		}
	}
	if len(in.CoDepartments) > MaxCoDepartments {
		return &workorder.FieldError{Field: workorder.FieldCoDepartments,
			Reason: fmt.Sprintf("%d departments; at most %d are allowed", len(in.CoDepartments), MaxCoDepartments)}
	}
	for _, d := range in.CoDepartments {
		if r := textReason(d, MaxCodeRunes); r != "" {
			return &workorder.FieldError{Field: workorder.FieldCoDepartments, Reason: "a department " + r}
		}
	}
	if len(in.Photos) > MaxPhotos {
		return &workorder.FieldError{Field: workorder.FieldPhotos,
			Reason: fmt.Sprintf("%d photos; at most %d are allowed", len(in.Photos), MaxPhotos)}
	}
	for i, p := range in.Photos {
		if r := textReason(p, MaxCodeRunes); r != "" {
			return &workorder.FieldError{Field: workorder.FieldPhotos, Reason: fmt.Sprintf("photo %d %s", i+1, r)}
		}
	}
	return nil
}

// checkFilterTexts checks the texts a listing compares with stored values.
func checkFilterTexts(f Filter) error {
	for _, x := range [...]struct {
		name, value string
		max         int
	}{
		{"q", f.Query, MaxQueryRunes},
		{"grid", f.Grid, MaxCodeRunes},
		{"category", f.Category, MaxCodeRunes},
		{"channel", f.Channel, MaxCodeRunes},
		{"department", f.Department, MaxCodeRunes},
	} {
		if r := textReason(x.value, x.max); r != "" {
			if x.name == "q" && strings.HasPrefix(r, "is ") {
				r = fmt.Sprintf("is %d characters long; a search takes at most %d", utf8.RuneCountInString(x.value), x.max)
			}
			return problem.Field(x.name, "%s", r)
		}
	}
	if len(f.States) > len(workorder.States) {
		return problem.Field("state", "%d states; there are only %d", len(f.States), len(workorder.States))
	}
	return nil
}
