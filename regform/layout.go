package regform

import (
	"compress/zlib"
	"fmt"
	"strconv"
	"time"

	"github.com/signintech/gopdf"
	"github.com/skip2/go-qrcode"
)

// Page geometry in points (A4 portrait).
const (
	pageW       = 595.0
	pageH       = 842.0
	marginX     = 42.0
	contentW    = pageW - 2*marginX
	topFirst    = 36.0       // title of page 1
	topNext     = 60.0       // content of later pages, below the running header
	bottomLimit = pageH - 56 // no row below this
	footerY     = pageH - 40 // page number
	labelW      = 124.0      // label column: fits 12 characters
	valueW      = (contentW - 2*labelW) / 2
	padX        = 4.0
	padY        = 3.5
	sectionGap  = 10.0
	titleBarH   = 20.0
	photoW      = 76.0 // 2-inch ID photo, about 27 × 36 mm
	photoH      = 102.0
	qrSize      = 84.0 // includes the 4-module quiet zone
	signatureH  = 40.0
	// pageRoom is the room for rows below a continued section title and
	// record heading.
	pageRoom    = bottomLimit - topNext - titleBarH - (bodySize*lineSpacing + 2*padY)
	headerGap   = 10.0
	lineSpacing = 1.45 // line height as a multiple of the font size
)

// Font sizes in points.
const (
	titleSize   = 16.0
	sectionSize = 11.0
	bodySize    = 9.5
	smallSize   = 8.0
)

// Fill greys.
const (
	greyTitle   = 222
	greyHeading = 236
	greyLabel   = 245
)

// Fixed texts drawn by the layout (the labels of the tables are in
// sections.go).
const (
	photoPlaceholder = "照片"
	continuedMark    = "（续）"
	signatureLabel   = "本人签名："
	dateLabel        = "日期："
	pageNumberFormat = "第 %d 页 / 共 %d 页"
)

// shanghai is the time zone printed on forms (China has no DST).
var shanghai = time.FixedZone("CST", 8*60*60)

type rowKind int

const (
	rowFields    rowKind = iota // label/value cells
	rowHeading                  // shaded full-width line, kept with the next row
	rowText                     // full-width paragraph
	rowSignature                // signature and date lines
)

// row is one table row before layout.
type row struct {
	kind   rowKind
	text   string
	fields []field
}

// cell is a laid-out rectangle of a row with its wrapped lines.
type cell struct {
	x, w  float64
	lines []string
	fill  int // grey level, 0 for none
}

// laidRow is a row with its cells and height.
type laidRow struct {
	kind   rowKind
	cells  []cell
	height float64
}

// doc is one document being drawn.
type doc struct {
	pdf    *gopdf.GoPdf
	y      float64
	size   float64
	widths map[rune]float64 // advance per rune at bodySize
	header string           // running header of later pages
}

func newDoc(fonts *gopdf.FontContainer, f Form) (*doc, error) {
	pdf := new(gopdf.GoPdf)
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4})
	// Content streams are small and mostly text operators: the fastest
	// level compresses them nearly as well.
	pdf.SetCompressLevel(zlib.BestSpeed)
	if err := pdf.AddTTFFontFromFontContainer(fontFamily, fonts); err != nil {
		return nil, err
	}
	pdf.SetInfo(gopdf.PdfInfo{Title: formTitle(f.Year), CreationDate: f.GeneratedAt})
	d := &doc{pdf: pdf, widths: make(map[rune]float64, 512)}
	d.header = runningHeader(f)
	return d, nil
}

// runningHeader is the header of the pages after the first.
func runningHeader(f Form) string {
	return fmt.Sprintf("%s　　校验码：%s", formTitle(f.Year), f.VerifyCode)
}

func formTitle(year int) string {
	return strconv.Itoa(year) + "年山东省住院医师规范化培训招录报名表"
}

func (d *doc) setSize(size float64) error {
	if size == d.size {
		return nil
	}
	d.size = size
	return d.pdf.SetFont(fontFamily, "", size)
}

// runeWidth is the advance of r at bodySize, measured once per document.
func (d *doc) runeWidth(r rune) float64 {
	if w, ok := d.widths[r]; ok {
		return w
	}
	w, err := d.pdf.MeasureTextWidth(string(r))
	if err != nil {
		w = d.size // unmeasurable: assume a full em so nothing overflows
	}
	w *= bodySize / d.size
	d.widths[r] = w
	return w
}

