package handlers

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"zhupei/recruit"
	"zhupei/web"
)

// staticMaxAge is the browser cache lifetime of /static files, in seconds.
const staticMaxAge = 300

// publicRoutes registers the server-rendered public pages.
func (s *server) publicRoutes(app *fiber.App) {
	app.Use("/static", filesystem.New(filesystem.Config{
		Root:   http.FS(web.Static()),
		MaxAge: staticMaxAge,
	}))
	app.Get("/", s.home)
	if s.follow.png != nil {
		app.Get(FollowQRPath, s.followQRImage)
	}
	app.Get("/board", s.board)
	app.Get("/results", s.resultsIndex)
	app.Get("/results/:baseID", s.resultPage)
}

// yearTitle is the page header of a year.
func yearTitle(y *recruit.Year) string {
	if y == nil {
		return "山东省住院医师规范化培训招录报名系统"
	}
	if y.Title != "" {
		return y.Title
	}
	return strconv.Itoa(y.Year) + "年度山东省住院医师规范化培训招录报名系统"
}

// homeData is the data of home.html.
type homeData struct {
	HasYear    bool
	PhaseLabel string
	Notice     notice
	Calendar   []phaseRow
	Chart      chartView
	Follow     followQR
}

func (s *server) home(c *fiber.Ctx) error {
	snap, err := s.public.get(c.UserContext())
	if err != nil {
		return err
	}
	d := homeData{HasYear: snap.Year != nil, Follow: s.follow}
	if snap.Year != nil {
		now := s.now()
		d.PhaseLabel = snap.Year.Calendar.PhaseAt(now).Label()
		d.Notice = parseNotice(snap.Year.Notice)
		d.Calendar = calendarRows(snap.Year.Calendar, now)
		d.Chart = layoutChart(publicChart, chartSeries(snap.Programs, chartBySpecialty))
	}
	return s.render(c, fiber.StatusOK, "home.html", page{Brand: yearTitle(snap.Year), Nav: "home", Body: d})
}

// boardData is the data of board.html.
type boardData struct {
	HasYear     bool
	Bases       []recruit.Base
	Specialties []recruit.Specialty
	Filter      programFilter
	Programs    []recruit.Program
	Totals      totals
	// Split shows 拟录取 and 已录取 in two columns once the year has a final
	// admission; before, one column 拟录取人数 as seed 三 names it.
	Split     bool
	UpdatedAt string
	PollURL   string // the JSON the page polls for fresh counts
}

func (s *server) board(c *fiber.Ctx) error {
	snap, err := s.public.get(c.UserContext())
	if err != nil {
		return err
	}
	f, err := snap.parseFilter(c.Query("base"), c.Query("specialty"))
	if err != nil {
		return err
	}
	d := boardData{
		HasYear:     snap.Year != nil,
		Bases:       snap.YearBases,
		Specialties: snap.YearSpecialties,
		Filter:      f,
		Split:       snap.anyFinal(),
		UpdatedAt:   snap.At.In(recruit.Shanghai).Format("2006/1/2 15:04:05"), // as board.js formats it,
		PollURL:     "/api/v1/programs" + f.query(),
	}
	d.Programs, d.Totals = snap.programs(f)
	// The table is the same for every reader of a filter until the next
	// snapshot: render it once, then only the layout per request.
	table, err := snap.memo(encodedKey{"board.html", f}, func() ([]byte, error) {
		return s.pages.fragment("board.html", "board_body", d)
	})
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "board.html", page{Title: "招录情况一览表", Brand: yearTitle(snap.Year), Nav: "board", Body: template.HTML(table)})
}

// query encodes f as a query string ("" or "?…").
func (f programFilter) query() string {
	q := url.Values{}
	if f.BaseID != 0 {
		q.Set("base", strconv.FormatInt(f.BaseID, 10))
	}
	if f.Specialty != "" {
		q.Set("specialty", f.Specialty)
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// baseResult is what the public sees of a base's admission: its plan, the
// live counts of seats taken (admitted, of which final are 已录取), as the
// board shows them, and its published lists (Lists, empty until the base
// publishes one).
type baseResult struct {
	Base      recruit.Base    `json:"base"`
	Plan      int             `json:"plan"`
	Admitted  int             `json:"admitted"`
	Final     int             `json:"final"`
	Published bool            `json:"published"`
	Lists     []publishedList `json:"lists"`
}

// parseBaseParam validates a base id path parameter.
func parseBaseParam(raw string) (int64, error) {
	id, ok := parseID(raw)
	if !ok {
		return 0, &recruit.Error{Code: recruit.EINVALID, Message: "培训基地参数无效", Fields: map[string]string{"base": "培训基地参数无效"}}
	}
	return id, nil
}

// result returns the result of one base, ENOTFOUND for an unknown base.
func (snap *snapshot) result(id int64) (baseResult, error) {
	b, ok := snap.baseByID[id]
	if !ok {
		return baseResult{}, recruit.Errorf(recruit.ENOTFOUND, "该培训基地不存在")
	}
	_, t := snap.programs(programFilter{BaseID: id})
	lists := snap.lists(id)
	return baseResult{Base: b, Plan: t.Plan, Admitted: t.Admitted, Final: t.Final, Published: len(lists) > 0, Lists: lists}, nil
}

// resultOf parses the baseID path parameter and returns that base's result.
func (s *server) resultOf(c *fiber.Ctx) (*snapshot, baseResult, error) {
	id, err := parseBaseParam(c.Params("baseID"))
	if err != nil {
		return nil, baseResult{}, err
	}
	snap, err := s.public.get(c.UserContext())
	if err != nil {
		return nil, baseResult{}, err
	}
	r, err := snap.result(id)
	return snap, r, err
}

// resultsIndexData is the data of results.html.
type resultsIndexData struct {
	HasYear bool
	Bases   []baseResult
}

func (s *server) resultsIndex(c *fiber.Ctx) error {
	snap, err := s.public.get(c.UserContext())
	if err != nil {
		return err
	}
	d := resultsIndexData{HasYear: snap.Year != nil}
	for _, b := range snap.YearBases {
		r, err := snap.result(b.ID)
		if err != nil {
			return err
		}
		d.Bases = append(d.Bases, r)
	}
	return s.render(c, fiber.StatusOK, "results.html", page{Title: "拟录取名单公示", Brand: yearTitle(snap.Year), Nav: "results", Body: d})
}

// resultPageData is the data of result.html.
type resultPageData struct {
	HasYear bool
	Result  baseResult
}

func (s *server) resultPage(c *fiber.Ctx) error {
	snap, r, err := s.resultOf(c)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "result.html", page{
		Title: r.Base.Name + " 拟录取名单", Brand: yearTitle(snap.Year), Nav: "results",
		Body: resultPageData{HasYear: snap.Year != nil, Result: r},
	})
}
