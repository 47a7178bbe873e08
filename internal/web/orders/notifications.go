package orders

import (
	"net/http"

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
	kit.WriteJSON(w, http.StatusOK, map[string]any{"unread": unread, "notifications": list})
	return nil
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
	list, unread, err := s.Orders.Notifications(r.Context(), c.User.ID, false, 100)
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "notifications", kit.PageData{Title: "notifications", Data: map[string]any{"List": list, "Unread": unread}})
}
