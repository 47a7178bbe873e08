// Package world holds the demo world of CivicGrid as embedded data: the
// administrative hierarchy of Shanghai, the grids, places, address book,
// departments, people, category tree and order templates of 新泾镇 (the demo
// tenant) and 陆家嘴街道 (a second tenant), and a deterministic generator of
// realistic work orders.
//
// Grid boundaries are drawn by hand ("示意范围"): no official polygons were
// available. gen_data.py in this directory regenerates the geometry, places,
// address book and people; the tests validate whatever it writes. All people
// are invented; all phone numbers are fake (mobiles start with 100, which is
// not an allocated prefix, landlines with 021-0000).
package world

import (
	"bytes"
	"embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/paulmach/orb"
)

//go:embed data
var dataFS embed.FS

// Codes of the demo tenants and their parents.
const (
	CityCode         = "3101"
	XinjingCode      = "310105102"
	ChangningCode    = "310105"
	LujiazuiCode     = "310115005"
	PudongCode       = "310115"
	IllustrativeNote = "示意范围 (illustrative boundary)"
)

// Roles of demo users.
var Roles = []string{"resident", "gridworker", "gridleader", "dispatcher", "handler", "leader", "deputy", "volunteer", "admin"}

// DepartmentKinds are the kinds a Department may have.
var DepartmentKinds = []string{"police", "market", "enforcement", "health", "opscentre", "enterprise", "property",
	"housing", "sanitation", "construction", "service", "office", "committee"}

// GridRoles are the roles of a grid member (多格合一).
var GridRoles = []string{"leader", "deputy", "liaison", "member"}

// DeadlineClasses are the default deadline classes of a category.
var DeadlineClasses = []string{"consult", "general", "complex"}

// Admin is a node of the administrative hierarchy (city, district, town,
// residents' committee) with its national division code.
type Admin struct{ Code, Name, ParentCode string }

// World is one tenant's demo data.
type World struct {
	City       Admin
	District   Admin
	Town       Admin
	Committees []Admin
	Grids      []Grid
	Places     []Place
	Addresses  []Address
	// Buildings (estate + 12号楼) and Landmarks (a place's name, or a short form people use:
	// 淞虹路站, 生境花园) are further rows of the address book, so "天山星城12号楼" and
	// "生境花园门口" find their grid; orders and residents are placed at Addresses only.
	Buildings   []Address
	Landmarks   []Address
	Departments []Department
	Users       []DemoUser
	GridMembers []GridMember
	Residents   []Resident
	Categories  []Category
	// Standard is the rest of the default category tree (data/category_standard.json): the 部件
	// (component) classes and the 立案条件 (filing conditions) of every sub-class, in the style
	// of the urban-management case standards, illustrative (示意); see internal/demo's CategoryTree.
	Standard  CategoryStandard
	Templates Templates
}

// CategoryStandard is the illustrative part of the default category tree.
type CategoryStandard struct {
	Note    string              `json:"note"`
	Nodes   []StandardNode      `json:"nodes"`
	Aliases map[string][]string `json:"aliases"` // the hotline's category texts of a sub-class
}

// StandardNode is a node of the illustrative tree: a 部件 top class, a sub-class, or a filing
// condition (its name the condition's text, its limit a deadline class or working days, Close
// the closing condition).
type StandardNode struct {
	Code           string   `json:"code"`
	Parent         string   `json:"parent,omitempty"`
	Name           string   `json:"name"`
	NameEn         string   `json:"name_en,omitempty"`
	Kind           string   `json:"kind,omitempty"`
	Condition      bool     `json:"condition,omitempty"`
	Deadline       string   `json:"deadline,omitempty"`
	Days           int      `json:"days,omitempty"`
	DepartmentCode string   `json:"department,omitempty"`
	Keywords       []string `json:"keywords,omitempty"`
	Aliases        []string `json:"aliases,omitempty"`
	Close          string   `json:"close,omitempty"`
	Illustrative   bool     `json:"illustrative,omitempty"`
}

// Grid is a responsibility grid of a town: a polygon in WGS84 [lng, lat]
// with one counter-clockwise outer ring, and the residents' committees it covers.
type Grid struct {
	Code, Name string
	Committees []string
	Polygon    orb.Polygon
	Note       string
}