// wrap breaks text for a cell of the given inner width at bodySize.
func (d *doc) wrap(text string, width float64) []string {
	return wrapText(text, width, d.runeWidth)
}

func lineHeight(size float64) float64 { return size * lineSpacing }

// render draws the whole form and the page numbers.
func (d *doc) render(f Form, photo *photoImage) error {
	d.addPage()
	if err := d.drawHeader(f, photo); err != nil {
		return err
	}
	for _, s := range sections(f) {
		if err := d.drawSection(s); err != nil {
			return err
		}
	}
	return d.drawPageNumbers()
}

// drawHeader draws the title, the version/time/code lines, the QR code and
// the photo box on page 1.
func (d *doc) drawHeader(f Form, photo *photoImage) error {
	if err := d.setSize(titleSize); err != nil {
		return err
	}
	d.pdf.SetXY(marginX, topFirst)
	if err := d.pdf.CellWithOption(&gopdf.Rect{W: contentW, H: lineHeight(titleSize)}, formTitle(f.Year), gopdf.CellOption{Align: gopdf.Center | gopdf.Top}); err != nil {
		return err
	}
	top := topFirst + lineHeight(titleSize) + headerGap

	photoX := marginX + contentW - photoW
	if err := d.drawPhoto(photo, photoX, top); err != nil {
		return err
	}
	qrX := photoX - headerGap - qrSize
	if f.VerifyURL != "" {
		if err := d.drawQR(f.VerifyURL, qrX, top); err != nil {
			return err
		}
	}

	lines := headerLines(f)
	if err := d.setSize(bodySize); err != nil {
		return err
	}
	textW := qrX - headerGap - marginX
	y := top
	for _, l := range lines {
		for _, wl := range d.wrap(l, textW) {
			if err := d.text(marginX, y, wl); err != nil {
				return err
			}
			y += lineHeight(bodySize)
		}
	}
	d.y = max(y, top+photoH) + headerGap + 4
	return nil
}

// headerLines are the lines left of the QR code on page 1.
func headerLines(f Form) []string {
	lines := []string{
		"版本：v" + strconv.Itoa(f.Version),
		"生成时间：" + f.GeneratedAt.In(shanghai).Format("2006-01-02 15:04:05"),
		"校验码：" + f.VerifyCode,
	}
	if label := f.State.Label(); label != "" {
		lines = append(lines, "审核状态："+label)
	}
	if f.VerifyURL != "" {
		lines = append(lines, "扫描二维码或访问以下网址核验本报名表：", f.VerifyURL)
	}
	return lines
}

// drawPhoto draws the photo fitted into its box, or the empty box.
func (d *doc) drawPhoto(photo *photoImage, x, y float64) error {
	d.pdf.RectFromUpperLeftWithStyle(x, y, photoW, photoH, "D")
	if photo == nil {
		if err := d.setSize(bodySize); err != nil {
			return err
		}
		d.pdf.SetXY(x, y)
		return d.pdf.CellWithOption(&gopdf.Rect{W: photoW, H: photoH}, photoPlaceholder, gopdf.CellOption{Align: gopdf.Center | gopdf.Middle})
	}
	const inset = 2.0
	w, h := photoW-2*inset, photoH-2*inset
	if scale := float64(photo.width) / float64(photo.height); scale > w/h {
		h = w / scale
	} else {
		w = h * scale
	}
	return d.pdf.ImageByHolder(photo, x+(photoW-w)/2, y+(photoH-h)/2, &gopdf.Rect{W: w, H: h})
}

// drawQR draws url as a vector QR code: one filled rectangle per run of
// dark modules, no image encoding.
func (d *doc) drawQR(url string, x, y float64) error {
	q, err := qrcode.New(url, qrcode.Medium)
	if err != nil {
		return err
	}
	bm := q.Bitmap()
	m := qrSize / float64(len(bm))
	d.pdf.SetFillColor(0, 0, 0)
	for r, bits := range bm {
		for c := 0; c < len(bits); {
			if !bits[c] {
				c++
				continue
			}
			start := c
			for c < len(bits) && bits[c] {
				c++
			}
			// A hair of overlap keeps viewers from showing seams between rows.
			d.pdf.RectFromUpperLeftWithStyle(x+float64(start)*m, y+float64(r)*m, float64(c-start)*m, m+0.05, "F")
		}
	}
	return nil
}

