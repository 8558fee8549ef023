package handlers

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"strconv"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"zhupei/recruit"
	"zhupei/web"
)

// layoutFile is the template every page is rendered inside.
const layoutFile = "layout.html"

// page is what the layout receives: the page's own title (empty for the home
// page), the site header (the year's title), the active navigation entry and
// the page's own data.
type page struct {
	Title string
	Brand string // the latest year's title (yearTitle) when empty
	Nav   string // "home", "board", "vacancies", "results", "apply" or "messages"
	Body  any
	Login *loginView // the logged-in account, set by render
}

// templateFuncs are the helpers templates may call: SVG coordinates, and
// the catalogue label of a field ({{label "gender"}}) and its phone name
// ({{mlabel "base"}}); an unknown key fails the page.
var templateFuncs = template.FuncMap{
	"add":    func(a, b int) int { return a + b },
	"sub":    func(a, b int) int { return a - b },
	"label":  fieldLabel,
	"mlabel": mobileLabel,
	"time":   formatTime,
	"dict":   dict,
	"pct":    formatPercent,
	// shorttime is a time of this year in a narrow cell (console_offercols.go).
	"shorttime": formatShortTime,
}

// dict builds a map of key-value pairs for a template called with several
// values.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict of an odd number of values")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// formatPercent shows a ratio as a percentage with one decimal.
func formatPercent(r float64) string { return strconv.FormatFloat(100*r, 'f', 1, 64) + "%" }

// mobileLabel returns the phone's name of the field key (recruit.MobileLabel).
func mobileLabel(key string) (string, error) {
	l, ok := recruit.MobileLabel(key)
	if !ok {
		return "", fmt.Errorf("no field %q in the catalogue", key)
	}
	return l, nil
}

// fieldLabel returns the catalogue label of the field key.
func fieldLabel(key string) (string, error) {
	f, ok := recruit.LookupField(key)
	if !ok {
		return "", fmt.Errorf("no field %q in the catalogue", key)
	}
	return f.Label, nil
}

// pages holds one parsed template set per page, parsed once at start-up.
type pages struct {
	byName map[string]*template.Template
	bufs   sync.Pool
}

// mustParsePages parses the embedded templates; a broken template is a build
// error, so it panics at start-up rather than failing a request later.
func mustParsePages() *pages {
	p, err := parsePages(web.Templates())
	if err != nil {
		panic(err)
	}
	return p
}

// parsePages parses every page with its layout: the console's pages
// (admin_*.html) inside admin_layout.html, the others inside layout.html;
// both with the partials.
func parsePages(fsys fs.FS) (*pages, error) {
	bases := map[string]*template.Template{}
	for _, layout := range []string{layoutFile, adminLayout} {
		t, err := template.New(layout).Funcs(templateFuncs).ParseFS(fsys, layout, "partials/*.html")
		if err != nil {
			return nil, err
		}
		bases[layout] = t
	}
	names, err := fs.Glob(fsys, "*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}, bufs: sync.Pool{New: func() any { return new(bytes.Buffer) }}}
	for _, name := range names {
		if name == layoutFile || name == adminLayout {
			continue
		}
		base := bases[layoutFile]
		if strings.HasPrefix(name, "admin_") {
			base = bases[adminLayout]
		}
		t, err := template.Must(base.Clone()).ParseFS(fsys, name)
		if err != nil {
			return nil, err
		}
		p.byName[name] = t
	}
	return p, nil
}

// fragment executes the template block of page name with data on its own,
// for output that is cached and later placed into a page.
func (p *pages) fragment(name, block string, data any) ([]byte, error) {
	t, ok := p.byName[name]
	if !ok {
		return nil, recruit.Internal(fmt.Errorf("no template %q", name))
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, data); err != nil {
		return nil, recruit.Internal(fmt.Errorf("render %s/%s: %w", name, block, err))
	}
	return buf.Bytes(), nil
}

// latestYear is the latest year of the public snapshot, for the title every
// page carries; nil when there is none or the snapshot cannot be loaded
// (an error page must still render).
func (s *server) latestYear(c *fiber.Ctx) *recruit.Year {
	snap, err := s.public.get(c.UserContext())
	if err != nil {
		return nil
	}
	return snap.Year
}

// render renders the site's page name inside layout.html.
func (s *server) render(c *fiber.Ctx, status int, name string, data page) error {
	if data.Brand == "" {
		data.Brand = yearTitle(s.latestYear(c))
	}
	data.Login = s.loginView(c)
	return s.execute(c, status, name, layoutFile, data)
}

// execute renders page name inside layout with data into a buffer first,
// so that a template error becomes a clean 500 instead of a half-written
// page.
func (s *server) execute(c *fiber.Ctx, status int, name, layout string, data any) error {
	t, ok := s.pages.byName[name]
	if !ok {
		return recruit.Internal(fmt.Errorf("no template %q", name))
	}
	buf := s.pages.bufs.Get().(*bytes.Buffer)
	defer func() {
		buf.Reset()
		s.pages.bufs.Put(buf)
	}()
	if err := t.ExecuteTemplate(buf, layout, data); err != nil {
		return recruit.Internal(fmt.Errorf("render %s: %w", name, err))
	}
	c.Status(status).Type("html", "utf-8")
	c.Response().SetBody(buf.Bytes()) // copies: buf goes back to the pool
	return nil
}
