package orders

import (
	"net/http"
	"strings"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

func (s *handlers) apiNotifications(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	list, unread, err := s.Orders.Notifications(r.Context(), c.User.ID, r.URL.Query().Get("unread") == "true", 50)
	if err != nil {
		return err
	}
	if list == nil {
		list = []orders.Notification{}
	}
	// "notifications" and "unread" as before (each notice, resolved ones marked); "orders" is the
	// inbox the page shows: one line per order that needs the user, and "unread_orders" the bell.
	inbox, unreadOrders, err := s.Orders.Inbox(r.Context(), c.User.ID, 50)
	return kit.Reply(w, http.StatusOK, map[string]any{"unread": unread, "notifications": list, "orders": inbox, "unread_orders": unreadOrders}, err)
}

func (s *handlers) apiNotificationsRead(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var in struct {
		IDs []int64 `json:"ids"`
	}
	if r.ContentLength != 0 {
		if err := kit.DecodeJSON(r, &in); err != nil {
			return err
		}
	}
	if err := checkList("en", "ids", "notification ids", len(in.IDs), maxNotificationIDs); err != nil {
		return err
	}
	if err := s.Orders.MarkRead(r.Context(), c.User.ID, in.IDs); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *handlers) notificationsRead(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	if err := s.Orders.MarkRead(r.Context(), c.User.ID, nil); err != nil {
		return err
	}
	http.Redirect(w, r, kit.SafeNext(r.PostFormValue("back")), http.StatusSeeOther)
	return nil
}

func (s *handlers) notificationsPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	list, unread, err := s.Orders.Inbox(r.Context(), c.User.ID, 100)
	if err != nil {
		return err
	}
	// The line starts with the order's number: its notice need not say it again.
	for i, l := range list {
		if l.OrderNumber != "" {
			list[i].Latest.Text = strings.Replace(l.Latest.Text, "工单 "+l.OrderNumber+" ", "", 1)
		}
	}
	return s.Render(w, r, http.StatusOK, "notifications", kit.PageData{Title: "notifications", Data: map[string]any{"List": list, "Unread": unread}})
}