// text draws one line with its top at y.
func (d *doc) text(x, y float64, s string) error {
	d.pdf.SetXY(x, y+(lineHeight(d.size)-d.size*1.1)/2)
	return d.pdf.CellWithOption(&gopdf.Rect{W: contentW, H: lineHeight(d.size)}, s, gopdf.CellOption{Align: gopdf.Left | gopdf.Top})
}

// addPage starts a page. Nothing may be drawn before the first one: gopdf
// would open a content stream belonging to no page.
func (d *doc) addPage() {
	d.pdf.AddPage()
	d.pdf.SetLineWidth(0.6)
	d.pdf.SetStrokeColor(60, 60, 60)
	// Without an explicit text colour gopdf paints text in the fill colour.
	d.pdf.SetTextColor(0, 0, 0)
}

// newPage starts a later page with the running header.
func (d *doc) newPage() error {
	d.addPage()
	if err := d.setSize(smallSize); err != nil {
		return err
	}
	d.pdf.SetTextColor(90, 90, 90)
	err := d.text(marginX, topNext-22, d.header)
	d.pdf.SetTextColor(0, 0, 0)
	d.pdf.Line(marginX, topNext-8, marginX+contentW, topNext-8)
	d.y = topNext
	return err
}

// drawSection draws a section's title bar and rows. A row never splits
// unless it is taller than a page: before a row that does not fit, a new
// page starts with the title marked （续）; a heading is kept with the row
// after it and the title with the first row.
func (d *doc) drawSection(s section) error {
	laid := make([]laidRow, len(s.rows))
	for i, r := range s.rows {
		laid[i] = d.layRow(r)
	}
	if d.y+titleBarH+keepHeight(laid, 0) > bottomLimit && d.y > topNext {
		if err := d.newPage(); err != nil {
			return err
		}
	}
	if err := d.drawTitle(s.title); err != nil {
		return err
	}
	heading := -1 // the last heading drawn, repeated when a record continues
	cont := func(i int) error {
		if err := d.continueSection(s.title); err != nil {
			return err
		}
		if heading < 0 || laid[i].kind == rowHeading {
			return nil
		}
		return d.drawRow(d.layRow(row{kind: rowHeading, text: s.rows[heading].text + continuedMark}))
	}
	for i := range laid {
		if laid[i].kind == rowHeading {
			heading = i
		}
		for d.y+laid[i].height > bottomLimit && laid[i].height > pageRoom {
			// Taller than a page: fill this page, continue on the next.
			if n := int((bottomLimit - d.y - 2*padY) / lineHeight(bodySize)); n > 0 {
				head, tail := splitRow(laid[i], n)
				if err := d.drawRow(head); err != nil {
					return err
				}
				laid[i] = tail
			}
			if err := cont(i); err != nil {
				return err
			}
		}
		if d.y+keepHeight(laid, i) > bottomLimit && d.y > topNext+titleBarH {
			if err := cont(i); err != nil {
				return err
			}
		}
		if err := d.drawRow(laid[i]); err != nil {
			return err
		}
	}
	d.y += sectionGap
	return nil
}

// continueSection starts a new page with the section title marked （续）.
func (d *doc) continueSection(title string) error {
	if err := d.newPage(); err != nil {
		return err
	}
	return d.drawTitle(title + continuedMark)
}

// keepHeight is the height that must fit for row i: a heading with the row
// after it.
func keepHeight(laid []laidRow, i int) float64 {
	h := laid[i].height
	if laid[i].kind == rowHeading && i+1 < len(laid) {
		h += laid[i+1].height
	}
	return h
}

func (d *doc) drawTitle(title string) error {
	if err := d.setSize(sectionSize); err != nil {
		return err
	}
	d.pdf.SetFillColor(greyTitle, greyTitle, greyTitle)
	d.pdf.RectFromUpperLeftWithStyle(marginX, d.y, contentW, titleBarH, "FD")
	d.pdf.SetXY(marginX+padX, d.y)
	if err := d.pdf.CellWithOption(&gopdf.Rect{W: contentW - 2*padX, H: titleBarH}, title, gopdf.CellOption{Align: gopdf.Left | gopdf.Middle}); err != nil {
		return err
	}
	d.y += titleBarH
	return nil
}

