package intake

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	weborders "github.com/civicgrid/civicgrid/internal/web/orders"

	"github.com/paulmach/orb/geojson"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// defaultReportTown is the town a report without a position goes to unless the resident picks
// another: the demo deployment's own town.
const defaultReportTown = "新泾镇"

// honeypotField is a text input hidden from people (report.css moves it off screen); bots that
// fill in every field fill it in too.
const honeypotField = "website"

var phonePattern = regexp.MustCompile(`^[0-9+\- ]{5,20}$`)

// residentForm is what the report page shows again after a refused submission.
type residentForm struct {
	Content, Category, Town, Name, Phone, Address, Lat, Lng string
}

// townCategories are one town's leaf categories, for the optional category select.
type townCategories struct {
	Town       places.Region
	Categories []orders.Category
}

func (s *handlers) reportPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	s.deviceID(w, r)
	return s.renderReport(w, r, c, http.StatusOK, residentForm{}, "", "")
}

func (s *handlers) renderReport(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, f residentForm, errMsg, field string) error {
	ctx := r.Context()
	towns, err := places.TenantTowns(ctx, s.DB, nil)
	if err != nil {
		return err
	}
	if f.Town == "" {
		f.Town = defaultTown(towns)
	}
	var cats []townCategories
	for _, t := range towns {
		leaves, err := s.leafCategories(ctx, t.Code)
		if err != nil {
			return err
		}
		if len(leaves) > 0 {
			cats = append(cats, townCategories{Town: t, Categories: leaves})
		}
	}
	return s.Render(w, r, status, "report", kit.PageData{Title: "resident report", Error: errMsg, Field: field,
		Data: map[string]any{"Form": f, "Towns": towns, "Categories": cats, "SignedIn": c != nil && c.User.Role == auth.RoleResident}})
}

func defaultTown(towns []places.Region) string {
	for _, t := range towns {
		if t.Name == defaultReportTown {
			return t.Code
		}
	}
	if len(towns) > 0 {
		return towns[0].Code
	}
	return ""
}

// reportSubmit takes a resident's report (市民随手拍): anonymous allowed, flood-limited per
// address and device, routed to the town whose grids contain the position (else the town the
// resident picked). It answers with the number and short code to follow the order on /track.
func (s *handlers) reportSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	f := residentForm{}
	o, err := s.residentReport(w, r, c, &f)
	if err != nil {
		status, msg, field := kit.ErrorText(r, kit.Language(w, r), err)
		body := kit.APIError{Message: msg, Field: field}
		var flood errFlood
		switch {
		case errors.As(err, &flood):
			status, body = http.StatusTooManyRequests, kit.APIError{Message: flood.Error()}
			retryAfterHeader(w, flood.RetryAfter)
		case status >= 500:
			return err
		}
		return s.renderReport(w, r, c, status, f, body.Message, body.Field)
	}
	if o.RaisedBy != 0 {
		// A signed-in resident follows the report on their own page.
		kit.RedirectFlash(w, r, fmt.Sprintf("%s/%d", weborders.ResidentReports, o.ID),
			fmt.Sprintf(kit.Translator(kit.Language(w, r))("res.received flash"), o.Number))
		return nil
	}
	q := url.Values{"number": {o.Number}, "code": {o.ShortCode}}
	http.Redirect(w, r, "/report/done?"+q.Encode(), http.StatusSeeOther)
	return nil
}

