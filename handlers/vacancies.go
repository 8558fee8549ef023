package handlers

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"zhupei/apply"
	"zhupei/recruit"
)

// The vacancy board (调剂缺额, DESIGN.md "Offers and adjustment"): the public
// page /vacancies and its JSON /api/v1/vacancies (listVacancies), read from
// the board's snapshot (snapshot.go) so that they are as live as the board
// and cost no store reads of their own; and the applicant's ranked
// vacancies in the adjustment phase: the page /adjustment and
// PUT /api/v1/me/vacancies (rankVacancies), through apply.Service.

// vacancyRoutes registers the vacancy board and, with the applicant
// service, the applicant's adjustment page and API.
func (s *server) vacancyRoutes(app *fiber.App) {
	app.Get("/vacancies", s.vacanciesPage)
	app.Get("/api/v1/vacancies", s.apiVacancies)
	if s.apply == nil {
		return
	}
	need := s.requireIdentity
	app.Get("/adjustment", need, s.adjustmentPage)
	app.Post("/adjustment", need, s.adjustmentSave)
	app.Put("/api/v1/me/vacancies", need, s.apiRankVacancies)
}

// vacancyFilter is a validated vacancy board filter; zero values match
// everything but All, which is false for 只看有缺额 (the default).
type vacancyFilter struct {
	programFilter
	City string
	All  bool // also programs without a vacancy
}

// maxCity bounds a city parameter, in bytes.
const maxCity = 64

// parseVacancyFilter validates the board's parameters: base and specialty
// as the board's, city one of the year's bases' cities, vacant the last
// of its values ("0": all programs; absent or "1": only those with a
// vacancy).
func (snap *snapshot) parseVacancyFilter(c *fiber.Ctx) (vacancyFilter, error) {
	var f vacancyFilter
	pf, err := snap.parseFilter(c.Query("base"), c.Query("specialty"))
	fe := recruit.FieldErrors{}
	var re *recruit.Error
	if errors.As(err, &re) {
		for k, v := range re.Fields {
			fe.Add(k, v)
		}
	}
	f.programFilter = pf
	if city := c.Query("city"); city != "" {
		if len(city) > maxCity || !slices.Contains(snap.cities(), city) {
			fe.Add("city", "所选城市没有培训基地")
		} else {
			f.City = city
		}
	}
	vals := c.Context().QueryArgs().PeekMulti("vacant")
	if n := len(vals); n > 0 {
		switch string(vals[n-1]) {
		case "0":
			f.All = true
		case "1":
		default:
			fe.Add("vacant", "只看有缺额参数应为 0 或 1")
		}
	}
	return f, fe.Err()
}

// cities are the cities of the year's bases, in the bases' order.
func (snap *snapshot) cities() []string {
	var out []string
	for _, b := range snap.YearBases {
		if !slices.Contains(out, b.City) {
			out = append(out, b.City)
		}
	}
	return out
}

// vacancyRow is one program of the vacancy board.
type vacancyRow struct {
	ProgramID     int64  `json:"program_id"`
	BaseID        int64  `json:"base_id"`
	BaseName      string `json:"base_name"`
	City          string `json:"city"`
	SpecialtyCode string `json:"specialty_code"`
	SpecialtyName string `json:"specialty_name"`
	Plan          int    `json:"plan"`
	Admitted      int    `json:"admitted"`
	Vacancies     int    `json:"vacancies"`
	Shortage      bool   `json:"shortage"`
}

// vacanciesResponse is the body of GET /api/v1/vacancies.
type vacanciesResponse struct {
	Year       int           `json:"year"`
	Phase      recruit.Phase `json:"phase"`
	UpdatedAt  time.Time     `json:"updated_at"`
	Shortage   []string      `json:"shortage_specialties"`
	Programs   []vacancyRow  `json:"programs"`
	Vacancies  int           `json:"vacancies"`   // the rows' vacancies in all
	WithVacant int           `json:"with_vacant"` // rows with a vacancy
}

// vacancies returns the board's rows for f.
func (snap *snapshot) vacancies(f vacancyFilter, phase recruit.Phase) vacanciesResponse {
	r := vacanciesResponse{Year: snap.Year.Year, Phase: phase, UpdatedAt: snap.At, Shortage: snap.Shortage, Programs: []vacancyRow{}}
	if r.Shortage == nil {
		r.Shortage = []string{}
	}
	progs, _ := snap.programs(f.programFilter)
	for _, p := range progs {
		city := snap.baseByID[p.BaseID].City
		if f.City != "" && city != f.City || !f.All && p.Vacancies() == 0 {
			continue
		}
		r.Programs = append(r.Programs, vacancyRow{
			ProgramID: p.ID, BaseID: p.BaseID, BaseName: p.BaseName, City: city,
			SpecialtyCode: p.SpecialtyCode, SpecialtyName: p.SpecialtyName,
			Plan: p.Plan, Admitted: p.Admitted, Vacancies: p.Vacancies(),
			Shortage: slices.Contains(snap.Shortage, p.SpecialtyCode),
		})
		r.Vacancies += p.Vacancies()
		if p.Vacancies() > 0 {
			r.WithVacant++
		}
	}
	return r
}