// Place is a named place of the seeds, an estate (小区) or a road. Point is
// [lng, lat]; Line is set for roads (a short stretch inside the grid).
type Place struct {
	Name          string         `json:"name"`
	NameEn        string         `json:"name_en,omitempty"`
	Kind          string         `json:"kind"`
	GridCode      string         `json:"grid"`
	CommitteeCode string         `json:"committee,omitempty"`
	Address       string         `json:"address,omitempty"`
	Lng           float64        `json:"lng"`
	Lat           float64        `json:"lat"`
	Line          orb.LineString `json:"line,omitempty"`
}

// Point returns the place's location.
func (p Place) Point() orb.Point { return orb.Point{p.Lng, p.Lat} }

// Address is an entry of the address book used to route orders by address.
type Address struct {
	Text          string  `json:"text"`   // e.g. 天山西路1035弄
	Road          string  `json:"road"`   // e.g. 天山西路
	Number        string  `json:"number"` // e.g. 1035弄 or 299号
	Estate        string  `json:"estate"`
	Building      string  `json:"building,omitempty"` // e.g. 12号楼, with Estate
	Landmark      string  `json:"landmark,omitempty"` // e.g. 淞虹路地铁站
	CommitteeCode string  `json:"committee"`
	GridCode      string  `json:"grid"`
	Lng           float64 `json:"lng"`
	Lat           float64 `json:"lat"`
}

// Point returns the address's location.
func (a Address) Point() orb.Point { return orb.Point{a.Lng, a.Lat} }

// Department is a handling unit; residents' committees use their committee code.
type Department struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEn string `json:"name_en"`
	Kind   string `json:"kind"`
	Phone  string `json:"phone"`
}

// DemoUser is a login of the demo. TownCode is empty for district-level
// accounts (changning), whose scope is DistrictCode.
type DemoUser struct {
	Username       string `json:"username"`
	Role           string `json:"role"`
	DisplayName    string `json:"display_name"`
	TownCode       string `json:"town"`
	DistrictCode   string `json:"district"`
	DepartmentCode string `json:"department"`
	GridCode       string `json:"grid"`
	Phone          string `json:"phone"`
	Address        string `json:"address,omitempty"` // the demo resident's home address
}

// GridMember is a member of a grid team; Username is set when the member is
// also a demo user.
type GridMember struct {
	Name           string `json:"name"`
	GridCode       string `json:"grid"`
	GridRole       string `json:"grid_role"`
	DepartmentCode string `json:"department"`
	Phone          string `json:"phone"`
	Username       string `json:"username"`
}

// Resident is an invented resident. Address is the full address (with
// building and room for estates); AddressRef is the address-book entry.
type Resident struct {
	Name       string `json:"name"`
	Phone      string `json:"phone"`
	Address    string `json:"address"`
	AddressRef string `json:"address_ref"`
	GridCode   string `json:"grid"`
}

// Category is a node of the category tree. Top classes (大类) have an empty
// ParentCode and no deadline or department; leaves (小类) have both.
type Category struct {
	Code           string   `json:"code"`
	Name           string   `json:"name"`
	NameEn         string   `json:"name_en"`
	ParentCode     string   `json:"parent"`
	Deadline       string   `json:"deadline,omitempty"`
	DepartmentCode string   `json:"department,omitempty"`
	Keywords       []string `json:"keywords,omitempty"`
}

// IsLeaf reports whether c is a 小类.
func (c Category) IsLeaf() bool { return c.ParentCode != "" }

// Templates are texts for generated orders. Orders is keyed by leaf category
// code; Results by leaf code (a top-class code as fallback); RatingComments by satisfaction
// (satisfied, basic, dissatisfied). Order texts use the placeholders
// {address} {estate} {road} {building} {time}.
type Templates struct {
	Orders         map[string][]string `json:"orders"`
	Results        map[string][]string `json:"results"`
	Verifications  []string            `json:"verifications"`
	RejectReasons  []string            `json:"reject_reasons"`
	RatingComments map[string][]string `json:"rating_comments"`
}

// Xinjing returns the 新泾镇 demo world, validated.
func Xinjing() (*World, error) {
	return load(XinjingCode, "xinjing")
}

// Lujiazui returns the 陆家嘴街道 demo world (the second tenant), validated.
// It shares the category tree and templates; category default departments
// are mapped to the subdistrict's department of the same kind, else to its
// operations centre.
func Lujiazui() (*World, error) {
	return load(LujiazuiCode, "lujiazui")
}