func (s *handlers) residentReport(w http.ResponseWriter, r *http.Request, c *kit.Caller, f *residentForm) (orders.Order, error) {
	ctx := r.Context()
	now := time.Now()
	keys := floodKeys(kit.ClientIP(r), s.deviceID(w, r))
	// Failed attempts are not free: a refused body, a filled honeypot and refused photos count
	// against the flood limit like a report. (Mistakes in the text fields do not: people make them.)
	refused := func(err error) error {
		if rerr := recordFlood(ctx, s.DB, keys, now); rerr != nil {
			s.Log.Error("record report attempt", "err", rerr)
		}
		return err
	}
	if err := readReportForm(w, r, MaxResidentPhotos); err != nil {
		return orders.Order{}, refused(err)
	}
	f.Content, f.Category, f.Town = r.FormValue("content"), strings.TrimSpace(r.FormValue("category")), strings.TrimSpace(r.FormValue("town"))
	f.Name, f.Phone, f.Address = r.FormValue("caller_name"), r.FormValue("caller_phone"), r.FormValue("address")
	f.Lat, f.Lng = r.FormValue("lat"), r.FormValue("lng")
	if strings.TrimSpace(r.FormValue(honeypotField)) != "" {
		return orders.Order{}, refused(kit.BadRequest("", "提交未被接受。如您是居民本人，请刷新页面后重新填写。"))
	}
	if err := checkFlood(ctx, s.DB, keys, now); err != nil {
		return orders.Order{}, err
	}
	// The photos' number and headers first, before anything is decoded.
	checked, err := checkPhotos(w, r, MaxResidentPhotos)
	if err != nil {
		return orders.Order{}, refused(err)
	}

	content, err := formText(r, "content", maxResidentText, "问题描述")
	if err != nil {
		return orders.Order{}, err
	}
	if len([]rune(content)) < 5 {
		return orders.Order{}, problem.Field("content", "请用至少 5 个字描述问题：什么问题、在哪里")
	}
	name, err := formText(r, "caller_name", maxReportNameLen, "称呼")
	if err != nil {
		return orders.Order{}, err
	}
	phone, err := formText(r, "caller_phone", maxReportPhoneLen, "电话")
	if err != nil {
		return orders.Order{}, err
	}
	if phone != "" && !phonePattern.MatchString(phone) {
		return orders.Order{}, problem.Field("caller_phone", "电话号码格式不对：只填数字，例如 13800000000")
	}
	address, err := formText(r, "address", 200, "地址")
	if err != nil {
		return orders.Order{}, err
	}
	photos, err := decodePhotos(w, r, checked)
	if err != nil {
		if status, _ := kit.StatusOf(err); status < 500 {
			err = refused(err) // a photo that would not decode; a busy server is not the sender's doing
		}
		return orders.Order{}, err
	}
	lat, lng, err := reportLocation(r, photos)
	if err != nil {
		return orders.Order{}, err
	}
	towns, err := places.TenantTowns(ctx, s.DB, nil)
	if err != nil {
		return orders.Order{}, err
	}
	town, grid := "", ""
	if lat != nil {
		// Routed to the town whose grids contain the point, whichever town was picked.
		at, g, err := s.townAt(ctx, f.Town, *lat, *lng)
		if err != nil {
			return orders.Order{}, err
		}
		town, grid = at.Code, g
	}
	if town == "" {
		town = f.Town
		if town == "" {
			town = defaultTown(towns)
		}
		known := false
		for _, t := range towns {
			known = known || t.Code == town
		}
		if !known {
			return orders.Order{}, problem.Field("town", "请选择所在街镇")
		}
	}
	category := f.Category
	if category != "" {
		// The list offers every town's categories; one of another town than the position's is
		// dropped: the dispatcher classifies the report anyway.
		if ok, err := s.categoryExists(ctx, town, category); err != nil {
			return orders.Order{}, err
		} else if !ok {
			category = ""
		}
	}
	var userID int64
	if c != nil && c.User.Role == auth.RoleResident {
		userID = c.User.ID
		if name == "" {
			name = c.User.DisplayName
		}
		if phone == "" {
			phone = c.User.Phone
		}
	}
	ids, err := s.savePhotos(ctx, town, userID, photos)
	if err != nil {
		return orders.Order{}, err
	}
	actor := name
	if actor == "" {
		actor = "市民（匿名）"
	}
	o, err := s.Orders.Create(ctx, orders.NewOrder{TownCode: town, Channel: orders.ChannelResident, Content: content, Address: address,
		Lat: lat, Lng: lng, Category: category, Grid: grid, CallerName: name, CallerPhone: phone, RaisedBy: userID,
		ActorName: actor, ActorRole: auth.RoleResident, Photos: ids})
	if err != nil {
		return orders.Order{}, err
	}
	if err := recordFlood(ctx, s.DB, keys, now); err != nil {
		s.Log.Error("record report attempt", "err", err)
	}
	return o, nil
}

// reportDone shows the number and short code big, with the way to follow the order.
func (s *handlers) reportDone(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	q := r.URL.Query()
	o, err := s.lookUpOrder(w, r, q.Get("number"), q.Get("code"))
	var limited errTrackLimited
	switch {
	case errors.As(err, &limited):
		return &kit.HTTPError{Status: http.StatusTooManyRequests, Msg: limited.message(kit.Language(w, r))}
	case err != nil:
		return problem.NotFound("没有这个编号和查询码的反映")
	}
	track := "/track?" + url.Values{"number": {o.Number}, "code": {o.ShortCode}}.Encode()
	return s.Render(w, r, http.StatusOK, "report_done", kit.PageData{Title: "resident report",
		Data: map[string]any{"Number": o.Number, "Code": o.ShortCode, "Track": track, "StateLabel": weborders.StateLabel(o.State, kit.Language(w, r))}})
}

// reportAreas is the public map layer of the report page: every tenant town's grid outlines with
// names only (no members, no phones).
func (s *handlers) reportAreas(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var only []string
	if t := r.URL.Query().Get("town"); t != "" {
		only = []string{t} // one town's outlines, for maps that show a single town
	}
	towns, err := places.TenantTowns(r.Context(), s.DB, only)
	if err != nil {
		return err
	}
	codes := make([]string, len(towns))
	names := map[string]string{}
	for i, t := range towns {
		codes[i], names[t.Code] = t.Code, t.Name
	}
	grids, err := places.Grids(r.Context(), s.DB, codes)
	if err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	for _, g := range grids {
		f := geojson.NewFeature(g.Polygon)
		f.ID = g.Code
		f.Properties = geojson.Properties{"code": g.Code, "name": g.Name, "town_code": g.TownCode, "town_name": names[g.TownCode]}
		fc.Append(f)
	}
	w.Header().Set("Content-Type", "application/geo+json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	return json.NewEncoder(w).Encode(fc)
}