// memoKey names f's cached encoding of kind; the city and all flag ride in
// the kind, so the key stays bounded by the known cities.
func (f vacancyFilter) memoKey(kind string) encodedKey {
	return encodedKey{kind: kind + "|" + f.City + "|" + strconv.FormatBool(f.All), filter: f.programFilter}
}

// query encodes f as the page's query string ("" or "?…").
func (f vacancyFilter) query() string {
	q, _ := url.ParseQuery(f.programFilter.query())
	if q == nil {
		q = url.Values{}
	}
	if f.City != "" {
		q.Set("city", f.City)
	}
	if f.All {
		q.Set("vacant", "0")
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// vacancySnapshot returns the public snapshot and the request's validated
// vacancy filter.
func (s *server) vacancySnapshot(c *fiber.Ctx) (*snapshot, vacancyFilter, error) {
	snap, err := s.public.get(c.UserContext())
	if err != nil {
		return nil, vacancyFilter{}, err
	}
	f, err := snap.parseVacancyFilter(c)
	return snap, f, err
}

// apiVacancies is GET /api/v1/vacancies (listVacancies).
func (s *server) apiVacancies(c *fiber.Ctx) error {
	snap, f, err := s.vacancySnapshot(c)
	if err != nil {
		return err
	}
	if snap.Year == nil {
		return noYear()
	}
	// The phase is part of the body: cache per snapshot and phase.
	phase := snap.Year.Calendar.PhaseAt(s.now())
	body, err := snap.memo(f.memoKey("vacancies.json/"+string(phase)), func() ([]byte, error) {
		b, err := json.Marshal(snap.vacancies(f, phase))
		if err != nil {
			return nil, recruit.Internal(err)
		}
		return b, nil
	})
	if err != nil {
		return err
	}
	c.Type("json", "utf-8")
	return c.Send(body)
}

// vacanciesData is the data of vacancies.html.
type vacanciesData struct {
	HasYear     bool
	Bases       []recruit.Base
	Specialties []recruit.Specialty
	Cities      []string
	Shortage    []recruit.Specialty
	Filter      vacancyFilter
	UpdatedAt   string
	PollURL     string
	Adjustment  bool // the adjustment phase: rows offer 加入调剂志愿
	vacanciesResponse
}

// vacanciesPage is /vacancies: the vacancy board.
func (s *server) vacanciesPage(c *fiber.Ctx) error {
	snap, f, err := s.vacancySnapshot(c)
	if err != nil {
		return err
	}
	d := vacanciesData{
		HasYear: snap.Year != nil, Bases: snap.YearBases, Specialties: snap.YearSpecialties, Cities: snap.cities(),
		Filter: f, UpdatedAt: snap.At.In(recruit.Shanghai).Format("2006/1/2 15:04:05"),
		PollURL: "/api/v1/vacancies" + f.query(),
	}
	phase := recruit.PhaseBefore
	if snap.Year != nil {
		phase = snap.Year.Calendar.PhaseAt(s.now())
		d.vacanciesResponse = snap.vacancies(f, phase)
		d.Adjustment = phase == recruit.PhaseAdjustment
		for _, code := range snap.Shortage {
			if sp, ok := snap.specByCode[code]; ok {
				d.Shortage = append(d.Shortage, sp)
			}
		}
	}
	body, err := snap.memo(f.memoKey("vacancies.html/"+string(phase)), func() ([]byte, error) {
		return s.pages.fragment("vacancies.html", "vacancies_body", d)
	})
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "vacancies.html", page{Title: "调剂缺额一览", Brand: yearTitle(snap.Year), Nav: "vacancies", Body: template.HTML(body)})
}

// adjustmentData is the data of adjustment.html.
type adjustmentData struct {
	CSRF    string
	Choice  *recruit.Program // the first, fixed preference; nil without a choice
	Slots   []adjustmentSlot // the second and third preferences
	Refused string
	Error   string
	Saved   bool
}

// adjustmentSlot is one selectable preference.
type adjustmentSlot struct {
	Rank     int
	Selected int64
	Options  []optionView
}

// adjustmentView builds the page for a with the chosen second and third
// preferences (0: none).
func (s *server) adjustmentView(c *fiber.Ctx, a *apply.Applicant, chosen []int64) (adjustmentData, error) {
	d := adjustmentData{CSRF: sessionOf(c).CSRF}
	v, err := s.apply.Vacancies(c.UserContext(), a)
	if err != nil {
		return d, err
	}
	d.Refused = recruit.ErrorMessage(v.Refusal)
	if len(v.Ranked) > 0 {
		d.Choice = &v.Ranked[0]
	}
	if chosen == nil {
		for _, p := range v.Ranked[min(1, len(v.Ranked)):] {
			chosen = append(chosen, p.ID)
		}
		if add, ok := parseID(c.Query("add")); ok && len(chosen) < recruit.MaxVacancyPrefs-1 && !slices.Contains(chosen, add) && (d.Choice == nil || d.Choice.ID != add) {
			chosen = append(chosen, add)
		}
	}
	snap, err := s.public.get(c.UserContext())
	if err != nil {
		return d, err
	}
	for k := range recruit.MaxVacancyPrefs - 1 {
		slot := adjustmentSlot{Rank: k + 2}
		if k < len(chosen) {
			slot.Selected = chosen[k]
		}
		for _, p := range snap.Programs {
			if (p.Vacancies() > 0 || p.ID == slot.Selected) && (d.Choice == nil || p.ID != d.Choice.ID) {
				label := p.BaseName + " · " + p.SpecialtyName + "（缺额 " + strconv.Itoa(p.Vacancies()) + "）"
				slot.Options = append(slot.Options, optionView{Value: p.ID, Label: label, Selected: p.ID == slot.Selected})
			}
		}
		d.Slots = append(d.Slots, slot)
	}
	return d, nil
}

// adjustmentPage is GET /adjustment: the applicant's ranked vacancies; ?add=
// puts a program (from the vacancy board) into the first free slot.
func (s *server) adjustmentPage(c *fiber.Ctx) error {
	a, err := s.loadApplicant(c)
	if err != nil {
		return err
	}
	d, err := s.adjustmentView(c, a, nil)
	if err != nil {
		return err
	}
	d.Saved = c.Query("saved") == "1"
	return s.render(c, fiber.StatusOK, "adjustment.html", page{Title: "调剂志愿", Nav: "vacancies", Body: d})
}

// adjustmentSave is POST /adjustment: the choice first, then the selected
// second and third preferences (empty ones left out).
func (s *server) adjustmentSave(c *fiber.Ctx) error {
	a, err := s.loadApplicant(c)
	if err != nil {
		return err
	}
	var chosen []int64
	for k := range recruit.MaxVacancyPrefs - 1 {
		raw := c.FormValue("pref" + strconv.Itoa(k+2))
		if raw == "" {
			continue
		}
		id, ok := parseID(raw)
		if !ok {
			return recruit.Errorf(recruit.EINVALID, "第%d调剂志愿无效", k+2)
		}
		chosen = append(chosen, id)
	}
	var first int64 // the choice; RankVacancies refuses an applicant without one
	if a.App != nil {
		first = a.App.ProgramID
	}
	if _, err = s.apply.RankVacancies(c.UserContext(), a, append([]int64{first}, chosen...)); err == nil {
		return c.Redirect("/adjustment?saved=1", fiber.StatusSeeOther)
	}
	status, ok := statusOf[recruit.ErrorCode(err)]
	if !ok || status >= 500 {
		return err
	}
	d, verr := s.adjustmentView(c, a, chosen)
	if verr != nil {
		return verr
	}
	d.Error = recruit.ErrorMessage(err)
	return s.render(c, status, "adjustment.html", page{Title: "调剂志愿", Nav: "vacancies", Body: d})
}

// rankVacanciesInput is the body of rankVacancies.
type rankVacanciesInput struct {
	ProgramIDs []int64 `json:"program_ids"`
}

// apiRankVacancies is PUT /api/v1/me/vacancies (rankVacancies).
func (s *server) apiRankVacancies(c *fiber.Ctx) error {
	a, err := s.loadApplicant(c)
	if err != nil {
		return err
	}
	var in rankVacanciesInput
	if err := strictJSON(c, &in, `{"program_ids": [第一志愿（当前报考志愿）的编号, …]}（最多 3 个，按志愿顺序）`); err != nil {
		return err
	}
	p, err := s.apply.RankVacancies(c.UserContext(), a, in.ProgramIDs)
	if err != nil {
		return err
	}
	return c.JSON(p)
}
