package volunteers

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// Certificate is a certificate of volunteer service (志愿服务证明) with the fields the rules name
// (民政部令第67号; 民发〔2015〕149号 as summarised in docs/VOLUNTEERS.md): name, ID type and masked
// number, volunteer number, hours and content, issuing body with person in charge and contact,
// date and certificate number. What it certifies is copied in when issued.
type Certificate struct {
	ID              int64     `json:"id"`
	TownCode        string    `json:"town"`
	Number          string    `json:"number"`
	Code            string    `json:"code"` // the signature of the number, for the verification link
	VolunteerID     int64     `json:"volunteer_id"`
	Name            string    `json:"name"`
	IDType          string    `json:"id_type"`
	IDMasked        string    `json:"id_masked"`
	VolunteerNumber string    `json:"volunteer_number"`
	From            string    `json:"from"`
	To              string    `json:"to"`
	Minutes         int64     `json:"minutes"`
	Content         string    `json:"content"`
	Issuer          string    `json:"issuer"`
	PersonInCharge  string    `json:"person_in_charge"`
	Contact         string    `json:"contact"`
	IssuedAt        time.Time `json:"issued_at"`
	IssuedBy        int64     `json:"-"` // the staff user who issued it (0 if unknown): may download its PDF
}

// Hours is the certificate's hours with one decimal.
func (c Certificate) Hours() string { return FormatHours(c.Minutes) }

// CertificateNumberFormat documents certificate numbers: the town's code, the year of issue, C
// and a 6-digit serial (310105102-2026-C000042). The verification code is an HMAC of the number
// under the installation's key, so a number cannot be guessed into a valid link.
const CertificateNumberFormat = "TTTTTTTTT-YYYY-CNNNNNN"

// IssueRequest asks for a certificate over a period.
type IssueRequest struct {
	VolunteerID int64  `json:"volunteer_id"`
	From        string `json:"from"` // first day, YYYY-MM-DD
	To          string `json:"to"`   // last day, inclusive
}

// Issue issues a certificate of a volunteer's confirmed service in a period, by the town's
// alliance (谁记录谁证明: the body that recorded the service certifies it). A period without
// credited hours gets no certificate.
func (s *Service) Issue(ctx context.Context, towns []string, req IssueRequest, by audit.Actor) (Certificate, error) {
	from, err := time.ParseInLocation("2006-01-02", req.From, workcal.Location())
	if err != nil {
		return Certificate{}, problem.Field("from", "a date (YYYY-MM-DD)")
	}
	to, err := time.ParseInLocation("2006-01-02", req.To, workcal.Location())
	if err != nil || to.Before(from) {
		return Certificate{}, problem.Field("to", "a date (YYYY-MM-DD) not before the first day")
	}
	k, err := keysFor(ctx, s.DB)
	if err != nil {
		return Certificate{}, err
	}
	var c Certificate
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		v, err := s.get(ctx, tx, towns, req.VolunteerID)
		if err != nil {
			return err
		}
		if v.Status != StatusApproved {
			return problem.Conflict("the volunteer's registration is not approved")
		}
		al, err := s.GetAlliance(ctx, towns, v.TownCode)
		if err != nil {
			return problem.Conflict("the town has no volunteer alliance to issue certificates")
		}
		lines, err := s.Service(ctx, v.ID, MaxListRows)
		if err != nil {
			return err
		}
		content, minutes := projectsContent(lines, req.From, req.To, s.now())
		if minutes == 0 {
			return problem.Field("to", "no credited service hours in the period (hours count once their 7-day publication has passed without objection)")
		}
		now := s.now()
		prefix := fmt.Sprintf("%s-%d-C", v.TownCode, now.In(workcal.Location()).Year())
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM vol_certificates WHERE number LIKE ?`, prefix+"%").Scan(&n); err != nil {
			return err
		}
		c = Certificate{TownCode: v.TownCode, Number: fmt.Sprintf("%s%06d", prefix, n+1), VolunteerID: v.ID, Name: v.Name, IDType: v.IDType, IDMasked: v.IDMasked,
			VolunteerNumber: v.Number, From: req.From, To: req.To, Minutes: minutes, Content: content, Issuer: al.Issuer, PersonInCharge: al.PersonInCharge,
			Contact: al.Contact, IssuedAt: now, IssuedBy: by.ID}
		if err := tx.QueryRow(ctx, `INSERT INTO vol_certificates (town_code, number, volunteer_id, name, id_type, id_masked, volunteer_number, period_from, period_to, minutes, content, issuer, person_in_charge, contact, issued_at, issued_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.TownCode, c.Number, c.VolunteerID, c.Name, c.IDType, c.IDMasked, c.VolunteerNumber, c.From, c.To, c.Minutes, c.Content, c.Issuer, c.PersonInCharge, c.Contact,
			store.Millis(now), store.NullIfZero(by.ID)).Scan(&c.ID); err != nil {
			if store.IsUniqueViolation(err) {
				return problem.Conflict("another certificate took the same number: try again")
			}
			return err
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionCreate, Entity: "vol_certificate", EntityID: c.Number, TownCode: c.TownCode,
			Detail: fmt.Sprintf("volunteer %s, %s–%s, %d min", c.VolunteerNumber, c.From, c.To, c.Minutes)})
	})
	c.Code = mac(k.cert, c.Number, 12)
	return c, err
}

const certCols = `id, town_code, number, volunteer_id, name, id_type, id_masked, volunteer_number, period_from, period_to, minutes, content, issuer, person_in_charge, contact, issued_at, issued_by`

