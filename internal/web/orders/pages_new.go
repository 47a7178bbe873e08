package orders

import (
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"strconv"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

func (s *handlers) savePhotoPart(r *http.Request, town string, userID int64, fh *multipart.FileHeader) (string, error) {
	f, err := fh.Open()
	if err != nil {
		return "", err
	}
	defer f.Close()
	u, err := s.StorePhoto(r, town, userID, f)
	if err != nil {
		return "", err
	}
	return u.ID, nil
}

// resolveOrderRef accepts an order id or an order number.
func (s *handlers) resolveOrderRef(r *http.Request, c *kit.Caller, v string) (int64, error) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n, nil
	}
	_, list, err := s.Orders.List(r.Context(), orders.Filter{Towns: c.Towns, Query: v, Limit: 2})
	if err != nil {
		return 0, err
	}
	for _, o := range list {
		if o.Number == v {
			return o.ID, nil
		}
	}
	return 0, fmt.Errorf("no order %q", v)
}

func (s *handlers) newOrderPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	if c.User.Role == auth.RoleResident {
		http.Redirect(w, r, ResidentReportForm, http.StatusSeeOther)
		return nil
	}
	l, err := s.lookups(r, c, kit.Language(w, r))
	if err != nil {
		return err
	}
	leads, err := s.newFormLeads(r, c, l)
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "order_new", kit.PageData{Title: "new order", Data: newOrderData(c, l, orderInput{}, leads)})
}

// newOrderSubmit creates an order from the form (dispatcher phone intake, grid patrol, resident report).
func (s *handlers) newOrderSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	if c.User.Role == auth.RoleResident {
		// The staff's form is not the residents' (it asks for a channel and coordinates).
		http.Redirect(w, r, ResidentReportForm, http.StatusSeeOther)
		return nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, 6*(10<<20))
	if err := r.ParseMultipartForm(8 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return err
	}
	in := orderInput{Content: r.FormValue("content"), Address: r.FormValue("address"), Category: r.FormValue("category"),
		Channel: r.FormValue("channel"), Grid: r.FormValue("grid"), CallerName: r.FormValue("caller_name"), CallerPhone: r.FormValue("caller_phone"),
		ExternalID: r.FormValue("external_id")}
	lang := kit.Language(w, r)
	err := checkFormTexts(lang, newOrderTexts, r.FormValue)
	if err == nil {
		if in.Lat, err = kit.FloatField(r, "lat"); err == nil {
			in.Lng, err = kit.FloatField(r, "lng")
		}
	}
	var o orders.Order
	if err == nil {
		var n orders.NewOrder
		if n, err = s.newOrder(c, in, lang); err == nil {
			o, err = s.Orders.Create(r.Context(), n)
		}
	}
	if err != nil {
		status, msg, field := kit.ErrorText(r, kit.Language(w, r), err)
		if status >= 500 {
			return err
		}
		l, lerr := s.lookups(r, c, kit.Language(w, r))
		if lerr != nil {
			return lerr
		}
		leads, lerr := s.newFormLeads(r, c, l)
		if lerr != nil {
			return lerr
		}
		return s.Render(w, r, status, "order_new", kit.PageData{Title: "new order", Error: msg, Field: field, Data: newOrderData(c, l, in, leads)})
	}
	kit.RedirectFlash(w, r, fmt.Sprintf("/orders/%d", o.ID), kit.Translator(kit.Language(w, r))("created")+" "+o.Number)
	return nil
}