// layRow wraps the row's texts into cells and computes its height.
func (d *doc) layRow(r row) laidRow {
	lr := laidRow{kind: r.kind}
	switch r.kind {
	case rowFields:
		vw := contentW - labelW
		if len(r.fields) == 2 {
			vw = valueW
		}
		x := marginX
		for _, f := range r.fields {
			lr.cells = append(lr.cells,
				cell{x: x, w: labelW, lines: d.wrap(f.label(), labelW-2*padX), fill: greyLabel},
				cell{x: x + labelW, w: vw, lines: d.wrap(f.value, vw-2*padX)})
			x += labelW + vw
		}
	case rowHeading:
		lr.cells = []cell{{x: marginX, w: contentW, lines: d.wrap(r.text, contentW-2*padX), fill: greyHeading}}
	case rowText:
		lr.cells = []cell{{x: marginX, w: contentW, lines: d.wrap(r.text, contentW-2*padX)}}
	case rowSignature:
		lr.height = signatureH
		return lr
	}
	n := 0
	for _, c := range lr.cells {
		n = max(n, len(c.lines))
	}
	lr.height = float64(n)*lineHeight(bodySize) + 2*padY
	return lr
}

// splitRow splits a row after n lines of each cell (at least one).
func splitRow(lr laidRow, n int) (head, tail laidRow) {
	n = max(n, 1)
	head, tail = laidRow{kind: lr.kind}, laidRow{kind: lr.kind}
	maxTail := 0
	for _, c := range lr.cells {
		k := min(n, len(c.lines))
		h, t := c, c
		h.lines, t.lines = c.lines[:k], c.lines[k:]
		head.cells = append(head.cells, h)
		tail.cells = append(tail.cells, t)
		maxTail = max(maxTail, len(t.lines))
	}
	head.height = float64(n)*lineHeight(bodySize) + 2*padY
	tail.height = float64(maxTail)*lineHeight(bodySize) + 2*padY
	return head, tail
}

// drawRow draws a laid-out row at d.y and advances d.y.
func (d *doc) drawRow(lr laidRow) error {
	if err := d.setSize(bodySize); err != nil {
		return err
	}
	if lr.kind == rowSignature {
		if err := d.drawSignature(); err != nil {
			return err
		}
		d.y += lr.height
		return nil
	}
	for _, c := range lr.cells {
		style := "D"
		if c.fill != 0 {
			d.pdf.SetFillColor(uint8(c.fill), uint8(c.fill), uint8(c.fill))
			style = "FD"
		}
		d.pdf.RectFromUpperLeftWithStyle(c.x, d.y, c.w, lr.height, style)
		// Lines start at the top, so a label reads before its value's
		// first line in extracted text.
		y := d.y + padY
		for _, l := range c.lines {
			if l != "" {
				if err := d.text(c.x+padX, y, l); err != nil {
					return err
				}
			}
			y += lineHeight(bodySize)
		}
	}
	d.y += lr.height
	return nil
}

// drawSignature draws the applicant's signature and date lines.
func (d *doc) drawSignature() error {
	base := d.y + signatureH - 12
	y := base - lineHeight(bodySize) + 2
	for _, part := range []struct {
		x     float64
		label string
		lineW float64
	}{
		{marginX + 40, signatureLabel, 150},
		{marginX + 300, dateLabel, 130},
	} {
		if err := d.text(part.x, y, part.label); err != nil {
			return err
		}
		lx := part.x + d.textWidth(part.label)
		d.pdf.Line(lx, base, lx+part.lineW, base)
	}
	return nil
}

func (d *doc) textWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		w += d.runeWidth(r)
	}
	return w
}

// drawPageNumbers writes 第 N 页 / 共 M 页 at the foot of every page.
func (d *doc) drawPageNumbers() error {
	total := d.pdf.GetNumberOfPages()
	if err := d.setSize(smallSize); err != nil {
		return err
	}
	for p := 1; p <= total; p++ {
		if err := d.pdf.SetPage(p); err != nil {
			return err
		}
		d.pdf.SetXY(marginX, footerY)
		if err := d.pdf.CellWithOption(&gopdf.Rect{W: contentW, H: lineHeight(smallSize)},
			fmt.Sprintf(pageNumberFormat, p, total), gopdf.CellOption{Align: gopdf.Center | gopdf.Top}); err != nil {
			return err
		}
	}
	return nil
}