// ShanghaiAdmin returns the 16 districts and 234 towns/subdistricts of Shanghai.
func ShanghaiAdmin() (districts, towns []Admin, err error) {
	rows, err := readCSV("data/shanghai_districts_2023.csv")
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rows {
		districts = append(districts, Admin{Code: r["code"], Name: r["name"], ParentCode: r["cityCode"]})
	}
	rows, err = readCSV("data/shanghai_streets_towns_2023.csv")
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rows {
		towns = append(towns, Admin{Code: r["code"], Name: r["name"], ParentCode: r["areaCode"]})
	}
	return districts, towns, nil
}

// Committees returns the residents' committees of a town (by streetCode).
func Committees(townCode string) ([]Admin, error) {
	rows, err := readCSV("data/shanghai_villages_committees_2023.csv")
	if err != nil {
		return nil, err
	}
	var out []Admin
	for _, r := range rows {
		if r["streetCode"] == townCode {
			out = append(out, Admin{Code: r["code"], Name: r["name"], ParentCode: townCode})
		}
	}
	return out, nil
}

// Department returns the department with the given code.
func (w *World) Department(code string) (Department, bool) {
	for _, d := range w.Departments {
		if d.Code == code {
			return d, true
		}
	}
	return Department{}, false
}

// Grid returns the grid with the given code.
func (w *World) Grid(code string) (Grid, bool) {
	for _, g := range w.Grids {
		if g.Code == code {
			return g, true
		}
	}
	return Grid{}, false
}

// Category returns the category with the given code.
func (w *World) Category(code string) (Category, bool) {
	for _, c := range w.Categories {
		if c.Code == code {
			return c, true
		}
	}
	return Category{}, false
}

func readCSV(name string) ([]map[string]string, error) {
	b, err := dataFS.ReadFile(name)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(bytes.NewReader(b))
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var out []map[string]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		m := make(map[string]string, len(head))
		for i, h := range head {
			m[h] = rec[i]
		}
		out = append(out, m)
	}
	return out, nil
}

