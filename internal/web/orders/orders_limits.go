package orders

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// What a signed-in user may put into an order and how much of it: the channel and the external
// id are the server's to decide, every text is bounded (orders' limits, checked here first so that
// pages answer in the user's language), and every list a request carries is bounded before any
// work is done on its entries.

// intakeChannel is the channel of an order a signed-in user enters, decided by who they are: a
// resident's own report, a grid worker's find on patrol, and for anyone else (staff, another
// system with a token) the API. The hotline, Open311 and visits have their own ways in, which
// set their channel and external id themselves. Were a form allowed to name them, a resident
// could take a hotline order number before the hotline's row arrived, and the import would then
// write that caller's name and phone into the resident's order.
func intakeChannel(role string) string {
	switch role {
	case auth.RoleResident:
		return orders.ChannelResident
	case auth.RoleGridWorker, auth.RoleGridLeader:
		return orders.ChannelPatrol
	}
	return orders.ChannelAPI
}

// checkIntakeFields refuses a channel other than the caller's own and any external id, naming
// the field, and sets the channel.
func checkIntakeFields(c *kit.Caller, in *orderInput, lang string) error {
	T := kit.Translator(lang)
	want := intakeChannel(c.User.Role)
	if ch := strings.TrimSpace(in.Channel); ch != "" && ch != want {
		return kit.BadRequest("channel", "channel: "+fmt.Sprintf(T("so.channel"), ch, want))
	}
	if strings.TrimSpace(in.ExternalID) != "" {
		return kit.BadRequest("external_id", "external_id: "+T("so.external id"))
	}
	in.Channel = want
	return nil
}

// textField is a text a form or query string carries, with its label's message key and limit.
type textField struct {
	name, label string
	max         int
}

// codeText and noteText are fields whose label is their name, limited as a code or as a note.
func codeText(name string) textField { return textField{name, name, orders.MaxCodeRunes} }
func noteText(name string) textField { return textField{name, name, orders.MaxNoteRunes} }

var (
	newOrderTexts = []textField{
		{"content", "content", orders.MaxContentRunes},
		{"address", "address", orders.MaxAddressRunes},
		{"caller_name", "caller", orders.MaxNameRunes},
		{"caller_phone", "phone", orders.MaxPhoneRunes},
		codeText("category"), codeText("grid"), codeText("town"),
	}
	actionTexts = []textField{
		noteText("reason"), noteText("result"), noteText("note"), noteText("comment"),
		codeText("category"), codeText("grid"), codeText("department"),
		{"deadline_class", "deadline class", orders.MaxCodeRunes},
		codeText("satisfaction"),
		{"callback_outcome", "callback outcome", orders.MaxCodeRunes},
		{"duplicate_of", "duplicate of", orders.MaxCodeRunes},
		codeText("deadline"),
	}
	// filterTexts are the list filters compared with stored values; a NUL or a byte that is not
	// UTF-8 in any of them failed the query on PostgreSQL.
	filterTexts = []textField{
		{"q", "search", orders.MaxQueryRunes},
		codeText("grid"), codeText("category"), codeText("channel"), codeText("department"), codeText("town"),
		{"state", "state", 400},
		codeText("sort"),
	}
)

// textError is the verdict of orders.CheckText on v in the user's language, nil when v is fine.
func textError(T func(string) string, f textField, v string) string {
	switch fault, n := orders.CheckText(strings.TrimSpace(v), f.max); fault {
	case orders.TextTooLong:
		return fmt.Sprintf(T("so.too long"), T(f.label), f.max, n)
	case orders.TextNUL:
		return fmt.Sprintf(T("so.nul"), T(f.label))
	case orders.TextNotUTF8:
		return fmt.Sprintf(T("so.utf8"), T(f.label))
	}
	return ""
}

// checkFormTexts checks the fields of a form, value giving each, as a field error (422) in the
// user's language.
func checkFormTexts(lang string, fields []textField, value func(string) string) error {
	T := kit.Translator(lang)
	for _, f := range fields {
		if msg := textError(T, f, value(f.name)); msg != "" {
			return problem.Field(f.name, "%s", msg)
		}
	}
	return nil
}

// checkFilterParams refuses a list filter no stored value can match (400, naming the parameter):
// too long, with a NUL, not UTF-8, or a list of states longer than there are states.
func checkFilterParams(q url.Values) error {
	T := kit.Translator("en")
	for _, f := range filterTexts {
		for _, v := range q[f.name] {
			if msg := textError(T, f, v); msg != "" {
				return kit.BadRequest(f.name, f.name+": "+msg)
			}
		}
	}
	if st := q.Get("state"); strings.Count(st, ",") >= maxStates {
		return kit.BadRequest("state", fmt.Sprintf("state: at most %d states", maxStates))
	}
	return nil
}

// maxStates bounds the state list of a listing: there are fewer states than this.
const maxStates = 16

// checkList refuses a list longer than max before any of its entries is looked at (400).
func checkList(lang, field, label string, n, max int) error {
	if n <= max {
		return nil
	}
	T := kit.Translator(lang)
	return kit.BadRequest(field, field+": "+fmt.Sprintf(T("so.too many"), T(label), max, n))
}

// maxNotificationIDs bounds the ids one "mark read" names; a page shows at most 100.
const maxNotificationIDs = orders.MaxMarkRead

// newOrderData is what the new-order page shows beside the form: the channel the order will
// have and the limits of its fields.
func newOrderData(c *kit.Caller, l lookups, in orderInput, leads string) map[string]any {
	max := map[string]int{}
	for _, f := range newOrderTexts {
		max[f.name] = f.max
	}
	d := map[string]any{"L": l, "Form": in, "Channel": intakeChannel(c.User.Role), "Max": max}
	if leads != "" {
		// The dispatcher sees which department the category will preset on the order page.
		d["Leads"] = leads
	}
	return d
}