func (s *Service) scanCerts(ctx context.Context, where string, args ...any) ([]Certificate, error) {
	k, err := keysFor(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	return store.Collect(ctx, s.DB, func(r *sql.Rows) (Certificate, error) {
		var c Certificate
		var at int64
		var by sql.NullInt64
		err := r.Scan(&c.ID, &c.TownCode, &c.Number, &c.VolunteerID, &c.Name, &c.IDType, &c.IDMasked, &c.VolunteerNumber, &c.From, &c.To, &c.Minutes, &c.Content,
			&c.Issuer, &c.PersonInCharge, &c.Contact, &at, &by)
		c.IssuedAt, c.Code, c.IssuedBy = store.FromMillis(at), mac(k.cert, c.Number, 12), by.Int64
		return c, err
	}, `SELECT `+certCols+` FROM vol_certificates WHERE `+where, args...)
}

// Certificates lists a volunteer's certificates, newest first.
func (s *Service) Certificates(ctx context.Context, volunteerID int64) ([]Certificate, error) {
	return s.scanCerts(ctx, `volunteer_id = ? ORDER BY issued_at DESC, id DESC LIMIT 200`, volunteerID)
}

// CertificatesOf lists the certificates of towns, newest first.
func (s *Service) CertificatesOf(ctx context.Context, towns []string, limit int) ([]Certificate, error) {
	in, args := store.In("town_code", towns)
	if limit <= 0 || limit > MaxListRows {
		limit = MaxListRows
	}
	return s.scanCerts(ctx, in+fmt.Sprintf(` ORDER BY issued_at DESC, id DESC LIMIT %d`, limit), args...)
}

// Certificate returns certificate number of towns.
func (s *Service) Certificate(ctx context.Context, towns []string, number string) (Certificate, error) {
	cs, err := s.scanCerts(ctx, `number = ?`, number)
	if err != nil {
		return Certificate{}, err
	}
	if len(cs) == 0 || !slices.Contains(towns, cs[0].TownCode) {
		return Certificate{}, problem.NotFound("certificate %s", number)
	}
	return cs[0], nil
}

// ErrNotGenuine answers a verification whose number and code do not belong together, or whose
// number was never issued: the two are not told apart.
var ErrNotGenuine = problem.New(problem.ErrNotFound, "number", "no genuine certificate has this number and code")

// Public is what the public verification page shows of a certificate: no more than the
// certificate itself shows, and the name masked too.
type Public struct {
	Number          string `json:"number"`
	Name            string `json:"name"`
	IDType          string `json:"id_type"`
	IDMasked        string `json:"id_masked"`
	VolunteerNumber string `json:"volunteer_number"`
	From            string `json:"from"`
	To              string `json:"to"`
	Hours           string `json:"hours"`
	Content         string `json:"content"`
	Issuer          string `json:"issuer"`
	IssuedOn        string `json:"issued_on"`
}

// Verify checks a certificate number against its code and returns its public fields; a number
// with a wrong code is refused before the database is asked.
func (s *Service) Verify(ctx context.Context, number, code string) (Public, error) {
	number, code = strings.TrimSpace(number), strings.TrimSpace(code)
	if number == "" || len(number) > 40 || len(code) != 12 {
		return Public{}, ErrNotGenuine
	}
	k, err := keysFor(ctx, s.DB)
	if err != nil {
		return Public{}, err
	}
	if !hmac.Equal([]byte(code), []byte(mac(k.cert, number, 12))) {
		return Public{}, ErrNotGenuine
	}
	cs, err := s.scanCerts(ctx, `number = ?`, number)
	if err != nil {
		return Public{}, err
	}
	if len(cs) == 0 {
		return Public{}, ErrNotGenuine
	}
	c := cs[0]
	return Public{Number: c.Number, Name: privacy.MaskName(c.Name), IDType: c.IDType, IDMasked: c.IDMasked, VolunteerNumber: c.VolunteerNumber,
		From: c.From, To: c.To, Hours: c.Hours(), Content: c.Content, Issuer: c.Issuer, IssuedOn: day(c.IssuedAt)}, nil
}

// Forged reports whether err is a refused verification.
func Forged(err error) bool { return errors.Is(err, ErrNotGenuine) }

// CertificateForDownload returns certificate number for its PDF and writes the audit row of the
// download: the PDF shows the volunteer's name whole, so each one is a view of personal data. Only
// the volunteer it certifies, the staff user who issued it and the town's administrators may
// download it (volunteerID is the caller's own volunteer record, 0 if none).
func (s *Service) CertificateForDownload(ctx context.Context, towns []string, number string, u auth.User, volunteerID int64, by audit.Actor) (Certificate, error) {
	c, err := s.Certificate(ctx, towns, number)
	if err != nil {
		return Certificate{}, err
	}
	own := volunteerID != 0 && volunteerID == c.VolunteerID
	issuer := c.IssuedBy != 0 && c.IssuedBy == u.ID
	if !own && !issuer && u.Role != auth.RoleAdmin {
		return Certificate{}, problem.NotFound("certificate %s", number)
	}
	err = by.Record(ctx, s.DB, audit.Entry{Action: audit.ActionViewPII, Entity: "vol_certificate", EntityID: c.Number, TownCode: c.TownCode,
		Detail: fmt.Sprintf("certificate PDF of volunteer %s downloaded", c.VolunteerNumber)})
	return c, err
}