func readJSON(name string, v any) error {
	b, err := dataFS.ReadFile(name)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

type geoJSON struct {
	Type     string `json:"type"`
	Features []struct {
		Type       string `json:"type"`
		Properties struct {
			Code       string   `json:"code"`
			Name       string   `json:"name"`
			Committees []string `json:"committees"`
			Note       string   `json:"note"`
		} `json:"properties"`
		Geometry struct {
			Type        string         `json:"type"`
			Coordinates [][][2]float64 `json:"coordinates"`
		} `json:"geometry"`
	} `json:"features"`
}

func readGrids(name string) ([]Grid, error) {
	var g geoJSON
	if err := readJSON(name, &g); err != nil {
		return nil, err
	}
	if g.Type != "FeatureCollection" {
		return nil, fmt.Errorf("%s: not a FeatureCollection", name)
	}
	var out []Grid
	for _, f := range g.Features {
		if f.Geometry.Type != "Polygon" {
			return nil, fmt.Errorf("%s: %s: geometry %q, want Polygon", name, f.Properties.Code, f.Geometry.Type)
		}
		var poly orb.Polygon
		for _, ring := range f.Geometry.Coordinates {
			r := make(orb.Ring, len(ring))
			for i, p := range ring {
				r[i] = orb.Point(p)
			}
			poly = append(poly, r)
		}
		out = append(out, Grid{Code: f.Properties.Code, Name: f.Properties.Name,
			Committees: f.Properties.Committees, Polygon: poly, Note: f.Properties.Note})
	}
	return out, nil
}

func load(townCode, prefix string) (*World, error) {
	districts, towns, err := ShanghaiAdmin()
	if err != nil {
		return nil, err
	}
	w := &World{City: Admin{Code: CityCode, Name: "上海市", ParentCode: "31"}}
	for _, t := range towns {
		if t.Code == townCode {
			w.Town = t
		}
	}
	for _, d := range districts {
		if d.Code == w.Town.ParentCode {
			w.District = d
		}
	}
	if w.Town.Code == "" || w.District.Code == "" {
		return nil, fmt.Errorf("world: town %s not in the division codes", townCode)
	}
	if w.Committees, err = Committees(townCode); err != nil {
		return nil, err
	}
	if w.Grids, err = readGrids("data/" + prefix + "_grids.geojson"); err != nil {
		return nil, err
	}
	var places struct {
		Places    []Place   `json:"places"`
		Addresses []Address `json:"addresses"`
		Buildings []Address `json:"buildings"`
		Landmarks []Address `json:"landmarks"`
	}
	if err := readJSON("data/"+prefix+"_places.json", &places); err != nil {
		return nil, err
	}
	w.Places, w.Addresses = places.Places, places.Addresses
	w.Buildings, w.Landmarks = places.Buildings, places.Landmarks
	var deps struct {
		Departments []Department `json:"departments"`
	}
	if err := readJSON("data/"+prefix+"_departments.json", &deps); err != nil {
		return nil, err
	}
	w.Departments = deps.Departments
	var people struct {
		Users       []DemoUser   `json:"users"`
		GridMembers []GridMember `json:"grid_members"`
		Residents   []Resident   `json:"residents"`
	}
	if err := readJSON("data/people.json", &people); err != nil {
		return nil, err
	}
	gridSet := map[string]bool{}
	for _, g := range w.Grids {
		gridSet[g.Code] = true
	}
	for _, u := range people.Users {
		if u.TownCode == townCode || (u.TownCode == "" && u.DistrictCode == w.District.Code) {
			w.Users = append(w.Users, u)
		}
	}
	for _, m := range people.GridMembers {
		if gridSet[m.GridCode] {
			w.GridMembers = append(w.GridMembers, m)
		}
	}
	for _, r := range people.Residents {
		if gridSet[r.GridCode] {
			w.Residents = append(w.Residents, r)
		}
	}
	var cats struct {
		Categories []Category `json:"categories"`
	}
	if err := readJSON("data/categories.json", &cats); err != nil {
		return nil, err
	}
	w.Categories = cats.Categories
	if err := readJSON("data/category_standard.json", &w.Standard); err != nil {
		return nil, err
	}
	if townCode != XinjingCode {
		w.Categories = remapCategories(w.Categories, w.Departments, prefix)
		remap := departmentMapper(w.Departments)
		for i, n := range w.Standard.Nodes {
			if n.DepartmentCode != "" {
				w.Standard.Nodes[i].DepartmentCode = remap(n.DepartmentCode)
			}
		}
	}
	if err := readJSON("data/order_templates.json", &w.Templates); err != nil {
		return nil, err
	}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	return w, nil
}

// remapCategories maps the 新泾镇 default departments onto deps by kind.
func remapCategories(cats []Category, deps []Department, prefix string) []Category {
	remap := departmentMapper(deps)
	out := make([]Category, len(cats))
	for i, c := range cats {
		if c.DepartmentCode != "" {
			c.DepartmentCode = remap(c.DepartmentCode)
		}
		out[i] = c
	}
	return out
}

// departmentMapper maps a 新泾镇 default department onto the one of deps of the same kind (the
// operations centre when deps has none).
func departmentMapper(deps []Department) func(string) string {
	xj, _ := xinjingDepartments()
	kindOf := map[string]string{}
	for _, d := range xj {
		kindOf[d.Code] = d.Kind
	}
	byKind := map[string]string{}
	var ops string
	for _, d := range deps {
		if _, ok := byKind[d.Kind]; !ok && d.Kind != "committee" && d.Kind != "property" {
			byKind[d.Kind] = d.Code
		}
		if d.Kind == "opscentre" && ops == "" {
			ops = d.Code
		}
	}
	return func(code string) string {
		if c, ok := byKind[kindOf[code]]; ok {
			return c
		}
		return ops
	}
}

func xinjingDepartments() ([]Department, error) {
	var deps struct {
		Departments []Department `json:"departments"`
	}
	err := readJSON("data/xinjing_departments.json", &deps)
	return deps.Departments, err
}

// DataFiles returns the names of the embedded data files (for checks and exports).
func DataFiles() []string {
	ents, _ := dataFS.ReadDir("data")
	var out []string
	for _, e := range ents {
		out = append(out, "data/"+e.Name())
	}
	sort.Strings(out)
	return out
}

// ReadDataFile returns an embedded data file by the name DataFiles gives.
func ReadDataFile(name string) ([]byte, error) {
	if !strings.HasPrefix(name, "data/") {
		name = "data/" + name
	}
	return dataFS.ReadFile(name)
}
