// Package bookings is the web face of bookings (预约, internal/bookings): the public portal of
// bookable places and routes with their slots and places left, booking by residents and units,
// one's own bookings with their code and QR code (confirm a hold, cancel), and the resource
// manager's day list, check-in, no-show, closing a slot and occupancy charts.
package bookings

import (
	"embed"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

//go:embed templates static
var files embed.FS

type handlers struct{ *kit.Kit }

// Mount registers the booking routes, pages and entries.
func Mount(m *kit.Mount) error {
	if err := m.Files(files); err != nil {
		return err
	}
	(&handlers{m.Kit()}).routes(m)
	return nil
}

// routes: who may do what. Anyone (under the public rate limit) sees the resources, their points
// and their slots with places left; booking, one's own bookings, confirming a hold and
// cancelling need bookings:book (and the resource's rule: anyone / residents / units);
// everything of the resource manager — creating resources and slots, the day's list with the
// contacts, check-in, no-show, staff cancellation, closing a slot, occupancy — needs
// bookings:manage and the resource's town among the caller's towns (checked by the service).
func (s *handlers) routes(m *kit.Mount) {
	m.API("GET /api/v1/bookings/resources", kit.Public, s.apiResources)
	m.API("POST /api/v1/bookings/resources", auth.PermBookingsManage, s.apiCreateResource)
	m.API("GET /api/v1/bookings/resources/{id}", kit.Public, s.apiResource)
	m.API("GET /api/v1/bookings/resources/{id}/slots", kit.Public, s.apiSlots)
	m.API("POST /api/v1/bookings/resources/{id}/slots", auth.PermBookingsManage, s.apiCreateSlots)
	m.API("GET /api/v1/bookings/resources/{id}/occupancy", auth.PermBookingsManage, s.apiOccupancy)
	m.API("GET /api/v1/bookings/slots/{id}/bookings", auth.PermBookingsManage, s.apiSlotBookings)
	m.API("POST /api/v1/bookings/slots/{id}/bookings", auth.PermBookingsBook, s.apiBook)
	m.API("POST /api/v1/bookings/slots/{id}/close", auth.PermBookingsManage, s.apiCloseSlot)
	m.API("GET /api/v1/bookings/mine", auth.PermBookingsBook, s.apiMine)
	m.API("GET /api/v1/bookings/{id}", auth.PermBookingsBook, s.apiBooking)
	m.API("POST /api/v1/bookings/{id}/confirm", auth.PermBookingsBook, s.apiConfirm)
	m.API("POST /api/v1/bookings/{id}/cancel", auth.PermBookingsBook, s.apiCancel)
	m.API("POST /api/v1/bookings/{id}/staff-cancel", auth.PermBookingsManage, s.apiStaffCancel)
	m.API("POST /api/v1/bookings/{id}/no-show", auth.PermBookingsManage, s.apiNoShow)
	m.API("POST /api/v1/bookings/checkin", auth.PermBookingsManage, s.apiCheckIn)

	m.Page("GET /portal/bookings", kit.Public, s.portalPage)
	m.Page("GET /portal/bookings/{id}", kit.Public, s.resourcePage)
	m.Page("POST /portal/bookings/{id}/book", auth.PermBookingsBook, s.bookSubmit)
	m.Page("GET /bookings/mine", auth.PermBookingsBook, s.minePage)
	m.Page("GET /bookings/mine/{id}", auth.PermBookingsBook, s.bookingPage)
	m.Page("POST /bookings/mine/{id}/confirm", auth.PermBookingsBook, s.confirmSubmit)
	m.Page("POST /bookings/mine/{id}/cancel", auth.PermBookingsBook, s.cancelSubmit)
	m.Page("GET /bookings/manage", auth.PermBookingsManage, s.managePage)
	m.Page("GET /bookings/manage/{id}", auth.PermBookingsManage, s.dayPage)
	m.Page("POST /bookings/manage/{id}/slots", auth.PermBookingsManage, s.slotsSubmit)
	m.Page("POST /bookings/manage/checkin", auth.PermBookingsManage, s.checkInSubmit)
	m.Page("GET /bookings/checkin/{code}", auth.PermBookingsManage, s.checkInPage)
	m.Page("POST /bookings/manage/bookings/{id}/no-show", auth.PermBookingsManage, s.noShowSubmit)
	m.Page("POST /bookings/manage/slots/{id}/close", auth.PermBookingsManage, s.closeSubmit)

	m.Portal(kit.PortalEntry{Key: "bookings", Order: 60, Href: "/portal/bookings", Title: "bk.portal entry", Text: "bk.portal entry text", Icon: "bookings", Summary: s.portalSummary})
	m.Nav(kit.NavEntry{Href: "/portal/bookings", Key: "bk.nav", Group: "nav services", Order: 60, Show: kit.Can(auth.PermBookingsBook)})
	m.Home(kit.HomeEntry{Href: "/bookings/manage", Title: "bk.manage", Text: "bk.home manage", Order: 60, Show: kit.Can(auth.PermBookingsManage)})
}
