package handlers

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"zhupei/recruit"
	"zhupei/web"
)

// apiRoutes registers the public JSON API under /api/v1.
func (s *server) apiRoutes(app *fiber.App) {
	api := app.Group("/api/v1")
	api.Get("/year", s.apiYear)
	api.Get("/bases", s.apiBases)
	api.Get("/specialties", s.apiSpecialties)
	api.Get("/chart", s.apiChart)
	api.Get("/results/:baseID", s.apiResult)
	api.Get("/openapi.yaml", s.apiSpec)
}

// yearResponse is the body of GET /api/v1/year.
type yearResponse struct {
	Year       int              `json:"year"`
	Title      string           `json:"title"`
	Phase      recruit.Phase    `json:"phase"`
	PhaseLabel string           `json:"phase_label"`
	Calendar   recruit.Calendar `json:"calendar"`
	Notice     string           `json:"notice"`
}

func (s *server) apiYear(c *fiber.Ctx) error {
	snap, err := s.public.get(c.UserContext())
	if err != nil {
		return err
	}
	if snap.Year == nil {
		return noYear()
	}
	y := snap.Year
	phase := y.Calendar.PhaseAt(s.now())
	if notModified(c, snap, "-"+string(phase)) {
		return sendNotModified(c)
	}
	return c.JSON(yearResponse{
		Year: y.Year, Title: yearTitle(y), Phase: phase, PhaseLabel: phase.Label(),
		Calendar: y.Calendar, Notice: y.Notice,
	})
}

func (s *server) apiBases(c *fiber.Ctx) error {
	snap, err := s.public.get(c.UserContext())
	if err != nil {
		return err
	}
	if notModified(c, snap, "") {
		return sendNotModified(c)
	}
	return c.JSON(fiber.Map{"bases": snap.Bases})
}

func (s *server) apiSpecialties(c *fiber.Ctx) error {
	snap, err := s.public.get(c.UserContext())
	if err != nil {
		return err
	}
	if notModified(c, snap, "") {
		return sendNotModified(c)
	}
	return c.JSON(fiber.Map{"specialties": snap.Specialties})
}

// programsResponse is the body of GET /api/v1/programs, polled by the board.
type programsResponse struct {
	Year      int               `json:"year"`
	UpdatedAt time.Time         `json:"updated_at"`
	Programs  []recruit.Program `json:"programs"`
	Totals    totals            `json:"totals"`
}

func (s *server) apiPrograms(c *fiber.Ctx) error {
	snap, err := s.public.get(c.UserContext())
	if err != nil {
		return err
	}
	f, err := snap.parseFilter(c.Query("base"), c.Query("specialty"))
	if err != nil {
		return err
	}
	if snap.Year == nil {
		return noYear()
	}
	// Set, not appended (c.Vary): nothing before sets Vary on this route.
	c.Response().Header.SetCanonical(keyVary, acceptEncoding)
	if notModified(c, snap, "") {
		return sendNotModified(c)
	}
	body, err := snap.programsJSON(f)
	if err != nil {
		return err
	}
	c.Response().Header.SetContentType(fiber.MIMEApplicationJSONCharsetUTF8)
	// Peeked, not copied (as c.Get does with Immutable): only read here.
	if acceptsGzip(utils.UnsafeString(c.Request().Header.PeekBytes(acceptEncoding))) {
		// Every board polls this every few seconds; phones on a mobile
		// network get about a tenth of the bytes, compressed once per
		// snapshot and filter.
		gz, err := snap.memo(encodedKey{"programs.json.gz", f}, func() ([]byte, error) { return gzipBytes(body) })
		if err != nil {
			return err
		}
		c.Response().Header.SetContentEncoding("gzip")
		return c.Send(gz) // not copied either
	}
	return c.Send(body) // not copied: the shared bytes are never modified
}

// The Vary header of the polled JSON, in canonical form (see keyRequestID);
// acceptEncoding is also the name of the request header read.
var (
	keyVary        = canonicalKey(fiber.HeaderVary)
	acceptEncoding = []byte(fiber.HeaderAcceptEncoding)
)

// acceptsGzip reports whether an Accept-Encoding header allows gzip
// ("gzip;q=0" refuses it).
func acceptsGzip(header string) bool {
	for header != "" {
		var part string
		part, header, _ = strings.Cut(header, ",")
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// gzipBytes compresses b.
func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		return nil, recruit.Internal(err)
	}
	if err := w.Close(); err != nil {
		return nil, recruit.Internal(err)
	}
	return buf.Bytes(), nil
}

// chartResponse is the body of GET /api/v1/chart.
type chartResponse struct {
	Year   int         `json:"year"`
	By     string      `json:"by"`
	Series []chartItem `json:"series"`
}

func (s *server) apiChart(c *fiber.Ctx) error {
	by := c.Query("by", chartBySpecialty)
	if by != chartBySpecialty && by != chartByBase {
		return &recruit.Error{Code: recruit.EINVALID, Message: "分组方式无效，应为 specialty 或 base", Fields: map[string]string{"by": "分组方式无效"}}
	}
	snap, err := s.public.get(c.UserContext())
	if err != nil {
		return err
	}
	if snap.Year == nil {
		return noYear()
	}
	if notModified(c, snap, "") {
		return sendNotModified(c)
	}
	return c.JSON(chartResponse{Year: snap.Year.Year, By: by, Series: chartSeries(snap.Programs, by)})
}

func (s *server) apiResult(c *fiber.Ctx) error {
	snap, r, err := s.resultOf(c)
	if err != nil {
		return err
	}
	if notModified(c, snap, "") {
		return sendNotModified(c)
	}
	return c.JSON(r)
}

// openAPISpec is the OpenAPI description of this API, read once.
var openAPISpec = func() []byte {
	b, err := fs.ReadFile(web.Static(), "openapi.yaml")
	if err != nil {
		panic(err) // embedded at build time
	}
	return b
}()

func (s *server) apiSpec(c *fiber.Ctx) error {
	c.Type("yaml", "utf-8")
	return c.Send(openAPISpec)
}
