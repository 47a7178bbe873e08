package volunteers

import (
	"strings"
	"unicode/utf8"

	"github.com/civicgrid/civicgrid/internal/idnumber"
	"github.com/civicgrid/civicgrid/internal/label"
	"github.com/civicgrid/civicgrid/internal/problem"
)

// ID document types a volunteer registers with (the types the national volunteer information
// system offers, as far as its public registration form shows).
const (
	IDResident = "resident_id" // 居民身份证
	IDHKMO     = "hkmo_permit" // 港澳居民来往内地通行证
	IDTaiwan   = "tw_permit"   // 台湾居民来往大陆通行证
	IDPassport = "passport"    // 护照
	IDForeign  = "foreign_pr"  // 外国人永久居留身份证
)

// IDTypes lists the ID document types.
var IDTypes = []Label{
	{Code: IDResident, ZH: "居民身份证", EN: "Resident identity card"},
	{Code: IDHKMO, ZH: "港澳居民来往内地通行证", EN: "Mainland travel permit (HK/Macao)"},
	{Code: IDTaiwan, ZH: "台湾居民来往大陆通行证", EN: "Mainland travel permit (Taiwan)"},
	{Code: IDPassport, ZH: "护照", EN: "Passport"},
	{Code: IDForeign, ZH: "外国人永久居留身份证", EN: "Foreign permanent resident ID"},
}

// ResidentIDCheck returns the check character of the first 17 digits of a resident ID number.
func ResidentIDCheck(first17 string) byte { return idnumber.Check(first17) }

// NormaliseID returns the ID number as stored: spaces removed, upper case.
func NormaliseID(n string) string {
	return strings.ToUpper(strings.Join(strings.Fields(n), ""))
}

// ValidateID checks an ID number of a type: a resident ID has 18 characters, 17 digits, a birth
// date that exists and the GB 11643 check character; the other documents 5 to 20 letters and digits.
func ValidateID(idType, n string) error {
	if !label.Valid(IDTypes, idType) {
		return problem.Field("id_type", "one of resident_id, hkmo_permit, tw_permit, passport, foreign_pr")
	}
	if idType != IDResident {
		if l := utf8.RuneCountInString(n); l < 5 || l > 20 {
			return problem.Field("id_number", "5 to 20 letters and digits")
		}
		for _, r := range n {
			if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z') {
				return problem.Field("id_number", "letters and digits only")
			}
		}
		return nil
	}
	if len(n) != 18 {
		return problem.Field("id_number", "a resident ID number has 18 characters")
	}
	if !idnumber.Digits(n) {
		return problem.Field("id_number", "the first 17 characters are digits")
	}
	if !validBirth(n[6:14]) {
		return problem.Field("id_number", "the birth date %s does not exist", n[6:14])
	}
	if idnumber.Check(n[:17]) != n[17] {
		return problem.Field("id_number", "the check digit does not match: the number is mistyped")
	}
	return nil
}

func validBirth(s string) bool {
	y := atoi(s[:4])
	m := atoi(s[4:6])
	d := atoi(s[6:8])
	if y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		days[2] = 29
	}
	return d <= days[m]
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// MaskID shows an ID number as certificates and pages do: the first three and last four
// characters of a resident ID (110***********123X), the first and last two of other documents.
func MaskID(n string) string {
	r := []rune(n)
	keepHead, keepTail := 3, 4
	if len(r) < 18 {
		keepHead, keepTail = 1, 2
	}
	if len(r) <= keepHead+keepTail {
		return strings.Repeat("*", len(r))
	}
	return string(r[:keepHead]) + strings.Repeat("*", len(r)-keepHead-keepTail) + string(r[len(r)-keepTail:])
}
